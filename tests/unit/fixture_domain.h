/*
 * tests/unit/fixture_domain.h - the domain-ledger fixture the report tests
 * share (test_audit.c, test_trace.c, test_bundle.c): parties with keys kept
 * by the test, and events signed and appended as a party or the regulator.
 * Each test file defines its own setup (ledger, calendar, licences).
 * Include after cmocka.h and the liandan headers it uses.
 */
#ifndef LIANDAN_TESTS_FIXTURE_DOMAIN_H
#define LIANDAN_TESTS_FIXTURE_DOMAIN_H

/* Set the clock the ledger sees (LIANDAN_NOW). */
static inline void
at(const char *t)
{
    setenv("LIANDAN_NOW", t, 1);
}

#define NKEYS 8

struct fx {
    char dir[64];
    char db[128];
    struct ld_sig_secret *reg;
    const char *ids[NKEYS];            /* parties with keys */
    struct ld_sig_secret *keys[NKEYS]; /* their current keys */
    size_t nkeys;
    struct ld_ledger *l;
};

static inline struct ld_sig_secret **
key_slot(struct fx *f, const char *id)
{
    size_t i;

    if (strcmp(id, "regulator") == 0)
        return &f->reg;
    for (i = 0; i < f->nkeys; i++)
        if (strcmp(f->ids[i], id) == 0)
            return &f->keys[i];
    fail_msg("no key for %s", id);
    return NULL;
}

/* Sign body (JSON text) as actor and append; chain "p:ID" for party.*, else "m:N". */
static inline enum ld_rc
post(struct fx *f, const char *type, long long manifest, const char *actor, const char *body,
     struct ld_err *err)
{
    cJSON *e = cJSON_CreateObject(), *b = cJSON_Parse(body);
    char chain[LD_CHAIN_MAX], head[LD_EVENT_ID_HEX], *entry = NULL;
    struct ld_receipt r;
    size_t len = 0;
    enum ld_rc rc;

    assert_non_null(b);
    if (strncmp(type, "party.", 6) == 0)
        snprintf(chain, sizeof chain, "p:%s",
                 cJSON_GetObjectItemCaseSensitive(b, "id")->valuestring);
    else
        snprintf(chain, sizeof chain, "m:%lld", manifest);
    cJSON_AddNumberToObject(e, "v", 1);
    cJSON_AddStringToObject(e, "type", type);
    if (manifest)
        cJSON_AddNumberToObject(e, "manifest", (double)manifest);
    else
        cJSON_AddNullToObject(e, "manifest");
    if (ld_ledger_head(f->l, chain, head) == LD_OK)
        cJSON_AddStringToObject(e, "prev", head);
    else
        cJSON_AddNullToObject(e, "prev");
    cJSON_AddStringToObject(e, "at", getenv("LIANDAN_NOW"));
    cJSON_AddStringToObject(e, "actor", actor);
    cJSON_AddItemToObject(e, "body", b);
    assert_int_equal(ld_event_sign(e, *key_slot(f, actor), &entry, &len, NULL), LD_OK);
    cJSON_Delete(e);
    rc = ld_ledger_append(f->l, entry, len, &r, err);
    free(entry);
    return rc;
}

static inline void
ok(struct fx *f, const char *type, long long manifest, const char *actor, const char *body)
{
    struct ld_err err;

    memset(&err, 0, sizeof err);
    if (post(f, type, manifest, actor, body, &err) != LD_OK)
        fail_msg("%s refused: %s: %s", type, err.field, err.msg);
}

/* Certify a new key for id (its slot must hold it already). */
static inline void
certify(struct fx *f, const char *id, const struct ld_sig_secret *k)
{
    struct ld_sig_pub pub;
    char body[512], *vkey;

    ld_sig_secret_pub(k, &pub);
    vkey = ld_sig_vkey_format(&pub);
    snprintf(body, sizeof body, "{\"id\":\"%s\",\"pub\":\"%s\",\"until\":null}", id, vkey);
    free(vkey);
    ok(f, "party.key", 0, "regulator", body);
}

static inline void
party(struct fx *f, const char *id, const char *role, const char *district)
{
    char body[512];

    assert_true(f->nkeys < NKEYS);
    assert_int_equal(ld_sig_keygen("party", &f->keys[f->nkeys]), LD_OK);
    f->ids[f->nkeys] = id;
    f->nkeys++;
    snprintf(body, sizeof body,
             "{\"id\":\"%s\",\"name\":\"%s %s\",\"roles\":[\"%s\"],\"district\":\"%s\"}", id, role,
             id + 14, role, district);
    ok(f, "party.register", 0, "regulator", body);
    certify(f, id, f->keys[f->nkeys - 1]);
}

#endif
