/*
 * store_sqlite.c - the ledger store on one SQLite file (include/liandan/store.h).
 *
 * Schema: schema/NNN_*.sql, embedded at build time (tools/embed-sql) and
 * applied in order under PRAGMA user_version. WAL journal, synchronous=FULL:
 * a COMMIT that returned has reached the disk (SQLite docs, "PRAGMA synchronous").
 * Statements are prepared once per connection and reset after each use.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <sodium.h>
#include <sqlite3.h>

#include "liandan/mem.h"
#include "liandan/store.h"
#include "liandan/banned.h"

extern const char *const ld_schema_migrations[];
extern const size_t ld_schema_migration_count;

enum stmt_id {
    S_META_GET, S_META_PUT, S_SIZE, S_EV_PUT, S_EV_GET, S_EV_FIND, S_NODE_GET, S_NODE_PUT,
    S_HEAD_GET, S_HEAD_PUT, S_PARTY_PUT, S_PARTY_GET, S_KEY_PUT, S_KEY_GET, S_KEY_REVOKE,
    S_CP_PUT, S_CP_LATEST, S_BEGIN, S_COMMIT, S_ROLLBACK, S_LEAF_GET, S_COUNT_
};

static const char *const stmt_sql[S_COUNT_] = {
    [S_META_GET] = "SELECT v FROM meta WHERE k = ?1",
    [S_META_PUT] = "INSERT OR REPLACE INTO meta(k, v) VALUES (?1, ?2)",
    [S_SIZE] = "SELECT COALESCE(MAX(idx) + 1, 0) FROM events",
    [S_EV_PUT] = "INSERT INTO events(idx, id, entry, accepted_at, receipt_sig) "
                 "VALUES (?1, ?2, ?3, ?4, ?5)",
    [S_EV_GET] = "SELECT idx, id, entry, accepted_at, receipt_sig FROM events WHERE idx = ?1",
    [S_EV_FIND] = "SELECT idx FROM events WHERE id = ?1",
    [S_NODE_GET] = "SELECT hash FROM nodes WHERE k = ?1",
    [S_NODE_PUT] = "INSERT OR REPLACE INTO nodes(k, hash) VALUES (?1, ?2)",
    [S_HEAD_GET] = "SELECT head_idx, head_id, head_at FROM heads WHERE chain = ?1",
    [S_HEAD_PUT] =
        "INSERT OR REPLACE INTO heads(chain, head_idx, head_id, head_at) VALUES (?1, ?2, ?3, ?4)",
    [S_PARTY_PUT] = "INSERT INTO parties(id, name, roles, district, reg_idx) "
                    "VALUES (?1, ?2, ?3, ?4, ?5)",
    [S_PARTY_GET] = "SELECT id, name, roles, district, reg_idx FROM parties WHERE id = ?1",
    [S_KEY_PUT] = "INSERT INTO keys(keyid, party, vkey, pub, from_at, until_at, cert_idx, "
                  "revoked_idx, revoked_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, NULL, NULL)",
    [S_KEY_GET] = "SELECT keyid, party, vkey, pub, from_at, until_at, cert_idx, revoked_idx, "
                  "revoked_at FROM keys WHERE keyid = ?1",
    [S_KEY_REVOKE] = "UPDATE keys SET revoked_idx = ?2, revoked_at = ?3 WHERE keyid = ?1 "
                     "AND revoked_idx IS NULL",
    [S_CP_PUT] = "INSERT OR IGNORE INTO checkpoints(size, note, signed_at) VALUES (?1, ?2, ?3)",
    [S_CP_LATEST] = "SELECT size, note FROM checkpoints ORDER BY size DESC LIMIT 1",
    [S_LEAF_GET] = "SELECT id FROM events WHERE idx = ?1",
    [S_BEGIN] = "BEGIN IMMEDIATE",
    [S_COMMIT] = "COMMIT",
    [S_ROLLBACK] = "ROLLBACK",
};

#define QCACHE 128

/* A domain statement: the SQL text pointer is its identity. */
struct ld_store_q {
    struct ld_store *s;            /* owner */
    const char *sql;               /* borrowed key (a literal) */
    sqlite3_stmt *st;              /* owned */
};

struct ld_store {
    sqlite3 *db;                   /* the connection */
    sqlite3_stmt *stmt[S_COUNT_];  /* prepared lazily, finalised on close */
    unsigned fault;                /* test hook: countdown to an injected failure, 0 = off */
    struct ld_store_q q[QCACHE];   /* domain statements, prepared on first use */
    size_t nq;
};

struct ld_store_iter {
    struct ld_store *s;            /* borrowed */
    sqlite3_stmt *st;              /* owned */
};

static enum ld_rc
map(int rc)
{
    switch (rc & 0xff) {
    case SQLITE_OK:
    case SQLITE_DONE:
    case SQLITE_ROW:
        return LD_OK;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        return LD_BUSY;
    case SQLITE_CANTOPEN:
    case SQLITE_IOERR:
    case SQLITE_FULL:
        return LD_IO;
    default:
        return LD_DB;
    }
}

/* Injected failure for the fault-injection hook; counts write operations. */
static int
faulted(struct ld_store *s)
{
    if (s->fault == 0)
        return 0;
    return --s->fault == 0;
}

static sqlite3_stmt *
get(struct ld_store *s, enum stmt_id id)
{
    if (s->stmt[id] == NULL &&
        sqlite3_prepare_v3(s->db, stmt_sql[id], -1, SQLITE_PREPARE_PERSISTENT, &s->stmt[id],
                           NULL) != SQLITE_OK)
        return NULL;
    return s->stmt[id];
}

/* Run a prepared write statement to completion and reset it. */
static enum ld_rc
step_done(struct ld_store *s, sqlite3_stmt *st)
{
    int rc;

    if (st == NULL)
        return LD_DB;
    if (faulted(s)) {
        sqlite3_reset(st);
        sqlite3_clear_bindings(st);
        return LD_DB;
    }
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return rc == SQLITE_DONE ? LD_OK : map(rc);
}

static enum ld_rc
exec(struct ld_store *s, const char *sql)
{
    return map(sqlite3_exec(s->db, sql, NULL, NULL, NULL));
}

static enum ld_rc
migrate(struct ld_store *s, struct ld_err *err)
{
    sqlite3_stmt *st = NULL;
    int version = 0;
    size_t i;
    enum ld_rc rc = LD_OK;
    char pragma[64];

    if (sqlite3_prepare_v2(s->db, "PRAGMA user_version", -1, &st, NULL) != SQLITE_OK ||
        sqlite3_step(st) != SQLITE_ROW) {
        rc = ld_err_set(err, LD_DB, "", "cannot read the schema version");
        goto out;
    }
    version = sqlite3_column_int(st, 0);
    if (version < 0 || (size_t)version > ld_schema_migration_count) {
        rc = ld_err_set(err, LD_DB, "", "database schema version %d is newer than this program",
                        version);
        goto out;
    }
    for (i = (size_t)version; i < ld_schema_migration_count; i++) {
        rc = exec(s, "BEGIN IMMEDIATE");
        if (rc != LD_OK)
            goto out;
        snprintf(pragma, sizeof pragma, "PRAGMA user_version = %zu", i + 1);
        if (exec(s, ld_schema_migrations[i]) != LD_OK || exec(s, pragma) != LD_OK ||
            exec(s, "COMMIT") != LD_OK) {
            exec(s, "ROLLBACK");
            rc = ld_err_set(err, LD_DB, "", "schema migration %zu failed", i + 1);
            goto out;
        }
    }
out:
    sqlite3_finalize(st);
    return rc;
}

enum ld_rc
ld_store_open(const char *path, unsigned flags, struct ld_store **out, struct ld_err *err)
{
    struct ld_store *s = ld_xcalloc(1, sizeof *s);
    struct stat sb;
    int oflags, exists;
    char *v = NULL;
    enum ld_rc rc = LD_OK;

    exists = stat(path, &sb) == 0 && sb.st_size > 0;
    if ((flags & LD_STORE_CREATE) == 0 && !exists) {
        rc = ld_err_set(err, LD_NOTFOUND, "", "no ledger at '%s' (run 'liandan init')", path);
        goto out;
    }
    oflags = (flags & LD_STORE_READONLY) ? SQLITE_OPEN_READONLY
                                         : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
    if (sqlite3_open_v2(path, &s->db, oflags | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
        rc = ld_err_set(err, LD_IO, "", "cannot open '%s': %s", path,
                        s->db ? sqlite3_errmsg(s->db) : "out of memory");
        goto out;
    }
    sqlite3_busy_timeout(s->db, 5000);
    sqlite3_extended_result_codes(s->db, 1);
    /* A larger page cache keeps the id index and the Merkle nodes hot; the
     * statement journals of single-row writes stay in memory. */
    if (exec(s, "PRAGMA foreign_keys = OFF; PRAGMA cache_size = -65536; "
                "PRAGMA temp_store = MEMORY") != LD_OK) {
        rc = ld_err_set(err, LD_IO, "", "'%s' is not a ledger database", path);
        goto out;
    }
    if ((flags & LD_STORE_READONLY) == 0) {
        if (exec(s, "PRAGMA journal_mode = WAL") != LD_OK ||
            exec(s, (flags & LD_STORE_SYNC_NORMAL) ? "PRAGMA synchronous = NORMAL"
                                                   : "PRAGMA synchronous = FULL") != LD_OK) {
            rc = ld_err_set(err, LD_IO, "", "'%s' is not a ledger database", path);
            goto out;
        }
        rc = migrate(s, err);
        if (rc != LD_OK)
            goto out;
    }
    /* A ledger exists once init has stored its origin. */
    rc = ld_store_meta_get(s, "origin", &v);
    if (rc == LD_OK && (flags & LD_STORE_CREATE)) {
        rc = ld_err_set(err, LD_EXISTS, "", "'%s' already holds a ledger", path);
        goto out;
    }
    if (rc == LD_NOTFOUND && (flags & LD_STORE_CREATE))
        rc = LD_OK;
    else if (rc == LD_NOTFOUND)
        rc = ld_err_set(err, LD_NOTFOUND, "", "'%s' holds no ledger (run 'liandan init')", path);
    else if (rc != LD_OK)
        rc = ld_err_set(err, rc, "", "'%s' is not a ledger database", path);
out:
    free(v);
    if (rc != LD_OK) {
        ld_store_close(s);
        return rc;
    }
    *out = s;
    return LD_OK;
}

void
ld_store_close(struct ld_store *s)
{
    size_t i;

    if (s == NULL)
        return;
    for (i = 0; i < S_COUNT_; i++)
        sqlite3_finalize(s->stmt[i]);
    for (i = 0; i < s->nq; i++)
        sqlite3_finalize(s->q[i].st);
    if (s->db && !sqlite3_get_autocommit(s->db))
        sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
    sqlite3_close(s->db);
    free(s);
}

enum ld_rc
ld_store_begin(struct ld_store *s)
{
    return step_done(s, get(s, S_BEGIN));
}

enum ld_rc
ld_store_commit(struct ld_store *s)
{
    return step_done(s, get(s, S_COMMIT));
}

void
ld_store_rollback(struct ld_store *s)
{
    if (!sqlite3_get_autocommit(s->db))
        sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
}

enum ld_rc
ld_store_meta_get(struct ld_store *s, const char *k, char **out)
{
    sqlite3_stmt *st = get(s, S_META_GET);
    enum ld_rc rc;
    int r;

    if (st == NULL)
        return LD_DB;
    sqlite3_bind_text(st, 1, k, -1, SQLITE_STATIC);
    r = sqlite3_step(st);
    if (r == SQLITE_ROW) {
        *out = ld_xstrdup((const char *)sqlite3_column_text(st, 0));
        rc = LD_OK;
    } else {
        rc = r == SQLITE_DONE ? LD_NOTFOUND : map(r);
    }
    sqlite3_reset(st);
    return rc;
}

enum ld_rc
ld_store_meta_put(struct ld_store *s, const char *k, const char *v)
{
    sqlite3_stmt *st = get(s, S_META_PUT);

    if (st == NULL)
        return LD_DB;
    sqlite3_bind_text(st, 1, k, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, v, -1, SQLITE_STATIC);
    return step_done(s, st);
}

enum ld_rc
ld_store_size(struct ld_store *s, uint64_t *size)
{
    sqlite3_stmt *st = get(s, S_SIZE);
    int r;

    if (st == NULL)
        return LD_DB;
    r = sqlite3_step(st);
    if (r == SQLITE_ROW)
        *size = (uint64_t)sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    return r == SQLITE_ROW ? LD_OK : (map(r) == LD_OK ? LD_DB : map(r));
}

enum ld_rc
ld_store_event_put(struct ld_store *s, const struct ld_store_event *ev)
{
    sqlite3_stmt *st = get(s, S_EV_PUT);

    if (st == NULL)
        return LD_DB;
    sqlite3_bind_int64(st, 1, (sqlite3_int64)ev->idx);
    sqlite3_bind_blob(st, 2, ev->id, LD_MERKLE_HASH, SQLITE_STATIC);
    sqlite3_bind_blob(st, 3, ev->entry, (int)ev->entry_len, SQLITE_STATIC);
    sqlite3_bind_int64(st, 4, ev->accepted_at);
    sqlite3_bind_blob(st, 5, ev->receipt_sig, 64, SQLITE_STATIC);
    return step_done(s, st);
}

/* Copy the current row of an events SELECT into ev. */
static enum ld_rc
read_event(sqlite3_stmt *st, struct ld_store_event *ev)
{
    const void *id = sqlite3_column_blob(st, 1);
    const void *entry = sqlite3_column_blob(st, 2);
    int entry_len = sqlite3_column_bytes(st, 2);
    const void *sig = sqlite3_column_blob(st, 4);

    if (sqlite3_column_bytes(st, 1) != LD_MERKLE_HASH || sqlite3_column_bytes(st, 4) != 64 ||
        entry_len < 0)
        return LD_TAMPERED;
    memset(ev, 0, sizeof *ev);
    ev->idx = (uint64_t)sqlite3_column_int64(st, 0);
    memcpy(ev->id, id, LD_MERKLE_HASH);
    ev->entry = ld_xmalloc((size_t)entry_len + 1);
    if (entry_len)
        memcpy(ev->entry, entry, (size_t)entry_len);
    ev->entry[entry_len] = '\0';
    ev->entry_len = (size_t)entry_len;
    ev->accepted_at = sqlite3_column_int64(st, 3);
    memcpy(ev->receipt_sig, sig, 64);
    return LD_OK;
}

enum ld_rc
ld_store_event_get(struct ld_store *s, uint64_t idx, struct ld_store_event *ev)
{
    sqlite3_stmt *st = get(s, S_EV_GET);
    enum ld_rc rc;
    int r;

    if (st == NULL)
        return LD_DB;
    sqlite3_bind_int64(st, 1, (sqlite3_int64)idx);
    r = sqlite3_step(st);
    if (r == SQLITE_ROW)
        rc = read_event(st, ev);
    else
        rc = r == SQLITE_DONE ? LD_NOTFOUND : map(r);
    sqlite3_reset(st);
    return rc;
}

enum ld_rc
ld_store_event_find(struct ld_store *s, const uint8_t id[LD_MERKLE_HASH], uint64_t *idx)
{
    sqlite3_stmt *st = get(s, S_EV_FIND);
    enum ld_rc rc;
    int r;

    if (st == NULL)
        return LD_DB;
    sqlite3_bind_blob(st, 1, id, LD_MERKLE_HASH, SQLITE_STATIC);
    r = sqlite3_step(st);
    if (r == SQLITE_ROW) {
        *idx = (uint64_t)sqlite3_column_int64(st, 0);
        rc = LD_OK;
    } else {
        rc = r == SQLITE_DONE ? LD_NOTFOUND : map(r);
    }
    sqlite3_reset(st);
    return rc;
}

enum ld_rc
ld_store_iter_new(struct ld_store *s, uint64_t from, struct ld_store_iter **out)
{
    struct ld_store_iter *it = ld_xcalloc(1, sizeof *it);

    it->s = s;
    if (sqlite3_prepare_v2(s->db,
                           "SELECT idx, id, entry, accepted_at, receipt_sig FROM events "
                           "WHERE idx >= ?1 ORDER BY idx",
                           -1, &it->st, NULL) != SQLITE_OK) {
        free(it);
        return LD_DB;
    }
    sqlite3_bind_int64(it->st, 1, (sqlite3_int64)from);
    *out = it;
    return LD_OK;
}

enum ld_rc
ld_store_iter_next(struct ld_store_iter *it, struct ld_store_event *ev)
{
    int r = sqlite3_step(it->st);

    if (r == SQLITE_ROW)
        return read_event(it->st, ev);
    return r == SQLITE_DONE ? LD_NOTFOUND : (map(r) == LD_OK ? LD_DB : map(r));
}

void
ld_store_iter_free(struct ld_store_iter *it)
{
    if (it == NULL)
        return;
    sqlite3_finalize(it->st);
    free(it);
}

static sqlite3_int64
node_key(unsigned level, uint64_t index)
{
    return (sqlite3_int64)(((uint64_t)level << 56) | index);
}

enum ld_rc
ld_store_node_get(void *ctx, unsigned level, uint64_t index, uint8_t out[LD_MERKLE_HASH])
{
    struct ld_store *s = ctx;
    sqlite3_stmt *st;
    enum ld_rc rc = LD_NOTFOUND;
    int r;

    if (level == 0) {
        /* Leaf hashes are the event ids. */
        st = get(s, S_LEAF_GET);
        if (st == NULL)
            return LD_DB;
        sqlite3_bind_int64(st, 1, (sqlite3_int64)index);
        r = sqlite3_step(st);
        if (r == SQLITE_ROW && sqlite3_column_bytes(st, 0) == LD_MERKLE_HASH) {
            memcpy(out, sqlite3_column_blob(st, 0), LD_MERKLE_HASH);
            rc = LD_OK;
        } else if (r == SQLITE_ROW) {
            rc = LD_TAMPERED;
        } else if (r != SQLITE_DONE) {
            rc = map(r);
        }
        sqlite3_reset(st);
        return rc;
    }
    st = get(s, S_NODE_GET);
    if (st == NULL)
        return LD_DB;
    sqlite3_bind_int64(st, 1, node_key(level, index));
    r = sqlite3_step(st);
    if (r == SQLITE_ROW && sqlite3_column_bytes(st, 0) == LD_MERKLE_HASH) {
        memcpy(out, sqlite3_column_blob(st, 0), LD_MERKLE_HASH);
        rc = LD_OK;
    } else if (r == SQLITE_ROW) {
        rc = LD_TAMPERED;
    } else if (r != SQLITE_DONE) {
        rc = map(r);
    }
    sqlite3_reset(st);
    return rc;
}

enum ld_rc
ld_store_node_put(void *ctx, unsigned level, uint64_t index, const uint8_t hash[LD_MERKLE_HASH])
{
    struct ld_store *s = ctx;
    sqlite3_stmt *st;

    if (level == 0)
        return LD_OK;
    st = get(s, S_NODE_PUT);
    if (st == NULL)
        return LD_DB;
    sqlite3_bind_int64(st, 1, node_key(level, index));
    sqlite3_bind_blob(st, 2, hash, LD_MERKLE_HASH, SQLITE_STATIC);
    return step_done(s, st);
}

enum ld_rc
ld_store_head_get(struct ld_store *s, const char *chain, uint64_t *idx, uint8_t id[LD_MERKLE_HASH],
                  int64_t *at)
{
    sqlite3_stmt *st = get(s, S_HEAD_GET);
    enum ld_rc rc;
    int r;

    if (st == NULL)
        return LD_DB;
    sqlite3_bind_text(st, 1, chain, -1, SQLITE_STATIC);
    r = sqlite3_step(st);
    if (r == SQLITE_ROW && sqlite3_column_bytes(st, 1) != LD_MERKLE_HASH) {
        rc = LD_TAMPERED;
    } else if (r == SQLITE_ROW) {
        *idx = (uint64_t)sqlite3_column_int64(st, 0);
        if (id)
            memcpy(id, sqlite3_column_blob(st, 1), LD_MERKLE_HASH);
        if (at)
            *at = sqlite3_column_int64(st, 2);
        rc = LD_OK;
    } else {
        rc = r == SQLITE_DONE ? LD_NOTFOUND : map(r);
    }
    sqlite3_reset(st);
    return rc;
}

enum ld_rc
ld_store_head_put(struct ld_store *s, const char *chain, uint64_t idx,
                  const uint8_t id[LD_MERKLE_HASH], int64_t at)
{
    sqlite3_stmt *st = get(s, S_HEAD_PUT);

    if (st == NULL)
        return LD_DB;
    sqlite3_bind_text(st, 1, chain, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, (sqlite3_int64)idx);
    sqlite3_bind_blob(st, 3, id, LD_MERKLE_HASH, SQLITE_STATIC);
    sqlite3_bind_int64(st, 4, at);
    return step_done(s, st);
}

enum ld_rc
ld_store_party_put(struct ld_store *s, const struct ld_store_party *p)
{
    sqlite3_stmt *st = get(s, S_PARTY_PUT);

    if (st == NULL)
        return LD_DB;
    sqlite3_bind_text(st, 1, p->id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, p->name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, p->roles, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, p->district, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 5, (sqlite3_int64)p->reg_idx);
    return step_done(s, st);
}

static void
copy_text(char *dst, size_t cap, sqlite3_stmt *st, int col)
{
    const unsigned char *t = sqlite3_column_text(st, col);
    snprintf(dst, cap, "%s", t ? (const char *)t : "");
}

enum ld_rc
ld_store_party_get(struct ld_store *s, const char *id, struct ld_store_party *p)
{
    sqlite3_stmt *st = get(s, S_PARTY_GET);
    enum ld_rc rc;
    int r;

    if (st == NULL)
        return LD_DB;
    sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
    r = sqlite3_step(st);
    if (r == SQLITE_ROW) {
        memset(p, 0, sizeof *p);
        copy_text(p->id, sizeof p->id, st, 0);
        p->name = ld_xstrdup((const char *)sqlite3_column_text(st, 1));
        p->roles = ld_xstrdup((const char *)sqlite3_column_text(st, 2));
        copy_text(p->district, sizeof p->district, st, 3);
        p->reg_idx = (uint64_t)sqlite3_column_int64(st, 4);
        rc = LD_OK;
    } else {
        rc = r == SQLITE_DONE ? LD_NOTFOUND : map(r);
    }
    sqlite3_reset(st);
    return rc;
}

void
ld_store_party_release(struct ld_store_party *p)
{
    free(p->name);
    free(p->roles);
    p->name = p->roles = NULL;
}

enum ld_rc
ld_store_key_put(struct ld_store *s, const struct ld_store_key *k)
{
    sqlite3_stmt *st = get(s, S_KEY_PUT);

    if (st == NULL)
        return LD_DB;
    sqlite3_bind_text(st, 1, k->keyid, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, k->party, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, k->vkey, -1, SQLITE_STATIC);
    sqlite3_bind_blob(st, 4, k->pub, 32, SQLITE_STATIC);
    sqlite3_bind_int64(st, 5, k->from_at);
    if (k->until_at >= 0)
        sqlite3_bind_int64(st, 6, k->until_at);
    else
        sqlite3_bind_null(st, 6);
    sqlite3_bind_int64(st, 7, (sqlite3_int64)k->cert_idx);
    return step_done(s, st);
}

enum ld_rc
ld_store_key_get(struct ld_store *s, const char *keyid, struct ld_store_key *k)
{
    sqlite3_stmt *st = get(s, S_KEY_GET);
    enum ld_rc rc;
    int r;

    if (st == NULL)
        return LD_DB;
    sqlite3_bind_text(st, 1, keyid, -1, SQLITE_STATIC);
    r = sqlite3_step(st);
    if (r == SQLITE_ROW) {
        if (sqlite3_column_bytes(st, 3) != 32) {
            rc = LD_TAMPERED;
            goto done;
        }
        memset(k, 0, sizeof *k);
        copy_text(k->keyid, sizeof k->keyid, st, 0);
        copy_text(k->party, sizeof k->party, st, 1);
        k->vkey = ld_xstrdup((const char *)sqlite3_column_text(st, 2));
        memcpy(k->pub, sqlite3_column_blob(st, 3), 32);
        k->from_at = sqlite3_column_int64(st, 4);
        k->until_at = sqlite3_column_type(st, 5) == SQLITE_NULL ? -1 : sqlite3_column_int64(st, 5);
        k->cert_idx = (uint64_t)sqlite3_column_int64(st, 6);
        k->revoked_idx = sqlite3_column_type(st, 7) == SQLITE_NULL
                             ? UINT64_MAX
                             : (uint64_t)sqlite3_column_int64(st, 7);
        k->revoked_at = sqlite3_column_type(st, 8) == SQLITE_NULL ? -1 : sqlite3_column_int64(st, 8);
        rc = LD_OK;
    } else {
        rc = r == SQLITE_DONE ? LD_NOTFOUND : map(r);
    }
done:
    sqlite3_reset(st);
    return rc;
}

enum ld_rc
ld_store_key_revoke(struct ld_store *s, const char *keyid, uint64_t idx, int64_t at)
{
    sqlite3_stmt *st = get(s, S_KEY_REVOKE);

    if (st == NULL)
        return LD_DB;
    sqlite3_bind_text(st, 1, keyid, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, (sqlite3_int64)idx);
    sqlite3_bind_int64(st, 3, at);
    return step_done(s, st);
}

void
ld_store_key_release(struct ld_store_key *k)
{
    free(k->vkey);
    k->vkey = NULL;
}

enum ld_rc
ld_store_checkpoint_put(struct ld_store *s, uint64_t size, const char *note, int64_t signed_at)
{
    sqlite3_stmt *st = get(s, S_CP_PUT);

    if (st == NULL)
        return LD_DB;
    sqlite3_bind_int64(st, 1, (sqlite3_int64)size);
    sqlite3_bind_text(st, 2, note, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, signed_at);
    return step_done(s, st);
}

enum ld_rc
ld_store_checkpoint_latest(struct ld_store *s, uint64_t *size, char **note)
{
    sqlite3_stmt *st = get(s, S_CP_LATEST);
    enum ld_rc rc;
    int r;

    if (st == NULL)
        return LD_DB;
    r = sqlite3_step(st);
    if (r == SQLITE_ROW) {
        *size = (uint64_t)sqlite3_column_int64(st, 0);
        *note = ld_xstrdup((const char *)sqlite3_column_text(st, 1));
        rc = LD_OK;
    } else {
        rc = r == SQLITE_DONE ? LD_NOTFOUND : map(r);
    }
    sqlite3_reset(st);
    return rc;
}

enum ld_rc
ld_store_checkpoint_each(struct ld_store *s,
                         enum ld_rc (*fn)(void *ctx, uint64_t size, const char *note), void *ctx)
{
    sqlite3_stmt *st = NULL;
    enum ld_rc rc = LD_OK;
    int r;

    if (sqlite3_prepare_v2(s->db, "SELECT size, note FROM checkpoints ORDER BY size", -1, &st,
                           NULL) != SQLITE_OK)
        return LD_DB;
    while ((r = sqlite3_step(st)) == SQLITE_ROW) {
        const unsigned char *note = sqlite3_column_text(st, 1);
        rc = fn(ctx, (uint64_t)sqlite3_column_int64(st, 0), note ? (const char *)note : "");
        if (rc != LD_OK)
            break;
    }
    if (rc == LD_OK && r != SQLITE_DONE)
        rc = map(r) == LD_OK ? LD_DB : map(r);
    sqlite3_finalize(st);
    return rc;
}

enum ld_rc
ld_store_q(struct ld_store *s, const char *sql, struct ld_store_q **out)
{
    size_t i;

    for (i = 0; i < s->nq; i++)
        if (s->q[i].sql == sql) {
            *out = &s->q[i];
            return LD_OK;
        }
    if (s->nq == QCACHE)
        return LD_DB;
    if (sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &s->q[s->nq].st, NULL) !=
        SQLITE_OK)
        return LD_DB;
    s->q[s->nq].s = s;
    s->q[s->nq].sql = sql;
    *out = &s->q[s->nq++];
    return LD_OK;
}

void
ld_store_q_text(struct ld_store_q *q, int i, const char *v)
{
    if (v)
        sqlite3_bind_text(q->st, i, v, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(q->st, i);
}

void
ld_store_q_int(struct ld_store_q *q, int i, int64_t v)
{
    sqlite3_bind_int64(q->st, i, v);
}

void
ld_store_q_null(struct ld_store_q *q, int i)
{
    sqlite3_bind_null(q->st, i);
}

enum ld_rc
ld_store_q_step(struct ld_store_q *q)
{
    int r = sqlite3_step(q->st);

    if (r == SQLITE_ROW)
        return LD_OK;
    if (r == SQLITE_DONE)
        return LD_NOTFOUND;
    return map(r) == LD_OK ? LD_DB : map(r);
}

const char *
ld_store_q_col_text(struct ld_store_q *q, int i)
{
    const unsigned char *t = sqlite3_column_text(q->st, i);
    return t ? (const char *)t : "";
}

int64_t
ld_store_q_col_int(struct ld_store_q *q, int i)
{
    return sqlite3_column_int64(q->st, i);
}

const void *
ld_store_q_col_blob(struct ld_store_q *q, int i, size_t *len)
{
    const void *p = sqlite3_column_blob(q->st, i);

    *len = (size_t)sqlite3_column_bytes(q->st, i);
    return p ? p : "";
}

int
ld_store_q_col_null(struct ld_store_q *q, int i)
{
    return sqlite3_column_type(q->st, i) == SQLITE_NULL;
}

void
ld_store_q_done(struct ld_store_q *q)
{
    sqlite3_reset(q->st);
    sqlite3_clear_bindings(q->st);
}

enum ld_rc
ld_store_q_exec(struct ld_store_q *q)
{
    return step_done(q->s, q->st);
}

static const char q_att_put[] =
    "INSERT OR IGNORE INTO attachments(hash, media_type, data, stored_at) VALUES (?1, ?2, ?3, ?4)";
static const char q_att_get[] = "SELECT media_type, data FROM attachments WHERE hash = ?1";

enum ld_rc
ld_store_attachment_put(struct ld_store *s, const void *data, size_t len, const char *media_type,
                        int64_t now, char hash[65])
{
    struct ld_store_q *q = NULL;
    uint8_t h[crypto_hash_sha256_BYTES];
    size_t i, n = strlen(media_type);
    enum ld_rc rc;

    if (len > LD_STORE_ATTACHMENT_MAX || n == 0 || n >= 64)
        return LD_INVALID;
    for (i = 0; i < n; i++)
        if ((unsigned char)media_type[i] <= 0x20 || (unsigned char)media_type[i] >= 0x7f)
            return LD_INVALID;
    crypto_hash_sha256(h, data, len);
    sodium_bin2hex(hash, 65, h, sizeof h);
    rc = ld_store_q(s, q_att_put, &q);
    if (rc != LD_OK)
        return rc;
    sqlite3_bind_text(q->st, 1, hash, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(q->st, 2, media_type, -1, SQLITE_TRANSIENT);
    sqlite3_bind_blob(q->st, 3, len ? data : "", (int)len, SQLITE_TRANSIENT);
    sqlite3_bind_int64(q->st, 4, now);
    return ld_store_q_exec(q);
}

enum ld_rc
ld_store_attachment_get(struct ld_store *s, const char *hash, char **data, size_t *len,
                        char media_type[64])
{
    struct ld_store_q *q = NULL;
    enum ld_rc rc = ld_store_q(s, q_att_get, &q);
    int n;

    if (rc != LD_OK)
        return rc;
    sqlite3_bind_text(q->st, 1, hash, -1, SQLITE_TRANSIENT);
    rc = ld_store_q_step(q);
    if (rc == LD_OK) {
        n = sqlite3_column_bytes(q->st, 1);
        *data = ld_xmalloc((size_t)n + 1);
        if (n)
            memcpy(*data, sqlite3_column_blob(q->st, 1), (size_t)n);
        (*data)[n] = '\0';
        *len = (size_t)n;
        snprintf(media_type, 64, "%s", (const char *)sqlite3_column_text(q->st, 0));
    }
    ld_store_q_done(q);
    return rc;
}

enum ld_rc
ld_store_clear_derived(struct ld_store *s)
{
    char *list = NULL, *p, *comma;
    enum ld_rc rc;

    if (faulted(s))
        return LD_DB;
    rc = exec(s, "DELETE FROM nodes; DELETE FROM heads; DELETE FROM parties; DELETE FROM keys;");
    if (rc != LD_OK)
        return rc;
    /* Domain tables, listed by their migrations (names are ours, not input). */
    if (ld_store_meta_get(s, "derived_tables", &list) != LD_OK)
        return LD_OK;
    for (p = list; rc == LD_OK && p && *p; p = comma ? comma + 1 : NULL) {
        char sql[128];
        comma = strchr(p, ',');
        if (comma)
            *comma = '\0';
        snprintf(sql, sizeof sql, "DELETE FROM \"%s\"", p);
        rc = exec(s, sql);
    }
    free(list);
    return rc;
}

enum ld_rc
ld_store_exec(struct ld_store *s, const char *sql)
{
    return exec(s, sql);
}

void
ld_store_fault_inject(struct ld_store *s, unsigned nth)
{
    s->fault = nth;
}
