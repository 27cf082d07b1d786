/*
 * party.c - rules of the core's party.* events (include/liandan/party.h):
 * the regulator registers parties (GB 32100-2015 USCC) and certifies and
 * revokes their Ed25519 keys (verifier keys in C2SP signed-note form).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "liandan/buf.h"
#include "liandan/mem.h"
#include "liandan/party.h"
#include "liandan/tm.h"
#include "liandan/uscc.h"
#include "liandan/banned.h"

/* t as RFC 3339 text in buf (the number itself if out of range); returns buf. */
static const char *
tstr(int64_t t, char buf[LD_TM_RFC3339_LEN])
{
    if (ld_tm_format(t, buf) != LD_OK)
        snprintf(buf, LD_TM_RFC3339_LEN, "%lld", (long long)t);
    return buf;
}

static const char *const roles[] = {"producer", "carrier", "receiver", "collector"};

int
ld_party_role_ok(const char *role)
{
    size_t i;

    for (i = 0; i < sizeof roles / sizeof *roles; i++)
        if (strcmp(role, roles[i]) == 0)
            return 1;
    return 0;
}

/* body.id: a valid USCC. */
static enum ld_rc
body_id(const cJSON *body, const char **id, struct ld_err *err)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(body, "id");

    if (!cJSON_IsString(v))
        return ld_err_set(err, LD_INVALID, "event.body.id", "id must be a USCC string");
    *id = v->valuestring;
    return ld_uscc_check(v->valuestring, "event.body.id", err);
}

static enum ld_rc
only(const cJSON *body, const char *const *names, size_t n, struct ld_err *err)
{
    const cJSON *it;
    size_t i;

    cJSON_ArrayForEach(it, body)
    {
        for (i = 0; i < n && strcmp(it->string, names[i]) != 0; i++)
            ;
        if (i == n)
            return ld_err_set(err, LD_INVALID, "event.body", "unknown member '%s'", it->string);
    }
    return LD_OK;
}

enum ld_rc
ld_party_chain(const struct ld_event *ev, char *out, size_t cap, struct ld_err *err)
{
    const char *id = NULL;
    enum ld_rc rc = body_id(ev->body, &id, err);

    if (rc == LD_OK)
        snprintf(out, cap, "p:%s", id);
    return rc;
}

/* ---- party.register ----------------------------------------------------- */

/* Every field is checked and each failure reported (the first returned;
 * ld_err_set keeps the others in err->more: a 422 lists every violation). */
static enum ld_rc
register_shape(const cJSON *body, struct ld_store_party *p, struct ld_err *err)
{
    static const char *const names[] = {"id", "name", "roles", "district"};
    const cJSON *name, *rl, *r, *d;
    const char *id = NULL;
    struct ld_buf b = LD_BUF_INIT;
    size_t i, k = 0;
    enum ld_rc rc, id_rc;

    rc = only(body, names, 4, err);
    id_rc = body_id(body, &id, err);
    if (rc == LD_OK)
        rc = id_rc;
    name = cJSON_GetObjectItemCaseSensitive(body, "name");
    if (!cJSON_IsString(name) || name->valuestring[0] == '\0' || strlen(name->valuestring) > 300)
        rc = ld_err_set(err, LD_INVALID, "event.body.name",
                        "name must be a non-empty string of at most 300 bytes");
    rl = cJSON_GetObjectItemCaseSensitive(body, "roles");
    if (!cJSON_IsArray(rl) || cJSON_GetArraySize(rl) == 0) {
        rc = ld_err_set(err, LD_INVALID, "event.body.roles", "roles must be a non-empty array");
    } else {
        cJSON_ArrayForEach(r, rl)
        {
            char field[48];
            snprintf(field, sizeof field, "event.body.roles[%zu]", k);
            if (!cJSON_IsString(r) || !ld_party_role_ok(r->valuestring)) {
                rc = ld_err_set(err, LD_INVALID, field,
                                "role must be producer, carrier, receiver or collector");
                break;
            }
            for (i = 0; i < k; i++)
                if (strcmp(cJSON_GetArrayItem(rl, (int)i)->valuestring, r->valuestring) == 0)
                    break;
            if (i < k) {
                rc = ld_err_set(err, LD_INVALID, field, "role '%s' listed twice", r->valuestring);
                break;
            }
            if (k++)
                ld_buf_addc(&b, ',');
            ld_buf_adds(&b, r->valuestring);
        }
    }
    d = cJSON_GetObjectItemCaseSensitive(body, "district");
    if (d != NULL) {
        int ok = cJSON_IsString(d) && strlen(d->valuestring) == 6;
        for (i = 0; ok && i < 6; i++)
            ok = d->valuestring[i] >= '0' && d->valuestring[i] <= '9';
        if (!ok)
            rc = ld_err_set(err, LD_INVALID, "event.body.district",
                            "district must be a 6-digit GB/T 2260 code");
    }
    if (rc == LD_OK && p) {
        memset(p, 0, sizeof *p);
        snprintf(p->id, sizeof p->id, "%s", id);
        p->name = ld_xstrdup(name->valuestring);
        p->roles = ld_buf_detach(&b, NULL);
        /* GB 32100-2015: characters 3-8 are the registering division's code. */
        snprintf(p->district, sizeof p->district, "%.6s", d ? d->valuestring : id + 2);
    }
    ld_buf_release(&b);
    return rc;
}

static enum ld_rc
register_check(struct ld_store *s, const struct ld_event *ev, struct ld_err *err)
{
    struct ld_store_party p;
    enum ld_rc rc = register_shape(ev->body, NULL, err);

    if (rc != LD_OK)
        return rc;
    rc = ld_store_party_get(s, cJSON_GetObjectItemCaseSensitive(ev->body, "id")->valuestring, &p);
    if (rc == LD_OK) {
        ld_store_party_release(&p);
        return ld_err_set(err, LD_RULE, "event.body.id", "party %s is already registered",
                          p.id);
    }
    return rc == LD_NOTFOUND ? LD_OK : ld_err_set(err, rc, "", "cannot read parties");
}

static enum ld_rc
register_apply(struct ld_store *s, const struct ld_event *ev, uint64_t idx)
{
    struct ld_store_party p;
    enum ld_rc rc = register_shape(ev->body, &p, NULL);

    if (rc != LD_OK)
        return LD_TAMPERED;
    p.reg_idx = idx;
    rc = ld_store_party_put(s, &p);
    ld_store_party_release(&p);
    return rc;
}

/* ---- party.key ---------------------------------------------------------- */

enum ld_rc
ld_party_key_from_body(const cJSON *body, int64_t at, uint64_t idx, struct ld_store_key *k,
                       struct ld_err *err)
{
    static const char *const names[] = {"id", "pub", "until"};
    const cJSON *pub, *until;
    const char *id = NULL;
    struct ld_sig_pub p;
    int64_t u = -1;
    enum ld_rc rc;

    rc = only(body, names, 3, err);
    if (rc == LD_OK)
        rc = body_id(body, &id, err);
    if (rc != LD_OK)
        return rc;
    pub = cJSON_GetObjectItemCaseSensitive(body, "pub");
    if (!cJSON_IsString(pub) ||
        ld_sig_vkey_parse(pub->valuestring, strlen(pub->valuestring), &p) != LD_OK)
        return ld_err_set(err, LD_INVALID, "event.body.pub",
                          "pub must be a verifier key line NAME+HASH+KEY");
    until = cJSON_GetObjectItemCaseSensitive(body, "until");
    if (until != NULL && !cJSON_IsNull(until)) {
        if (!cJSON_IsString(until) || ld_tm_parse(until->valuestring, &u) != LD_OK)
            return ld_err_set(err, LD_INVALID, "event.body.until",
                              "until must be null or a UTC time YYYY-MM-DDTHH:MM:SSZ");
        if (u <= at)
            return ld_err_set(err, LD_INVALID, "event.body.until",
                              "until %s is not after the certification time", until->valuestring);
    }
    memset(k, 0, sizeof *k);
    memcpy(k->keyid, p.keyid, sizeof k->keyid);
    snprintf(k->party, sizeof k->party, "%s", id);
    k->vkey = ld_sig_vkey_format(&p);
    memcpy(k->pub, p.pk, 32);
    k->from_at = at;
    k->until_at = u;
    k->cert_idx = idx;
    k->revoked_idx = UINT64_MAX;
    k->revoked_at = -1;
    return LD_OK;
}

static enum ld_rc
key_check(struct ld_store *s, const struct ld_event *ev, struct ld_err *err)
{
    struct ld_store_key k, old;
    struct ld_store_party p;
    enum ld_rc rc = ld_party_key_from_body(ev->body, ev->at, 0, &k, err);

    if (rc != LD_OK)
        return rc;
    rc = ld_store_party_get(s, k.party, &p);
    if (rc == LD_NOTFOUND)
        rc = ld_err_set(err, LD_RULE, "event.body.id", "party %s is not registered", k.party);
    else if (rc == LD_OK)
        ld_store_party_release(&p);
    if (rc == LD_OK) {
        rc = ld_store_key_get(s, k.keyid, &old);
        if (rc == LD_OK) {
            ld_store_key_release(&old);
            rc = ld_err_set(err, LD_RULE, "event.body.pub", "key %s is already certified",
                            k.keyid);
        } else if (rc == LD_NOTFOUND) {
            rc = LD_OK;
        }
    }
    ld_store_key_release(&k);
    return rc;
}

static enum ld_rc
key_apply(struct ld_store *s, const struct ld_event *ev, uint64_t idx)
{
    struct ld_store_key k;
    enum ld_rc rc = ld_party_key_from_body(ev->body, ev->at, idx, &k, NULL);

    if (rc != LD_OK)
        return LD_TAMPERED;
    rc = ld_store_key_put(s, &k);
    ld_store_key_release(&k);
    return rc;
}

/* ---- party.revoke ------------------------------------------------------- */

static enum ld_rc
revoke_shape(const cJSON *body, const char **id, const char **keyid, struct ld_err *err)
{
    static const char *const names[] = {"id", "key", "reason"};
    const cJSON *key, *reason;
    enum ld_rc rc = only(body, names, 3, err);

    if (rc == LD_OK)
        rc = body_id(body, id, err);
    if (rc != LD_OK)
        return rc;
    key = cJSON_GetObjectItemCaseSensitive(body, "key");
    if (!cJSON_IsString(key) || strlen(key->valuestring) != 32)
        return ld_err_set(err, LD_INVALID, "event.body.key", "key must be a key id");
    reason = cJSON_GetObjectItemCaseSensitive(body, "reason");
    if (reason != NULL && (!cJSON_IsString(reason) || strlen(reason->valuestring) > 500))
        return ld_err_set(err, LD_INVALID, "event.body.reason",
                          "reason must be a string of at most 500 bytes");
    *keyid = key->valuestring;
    return LD_OK;
}

static enum ld_rc
revoke_check(struct ld_store *s, const struct ld_event *ev, struct ld_err *err)
{
    const char *id = NULL, *keyid = NULL;
    struct ld_store_key k;
    enum ld_rc rc = revoke_shape(ev->body, &id, &keyid, err);

    if (rc != LD_OK)
        return rc;
    rc = ld_store_key_get(s, keyid, &k);
    if (rc == LD_NOTFOUND)
        return ld_err_set(err, LD_RULE, "event.body.key", "key %s is not certified", keyid);
    if (rc != LD_OK)
        return ld_err_set(err, rc, "", "cannot read keys");
    if (strcmp(k.party, id) != 0)
        rc = ld_err_set(err, LD_RULE, "event.body.key", "key %s belongs to %s, not %s", keyid,
                        k.party, id);
    else if (k.revoked_idx != UINT64_MAX)
        rc = ld_err_set(err, LD_RULE, "event.body.key", "key %s is already revoked", keyid);
    ld_store_key_release(&k);
    return rc;
}

static enum ld_rc
revoke_apply(struct ld_store *s, const struct ld_event *ev, uint64_t idx)
{
    const char *id = NULL, *keyid = NULL;

    if (revoke_shape(ev->body, &id, &keyid, NULL) != LD_OK)
        return LD_TAMPERED;
    return ld_store_key_revoke(s, keyid, idx, ev->at);
}

/* ---- key validity ------------------------------------------------------- */

enum ld_rc
ld_party_key_check(const struct ld_store_key *k, const char *actor, int64_t at, uint64_t idx,
                   struct ld_err *err)
{
    char t1[LD_TM_RFC3339_LEN], t2[LD_TM_RFC3339_LEN];

    if (strcmp(k->party, actor) != 0)
        return ld_err_set(err, LD_WRONGKEY, "event.key", "key %s is certified for %s, not %s",
                          k->keyid, k->party, actor);
    if (k->cert_idx >= idx)
        return ld_err_set(err, LD_WRONGKEY, "event.key", "key %s was not yet certified",
                          k->keyid);
    if (k->revoked_idx != UINT64_MAX && k->revoked_idx < idx)
        return ld_err_set(err, LD_WRONGKEY, "event.key", "key %s was revoked at %s", k->keyid,
                          tstr(k->revoked_at, t1));
    if (at < k->from_at)
        return ld_err_set(err, LD_WRONGKEY, "event.key", "key %s is valid from %s, event at %s",
                          k->keyid, tstr(k->from_at, t1), tstr(at, t2));
    if (k->until_at >= 0 && at >= k->until_at)
        return ld_err_set(err, LD_WRONGKEY, "event.key", "key %s expired at %s, event at %s",
                          k->keyid, tstr(k->until_at, t1), tstr(at, t2));
    return LD_OK;
}

const struct ld_rule ld_party_rules[] = {
    {"party.register", LD_RULE_REGULATOR | LD_RULE_NO_MANIFEST, ld_party_chain, register_check,
     register_apply},
    {"party.key", LD_RULE_REGULATOR | LD_RULE_NO_MANIFEST, ld_party_chain, key_check, key_apply},
    {"party.revoke", LD_RULE_REGULATOR | LD_RULE_NO_MANIFEST, ld_party_chain, revoke_check,
     revoke_apply},
};
const size_t ld_party_rule_count = sizeof ld_party_rules / sizeof *ld_party_rules;
