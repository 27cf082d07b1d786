/*
 * auth.c - challenges and bearer tokens (include/liandan/auth.h, schema/api.md).
 * Open challenges live in a small table in memory: a restart forgets them,
 * which only means a client asks again.
 */
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "liandan/auth.h"
#include "liandan/buf.h"
#include "liandan/enc.h"
#include "liandan/mem.h"
#include "liandan/banned.h"

#define OPEN_MAX 4096 /* open challenges at once */

struct challenge {
    uint8_t nonce[32];
    char keyid[33];
    int64_t expires; /* 0: slot free */
};

struct ld_auth {
    uint8_t key[32];
    pthread_mutex_t mu;
    struct challenge open[OPEN_MAX];
};

struct ld_auth *
ld_auth_new(const uint8_t mac_key[32])
{
    struct ld_auth *a = ld_xcalloc(1, sizeof *a);

    memcpy(a->key, mac_key, sizeof a->key);
    pthread_mutex_init(&a->mu, NULL);
    return a;
}

void
ld_auth_free(struct ld_auth *a)
{
    if (a == NULL)
        return;
    pthread_mutex_destroy(&a->mu);
    sodium_memzero(a->key, sizeof a->key);
    free(a);
}

enum ld_rc
ld_auth_challenge(struct ld_auth *a, const char *keyid, int64_t now,
                  char nonce[LD_AUTH_NONCE_HEX], int64_t *expires)
{
    struct challenge *c = NULL;
    size_t i;

    pthread_mutex_lock(&a->mu);
    for (i = 0; i < OPEN_MAX && c == NULL; i++)
        if (a->open[i].expires <= now)
            c = &a->open[i];
    if (c == NULL) {
        pthread_mutex_unlock(&a->mu);
        return LD_BUSY;
    }
    randombytes_buf(c->nonce, sizeof c->nonce);
    snprintf(c->keyid, sizeof c->keyid, "%s", keyid);
    c->expires = now + LD_AUTH_NONCE_TTL;
    ld_enc_hex(c->nonce, sizeof c->nonce, nonce);
    *expires = c->expires;
    pthread_mutex_unlock(&a->mu);
    return LD_OK;
}

enum ld_rc
ld_auth_consume(struct ld_auth *a, const char *keyid, const char *nonce, int64_t now)
{
    uint8_t n[32];
    enum ld_rc rc = LD_NOTFOUND;
    size_t i;

    if (strlen(nonce) != 64 || ld_enc_unhex(nonce, 64, n, sizeof n) != LD_OK)
        return LD_NOTFOUND;
    pthread_mutex_lock(&a->mu);
    for (i = 0; i < OPEN_MAX; i++) {
        struct challenge *c = &a->open[i];
        if (c->expires > now && sodium_memcmp(c->nonce, n, sizeof n) == 0) {
            if (strcmp(c->keyid, keyid) == 0) {
                c->expires = 0;
                rc = LD_OK;
            }
            break;
        }
    }
    pthread_mutex_unlock(&a->mu);
    return rc;
}

char *
ld_auth_message(const char *keyid, const char *nonce, const char *origin, size_t *len)
{
    struct ld_buf b = LD_BUF_INIT;

    /* JCS of {"key","nonce","origin"}: keys already in order; the values are
     * a key id, a nonce (hex) and an origin (printable ASCII, no '"' or '\\'),
     * none of which JSON escapes. */
    ld_buf_addf(&b, "{\"key\":\"%s\",\"nonce\":\"%s\",\"origin\":\"%s\"}", keyid, nonce, origin);
    return ld_buf_detach(&b, len);
}

static void
mac(const struct ld_auth *a, const char *keyid, long long exp, char out[65])
{
    static const char tag[] = "liandan/token/v1\n";
    char body[64];
    uint8_t h[32];
    crypto_generichash_state st;
    int n = snprintf(body, sizeof body, "%s.%lld", keyid, exp);

    crypto_generichash_init(&st, a->key, sizeof a->key, sizeof h);
    crypto_generichash_update(&st, (const unsigned char *)tag, sizeof tag - 1);
    crypto_generichash_update(&st, (const unsigned char *)body, (size_t)n);
    crypto_generichash_final(&st, h, sizeof h);
    ld_enc_hex(h, sizeof h, out);
}

void
ld_auth_token(struct ld_auth *a, const char *keyid, int64_t exp, char out[LD_AUTH_TOKEN_MAX])
{
    char m[65];

    mac(a, keyid, (long long)exp, m);
    snprintf(out, LD_AUTH_TOKEN_MAX, "%s.%lld.%s", keyid, (long long)exp, m);
}

enum ld_rc
ld_auth_token_check(struct ld_auth *a, const char *token, int64_t now, char keyid[33],
                    int64_t *exp)
{
    const char *d1, *d2, *p;
    char want[65], kid[33];
    long long e = 0;
    size_t i;

    d1 = strchr(token, '.');
    if (d1 == NULL || d1 - token != 32)
        return LD_PARSE;
    for (i = 0; i < 32; i++)
        if (!((token[i] >= '0' && token[i] <= '9') || (token[i] >= 'a' && token[i] <= 'f')))
            return LD_PARSE;
    d2 = strchr(d1 + 1, '.');
    if (d2 == NULL || d2 == d1 + 1 || d2 - d1 > 19 || strlen(d2 + 1) != 64)
        return LD_PARSE;
    for (p = d1 + 1; p < d2; p++) {
        if (*p < '0' || *p > '9')
            return LD_PARSE;
        e = e * 10 + (*p - '0');
    }
    memcpy(kid, token, 32);
    kid[32] = '\0';
    mac(a, kid, e, want);
    if (sodium_memcmp(want, d2 + 1, 64) != 0)
        return LD_BADSIG;
    if ((int64_t)e <= now)
        return LD_INVALID;
    memcpy(keyid, kid, sizeof kid);
    *exp = (int64_t)e;
    return LD_OK;
}
