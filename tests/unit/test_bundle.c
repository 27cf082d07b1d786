/*
 * test_bundle.c - trace bundles (bundle.c, DESIGN.md §4.5) on a ledger built
 * through the library with the domain rules: two producers ship to a
 * collector, which consolidates into one load to a receiver. The bundle of a
 * batch verifies; each kind of tampering (a flipped signature byte, a dropped
 * chain event, a dropped party certificate, an older checkpoint, an altered
 * proof hash, extra or reordered items) fails naming the item; a read-only
 * ledger bundles only what its latest checkpoint covers; key rotation.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "liandan/bundle.h"
#include "liandan/domain.h"
#include "liandan/enc.h"
#include "liandan/ledger.h"
#include "liandan/mem.h"
#include "liandan/tm.h"

#define P1 "9121021300000001X5"
#define P2 "9121021100000002X9"
#define OTHER "9121028100000003XN"
#define COL "9121021300000004X8"
#define R1 "9121020400000005X8"
#define CARR "91210200MA0QD6W09B"

/* ---- fixture: a ledger with the domain rules (as test_trace.c) ---------- */

#include "fixture_domain.h"

/* Revoke id's key and certify a new one in its place. */
static void
rekey(struct fx *f, const char *id)
{
    struct ld_sig_secret **slot = key_slot(f, id);
    struct ld_sig_pub pub;
    char body[256];

    ld_sig_secret_pub(*slot, &pub);
    snprintf(body, sizeof body, "{\"id\":\"%s\",\"key\":\"%s\",\"reason\":\"rotation\"}", id,
             pub.keyid);
    ok(f, "party.revoke", 0, "regulator", body);
    ld_sig_secret_free(*slot);
    assert_int_equal(ld_sig_keygen("party", slot), LD_OK);
    certify(f, id, *slot);
}

static void
licence(struct fx *f, const char *id, const char *kind)
{
    char body[512];

    snprintf(body, sizeof body,
             "{\"id\":\"%s\",\"kind\":\"%s\",\"number\":\"L-%s\",\"valid_from\":\"2026-01-01\","
             "\"valid_until\":\"2027-12-31\",\"codes\":[\"HW08\"],\"methods\":[\"R9\",\"D10\"]}",
             id, kind, id + 14);
    ok(f, "party.licence", 0, "regulator", body);
}

static int
setup(void **state)
{
    struct fx *f = ld_xcalloc(1, sizeof *f);
    struct ld_sig_pub reg;
    char *vkey = NULL;

    assert_int_equal(ld_sig_init(), LD_OK);
    snprintf(f->dir, sizeof f->dir, "/tmp/ld_test_bundle_XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    snprintf(f->db, sizeof f->db, "%s/l.db", f->dir);
    assert_int_equal(ld_sig_keygen("regulator.test", &f->reg), LD_OK);
    ld_sig_secret_pub(f->reg, &reg);
    setenv("LIANDAN_NOW", "2026-03-02T01:00:00Z", 1);
    assert_int_equal(ld_ledger_create(f->db, "test.example/log", &reg, NULL, NULL, &vkey, NULL),
                     LD_OK);
    free(vkey);
    assert_int_equal(ld_ledger_open(f->db, NULL, &f->l, NULL), LD_OK);
    assert_int_equal(ld_domain_register(f->l), LD_OK);
    party(f, P1, "producer", "210213");
    party(f, P2, "producer", "210211");
    party(f, COL, "collector", "210213");
    party(f, R1, "receiver", "210204");
    party(f, CARR, "carrier", "210204");
    party(f, OTHER, "producer", "210281");
    licence(f, COL, "collection");
    licence(f, R1, "disposal");
    ok(f, "party.permit", 0, "regulator",
       "{\"id\":\"" CARR "\",\"number\":\"T-1\",\"valid_from\":\"2026-01-01\","
       "\"valid_until\":\"2028-12-31\",\"vehicles\":[\"辽B12345\"]}");
    *state = f;
    return 0;
}

/* ---- manifest steps (file() and deliver(): fixture_domain.h) ------------- */

struct story {
    long long n1, n2, n3;
};

/* P1 and P2 ship to the collector; it consolidates both into one load to R1,
 * which accepts 500 of 550 kg and disposes of them. rotate: the collector's
 * key is replaced between its receipts and its own filing. */
static void
tell(struct fx *f, struct story *s, int rotate)
{
    char from[512];

    s->n1 = file(f, P1, COL, 300000, NULL);
    s->n2 = file(f, P2, COL, 250000, NULL);
    deliver(f, s->n1, COL, 300000, 300000);
    deliver(f, s->n2, COL, 250000, 250000);
    if (rotate)
        rekey(f, COL);
    snprintf(from, sizeof from,
             "[{\"batch\":\"%lld-01\",\"qty_g\":300000},{\"batch\":\"%lld-01\",\"qty_g\":250000}]",
             s->n1, s->n2);
    s->n3 = file(f, COL, R1, 550000, from);
    deliver(f, s->n3, R1, 550000, 500000);
    ok(f, "disposal.complete", s->n3, R1,
       "{\"on\":\"2026-03-02\",\"lines\":[{\"line\":1,\"method\":\"R9\",\"qty_g\":500000}]}");
}

/* ---- bundle helpers ----------------------------------------------------- */

static char *
bundle_of(struct fx *f, long long n, const char *suffix)
{
    char *subject = suffix ? ld_xasprintf("%lld-01%s", n, suffix) : ld_xasprintf("%lld", n);
    char *json = NULL;
    struct ld_err err;

    memset(&err, 0, sizeof err);
    if (ld_bundle_build(f->l, subject, &json, &err) != LD_OK)
        fail_msg("bundle of %s: %s: %s", subject, err.field, err.msg);
    free(subject);
    return json;
}

/* Verify text; the rc, and the failing field when rc is not LD_OK. */
static void
expect(struct fx *f, const char *text, enum ld_rc want, const char *field)
{
    struct ld_sig_pub reg;
    struct ld_bundle_result res;
    struct ld_err err;
    enum ld_rc rc;

    ld_sig_secret_pub(f->reg, &reg);
    memset(&err, 0, sizeof err);
    rc = ld_bundle_verify(text, strlen(text), &reg, &res, &err);
    if (rc != want || (field && strcmp(err.field, field) != 0))
        fail_msg("verify: %s (%s: %s), expected %s at %s", ld_rc_str(rc), err.field, err.msg,
                 ld_rc_str(want), field ? field : "-");
    if (want != LD_OK) {
        assert_int_equal(err.rc, want);
        assert_true(err.msg[0] != '\0');
    }
}

/* Verify a modified tree; frees it. */
static void
expect_tree(struct fx *f, cJSON *b, enum ld_rc want, const char *field)
{
    char *text = cJSON_PrintUnformatted(b);

    expect(f, text, want, field);
    free(text);
    cJSON_Delete(b);
}

static cJSON *
arr(cJSON *b, const char *name)
{
    cJSON *a = cJSON_GetObjectItemCaseSensitive(b, name);

    assert_true(cJSON_IsArray(a));
    return a;
}

/* Index in array a of the event of type about manifest n (events) or party id (parties). */
static int
find(cJSON *a, const char *type, long long n, const char *id)
{
    const cJSON *it;
    int i = 0;

    cJSON_ArrayForEach(it, a)
    {
        const cJSON *e = cJSON_GetObjectItemCaseSensitive(it, "event");
        const cJSON *t = cJSON_GetObjectItemCaseSensitive(e, "type");
        const cJSON *m = cJSON_GetObjectItemCaseSensitive(e, "manifest");
        const cJSON *bid =
            cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(e, "body"), "id");
        if (strcmp(t->valuestring, type) == 0 &&
            (id ? cJSON_IsString(bid) && strcmp(bid->valuestring, id) == 0
                : cJSON_IsNumber(m) && (long long)m->valuedouble == n))
            return i;
        i++;
    }
    fail_msg("no %s of %lld / %s in the bundle", type, n, id ? id : "-");
    return -1;
}

/* Drop item i of a (in "parties" or "events") and its proof. */
static void
drop(cJSON *b, const char *name, int i)
{
    int np = cJSON_GetArraySize(arr(b, "parties"));

    cJSON_DeleteItemFromArray(arr(b, name), i);
    cJSON_DeleteItemFromArray(arr(b, "proofs"), strcmp(name, "parties") == 0 ? i : np + i);
}

/* Flip one bit in the base64 string item (decoded), keeping it valid base64. */
static void
flip_b64(cJSON *item, size_t byte)
{
    uint8_t bin[128];
    size_t n = 0;
    char *b64;

    assert_true(cJSON_IsString(item));
    assert_int_equal(
        ld_enc_unb64(item->valuestring, strlen(item->valuestring), bin, sizeof bin, &n), LD_OK);
    assert_true(byte < n);
    bin[byte] ^= 0x01;
    b64 = ld_enc_b64_dup(bin, n);
    cJSON_SetValuestring(item, b64);
    free(b64);
}

/* Swap items i and j of array a. */
static void
swap(cJSON *a, int i, int j)
{
    cJSON *x = cJSON_Duplicate(cJSON_GetArrayItem(a, i), 1);
    cJSON *y = cJSON_Duplicate(cJSON_GetArrayItem(a, j), 1);

    assert_true(cJSON_ReplaceItemInArray(a, i, y));
    assert_true(cJSON_ReplaceItemInArray(a, j, x));
}

static char *
field(const char *fmt, int i)
{
    static char buf[64];

    snprintf(buf, sizeof buf, fmt, i);
    return buf;
}

/* ---- tests -------------------------------------------------------------- */

static void
test_build_and_verify(void **state)
{
    struct fx *f = *state;
    struct story s;
    struct ld_sig_pub reg;
    struct ld_bundle_result res;
    struct ld_err err;
    char *json, *again, *vkey;
    cJSON *b;
    uint64_t size = 0;
    char *note = NULL;

    tell(f, &s, 0);
    json = bundle_of(f, s.n1, "");
    ld_sig_secret_pub(f->reg, &reg);
    memset(&err, 0, sizeof err);
    assert_int_equal(ld_bundle_verify(json, strlen(json), &reg, &res, &err), LD_OK);
    /* n1, n2: file, pickup, arrive, accept; n3 the same and dispose. */
    assert_int_equal(res.events, 13);
    assert_int_equal(res.manifests, 3);
    /* P1, P2: register, key; COL, R1, CARR: register, key, licence or permit. */
    assert_int_equal(res.parties, 13);
    assert_int_equal(res.signers, 5);
    assert_string_equal(res.origin, "test.example/log");
    assert_int_equal(res.tree_size, ld_ledger_size(f->l));
    assert_memory_equal(res.ledger.pk, ld_ledger_key(f->l)->pk, 32);
    /* The bundle signed and stored the checkpoint it carries. */
    assert_int_equal(ld_store_checkpoint_latest(ld_ledger_store(f->l), &size, &note), LD_OK);
    assert_int_equal(size, res.tree_size);
    b = cJSON_Parse(json);
    assert_string_equal(cJSON_GetObjectItemCaseSensitive(b, "checkpoint")->valuestring, note);
    vkey = ld_sig_vkey_format(ld_ledger_key(f->l));
    assert_string_equal(cJSON_GetObjectItemCaseSensitive(b, "ledger_key")->valuestring, vkey);
    assert_int_equal(cJSON_GetObjectItemCaseSensitive(b, "version")->valuedouble, 1);
    assert_int_equal(cJSON_GetArraySize(arr(b, "proofs")), 26);
    /* No party that signed nothing (OTHER). */
    assert_null(strstr(json, OTHER));
    free(vkey);
    free(note);
    cJSON_Delete(b);
    /* Canonical and stable: the same bytes again, from the manifest or the batch. */
    again = bundle_of(f, s.n1, "");
    assert_string_equal(json, again);
    free(again);
    again = bundle_of(f, s.n3, NULL);
    assert_string_equal(json, again);
    free(again);
    /* From the rejected part: the same three manifests. */
    again = bundle_of(f, s.n3, "R");
    assert_string_equal(json, again);
    free(again);
    /* Verify with another regulator: the first party event fails. */
    expect(f, json, LD_OK, NULL);
    {
        struct ld_sig_secret *other = NULL;
        struct ld_sig_pub op;
        assert_int_equal(ld_sig_keygen("regulator.test", &other), LD_OK);
        ld_sig_secret_pub(other, &op);
        memset(&err, 0, sizeof err);
        assert_int_equal(ld_bundle_verify(json, strlen(json), &op, NULL, &err), LD_WRONGKEY);
        assert_string_equal(err.field, "parties[0].event.key");
        ld_sig_secret_free(other);
    }
    free(json);
}

static void
test_tampered(void **state)
{
    struct fx *f = *state;
    struct story s;
    char *json, *old = NULL, *text;
    cJSON *b;
    int k, np;
    uint64_t oldsize = 0;

    /* A checkpoint before the story: older than the bundle's. */
    assert_int_equal(ld_ledger_checkpoint(f->l, &old, &oldsize), LD_OK);
    tell(f, &s, 0);
    json = bundle_of(f, s.n1, "");
    expect(f, json, LD_OK, NULL);
    b = cJSON_Parse(json);
    np = cJSON_GetArraySize(arr(b, "parties"));
    cJSON_Delete(b);

    /* One bit of an event signature. */
    b = cJSON_Parse(json);
    k = find(arr(b, "events"), "transport.arrive", s.n1, NULL);
    flip_b64(cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(arr(b, "events"), k), "sig"), 10);
    expect_tree(f, b, LD_BADSIG, field("events[%d].sig", k));

    /* One bit of a party certificate's signature. */
    b = cJSON_Parse(json);
    k = find(arr(b, "parties"), "party.key", 0, COL);
    flip_b64(cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(arr(b, "parties"), k), "sig"), 63);
    expect_tree(f, b, LD_BADSIG, field("parties[%d].sig", k));

    /* An event dropped from the middle of a chain: the next one's prev. */
    b = cJSON_Parse(json);
    k = find(arr(b, "events"), "transport.pickup", s.n1, NULL);
    drop(b, "events", k);
    assert_int_equal(find(arr(b, "events"), "transport.arrive", s.n1, NULL), k);
    expect_tree(f, b, LD_TAMPERED, field("events[%d].event.prev", k));

    /* The first event of a chain dropped. */
    b = cJSON_Parse(json);
    k = find(arr(b, "events"), "manifest.file", s.n2, NULL);
    drop(b, "events", k);
    k = find(arr(b, "events"), "transport.pickup", s.n2, NULL);
    expect_tree(f, b, LD_TAMPERED, field("events[%d].event.prev", k));

    /* A party certificate dropped: the producer's key is certified by nobody. */
    b = cJSON_Parse(json);
    drop(b, "parties", find(arr(b, "parties"), "party.key", 0, P1));
    k = find(arr(b, "events"), "manifest.file", s.n1, NULL);
    expect_tree(f, b, LD_WRONGKEY, field("events[%d].event.key", k));

    /* ... or the collector's, whose licence follows it in its chain. */
    b = cJSON_Parse(json);
    drop(b, "parties", find(arr(b, "parties"), "party.key", 0, COL));
    k = find(arr(b, "parties"), "party.licence", 0, COL);
    expect_tree(f, b, LD_TAMPERED, field("parties[%d].event.prev", k));

    /* A party's registration dropped. */
    b = cJSON_Parse(json);
    drop(b, "parties", find(arr(b, "parties"), "party.register", 0, R1));
    k = find(arr(b, "parties"), "party.key", 0, R1);
    expect_tree(f, b, LD_TAMPERED, field("parties[%d].event.prev", k));

    /* An older checkpoint: the proofs are for another tree size. */
    b = cJSON_Parse(json);
    cJSON_ReplaceItemInObjectCaseSensitive(b, "checkpoint", cJSON_CreateString(old));
    expect_tree(f, b, LD_TAMPERED, "proofs[0].tree_size");

    /* ... with proofs rewritten to its size: leaves past it cannot be in it. */
    b = cJSON_Parse(json);
    cJSON_ReplaceItemInObjectCaseSensitive(b, "checkpoint", cJSON_CreateString(old));
    {
        cJSON *p;
        cJSON_ArrayForEach(p, arr(b, "proofs")) cJSON_ReplaceItemInObjectCaseSensitive(
            p, "tree_size", cJSON_CreateNumber((double)oldsize));
    }
    expect_tree(f, b, LD_TAMPERED, "proofs[0].inclusion");

    /* A hash of a proof. */
    b = cJSON_Parse(json);
    flip_b64(cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(
                                    cJSON_GetArrayItem(arr(b, "proofs"), np + 3), "inclusion"),
                                0),
             0);
    expect_tree(f, b, LD_TAMPERED, field("proofs[%d].inclusion", np + 3));

    /* A leaf index of a proof. */
    b = cJSON_Parse(json);
    {
        cJSON *p = cJSON_GetArrayItem(arr(b, "proofs"), np + 5);
        double v = cJSON_GetObjectItemCaseSensitive(p, "leaf_index")->valuedouble;
        cJSON_ReplaceItemInObjectCaseSensitive(p, "leaf_index", cJSON_CreateNumber(v + 1));
    }
    expect_tree(f, b, LD_TAMPERED, field("proofs[%d].inclusion", np + 5));

    /* A proof's leaf hash is another event's. */
    b = cJSON_Parse(json);
    {
        cJSON *p = arr(b, "proofs");
        const char *other =
            cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(p, 3), "leaf_hash")->valuestring;
        cJSON_ReplaceItemInObjectCaseSensitive(cJSON_GetArrayItem(p, 2), "leaf_hash",
                                               cJSON_CreateString(other));
    }
    expect_tree(f, b, LD_TAMPERED, "proofs[2].leaf_hash");

    /* Two events (and their proofs) swapped: out of leaf order. */
    b = cJSON_Parse(json);
    {
        swap(arr(b, "events"), 1, 2);
        swap(arr(b, "proofs"), np + 1, np + 2);
    }
    expect_tree(f, b, LD_TAMPERED, "events[2]");

    /* An event twice. */
    b = cJSON_Parse(json);
    cJSON_AddItemToArray(arr(b, "events"),
                         cJSON_Duplicate(cJSON_GetArrayItem(arr(b, "events"), 12), 1));
    cJSON_AddItemToArray(arr(b, "proofs"),
                         cJSON_Duplicate(cJSON_GetArrayItem(arr(b, "proofs"), np + 12), 1));
    expect_tree(f, b, LD_TAMPERED, "events[13]");

    /* Nothing extra: a party chain of a party that signed none of the events. */
    b = cJSON_Parse(json);
    for (k = cJSON_GetArraySize(arr(b, "events")) - 1; k >= 0; k--) {
        const cJSON *e =
            cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(arr(b, "events"), k), "event");
        if ((long long)cJSON_GetObjectItemCaseSensitive(e, "manifest")->valuedouble == s.n2)
            drop(b, "events", k);
    }
    expect_tree(f, b, LD_TAMPERED,
                field("parties[%d]", find(arr(b, "parties"), "party.register", 0, P2)));

    /* A manifest event among the party events (and a party event among the events). */
    b = cJSON_Parse(json);
    {
        cJSON *e = arr(b, "events"), *p = arr(b, "parties");
        cJSON *x = cJSON_Duplicate(cJSON_GetArrayItem(p, 0), 1);
        assert_true(cJSON_ReplaceItemInArray(p, 0, cJSON_Duplicate(cJSON_GetArrayItem(e, 0), 1)));
        assert_true(cJSON_ReplaceItemInArray(e, 0, x));
    }
    expect_tree(f, b, LD_INVALID, "parties[0].event.type");

    /* The body of an event changed: its signature. */
    text = ld_xstrdup(json);
    {
        char *q = strstr(text, "\"qty_g\":300000");
        assert_non_null(q);
        q[13] = '1';
    }
    expect(f, text, LD_BADSIG, "events[0].sig");
    free(text);

    /* An entry of the wrong shape: an unknown member, a signature not base64. */
    b = cJSON_Parse(json);
    cJSON_AddNumberToObject(
        cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(arr(b, "events"), 4), "event"), "x", 1);
    expect_tree(f, b, LD_INVALID, "events[4].event");
    b = cJSON_Parse(json);
    cJSON_ReplaceItemInObjectCaseSensitive(cJSON_GetArrayItem(arr(b, "events"), 4), "sig",
                                           cJSON_CreateString("not base64"));
    expect_tree(f, b, LD_INVALID, "events[4].sig");
    b = cJSON_Parse(json);
    cJSON_ReplaceItemInObjectCaseSensitive(cJSON_GetArrayItem(arr(b, "events"), 4), "sig",
                                           cJSON_CreateNumber(1.5));
    expect_tree(f, b, LD_INVALID, "events[4].sig");

    /* Shape: unknown member, version, a missing proof, not JSON, not an object. */
    b = cJSON_Parse(json);
    cJSON_AddStringToObject(b, "extra", "x");
    expect_tree(f, b, LD_INVALID, "extra");
    b = cJSON_Parse(json);
    cJSON_ReplaceItemInObjectCaseSensitive(b, "version", cJSON_CreateNumber(2));
    expect_tree(f, b, LD_INVALID, "version");
    b = cJSON_Parse(json);
    cJSON_DeleteItemFromArray(arr(b, "proofs"), 0);
    expect_tree(f, b, LD_INVALID, "proofs");
    b = cJSON_Parse(json);
    cJSON_ReplaceItemInObjectCaseSensitive(b, "ledger_key", cJSON_CreateString("x+1+AA=="));
    expect_tree(f, b, LD_INVALID, "ledger_key");
    b = cJSON_Parse(json);
    {
        /* The checkpoint signed by another key under the ledger's name. */
        struct ld_sig_secret *fake = NULL;
        struct ld_sig_pub fp;
        char *vk;
        assert_int_equal(ld_sig_keygen("test.example/log", &fake), LD_OK);
        ld_sig_secret_pub(fake, &fp);
        vk = ld_sig_vkey_format(&fp);
        cJSON_ReplaceItemInObjectCaseSensitive(b, "ledger_key", cJSON_CreateString(vk));
        free(vk);
        ld_sig_secret_free(fake);
    }
    expect_tree(f, b, LD_WRONGKEY, "checkpoint");
    expect(f, "{\"version\":1", LD_PARSE, NULL);
    expect(f, "[]", LD_INVALID, "");
    expect(f, "", LD_PARSE, NULL);
    free(old);
    free(json);
}

static void
test_read_only(void **state)
{
    struct fx *f = *state;
    struct story s;
    struct ld_ledger_opts ro;
    struct ld_ledger *r = NULL, *stale = NULL;
    struct ld_err err;
    char *json = NULL, *note = NULL, *batch, *first;
    uint64_t size = 0;

    memset(&ro, 0, sizeof ro);
    ro.store_flags = LD_STORE_READONLY;
    /* A reader opened before the story (as the server's are) sees it later. */
    assert_int_equal(ld_ledger_open(f->db, &ro, &stale, NULL), LD_OK);
    assert_int_equal(ld_domain_register(stale), LD_OK);
    tell(f, &s, 0);
    batch = ld_xasprintf("%lld-01", s.n1);
    /* No checkpoint at all, read-only: refused, naming the checkpoint. */
    assert_int_equal(ld_ledger_open(f->db, &ro, &r, NULL), LD_OK);
    assert_int_equal(ld_domain_register(r), LD_OK);
    memset(&err, 0, sizeof err);
    assert_int_equal(ld_bundle_build(r, batch, &json, &err), LD_NOTFOUND);
    assert_null(json);
    assert_string_equal(err.field, "checkpoint");
    assert_non_null(strstr(err.msg, "liandan checkpoint"));
    ld_ledger_close(r);

    /* Signed by the writer: the read-only ledger bundles the same bytes. */
    assert_int_equal(ld_ledger_checkpoint(f->l, &note, &size), LD_OK);
    free(note);
    first = bundle_of(f, s.n1, "");
    assert_int_equal(ld_ledger_open(f->db, &ro, &r, NULL), LD_OK);
    assert_int_equal(ld_domain_register(r), LD_OK);
    assert_int_equal(ld_bundle_build(r, batch, &json, NULL), LD_OK);
    assert_string_equal(json, first);
    free(json);
    json = NULL;
    ld_ledger_close(r);
    assert_int_equal(ld_bundle_build(stale, batch, &json, NULL), LD_OK);
    assert_string_equal(json, first);
    free(json);
    json = NULL;
    ld_ledger_close(stale);

    /* Growth elsewhere (another party's manifest, a new licence of a signer)
     * does not matter: party chains are cut at the checkpoint. */
    licence(f, R1, "disposal");
    file(f, OTHER, COL, 1000, NULL);
    assert_int_equal(ld_ledger_open(f->db, &ro, &r, NULL), LD_OK);
    assert_int_equal(ld_domain_register(r), LD_OK);
    assert_int_equal(ld_bundle_build(r, batch, &json, NULL), LD_OK);
    assert_string_equal(json, first);
    free(json);
    json = NULL;
    ld_ledger_close(r);

    /* A new event on a traced manifest: not covered, refused read-only... */
    ok(f, "manifest.correct", s.n3, "regulator",
       "{\"part\":\"receiver\",\"request\":true,\"reason\":\"check\"}");
    assert_int_equal(ld_ledger_open(f->db, &ro, &r, NULL), LD_OK);
    assert_int_equal(ld_domain_register(r), LD_OK);
    memset(&err, 0, sizeof err);
    assert_int_equal(ld_bundle_build(r, batch, &json, &err), LD_NOTFOUND);
    assert_string_equal(err.field, "checkpoint");
    ld_ledger_close(r);
    /* ... and signed afresh by the writer, with the regulator's own event in a chain. */
    json = bundle_of(f, s.n1, "");
    expect(f, json, LD_OK, NULL);
    assert_non_null(strstr(json, "\"type\":\"manifest.correct\""));
    free(json);
    free(first);
    free(batch);
}

static void
test_key_rotation(void **state)
{
    struct fx *f = *state;
    struct story s;
    struct ld_sig_pub reg;
    struct ld_bundle_result res;
    char *json;
    cJSON *b;
    int k;

    /* The collector accepts n1, n2 with its first key, files n3 with its second. */
    tell(f, &s, 1);
    json = bundle_of(f, s.n2, "");
    ld_sig_secret_pub(f->reg, &reg);
    assert_int_equal(ld_bundle_verify(json, strlen(json), &reg, &res, NULL), LD_OK);
    /* COL: register, key, licence, revoke, key. */
    assert_int_equal(res.parties, 15);
    /* Without the revocation the second key's certificate does not link. */
    b = cJSON_Parse(json);
    k = find(arr(b, "parties"), "party.revoke", 0, COL);
    drop(b, "parties", k);
    expect_tree(f, b, LD_TAMPERED, field("parties[%d].event.prev", k));
    /* Without the second certificate, n3's filing has no key. */
    b = cJSON_Parse(json);
    k = find(arr(b, "parties"), "party.revoke", 0, COL);
    drop(b, "parties", k + 1);
    expect_tree(f, b, LD_WRONGKEY,
                field("events[%d].event.key", find(arr(b, "events"), "manifest.file", s.n3, NULL)));
    free(json);
}

static void
test_subjects(void **state)
{
    struct fx *f = *state;
    struct story s;
    struct ld_err err;
    char *json = NULL;

    tell(f, &s, 0);
    memset(&err, 0, sizeof err);
    assert_int_equal(ld_bundle_build(f->l, "2026210200009-01", &json, &err), LD_INVALID);
    assert_null(json);
    memset(&err, 0, sizeof err);
    assert_int_equal(ld_bundle_build(f->l, "20262102000099", &json, &err), LD_NOTFOUND);
    assert_null(json);
    assert_true(err.msg[0] != '\0');
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_build_and_verify, setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_tampered, setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_read_only, setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_key_rotation, setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_subjects, setup, fx_teardown),
    };
    return cmocka_run_group_tests_name("bundle", tests, NULL, NULL);
}
