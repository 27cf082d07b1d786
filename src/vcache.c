/*
 * vcache.c - memo of verified (event id, key id) pairs (include/liandan/vcache.h).
 * The slot is chosen by the id's first bytes (ids are SHA-256 output, so they
 * spread evenly); striped locks keep readers on different slots apart.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "liandan/mem.h"
#include "liandan/vcache.h"
#include "liandan/banned.h"

#define STRIPES 64

struct slot {
    uint8_t id[32];
    char keyid[33];
    uint8_t used;
};

struct ld_vcache {
    size_t n;
    struct slot *slots;
    pthread_mutex_t mu[STRIPES];
};

struct ld_vcache *
ld_vcache_new(size_t slots)
{
    struct ld_vcache *vc = ld_xcalloc(1, sizeof *vc);
    size_t i;

    vc->n = slots ? slots : 1;
    vc->slots = ld_xcalloc(vc->n, sizeof *vc->slots);
    for (i = 0; i < STRIPES; i++)
        pthread_mutex_init(&vc->mu[i], NULL);
    return vc;
}

void
ld_vcache_free(struct ld_vcache *vc)
{
    size_t i;

    if (vc == NULL)
        return;
    for (i = 0; i < STRIPES; i++)
        pthread_mutex_destroy(&vc->mu[i]);
    free(vc->slots);
    free(vc);
}

static size_t
slot_of(const struct ld_vcache *vc, const uint8_t id[32])
{
    uint64_t k;

    memcpy(&k, id, sizeof k);
    return (size_t)(k % vc->n);
}

int
ld_vcache_has(struct ld_vcache *vc, const uint8_t id[32], const char *keyid)
{
    size_t i;
    int hit;

    if (vc == NULL)
        return 0;
    i = slot_of(vc, id);
    pthread_mutex_lock(&vc->mu[i % STRIPES]);
    hit = vc->slots[i].used && memcmp(vc->slots[i].id, id, 32) == 0 &&
          strcmp(vc->slots[i].keyid, keyid) == 0;
    pthread_mutex_unlock(&vc->mu[i % STRIPES]);
    return hit;
}

void
ld_vcache_put(struct ld_vcache *vc, const uint8_t id[32], const char *keyid)
{
    size_t i;

    if (vc == NULL || strlen(keyid) >= sizeof vc->slots[0].keyid)
        return;
    i = slot_of(vc, id);
    pthread_mutex_lock(&vc->mu[i % STRIPES]);
    memcpy(vc->slots[i].id, id, 32);
    memcpy(vc->slots[i].keyid, keyid, strlen(keyid) + 1);
    vc->slots[i].used = 1;
    pthread_mutex_unlock(&vc->mu[i % STRIPES]);
}
