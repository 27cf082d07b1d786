/*
 * test_store.c - the SQLite store (src/store_sqlite.c, include/liandan/store.h):
 * migrations under PRAGMA user_version, reopening, the append-only triggers,
 * every write path forced to fail once through ld_store_fault_inject, a
 * database locked by another connection (LD_BUSY after the busy timeout),
 * open errors, the prepared-statement API, attachments and clear_derived.
 * A second, independent sqlite3 connection checks what is really on disk.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <sodium.h>
#include <sqlite3.h>

#include "liandan/store.h"

/* From the generated schema (tools/embed-sql): the number of migrations. */
extern const size_t ld_schema_migration_count;

struct fx {
    char dir[64];
    char db[128];
    struct ld_store *s;
};

/* ---- helpers ------------------------------------------------------------- */

/* Run a query returning one integer on a separate connection. */
static int64_t
sql_int(const char *db, const char *sql)
{
    sqlite3 *c = NULL;
    sqlite3_stmt *st = NULL;
    int64_t v = -1;

    assert_int_equal(sqlite3_open_v2(db, &c, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    sqlite3_busy_timeout(c, 2000);
    if (sqlite3_prepare_v2(c, sql, -1, &st, NULL) != SQLITE_OK)
        print_error("cannot prepare '%s': %s\n", sql, sqlite3_errmsg(c));
    assert_non_null(st);
    if (sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(c);
    return v;
}

static void
sql_exec(const char *db, const char *sql)
{
    sqlite3 *c = NULL;
    char *msg = NULL;

    assert_int_equal(sqlite3_open(db, &c), SQLITE_OK);
    if (sqlite3_exec(c, sql, NULL, NULL, &msg) != SQLITE_OK)
        print_error("'%s': %s\n", sql, msg);
    assert_null(msg);
    sqlite3_close(c);
}

static int64_t
count(struct fx *f, const char *table)
{
    char sql[128];

    snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM \"%s\"", table);
    return sql_int(f->db, sql);
}

static void
fill_event(struct ld_store_event *ev, uint64_t idx, const char *entry)
{
    memset(ev, 0, sizeof *ev);
    ev->idx = idx;
    crypto_hash_sha256(ev->id, (const unsigned char *)entry, strlen(entry));
    ev->entry = (char *)entry;
    ev->entry_len = strlen(entry);
    ev->accepted_at = 1768003200 + (int64_t)idx;
    memset(ev->receipt_sig, (int)(0x40 + idx), sizeof ev->receipt_sig);
}

static void
fill_key(struct ld_store_key *k, const char *keyid, const char *party)
{
    memset(k, 0, sizeof *k);
    snprintf(k->keyid, sizeof k->keyid, "%s", keyid);
    snprintf(k->party, sizeof k->party, "%s", party);
    k->vkey = (char *)"p1+01234567+AQ==";
    memset(k->pub, 0x11, sizeof k->pub);
    k->from_at = 100;
    k->until_at = -1;
    k->cert_idx = 1;
}

/* Insert one row of 1s into table through the store's own connection. */
static void
fill_row(struct fx *f, const char *table)
{
    char sql[512], q[160];
    int64_t ncol, i;
    size_t n;
    enum ld_rc rc;

    snprintf(q, sizeof q, "SELECT COUNT(*) FROM pragma_table_info('%s')", table);
    ncol = sql_int(f->db, q);
    assert_true(ncol > 0);
    n = (size_t)snprintf(sql, sizeof sql, "INSERT INTO \"%s\" VALUES (", table);
    for (i = 0; i < ncol; i++)
        n += (size_t)snprintf(sql + n, sizeof sql - n, "%s1", i ? "," : "");
    snprintf(sql + n, sizeof sql - n, ")");
    rc = ld_store_exec(f->s, sql);
    if (rc != LD_OK)
        print_error("cannot fill '%s'\n", table);
    assert_int_equal(rc, LD_OK);
}

/* A fresh store holding a ledger (meta origin set). */
static int
setup(void **state)
{
    struct fx *f = calloc(1, sizeof *f);

    assert_int_equal(sodium_init() >= 0, 1);
    snprintf(f->dir, sizeof f->dir, "/tmp/ld_test_store_XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    snprintf(f->db, sizeof f->db, "%s/l.db", f->dir);
    assert_int_equal(ld_store_open(f->db, LD_STORE_CREATE, &f->s, NULL), LD_OK);
    assert_int_equal(ld_store_meta_put(f->s, "origin", "test.example/log"), LD_OK);
    *state = f;
    return 0;
}

static int
teardown(void **state)
{
    struct fx *f = *state;
    char cmd[160];

    ld_store_close(f->s);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->dir);
    assert_int_equal(system(cmd), 0);
    free(f);
    return 0;
}

static void
reopen(struct fx *f, unsigned flags)
{
    ld_store_close(f->s);
    f->s = NULL;
    assert_int_equal(ld_store_open(f->db, flags, &f->s, NULL), LD_OK);
}

/* ---- open, migrations, reopen -------------------------------------------- */

static void
test_migrations_once(void **state)
{
    struct fx *f = *state;
    char *v = NULL, *v2 = NULL;

    assert_true(ld_schema_migration_count >= 5);
    assert_int_equal(sql_int(f->db, "PRAGMA user_version"), (int64_t)ld_schema_migration_count);
    assert_int_equal(ld_store_meta_get(f->s, "derived_tables", &v), LD_OK);
    assert_non_null(strstr(v, "licences"));
    assert_non_null(strstr(v, "calendar_rows"));
    /* Reopening applies nothing again: the version, the schema and the list
     * of derived tables (appended to by 003 and 004) are unchanged. */
    int64_t objects = sql_int(f->db, "SELECT COUNT(*) FROM sqlite_master");
    reopen(f, 0);
    reopen(f, 0);
    assert_int_equal(sql_int(f->db, "PRAGMA user_version"), (int64_t)ld_schema_migration_count);
    assert_int_equal(sql_int(f->db, "SELECT COUNT(*) FROM sqlite_master"), objects);
    assert_int_equal(ld_store_meta_get(f->s, "derived_tables", &v2), LD_OK);
    assert_string_equal(v, v2);
    free(v);
    free(v2);
    /* WAL journal. */
    {
        sqlite3 *c = NULL;
        sqlite3_stmt *st = NULL;
        assert_int_equal(sqlite3_open(f->db, &c), SQLITE_OK);
        assert_int_equal(sqlite3_prepare_v2(c, "PRAGMA journal_mode", -1, &st, NULL), SQLITE_OK);
        assert_int_equal(sqlite3_step(st), SQLITE_ROW);
        assert_string_equal((const char *)sqlite3_column_text(st, 0), "wal");
        sqlite3_finalize(st);
        sqlite3_close(c);
    }
}

/* A database from an older program: the missing migrations are applied on open. */
static void
test_migrations_upgrade(void **state)
{
    struct fx *f = *state;

    ld_store_close(f->s);
    f->s = NULL;
    sql_exec(f->db, "DROP TABLE attachments; PRAGMA user_version = 4");
    assert_int_equal(ld_store_open(f->db, 0, &f->s, NULL), LD_OK);
    assert_int_equal(sql_int(f->db, "PRAGMA user_version"), (int64_t)ld_schema_migration_count);
    assert_int_equal(count(f, "attachments"), 0);
}

static void
test_open_errors(void **state)
{
    struct fx *f = *state;
    struct ld_store *s = NULL;
    struct ld_err err;
    char path[160];
    FILE *fp;

    /* Missing file: LD_NOTFOUND, and no file is created. */
    snprintf(path, sizeof path, "%s/missing.db", f->dir);
    memset(&err, 0, sizeof err);
    assert_int_equal(ld_store_open(path, 0, &s, &err), LD_NOTFOUND);
    assert_null(s);
    assert_non_null(strstr(err.msg, "missing.db"));
    assert_int_equal(access(path, F_OK), -1);
    assert_int_equal(ld_store_open(path, LD_STORE_READONLY, &s, NULL), LD_NOTFOUND);
    /* An empty file is no ledger either. */
    snprintf(path, sizeof path, "%s/empty.db", f->dir);
    fp = fopen(path, "w");
    fclose(fp);
    assert_int_equal(ld_store_open(path, 0, &s, NULL), LD_NOTFOUND);
    /* CREATE over an existing ledger. */
    memset(&err, 0, sizeof err);
    assert_int_equal(ld_store_open(f->db, LD_STORE_CREATE, &s, &err), LD_EXISTS);
    assert_int_equal(err.rc, LD_EXISTS);
    assert_null(s);
    /* A database with the schema but no origin holds no ledger. */
    snprintf(path, sizeof path, "%s/bare.db", f->dir);
    assert_int_equal(ld_store_open(path, LD_STORE_CREATE, &s, NULL), LD_OK);
    ld_store_close(s);
    s = NULL;
    assert_int_equal(ld_store_open(path, 0, &s, NULL), LD_NOTFOUND);
    /* ...but CREATE may be repeated on it until init stores an origin. */
    assert_int_equal(ld_store_open(path, LD_STORE_CREATE, &s, NULL), LD_OK);
    ld_store_close(s);
    s = NULL;
    /* Not a database at all. */
    snprintf(path, sizeof path, "%s/text.db", f->dir);
    fp = fopen(path, "w");
    fputs("this is not an SQLite database, just some text that is long enough\n", fp);
    fclose(fp);
    assert_int_equal(ld_store_open(path, 0, &s, NULL), LD_IO);
    assert_null(s);
    /* A schema newer than this program. */
    ld_store_close(f->s);
    f->s = NULL;
    sql_exec(f->db, "PRAGMA user_version = 999");
    memset(&err, 0, sizeof err);
    assert_int_equal(ld_store_open(f->db, 0, &f->s, &err), LD_DB);
    assert_non_null(strstr(err.msg, "999"));
    {
        char pragma[64];
        snprintf(pragma, sizeof pragma, "PRAGMA user_version = %zu", ld_schema_migration_count);
        sql_exec(f->db, pragma);
    }
    assert_int_equal(ld_store_open(f->db, 0, &f->s, NULL), LD_OK);
    ld_store_close(NULL);
}

static void
test_reopen_keeps_data(void **state)
{
    struct fx *f = *state;
    struct ld_store_event ev, got;
    struct ld_store_party p, pg;
    struct ld_store_key k, kg;
    uint8_t hid[32], hid2[32], node[32];
    uint64_t size = 0, idx = 0;
    char *v = NULL, *note = NULL;

    fill_event(&ev, 0, "{\"event\":0}");
    assert_int_equal(ld_store_event_put(f->s, &ev), LD_OK);
    memset(hid, 0x5a, sizeof hid);
    assert_int_equal(ld_store_head_put(f->s, "m:1", 0, hid, 0), LD_OK);
    memset(&p, 0, sizeof p);
    snprintf(p.id, sizeof p.id, "91350100M000100Y43");
    p.name = (char *)"测试";
    p.roles = (char *)"producer,carrier";
    snprintf(p.district, sizeof p.district, "350100");
    p.reg_idx = 0;
    assert_int_equal(ld_store_party_put(f->s, &p), LD_OK);
    fill_key(&k, "0123456789abcdef0123456789abcdef", p.id);
    assert_int_equal(ld_store_key_put(f->s, &k), LD_OK);
    assert_int_equal(ld_store_node_put(f->s, 1, 0, hid), LD_OK);
    assert_int_equal(ld_store_checkpoint_put(f->s, 1, "note\n", 5), LD_OK);
    assert_int_equal(ld_store_meta_put(f->s, "k", "v"), LD_OK);

    reopen(f, 0);
    assert_int_equal(ld_store_size(f->s, &size), LD_OK);
    assert_int_equal(size, 1);
    assert_int_equal(ld_store_event_get(f->s, 0, &got), LD_OK);
    assert_int_equal(got.entry_len, ev.entry_len);
    assert_string_equal(got.entry, ev.entry);
    assert_memory_equal(got.id, ev.id, 32);
    assert_int_equal(got.accepted_at, ev.accepted_at);
    assert_memory_equal(got.receipt_sig, ev.receipt_sig, 64);
    free(got.entry);
    assert_int_equal(ld_store_event_find(f->s, ev.id, &idx), LD_OK);
    assert_int_equal(idx, 0);
    assert_int_equal(ld_store_head_get(f->s, "m:1", &idx, hid2, NULL), LD_OK);
    assert_memory_equal(hid, hid2, 32);
    assert_int_equal(ld_store_head_get(f->s, "m:1", &idx, NULL, NULL), LD_OK);
    assert_int_equal(ld_store_party_get(f->s, p.id, &pg), LD_OK);
    assert_string_equal(pg.name, "测试");
    assert_string_equal(pg.roles, "producer,carrier");
    assert_string_equal(pg.district, "350100");
    ld_store_party_release(&pg);
    assert_int_equal(ld_store_key_get(f->s, k.keyid, &kg), LD_OK);
    assert_string_equal(kg.party, p.id);
    assert_string_equal(kg.vkey, k.vkey);
    assert_memory_equal(kg.pub, k.pub, 32);
    assert_int_equal(kg.until_at, -1);
    assert_true(kg.revoked_idx == UINT64_MAX);
    assert_int_equal(kg.revoked_at, -1);
    ld_store_key_release(&kg);
    assert_int_equal(ld_store_node_get(f->s, 1, 0, node), LD_OK);
    assert_memory_equal(node, hid, 32);
    /* Level 0 is the event id. */
    assert_int_equal(ld_store_node_get(f->s, 0, 0, node), LD_OK);
    assert_memory_equal(node, ev.id, 32);
    assert_int_equal(ld_store_checkpoint_latest(f->s, &size, &note), LD_OK);
    assert_int_equal(size, 1);
    assert_string_equal(note, "note\n");
    free(note);
    assert_int_equal(ld_store_meta_get(f->s, "k", &v), LD_OK);
    assert_string_equal(v, "v");
    free(v);
    /* A read-only open sees the same and cannot write. */
    reopen(f, LD_STORE_READONLY);
    assert_int_equal(ld_store_size(f->s, &size), LD_OK);
    assert_int_equal(size, 1);
    assert_int_equal(ld_store_meta_put(f->s, "k", "w"), LD_DB);
}

static void
test_reads_and_notfound(void **state)
{
    struct fx *f = *state;
    struct ld_store_event ev, got;
    struct ld_store_party p;
    struct ld_store_key k;
    struct ld_store_iter *it = NULL;
    uint8_t id[32], node[32];
    uint64_t size = 99, idx;
    char *v = NULL, *note = NULL;
    const char *entries[] = {"{\"e\":0}", "{\"e\":1}", "{\"e\":2}"};
    size_t i;

    assert_int_equal(ld_store_size(f->s, &size), LD_OK);
    assert_int_equal(size, 0);
    assert_int_equal(ld_store_meta_get(f->s, "nothing", &v), LD_NOTFOUND);
    assert_int_equal(ld_store_event_get(f->s, 0, &got), LD_NOTFOUND);
    memset(id, 0, sizeof id);
    assert_int_equal(ld_store_event_find(f->s, id, &idx), LD_NOTFOUND);
    assert_int_equal(ld_store_head_get(f->s, "m:1", &idx, id, NULL), LD_NOTFOUND);
    assert_int_equal(ld_store_party_get(f->s, "91350100M000100Y43", &p), LD_NOTFOUND);
    assert_int_equal(ld_store_key_get(f->s, "0123456789abcdef0123456789abcdef", &k), LD_NOTFOUND);
    assert_int_equal(ld_store_checkpoint_latest(f->s, &size, &note), LD_NOTFOUND);
    assert_int_equal(ld_store_node_get(f->s, 0, 0, node), LD_NOTFOUND);
    assert_int_equal(ld_store_node_get(f->s, 3, 0, node), LD_NOTFOUND);
    for (i = 0; i < 3; i++) {
        fill_event(&ev, i, entries[i]);
        assert_int_equal(ld_store_event_put(f->s, &ev), LD_OK);
    }
    /* The same index twice, or the same id under another index, is refused. */
    fill_event(&ev, 1, "{\"e\":9}");
    assert_int_equal(ld_store_event_put(f->s, &ev), LD_DB);
    fill_event(&ev, 3, entries[0]);
    assert_int_equal(ld_store_event_put(f->s, &ev), LD_DB);
    assert_int_equal(ld_store_size(f->s, &size), LD_OK);
    assert_int_equal(size, 3);
    /* Iteration in index order from a start. */
    assert_int_equal(ld_store_iter_new(f->s, 1, &it), LD_OK);
    for (i = 1; i < 3; i++) {
        assert_int_equal(ld_store_iter_next(it, &got), LD_OK);
        assert_int_equal(got.idx, i);
        assert_string_equal(got.entry, entries[i]);
        free(got.entry);
    }
    assert_int_equal(ld_store_iter_next(it, &got), LD_NOTFOUND);
    ld_store_iter_free(it);
    ld_store_iter_free(NULL);
    /* Key revocation once; a second revocation changes nothing. */
    fill_key(&k, "0123456789abcdef0123456789abcdef", "91350100M000100Y43");
    k.until_at = 5000;
    assert_int_equal(ld_store_key_put(f->s, &k), LD_OK);
    assert_int_equal(ld_store_key_put(f->s, &k), LD_DB); /* key id is unique */
    assert_int_equal(ld_store_key_revoke(f->s, k.keyid, 7, 700), LD_OK);
    assert_int_equal(ld_store_key_revoke(f->s, k.keyid, 8, 800), LD_OK);
    assert_int_equal(ld_store_key_get(f->s, k.keyid, &k), LD_OK);
    assert_int_equal(k.until_at, 5000);
    assert_int_equal(k.revoked_idx, 7);
    assert_int_equal(k.revoked_at, 700);
    ld_store_key_release(&k);
    /* Checkpoints: latest is the largest size; a size is stored once. */
    assert_int_equal(ld_store_checkpoint_put(f->s, 2, "two\n", 1), LD_OK);
    assert_int_equal(ld_store_checkpoint_put(f->s, 3, "three\n", 2), LD_OK);
    assert_int_equal(ld_store_checkpoint_put(f->s, 2, "other\n", 3), LD_OK);
    assert_int_equal(ld_store_checkpoint_latest(f->s, &size, &note), LD_OK);
    assert_int_equal(size, 3);
    assert_string_equal(note, "three\n");
    free(note);
    assert_int_equal(sql_int(f->db, "SELECT COUNT(*) FROM checkpoints WHERE note = 'two\n'"), 1);
}

/* Rows damaged behind the store's back are reported, not trusted. */
static void
test_tampered_rows(void **state)
{
    struct fx *f = *state;
    struct ld_store_event got;
    struct ld_store_key k;
    uint8_t node[32];
    uint64_t idx;

    sql_exec(f->db, "INSERT INTO events VALUES (0, x'0102', 'e', 1, zeroblob(64));"
                    "INSERT INTO nodes VALUES (72057594037927936, x'01');"
                    "INSERT INTO heads VALUES ('m:1', 0, x'01', 0);"
                    "INSERT INTO keys VALUES ('0123456789abcdef0123456789abcdef', 'x', 'v', "
                    "x'01', 0, NULL, 0, NULL, NULL)");
    assert_int_equal(ld_store_event_get(f->s, 0, &got), LD_TAMPERED);
    assert_int_equal(ld_store_node_get(f->s, 0, 0, node), LD_TAMPERED);
    assert_int_equal(ld_store_node_get(f->s, 1, 0, node), LD_TAMPERED);
    assert_int_equal(ld_store_head_get(f->s, "m:1", &idx, node, NULL), LD_TAMPERED);
    assert_int_equal(ld_store_key_get(f->s, "0123456789abcdef0123456789abcdef", &k), LD_TAMPERED);
}

/* ---- append-only -------------------------------------------------------- */

static void
test_append_only(void **state)
{
    struct fx *f = *state;
    struct ld_store_event ev;
    char hash[65];
    static const char *const refused[] = {
        "UPDATE events SET accepted_at = 0", "UPDATE events SET entry = 'x' WHERE idx = 0",
        "UPDATE events SET idx = 5",         "DELETE FROM events",
        "DELETE FROM events WHERE idx = 0",  "UPDATE checkpoints SET note = 'forged'",
        "DELETE FROM checkpoints",           "UPDATE attachments SET data = x'00'",
        "DELETE FROM attachments",
    };
    size_t i;

    fill_event(&ev, 0, "{\"e\":0}");
    assert_int_equal(ld_store_event_put(f->s, &ev), LD_OK);
    assert_int_equal(ld_store_checkpoint_put(f->s, 1, "note\n", 1), LD_OK);
    assert_int_equal(ld_store_attachment_put(f->s, "abc", 3, "text/plain", 1, hash), LD_OK);
    for (i = 0; i < sizeof refused / sizeof *refused; i++) {
        if (ld_store_exec(f->s, refused[i]) != LD_DB)
            print_error("'%s' was not refused\n", refused[i]);
        assert_int_equal(ld_store_exec(f->s, refused[i]), LD_DB);
    }
    /* Also inside a transaction, and the transaction stays usable. */
    assert_int_equal(ld_store_begin(f->s), LD_OK);
    assert_int_equal(ld_store_exec(f->s, "DELETE FROM events"), LD_DB);
    assert_int_equal(ld_store_meta_put(f->s, "after", "1"), LD_OK);
    assert_int_equal(ld_store_commit(f->s), LD_OK);
    assert_int_equal(count(f, "events"), 1);
    assert_int_equal(count(f, "checkpoints"), 1);
    assert_int_equal(count(f, "attachments"), 1);
    assert_int_equal(sql_int(f->db, "SELECT accepted_at FROM events"), ev.accepted_at);
    /* Derived tables are not protected: they may be rebuilt. */
    assert_int_equal(ld_store_exec(f->s, "DELETE FROM nodes"), LD_OK);
    /* ld_store_exec reports SQL errors. */
    assert_int_equal(ld_store_exec(f->s, "NOT SQL"), LD_DB);
}

/* ---- transactions ------------------------------------------------------- */

static void
test_transactions(void **state)
{
    struct fx *f = *state;
    char *v = NULL;

    assert_int_equal(ld_store_begin(f->s), LD_OK);
    assert_int_equal(ld_store_meta_put(f->s, "a", "1"), LD_OK);
    /* Reads see the writes of the current transaction... */
    assert_int_equal(ld_store_meta_get(f->s, "a", &v), LD_OK);
    free(v);
    /* ...other connections do not. */
    assert_int_equal(sql_int(f->db, "SELECT COUNT(*) FROM meta WHERE k = 'a'"), 0);
    ld_store_rollback(f->s);
    assert_int_equal(ld_store_meta_get(f->s, "a", &v), LD_NOTFOUND);
    ld_store_rollback(f->s); /* outside a transaction: harmless */
    assert_int_equal(ld_store_begin(f->s), LD_OK);
    assert_int_equal(ld_store_begin(f->s), LD_DB); /* no nesting */
    assert_int_equal(ld_store_meta_put(f->s, "b", "2"), LD_OK);
    assert_int_equal(ld_store_commit(f->s), LD_OK);
    assert_int_equal(sql_int(f->db, "SELECT COUNT(*) FROM meta WHERE k = 'b'"), 1);
    assert_int_equal(ld_store_commit(f->s), LD_DB); /* nothing to commit */
    /* Closing with an open transaction rolls it back. */
    assert_int_equal(ld_store_begin(f->s), LD_OK);
    assert_int_equal(ld_store_meta_put(f->s, "c", "3"), LD_OK);
    reopen(f, 0);
    assert_int_equal(ld_store_meta_get(f->s, "c", &v), LD_NOTFOUND);
}

/* ---- fault injection ---------------------------------------------------- */

/* Each write path fails once with LD_DB when its turn comes, writes nothing,
 * and works on the next call. */
static void
test_fault_each_write_path(void **state)
{
    struct fx *f = *state;
    struct ld_store_event ev;
    struct ld_store_party p;
    struct ld_store_key k;
    struct ld_store_q *q = NULL;
    uint8_t h[32], got[32];
    uint64_t size, idx;
    char hash[65], *v = NULL;
    static const char ins[] = "INSERT INTO serials(prefix, last) VALUES (?1, ?2)";

    memset(h, 7, sizeof h);
    /* meta */
    ld_store_fault_inject(f->s, 1);
    assert_int_equal(ld_store_meta_put(f->s, "m", "1"), LD_DB);
    assert_int_equal(ld_store_meta_get(f->s, "m", &v), LD_NOTFOUND);
    assert_int_equal(ld_store_meta_put(f->s, "m", "1"), LD_OK);
    /* event */
    fill_event(&ev, 0, "{\"e\":0}");
    ld_store_fault_inject(f->s, 1);
    assert_int_equal(ld_store_event_put(f->s, &ev), LD_DB);
    assert_int_equal(ld_store_size(f->s, &size), LD_OK);
    assert_int_equal(size, 0);
    assert_int_equal(ld_store_event_put(f->s, &ev), LD_OK);
    assert_int_equal(ld_store_event_find(f->s, ev.id, &idx), LD_OK);
    /* node (level 0 is no write: it is the event row) */
    ld_store_fault_inject(f->s, 1);
    assert_int_equal(ld_store_node_put(f->s, 0, 0, h), LD_OK);
    assert_int_equal(ld_store_node_put(f->s, 2, 0, h), LD_DB);
    assert_int_equal(ld_store_node_get(f->s, 2, 0, got), LD_NOTFOUND);
    assert_int_equal(ld_store_node_put(f->s, 2, 0, h), LD_OK);
    /* head */
    ld_store_fault_inject(f->s, 1);
    assert_int_equal(ld_store_head_put(f->s, "m:9", 0, h, 0), LD_DB);
    assert_int_equal(ld_store_head_get(f->s, "m:9", &idx, got, NULL), LD_NOTFOUND);
    assert_int_equal(ld_store_head_put(f->s, "m:9", 0, h, 0), LD_OK);
    /* party */
    memset(&p, 0, sizeof p);
    snprintf(p.id, sizeof p.id, "91350100M000100Y43");
    p.name = (char *)"n";
    p.roles = (char *)"producer";
    snprintf(p.district, sizeof p.district, "350100");
    ld_store_fault_inject(f->s, 1);
    assert_int_equal(ld_store_party_put(f->s, &p), LD_DB);
    assert_int_equal(count(f, "parties"), 0);
    assert_int_equal(ld_store_party_put(f->s, &p), LD_OK);
    /* key */
    fill_key(&k, "0123456789abcdef0123456789abcdef", p.id);
    ld_store_fault_inject(f->s, 1);
    assert_int_equal(ld_store_key_put(f->s, &k), LD_DB);
    assert_int_equal(count(f, "keys"), 0);
    assert_int_equal(ld_store_key_put(f->s, &k), LD_OK);
    /* revoke */
    ld_store_fault_inject(f->s, 1);
    assert_int_equal(ld_store_key_revoke(f->s, k.keyid, 3, 30), LD_DB);
    assert_int_equal(sql_int(f->db, "SELECT revoked_idx IS NULL FROM keys"), 1);
    assert_int_equal(ld_store_key_revoke(f->s, k.keyid, 3, 30), LD_OK);
    assert_int_equal(sql_int(f->db, "SELECT revoked_idx FROM keys"), 3);
    /* checkpoint */
    ld_store_fault_inject(f->s, 1);
    assert_int_equal(ld_store_checkpoint_put(f->s, 1, "n\n", 1), LD_DB);
    assert_int_equal(count(f, "checkpoints"), 0);
    assert_int_equal(ld_store_checkpoint_put(f->s, 1, "n\n", 1), LD_OK);
    /* domain statement */
    assert_int_equal(ld_store_q(f->s, ins, &q), LD_OK);
    ld_store_q_text(q, 1, "20262102");
    ld_store_q_int(q, 2, 1);
    ld_store_fault_inject(f->s, 1);
    assert_int_equal(ld_store_q_exec(q), LD_DB);
    assert_int_equal(count(f, "serials"), 0);
    /* the failed exec cleared the bindings: bind again */
    ld_store_q_text(q, 1, "20262102");
    ld_store_q_int(q, 2, 1);
    assert_int_equal(ld_store_q_exec(q), LD_OK);
    assert_int_equal(count(f, "serials"), 1);
    /* attachment */
    ld_store_fault_inject(f->s, 1);
    assert_int_equal(ld_store_attachment_put(f->s, "x", 1, "text/plain", 1, hash), LD_DB);
    assert_int_equal(count(f, "attachments"), 0);
    assert_int_equal(ld_store_attachment_put(f->s, "x", 1, "text/plain", 1, hash), LD_OK);
    /* clear_derived */
    ld_store_fault_inject(f->s, 1);
    assert_int_equal(ld_store_clear_derived(f->s), LD_DB);
    assert_int_equal(count(f, "parties"), 1);
    assert_int_equal(ld_store_clear_derived(f->s), LD_OK);
    assert_int_equal(count(f, "parties"), 0);
    /* begin */
    ld_store_fault_inject(f->s, 1);
    assert_int_equal(ld_store_begin(f->s), LD_DB);
    assert_int_equal(ld_store_meta_put(f->s, "autocommit", "1"), LD_OK);
    assert_int_equal(sql_int(f->db, "SELECT COUNT(*) FROM meta WHERE k = 'autocommit'"), 1);
    /* commit: the transaction stays open; the caller rolls back */
    assert_int_equal(ld_store_begin(f->s), LD_OK);
    assert_int_equal(ld_store_meta_put(f->s, "t", "1"), LD_OK);
    ld_store_fault_inject(f->s, 1);
    assert_int_equal(ld_store_commit(f->s), LD_DB);
    assert_int_equal(sql_int(f->db, "SELECT COUNT(*) FROM meta WHERE k = 't'"), 0);
    ld_store_rollback(f->s);
    assert_int_equal(ld_store_meta_get(f->s, "t", &v), LD_NOTFOUND);
    assert_int_equal(ld_store_begin(f->s), LD_OK);
    assert_int_equal(ld_store_commit(f->s), LD_OK);
}

/* The countdown counts writes only, fires once, and 0 switches it off. */
static void
test_fault_countdown(void **state)
{
    struct fx *f = *state;
    char *v = NULL;
    uint64_t size;
    int i;

    ld_store_fault_inject(f->s, 3);
    /* Reads do not count. */
    for (i = 0; i < 5; i++) {
        assert_int_equal(ld_store_meta_get(f->s, "origin", &v), LD_OK);
        free(v);
        assert_int_equal(ld_store_size(f->s, &size), LD_OK);
    }
    assert_int_equal(ld_store_meta_put(f->s, "w1", "1"), LD_OK);
    assert_int_equal(ld_store_meta_put(f->s, "w2", "1"), LD_OK);
    assert_int_equal(ld_store_meta_put(f->s, "w3", "1"), LD_DB);
    for (i = 0; i < 10; i++)
        assert_int_equal(ld_store_meta_put(f->s, "w3", "1"), LD_OK);
    ld_store_fault_inject(f->s, 2);
    ld_store_fault_inject(f->s, 0);
    for (i = 0; i < 5; i++)
        assert_int_equal(ld_store_meta_put(f->s, "w4", "1"), LD_OK);
}

/* ---- a locked database ------------------------------------------------- */

/* Another connection holds the write lock: a write transaction waits the
 * busy timeout (5 s) and then reports LD_BUSY; once the lock is gone it works. */
static void
test_busy(void **state)
{
    struct fx *f = *state;
    sqlite3 *other = NULL;
    struct timespec t0, t1;
    double waited;

    assert_int_equal(sqlite3_open(f->db, &other), SQLITE_OK);
    assert_int_equal(sqlite3_exec(other, "BEGIN EXCLUSIVE", NULL, NULL, NULL), SQLITE_OK);
    assert_int_equal(
        sqlite3_exec(other, "INSERT INTO meta VALUES ('lock', 'held')", NULL, NULL, NULL),
        SQLITE_OK);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    assert_int_equal(ld_store_begin(f->s), LD_BUSY);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    waited = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    assert_true(waited >= 4.0); /* it did wait for the lock, not fail at once */
    assert_int_equal(sqlite3_exec(other, "ROLLBACK", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(other);
    assert_int_equal(ld_store_begin(f->s), LD_OK);
    assert_int_equal(ld_store_meta_put(f->s, "after", "1"), LD_OK);
    assert_int_equal(ld_store_commit(f->s), LD_OK);
}

/* ---- prepared statements ----------------------------------------------- */

static const char q_put[] = "INSERT INTO serials(prefix, last) VALUES (?1, ?2)";
static const char q_get[] = "SELECT prefix, last, ?2, ?3 FROM serials WHERE prefix >= ?1 "
                            "ORDER BY prefix";
static const char q_blob[] = "SELECT data, hash FROM attachments";

static void
test_q_api(void **state)
{
    struct fx *f = *state;
    struct ld_store_q *q = NULL, *q2 = NULL;
    const void *blob;
    char hash[65];
    size_t len = 0;
    int i;

    assert_int_equal(ld_store_q(f->s, q_put, &q), LD_OK);
    for (i = 1; i <= 3; i++) {
        char prefix[16];
        snprintf(prefix, sizeof prefix, "2026210%d", i);
        ld_store_q_text(q, 1, prefix); /* copied: the buffer may change */
        ld_store_q_int(q, 2, i * 1000000000000LL);
        assert_int_equal(ld_store_q_exec(q), LD_OK);
    }
    /* A write through step reports LD_NOTFOUND once executed. */
    ld_store_q_text(q, 1, "20262109");
    ld_store_q_int(q, 2, 9);
    assert_int_equal(ld_store_q_step(q), LD_NOTFOUND);
    ld_store_q_done(q);
    /* A constraint violation: the same prefix again. */
    ld_store_q_text(q, 1, "20262109");
    ld_store_q_int(q, 2, 9);
    assert_int_equal(ld_store_q_exec(q), LD_DB);
    /* The same SQL text pointer gives the same cached statement. */
    assert_int_equal(ld_store_q(f->s, q_put, &q2), LD_OK);
    assert_ptr_equal(q, q2);
    /* Rows, columns, NULLs, bindings cleared by done. */
    assert_int_equal(ld_store_q(f->s, q_get, &q), LD_OK);
    ld_store_q_text(q, 1, "20262102");
    ld_store_q_null(q, 2);
    ld_store_q_text(q, 3, NULL);
    assert_int_equal(ld_store_q_step(q), LD_OK);
    assert_string_equal(ld_store_q_col_text(q, 0), "20262102");
    assert_true(ld_store_q_col_int(q, 1) == 2000000000000LL);
    assert_int_equal(ld_store_q_col_null(q, 1), 0);
    assert_int_equal(ld_store_q_col_null(q, 2), 1);
    assert_int_equal(ld_store_q_col_null(q, 3), 1);
    assert_string_equal(ld_store_q_col_text(q, 2), "");
    assert_int_equal(ld_store_q_col_int(q, 2), 0);
    assert_int_equal(ld_store_q_step(q), LD_OK);
    assert_string_equal(ld_store_q_col_text(q, 0), "20262103");
    assert_int_equal(ld_store_q_step(q), LD_OK);
    assert_string_equal(ld_store_q_col_text(q, 0), "20262109");
    assert_int_equal(ld_store_q_step(q), LD_NOTFOUND);
    ld_store_q_done(q);
    /* After done the parameters are unbound (NULL): nothing is >= NULL. */
    assert_int_equal(ld_store_q_step(q), LD_NOTFOUND);
    ld_store_q_done(q);
    ld_store_q_text(q, 1, "2");
    assert_int_equal(ld_store_q_step(q), LD_OK);
    assert_string_equal(ld_store_q_col_text(q, 0), "20262101");
    ld_store_q_done(q);
    /* Blobs. */
    assert_int_equal(
        ld_store_attachment_put(f->s, "\0\1\2", 3, "application/octet-stream", 1, hash), LD_OK);
    assert_int_equal(ld_store_q(f->s, q_blob, &q), LD_OK);
    assert_int_equal(ld_store_q_step(q), LD_OK);
    blob = ld_store_q_col_blob(q, 0, &len);
    assert_int_equal(len, 3);
    assert_memory_equal(blob, "\0\1\2", 3);
    assert_string_equal(ld_store_q_col_text(q, 1), hash);
    ld_store_q_done(q);
    /* SQL that does not prepare. */
    assert_int_equal(ld_store_q(f->s, "SELECT * FROM no_such_table", &q2), LD_DB);
}

/* The statement cache is bounded: past it, ld_store_q says LD_DB (no crash,
 * no eviction of statements in use). */
static void
test_q_cache_limit(void **state)
{
    struct fx *f = *state;
    struct ld_store_q *q = NULL;
    char *sql[200];
    int i, ok = 0;

    for (i = 0; i < 200; i++) {
        sql[i] = malloc(64);
        snprintf(sql[i], 64, "SELECT %d", i);
        if (ld_store_q(f->s, sql[i], &q) == LD_OK) {
            ok++;
            assert_int_equal(ld_store_q_step(q), LD_OK);
            assert_int_equal(ld_store_q_col_int(q, 0), i);
            ld_store_q_done(q);
        } else {
            break;
        }
    }
    assert_true(ok >= 64 && ok < 200);
    assert_int_equal(ld_store_q(f->s, sql[ok], &q), LD_DB);
    /* Cached ones still work. */
    assert_int_equal(ld_store_q(f->s, sql[0], &q), LD_OK);
    assert_int_equal(ld_store_q_step(q), LD_OK);
    ld_store_q_done(q);
    ld_store_close(f->s); /* statements borrow the SQL text until close */
    f->s = NULL;
    for (i = 0; i <= ok && i < 200; i++)
        free(sql[i]);
    assert_int_equal(ld_store_open(f->db, 0, &f->s, NULL), LD_OK);
}

/* ---- attachments ------------------------------------------------------- */

static void
test_attachments(void **state)
{
    struct fx *f = *state;
    static const char track[] = "{\"type\":\"LineString\",\"coordinates\":[[121.38,39.40]]}";
    uint8_t h[32];
    char hash[65], hash2[65], want[65], media[64], *data = NULL;
    char mt63[64], mt64[65];
    size_t len = 0;
    uint8_t *big;

    crypto_hash_sha256(h, (const unsigned char *)track, strlen(track));
    sodium_bin2hex(want, sizeof want, h, 32);
    assert_int_equal(ld_store_attachment_put(f->s, track, strlen(track), "application/geo+json",
                                             1768003200, hash),
                     LD_OK);
    assert_string_equal(hash, want);
    assert_int_equal(ld_store_attachment_get(f->s, hash, &data, &len, media), LD_OK);
    assert_int_equal(len, strlen(track));
    assert_memory_equal(data, track, len);
    assert_int_equal(data[len], '\0');
    assert_string_equal(media, "application/geo+json");
    free(data);
    /* Idempotent: the same bytes again, even with another media type, keep the
     * one row and its first media type. */
    assert_int_equal(ld_store_attachment_put(f->s, track, strlen(track), "text/plain", 5, hash2),
                     LD_OK);
    assert_string_equal(hash2, hash);
    assert_int_equal(count(f, "attachments"), 1);
    assert_int_equal(ld_store_attachment_get(f->s, hash, &data, &len, media), LD_OK);
    assert_string_equal(media, "application/geo+json");
    free(data);
    /* Empty data is content too (the SHA-256 of nothing). */
    assert_int_equal(ld_store_attachment_put(f->s, "", 0, "text/plain", 1, hash2), LD_OK);
    assert_string_equal(hash2, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    assert_int_equal(ld_store_attachment_get(f->s, hash2, &data, &len, media), LD_OK);
    assert_int_equal(len, 0);
    free(data);
    /* Missing. */
    assert_int_equal(ld_store_attachment_get(f->s, "00", &data, &len, media), LD_NOTFOUND);
    memset(want, '0', 64);
    assert_int_equal(ld_store_attachment_get(f->s, want, &data, &len, media), LD_NOTFOUND);
    /* Media types: 1..63 printable ASCII characters without spaces. */
    memset(mt63, 'a', 63);
    mt63[63] = '\0';
    memset(mt64, 'a', 64);
    mt64[64] = '\0';
    assert_int_equal(ld_store_attachment_put(f->s, "m", 1, mt63, 1, hash), LD_OK);
    assert_int_equal(ld_store_attachment_put(f->s, "n", 1, mt64, 1, hash), LD_INVALID);
    assert_int_equal(ld_store_attachment_put(f->s, "n", 1, "", 1, hash), LD_INVALID);
    assert_int_equal(ld_store_attachment_put(f->s, "n", 1, "text/plain; a=b", 1, hash), LD_INVALID);
    assert_int_equal(ld_store_attachment_put(f->s, "n", 1, "text/\x7f", 1, hash), LD_INVALID);
    assert_int_equal(ld_store_attachment_put(f->s, "n", 1, "text/\xc3\xa9", 1, hash), LD_INVALID);
    assert_int_equal(ld_store_attachment_put(f->s, "n", 1, "text/\n", 1, hash), LD_INVALID);
    assert_int_equal(count(f, "attachments"), 3);
    /* Size limit: 16 MiB is fine, one byte more is not. */
    big = calloc(1, LD_STORE_ATTACHMENT_MAX + 1);
    assert_int_equal(ld_store_attachment_put(f->s, big, LD_STORE_ATTACHMENT_MAX + 1,
                                             "application/octet-stream", 1, hash),
                     LD_INVALID);
    assert_int_equal(count(f, "attachments"), 3);
    assert_int_equal(ld_store_attachment_put(f->s, big, LD_STORE_ATTACHMENT_MAX,
                                             "application/octet-stream", 1, hash),
                     LD_OK);
    assert_int_equal(ld_store_attachment_get(f->s, hash, &data, &len, media), LD_OK);
    assert_int_equal(len, LD_STORE_ATTACHMENT_MAX);
    free(data);
    free(big);
    /* Attachments survive a reopen and are not derived. */
    reopen(f, 0);
    assert_int_equal(ld_store_clear_derived(f->s), LD_OK);
    assert_int_equal(count(f, "attachments"), 4);
}

/* ---- clear_derived ----------------------------------------------------- */

static void
test_clear_derived(void **state)
{
    struct fx *f = *state;
    struct ld_store_event ev;
    char hash[65], *list = NULL, *p, *comma;
    size_t n = 0;

    fill_event(&ev, 0, "{\"e\":0}");
    assert_int_equal(ld_store_event_put(f->s, &ev), LD_OK);
    assert_int_equal(ld_store_checkpoint_put(f->s, 1, "n\n", 1), LD_OK);
    assert_int_equal(ld_store_attachment_put(f->s, "a", 1, "text/plain", 1, hash), LD_OK);
    /* A table a later migration might add, listed as derived. */
    assert_int_equal(ld_store_exec(f->s, "CREATE TABLE extra_derived (x INTEGER NOT NULL);"
                                         "UPDATE meta SET v = v || ',extra_derived' "
                                         "WHERE k = 'derived_tables'"),
                     LD_OK);
    /* One row in every derived table, the core's and the domain's (whatever
     * their columns: a 1 in each). */
    fill_row(f, "nodes");
    fill_row(f, "heads");
    fill_row(f, "parties");
    fill_row(f, "keys");
    assert_int_equal(ld_store_meta_get(f->s, "derived_tables", &list), LD_OK);
    for (p = list; p && *p; p = comma ? comma + 1 : NULL) {
        comma = strchr(p, ',');
        if (comma)
            *comma = '\0';
        fill_row(f, p);
        assert_int_equal(count(f, p), 1);
    }
    free(list);
    list = NULL;
    assert_int_equal(ld_store_clear_derived(f->s), LD_OK);
    assert_int_equal(count(f, "nodes"), 0);
    assert_int_equal(count(f, "heads"), 0);
    assert_int_equal(count(f, "parties"), 0);
    assert_int_equal(count(f, "keys"), 0);
    assert_int_equal(ld_store_meta_get(f->s, "derived_tables", &list), LD_OK);
    for (p = list; p && *p; p = comma ? comma + 1 : NULL) {
        comma = strchr(p, ',');
        if (comma)
            *comma = '\0';
        if (count(f, p) != 0)
            print_error("derived table '%s' was not emptied\n", p);
        assert_int_equal(count(f, p), 0);
        n++;
    }
    free(list);
    assert_true(n >= 12);
    /* Evidence and settings stay. */
    assert_int_equal(count(f, "events"), 1);
    assert_int_equal(count(f, "checkpoints"), 1);
    assert_int_equal(count(f, "attachments"), 1);
    assert_int_equal(sql_int(f->db, "SELECT COUNT(*) FROM meta WHERE k = 'origin'"), 1);
    /* Clearing an empty set of tables is fine; inside a transaction too. */
    assert_int_equal(ld_store_begin(f->s), LD_OK);
    assert_int_equal(ld_store_clear_derived(f->s), LD_OK);
    assert_int_equal(ld_store_commit(f->s), LD_OK);
}

int
main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_migrations_once),
        T(test_migrations_upgrade),
        T(test_open_errors),
        T(test_reopen_keeps_data),
        T(test_reads_and_notfound),
        T(test_tampered_rows),
        T(test_append_only),
        T(test_transactions),
        T(test_fault_each_write_path),
        T(test_fault_countdown),
        T(test_busy),
        T(test_q_api),
        T(test_q_cache_limit),
        T(test_attachments),
        T(test_clear_derived),
    };
    return cmocka_run_group_tests_name("store", tests, NULL, NULL);
}
