/*
 * api_auth.c - POST /v1/auth/challenge and POST /v1/auth/token: sign-in by
 * proving possession of a certified key (schema/api.md "Authentication";
 * the message format is in include/liandan/auth.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http_api.h"
#include "liandan/enc.h"
#include "liandan/party.h"
#include "liandan/tm.h"
#include "liandan/banned.h"

/* The public key of keyid if it may sign in now: the regulator's pinned key,
 * or a key certified for a party, in force and not revoked. Returns LD_OK
 * (pk and party set), LD_WRONGKEY, or a store error. */
static enum ld_rc
signer(struct ld_http_req *r, const char *keyid, uint8_t pk[32], char party[19])
{
    struct ld_store_key k;
    struct ld_ledger *l;
    enum ld_rc rc;

    if (strcmp(keyid, r->h->regulator.keyid) == 0) {
        memcpy(pk, r->h->regulator.pk, 32);
        snprintf(party, 19, "%s", "regulator");
        return LD_OK;
    }
    if ((l = ld_http_reader(r)) == NULL)
        return LD_BUSY;
    memset(&k, 0, sizeof k);
    rc = ld_store_key_get(ld_ledger_store(l), keyid, &k);
    if (rc == LD_NOTFOUND)
        return LD_WRONGKEY;
    if (rc == LD_OK)
        rc = ld_party_key_check(&k, k.party, ld_http_now(), UINT64_MAX, NULL);
    if (rc == LD_OK) {
        memcpy(pk, k.pub, 32);
        snprintf(party, 19, "%s", k.party);
    }
    if (k.vkey)
        ld_store_key_release(&k);
    return rc;
}

static int
keyid_ok(const char *s)
{
    size_t i;

    if (strlen(s) != 32)
        return 0;
    for (i = 0; i < 32; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
            return 0;
    return 1;
}

static void
signer_failed(struct ld_http_req *r, enum ld_rc rc)
{
    if (rc == LD_WRONGKEY || rc == LD_INVALID) {
        ld_http_error(r, 401, 0, "unauthorized", "key",
                      "the key is not certified for any party now");
        ld_http_header_add(r, "WWW-Authenticate", "Bearer realm=\"liandan\"");
    } else if (r->resp == NULL) {
        ld_http_fail(r, rc, NULL);
    }
}

void
ld_api_auth_challenge(struct ld_http_req *r)
{
    cJSON *o = ld_http_body_object(r), *out;
    const char *key;
    char nonce[LD_AUTH_NONCE_HEX], party[19], at[32];
    uint8_t pk[32];
    int64_t exp;
    enum ld_rc rc;

    if (o == NULL)
        return;
    if ((key = ld_http_member(r, o, "key")) == NULL)
        goto out;
    if (!keyid_ok(key)) {
        ld_http_error(r, 400, LD_PARSE, "parse", "key", "a key id is 32 lowercase hex digits");
        goto out;
    }
    rc = signer(r, key, pk, party);
    if (rc != LD_OK) {
        signer_failed(r, rc);
        goto out;
    }
    if (ld_auth_challenge(r->h->auth, key, ld_http_now(), nonce, &exp) != LD_OK) {
        ld_http_fail(r, LD_BUSY, NULL);
        goto out;
    }
    out = cJSON_CreateObject();
    cJSON_AddStringToObject(out, "nonce", nonce);
    ld_tm_format(exp, at);
    cJSON_AddStringToObject(out, "expires_at", at);
    ld_http_reply_json(r, 200, out);
out:
    cJSON_Delete(o);
}

void
ld_api_auth_token(struct ld_http_req *r)
{
    cJSON *o = ld_http_body_object(r), *out;
    const char *key, *nonce, *sig;
    char party[19], token[LD_AUTH_TOKEN_MAX], at[32];
    uint8_t pk[32], sb[64];
    size_t sl = 0, ml = 0;
    char *msg = NULL;
    int64_t now = ld_http_now(), exp;
    enum ld_rc rc;

    if (o == NULL)
        return;
    if ((key = ld_http_member(r, o, "key")) == NULL || (nonce = ld_http_member(r, o, "nonce")) == NULL ||
        (sig = ld_http_member(r, o, "sig")) == NULL)
        goto out;
    if (!keyid_ok(key)) {
        ld_http_error(r, 400, LD_PARSE, "parse", "key", "a key id is 32 lowercase hex digits");
        goto out;
    }
    if (ld_enc_unb64(sig, strlen(sig), sb, sizeof sb, &sl) != LD_OK || sl != sizeof sb) {
        ld_http_error(r, 400, LD_PARSE, "parse", "sig", "sig is the base64 of 64 bytes");
        goto out;
    }
    /* The nonce is spent whatever follows: a failed attempt cannot be retried. */
    if (ld_auth_consume(r->h->auth, key, nonce, now) != LD_OK) {
        ld_http_error(r, 401, 0, "unauthorized", "nonce",
                      "unknown, used or expired challenge; ask for a new one");
        ld_http_header_add(r, "WWW-Authenticate", "Bearer realm=\"liandan\"");
        goto out;
    }
    rc = signer(r, key, pk, party);
    if (rc != LD_OK) {
        signer_failed(r, rc);
        goto out;
    }
    msg = ld_auth_message(key, nonce, r->h->origin, &ml);
    if (ld_sig_verify(pk, LD_SIG_PURPOSE_AUTH, msg, ml, sb) != LD_OK) {
        ld_http_error(r, 401, 0, "unauthorized", "sig",
                      "the signature does not verify under this key");
        ld_http_header_add(r, "WWW-Authenticate", "Bearer realm=\"liandan\"");
        goto out;
    }
    exp = now + (int64_t)r->h->o.token_ttl;
    ld_auth_token(r->h->auth, key, exp, token);
    out = cJSON_CreateObject();
    cJSON_AddStringToObject(out, "token", token);
    cJSON_AddStringToObject(out, "party", party);
    cJSON_AddStringToObject(out, "key", key);
    ld_tm_format(exp, at);
    cJSON_AddStringToObject(out, "expires_at", at);
    cJSON_AddNumberToObject(out, "expires_in", (double)r->h->o.token_ttl);
    ld_http_reply_json(r, 200, out);
out:
    free(msg);
    cJSON_Delete(o);
}
