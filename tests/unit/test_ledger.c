/*
 * test_ledger.c - the append pipeline, key validity, chains, batches, fault
 * injection, receipts, checkpoints, reindex and verify (ledger.c, party.c,
 * verify.c), through the public API with a test rule plugged into the hook.
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

#include "liandan/enc.h"
#include "liandan/ledger.h"
#include "liandan/mem.h"
#include "liandan/tm.h"
#include "liandan/uscc.h"
#include "liandan/verify.h"

#define P1 "91350100M000100Y43"
#define P2 "914403001922038216"

/* A domain-free event type for tests: any certified party may sign it; it is
 * chained per manifest number. */
static const struct ld_rule test_rules[] = {
    {"test.note", LD_RULE_MANIFEST, NULL, NULL, NULL},
};

struct fx {
    char dir[64];
    char db[128];
    struct ld_sig_secret *reg, *p1, *p2;
    struct ld_ledger *l;
};

static void
set_now(const char *t)
{
    setenv("LIANDAN_NOW", t, 1);
}

static cJSON *
event(const char *type, long long manifest, const char *prev, const char *at, const char *actor,
      cJSON *body)
{
    cJSON *e = cJSON_CreateObject();

    cJSON_AddNumberToObject(e, "v", 1);
    cJSON_AddStringToObject(e, "type", type);
    if (manifest)
        cJSON_AddNumberToObject(e, "manifest", (double)manifest);
    else
        cJSON_AddNullToObject(e, "manifest");
    if (prev)
        cJSON_AddStringToObject(e, "prev", prev);
    else
        cJSON_AddNullToObject(e, "prev");
    cJSON_AddStringToObject(e, "at", at);
    cJSON_AddStringToObject(e, "actor", actor);
    cJSON_AddItemToObject(e, "body", body);
    return e;
}

/* Sign and append; returns rc, fills *r. */
static enum ld_rc
append(struct fx *f, cJSON *e, const struct ld_sig_secret *s, struct ld_receipt *r,
       struct ld_err *err)
{
    char *entry = NULL;
    size_t len = 0;
    struct ld_receipt tmp;
    enum ld_rc rc;

    assert_int_equal(ld_event_sign(e, s, &entry, &len, NULL), LD_OK);
    cJSON_Delete(e);
    rc = ld_ledger_append(f->l, entry, len, r ? r : &tmp, err);
    free(entry);
    return rc;
}

static void
head_of(struct fx *f, const char *chain, char id[LD_EVENT_ID_HEX])
{
    assert_int_equal(ld_ledger_head(f->l, chain, id), LD_OK);
}

static void
register_party(struct fx *f, const char *id, const struct ld_sig_secret *key, const char *until)
{
    struct ld_sig_pub pub;
    char head[LD_EVENT_ID_HEX], *vkey;
    char chain[32];
    cJSON *b = cJSON_CreateObject(), *roles = cJSON_CreateArray();

    cJSON_AddStringToObject(b, "id", id);
    cJSON_AddStringToObject(b, "name", "Test party");
    cJSON_AddItemToArray(roles, cJSON_CreateString("producer"));
    cJSON_AddItemToObject(b, "roles", roles);
    assert_int_equal(append(f, event("party.register", 0, NULL, getenv("LIANDAN_NOW"),
                                     "regulator", b), f->reg, NULL, NULL), LD_OK);
    snprintf(chain, sizeof chain, "p:%s", id);
    head_of(f, chain, head);
    ld_sig_secret_pub(key, &pub);
    vkey = ld_sig_vkey_format(&pub);
    b = cJSON_CreateObject();
    cJSON_AddStringToObject(b, "id", id);
    cJSON_AddStringToObject(b, "pub", vkey);
    if (until)
        cJSON_AddStringToObject(b, "until", until);
    else
        cJSON_AddNullToObject(b, "until");
    free(vkey);
    assert_int_equal(append(f, event("party.key", 0, head, getenv("LIANDAN_NOW"), "regulator", b),
                            f->reg, NULL, NULL), LD_OK);
}

static int
setup(void **state)
{
    struct fx *f = ld_xcalloc(1, sizeof *f);
    struct ld_sig_pub reg;
    struct ld_ledger_opts o;
    char *vkey = NULL;

    assert_int_equal(ld_sig_init(), LD_OK);
    snprintf(f->dir, sizeof f->dir, "/tmp/ld_test_ledger_XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    snprintf(f->db, sizeof f->db, "%s/l.db", f->dir);
    assert_int_equal(ld_sig_keygen("regulator.test", &f->reg), LD_OK);
    assert_int_equal(ld_sig_keygen("p1", &f->p1), LD_OK);
    assert_int_equal(ld_sig_keygen("p2", &f->p2), LD_OK);
    ld_sig_secret_pub(f->reg, &reg);
    set_now("2026-01-10T00:00:00Z");
    assert_int_equal(ld_ledger_create(f->db, "test.example/log", &reg, NULL, NULL, &vkey, NULL),
                     LD_OK);
    free(vkey);
    memset(&o, 0, sizeof o);
    assert_int_equal(ld_ledger_open(f->db, &o, &f->l, NULL), LD_OK);
    assert_int_equal(ld_ledger_add_rules(f->l, test_rules, 1), LD_OK);
    *state = f;
    return 0;
}

static int
teardown(void **state)
{
    struct fx *f = *state;
    char cmd[256];

    ld_ledger_close(f->l);
    ld_sig_secret_free(f->reg);
    ld_sig_secret_free(f->p1);
    ld_sig_secret_free(f->p2);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->dir);
    assert_int_equal(system(cmd), 0);
    free(f);
    return 0;
}

static cJSON *
note(long long m, const char *prev, const char *at, const char *actor)
{
    cJSON *b = cJSON_CreateObject();
    cJSON_AddStringToObject(b, "text", "hello");
    return event("test.note", m, prev, at, actor, b);
}

static void
verify_ok(struct fx *f, uint64_t events)
{
    struct ld_verify_opts o;
    struct ld_verify_result res;

    memset(&o, 0, sizeof o);
    o.rules = test_rules;
    o.nrules = 1;
    assert_int_equal(ld_verify_ledger(f->db, &o, &res), LD_OK);
    assert_int_equal(res.events, events);
}

static void
test_key_validity(void **state)
{
    struct fx *f = *state;
    struct ld_err err;
    struct ld_receipt r;
    char head[LD_EVENT_ID_HEX];

    register_party(f, P1, f->p1, "2026-02-01T00:00:00Z");
    /* Accepted within validity. */
    set_now("2026-01-10T00:00:05Z");
    assert_int_equal(append(f, note(1, NULL, "2026-01-10T00:00:05Z", P1), f->p1, &r, NULL), LD_OK);
    assert_int_equal(r.leaf_index, 2);
    /* Before the certification. */
    memset(&err, 0, sizeof err);
    head_of(f, "m:1", head);
    assert_int_equal(append(f, note(1, head, "2026-01-09T23:00:00Z", P1), f->p1, NULL, &err),
                     LD_WRONGKEY);
    assert_string_equal(err.field, "event.key");
    assert_non_null(strstr(err.msg, "valid from"));
    /* After until. */
    set_now("2026-02-01T00:00:00Z");
    memset(&err, 0, sizeof err);
    assert_int_equal(append(f, note(1, head, "2026-02-01T00:00:00Z", P1), f->p1, NULL, &err),
                     LD_WRONGKEY);
    assert_non_null(strstr(err.msg, "expired"));
    /* A key of P1 used by another actor. */
    set_now("2026-01-20T00:00:00Z");
    memset(&err, 0, sizeof err);
    assert_int_equal(append(f, note(2, NULL, "2026-01-20T00:00:00Z", P2), f->p1, NULL, &err),
                     LD_WRONGKEY);
    /* Uncertified key. */
    memset(&err, 0, sizeof err);
    assert_int_equal(append(f, note(2, NULL, "2026-01-20T00:00:00Z", P1), f->p2, NULL, &err),
                     LD_WRONGKEY);
    assert_non_null(strstr(err.msg, "not certified"));
    assert_int_equal(ld_ledger_size(f->l), 3);
    verify_ok(f, 3);
}

static void
test_revoked_key(void **state)
{
    struct fx *f = *state;
    struct ld_sig_pub pub;
    struct ld_err err;
    char head[LD_EVENT_ID_HEX];
    cJSON *b;

    register_party(f, P1, f->p1, NULL);
    assert_int_equal(append(f, note(7, NULL, "2026-01-10T00:00:00Z", P1), f->p1, NULL, NULL), LD_OK);
    head_of(f, "p:" P1, head);
    ld_sig_secret_pub(f->p1, &pub);
    b = cJSON_CreateObject();
    cJSON_AddStringToObject(b, "id", P1);
    cJSON_AddStringToObject(b, "key", pub.keyid);
    assert_int_equal(append(f, event("party.revoke", 0, head, "2026-01-10T00:00:00Z", "regulator", b),
                            f->reg, NULL, NULL), LD_OK);
    /* Even with an at before the revocation: revoked from its log position on. */
    memset(&err, 0, sizeof err);
    head_of(f, "m:7", head);
    assert_int_equal(append(f, note(7, head, "2026-01-09T23:59:59Z", P1), f->p1, NULL, &err),
                     LD_WRONGKEY);
    assert_non_null(strstr(err.msg, "revoked"));
    /* What it signed before stays valid. */
    verify_ok(f, 4);
}

static void
test_chain_and_idempotence(void **state)
{
    struct fx *f = *state;
    struct ld_receipt r1, r2;
    struct ld_err err;
    char head[LD_EVENT_ID_HEX], *entry = NULL;
    size_t len;
    cJSON *e;

    register_party(f, P1, f->p1, NULL);
    e = note(5, NULL, "2026-01-10T00:00:00Z", P1);
    assert_int_equal(ld_event_sign(e, f->p1, &entry, &len, NULL), LD_OK);
    cJSON_Delete(e);
    assert_int_equal(ld_ledger_append(f->l, entry, len, &r1, NULL), LD_OK);
    set_now("2026-01-10T01:00:00Z");
    assert_int_equal(ld_ledger_append(f->l, entry, len, &r2, NULL), LD_EXISTS);
    assert_memory_equal(&r1, &r2, sizeof r1);
    free(entry);
    /* A second root of the same chain: conflict. */
    memset(&err, 0, sizeof err);
    assert_int_equal(append(f, note(5, NULL, "2026-01-10T00:30:00Z", P1), f->p1, NULL, &err),
                     LD_CONFLICT);
    /* Extending the head works; extending the old head again is a fork. */
    head_of(f, "m:5", head);
    assert_int_equal(append(f, note(5, head, "2026-01-10T00:40:00Z", P1), f->p1, NULL, NULL), LD_OK);
    memset(&err, 0, sizeof err);
    assert_int_equal(append(f, note(5, head, "2026-01-10T00:41:00Z", P1), f->p1, NULL, &err),
                     LD_CONFLICT);
    assert_string_equal(err.field, "event.prev");
    /* Test events need a manifest number. */
    memset(&err, 0, sizeof err);
    assert_int_equal(append(f, note(0, NULL, "2026-01-10T00:42:00Z", P1), f->p1, NULL, &err),
                     LD_INVALID);
    assert_string_equal(err.field, "event.manifest");
    /* Unknown type. */
    memset(&err, 0, sizeof err);
    assert_int_equal(append(f, event("test.other", 5, NULL, "2026-01-10T00:42:00Z", P1,
                                     cJSON_CreateObject()), f->p1, NULL, &err), LD_INVALID);
    assert_string_equal(err.field, "event.type");
    verify_ok(f, 4);
}

static void
test_receipt_and_checkpoint(void **state)
{
    struct fx *f = *state;
    struct ld_receipt r;
    char *msg, *json, *note_text = NULL;
    size_t len, text_len = 0, verified = 0;
    uint64_t size = 0;

    register_party(f, P1, f->p1, NULL);
    assert_int_equal(ld_ledger_receipt(f->l, 1, &r), LD_OK);
    msg = ld_receipt_message(&r, &len);
    assert_int_equal(ld_sig_verify(ld_ledger_key(f->l)->pk, NULL, msg, len, r.sig), LD_OK);
    assert_non_null(strstr(msg, "liandan/receipt/v1\n{\"accepted_at\":\"2026-01-10T00:00:00Z\""));
    free(msg);
    json = ld_receipt_json(&r);
    assert_non_null(strstr(json, "\"leaf_index\":1,\"sig\":\""));
    free(json);
    assert_int_equal(ld_ledger_checkpoint(f->l, &note_text, &size), LD_OK);
    assert_int_equal(size, 2);
    assert_int_equal(ld_sig_note_open(note_text, strlen(note_text), ld_ledger_key(f->l), 1,
                                      &text_len, &verified, NULL), LD_OK);
    assert_int_equal(verified, 1);
    assert_int_equal(strncmp(note_text, "test.example/log\n2\n", 19), 0);
    free(note_text);
    verify_ok(f, 2);
}

static void
test_batch(void **state)
{
    struct fx *f = *state;
    struct ld_ledger_item items[3];
    char *e0 = NULL, *e1 = NULL, *e2 = NULL;
    size_t l0, l1, l2;
    cJSON *b = cJSON_CreateObject(), *roles = cJSON_CreateArray();

    cJSON_AddStringToObject(b, "id", P2);
    cJSON_AddStringToObject(b, "name", "Batch party");
    cJSON_AddItemToArray(roles, cJSON_CreateString("carrier"));
    cJSON_AddItemToObject(b, "roles", roles);
    cJSON *ev = event("party.register", 0, NULL, "2026-01-10T00:00:00Z", "regulator", b);
    assert_int_equal(ld_event_sign(ev, f->reg, &e0, &l0, NULL), LD_OK);
    cJSON_Delete(ev);
    ev = note(9, NULL, "2026-01-10T00:00:00Z", P1); /* P1 unknown: refused */
    assert_int_equal(ld_event_sign(ev, f->p1, &e1, &l1, NULL), LD_OK);
    cJSON_Delete(ev);
    e2 = ld_xstrdup("{not json");
    l2 = strlen(e2);
    memset(items, 0, sizeof items);
    items[0].text = e0, items[0].len = l0;
    items[1].text = e1, items[1].len = l1;
    items[2].text = e2, items[2].len = l2;
    assert_int_equal(ld_ledger_append_batch(f->l, items, 3), LD_OK);
    assert_int_equal(items[0].rc, LD_OK);
    assert_int_equal(items[1].rc, LD_WRONGKEY);
    assert_int_equal(items[2].rc, LD_PARSE);
    assert_int_equal(ld_ledger_size(f->l), 1);
    /* Same batch again: the first is idempotent. */
    assert_int_equal(ld_ledger_append_batch(f->l, items, 1), LD_OK);
    assert_int_equal(items[0].rc, LD_EXISTS);
    free(e0);
    free(e1);
    free(e2);
}

/* With helper threads the receipts are signed ahead, each for the index it
 * gets if every item before it is appended (ledger.c). A refused item and an
 * idempotent resubmission in the middle shift the later indices: those
 * receipts must be signed again, and every receipt stored and returned must
 * verify (ld_verify_ledger checks each stored receipt signature). */
static void
test_batch_receipts_ahead(void **state)
{
    struct fx *f = *state;
    struct ld_ledger_opts o;
    struct ld_ledger_item items[24];
    char *texts[24];
    size_t lens[24];
    uint64_t want = 0;
    cJSON *ev;
    int i;

    ld_ledger_close(f->l);
    memset(&o, 0, sizeof o);
    o.threads = 2;
    assert_int_equal(ld_ledger_open(f->db, &o, &f->l, NULL), LD_OK);
    assert_int_equal(ld_ledger_add_rules(f->l, test_rules, 1), LD_OK);
    for (i = 0; i < 24; i++) {
        char id[19];
        cJSON *b = cJSON_CreateObject(), *roles = cJSON_CreateArray();
        snprintf(id, sizeof id, "91210213%09d", 500 + i);
        id[17] = ld_uscc_check_char(id);
        id[18] = '\0';
        cJSON_AddStringToObject(b, "id", id);
        cJSON_AddStringToObject(b, "name", "Ahead party");
        cJSON_AddItemToArray(roles, cJSON_CreateString("producer"));
        cJSON_AddItemToObject(b, "roles", roles);
        ev = event("party.register", 0, NULL, "2026-01-10T00:00:00Z", "regulator", b);
        assert_int_equal(ld_event_sign(ev, f->reg, &texts[i], &lens[i], NULL), LD_OK);
        cJSON_Delete(ev);
    }
    memset(items, 0, sizeof items);
    for (i = 0; i < 24; i++) {
        items[i].text = texts[i];
        items[i].len = lens[i];
    }
    items[6].text = texts[2]; /* the same event twice: the second is idempotent */
    items[6].len = lens[2];
    items[11].text = "{\"event\":1}"; /* refused */
    items[11].len = strlen(items[11].text);
    assert_int_equal(ld_ledger_append_batch(f->l, items, 24), LD_OK);
    for (i = 0; i < 24; i++) {
        struct ld_receipt stored;
        if (i == 11) {
            assert_int_not_equal(items[i].rc, LD_OK);
            continue;
        }
        if (i == 6) {
            assert_int_equal(items[i].rc, LD_EXISTS);
            assert_int_equal(items[i].receipt.leaf_index, items[2].receipt.leaf_index);
            continue;
        }
        assert_int_equal(items[i].rc, LD_OK);
        assert_int_equal(items[i].receipt.leaf_index, want); /* 6 and 11 took no index */
        assert_int_equal(ld_ledger_receipt(f->l, want, &stored), LD_OK);
        assert_memory_equal(stored.sig, items[i].receipt.sig, LD_SIG_SIG);
        want++;
    }
    assert_int_equal(ld_ledger_size(f->l), 22);
    verify_ok(f, 22);
    for (i = 0; i < 24; i++)
        free(texts[i]);
}

/* Force each store write in the append path to fail once: the append reports
 * LD_DB, nothing is stored, and the ledger works again afterwards. */
static void
test_faults(void **state)
{
    struct fx *f = *state;
    struct ld_receipt r;
    struct ld_err err;
    unsigned nth;
    int stored = 0;

    register_party(f, P1, f->p1, NULL);
    for (nth = 1; nth < 20 && !stored; nth++) {
        uint64_t before = ld_ledger_size(f->l);
        uint8_t root_before[32], root_after[32];
        char at[32];
        enum ld_rc rc;

        assert_int_equal(ld_ledger_root(f->l, before, root_before), LD_OK);
        snprintf(at, sizeof at, "2026-01-10T00:00:%02uZ", nth);
        ld_store_fault_inject(ld_ledger_store(f->l), nth);
        memset(&err, 0, sizeof err);
        rc = append(f, note(3, NULL, at, P1), f->p1, &r, &err);
        ld_store_fault_inject(ld_ledger_store(f->l), 0);
        if (rc == LD_OK) {
            stored = 1;
            assert_int_equal(ld_ledger_size(f->l), before + 1);
            break;
        }
        assert_int_equal(rc, LD_DB);
        assert_int_equal(ld_ledger_size(f->l), before);
        assert_int_equal(ld_ledger_root(f->l, before, root_after), LD_OK);
        assert_memory_equal(root_before, root_after, 32);
    }
    assert_true(stored);
    assert_true(nth > 3); /* begin, event, head and commit each failed once */
    verify_ok(f, 3);
}

static void
test_reindex(void **state)
{
    struct fx *f = *state;
    char *before = NULL, *after = NULL;
    uint64_t s1, s2;

    register_party(f, P1, f->p1, NULL);
    register_party(f, P2, f->p2, NULL);
    assert_int_equal(ld_ledger_prove_inclusion(f->l, 1, 0, &before), LD_OK);
    assert_int_equal(ld_store_exec(ld_ledger_store(f->l), "DELETE FROM nodes; DELETE FROM keys"),
                     LD_OK);
    assert_int_equal(ld_ledger_reindex(f->l, NULL), LD_OK);
    assert_int_equal(ld_ledger_prove_inclusion(f->l, 1, 0, &after), LD_OK);
    assert_string_equal(before, after);
    free(before);
    free(after);
    /* Keys are back: P1 can sign. */
    assert_int_equal(append(f, note(4, NULL, "2026-01-10T00:00:00Z", P1), f->p1, NULL, NULL), LD_OK);
    s1 = ld_ledger_size(f->l);
    assert_int_equal(s1, 5);
    s2 = 0;
    (void)s2;
    verify_ok(f, 5);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_key_validity, setup, teardown),
        cmocka_unit_test_setup_teardown(test_revoked_key, setup, teardown),
        cmocka_unit_test_setup_teardown(test_chain_and_idempotence, setup, teardown),
        cmocka_unit_test_setup_teardown(test_receipt_and_checkpoint, setup, teardown),
        cmocka_unit_test_setup_teardown(test_batch, setup, teardown),
        cmocka_unit_test_setup_teardown(test_batch_receipts_ahead, setup, teardown),
        cmocka_unit_test_setup_teardown(test_faults, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reindex, setup, teardown),
    };
    return cmocka_run_group_tests_name("ledger", tests, NULL, NULL);
}
