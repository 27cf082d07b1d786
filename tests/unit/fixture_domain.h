/*
 * tests/unit/fixture_domain.h - the domain-ledger fixture the report tests
 * share (test_audit.c, test_trace.c, test_bundle.c): parties with keys kept
 * by the test, and events signed and appended as a party or the regulator.
 * Each test file defines its own setup (ledger, calendar, licences) and the
 * carrier CARR that file() and deliver() name.
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

/* The teardown of every report test: close the ledger, free the keys, remove the directory. */
static inline int
fx_teardown(void **state)
{
    struct fx *f = *state;
    char cmd[256];
    size_t i;

    ld_ledger_close(f->l);
    ld_sig_secret_free(f->reg);
    for (i = 0; i < f->nkeys; i++)
        ld_sig_secret_free(f->keys[i]);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->dir);
    assert_int_equal(system(cmd), 0);
    free(f);
    return 0;
}

/* File a one-line waste-oil manifest; from is a JSON array or NULL. Returns its number. */
static inline long long
file(struct fx *f, const char *filer, const char *receiver, long long qty, const char *from)
{
    char body[2048], fromj[600] = "";
    int64_t now;
    long long n;

    assert_int_equal(ld_tm_now(&now), LD_OK);
    n = (long long)ld_manifest_next_number(ld_ledger_store(f->l), filer, now);
    assert_true(n > 0);
    if (from)
        snprintf(fromj, sizeof fromj, ",\"from\":%s", from);
    snprintf(body, sizeof body,
             "{\"producer\":{\"id\":\"%s\",\"name\":\"n\",\"address\":\"a\",\"contact\":\"c\","
             "\"phone\":\"p\",\"emergency_phone\":\"e\"},\"consignor\":\"producer\","
             "\"receiver\":\"%s\",\"carrier\":\"" CARR "\",\"lines\":[{\"name\":\"废矿物油\","
             "\"catalogue\":\"2021\",\"code\":\"900-214-08\",\"category\":\"HW08\","
             "\"hazard\":[\"T\",\"I\"],\"form\":\"liquid\",\"constituents\":\"oil\","
             "\"packaging\":\"drum\",\"packages\":1,\"qty_g\":%lld,\"emergency\":\"sand\"%s}]}",
             filer, receiver, qty, fromj);
    ok(f, "manifest.file", n, filer, body);
    return n;
}

/* Pickup, arrival, receipt (received/accepted grams) by receiver. */
static inline void
deliver(struct fx *f, long long n, const char *receiver, long long received, long long accepted)
{
    char body[256];

    ok(f, "transport.pickup", n, CARR,
       "{\"vehicle\":\"辽B12345\",\"driver\":{\"name\":\"a\",\"licence\":\"1\"},"
       "\"escort\":{\"name\":\"b\",\"licence\":\"2\"},\"start\":\"s\",\"packages\":[1]}");
    ok(f, "transport.arrive", n, CARR, "{\"place\":\"p\"}");
    snprintf(body, sizeof body,
             "{\"lines\":[{\"line\":1,\"received_g\":%lld,\"accepted_g\":%lld}]}", received,
             accepted);
    ok(f, "receipt.accept", n, receiver, body);
}

#endif
