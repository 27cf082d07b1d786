/*
 * ratelimit.c - token buckets per client address (include/liandan/ratelimit.h).
 * The table is direct-mapped by a keyed hash of the address (so that a client
 * cannot aim collisions), split into stripes with a lock each.
 */
#include <math.h>
#include <pthread.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "liandan/mem.h"
#include "liandan/ratelimit.h"
#include "liandan/banned.h"

#define SLOTS 8192
#define STRIPES 64

struct slot {
    uint8_t addr[16];
    uint8_t len;
    double tokens; /* available now */
    double t;      /* when tokens was computed */
};

struct ld_ratelimit {
    double rate, burst;
    uint8_t hkey[crypto_shorthash_KEYBYTES];
    pthread_mutex_t mu[STRIPES];
    struct slot slots[SLOTS];
};

struct ld_ratelimit *
ld_ratelimit_new(double rate, double burst)
{
    struct ld_ratelimit *rl = ld_xcalloc(1, sizeof *rl);
    size_t i;

    rl->rate = rate;
    rl->burst = burst < 1 ? 1 : burst;
    randombytes_buf(rl->hkey, sizeof rl->hkey);
    for (i = 0; i < STRIPES; i++)
        pthread_mutex_init(&rl->mu[i], NULL);
    return rl;
}

void
ld_ratelimit_free(struct ld_ratelimit *rl)
{
    size_t i;

    if (rl == NULL)
        return;
    for (i = 0; i < STRIPES; i++)
        pthread_mutex_destroy(&rl->mu[i]);
    free(rl);
}

unsigned
ld_ratelimit_take(struct ld_ratelimit *rl, const void *addr, size_t len, double now)
{
    uint8_t h[crypto_shorthash_BYTES];
    uint64_t k;
    struct slot *s;
    pthread_mutex_t *mu;
    unsigned wait = 0;

    if (rl->rate <= 0)
        return 0;
    if (len > sizeof s->addr)
        len = sizeof s->addr;
    crypto_shorthash(h, addr, len, rl->hkey);
    memcpy(&k, h, sizeof k);
    s = &rl->slots[k % SLOTS];
    mu = &rl->mu[k % STRIPES];
    pthread_mutex_lock(mu);
    if (s->len != len || memcmp(s->addr, addr, len) != 0) {
        memcpy(s->addr, addr, len);
        s->len = (uint8_t)len;
        s->tokens = rl->burst;
        s->t = now;
    }
    s->tokens += (now - s->t) * rl->rate;
    if (s->tokens > rl->burst)
        s->tokens = rl->burst;
    s->t = now;
    if (s->tokens >= 1)
        s->tokens -= 1;
    else
        wait = (unsigned)ceil((1 - s->tokens) / rl->rate);
    pthread_mutex_unlock(mu);
    return wait;
}
