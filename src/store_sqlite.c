/*
 * store_sqlite.c - the ledger store on one SQLite file (include/liandan/store.h).
 *
 * Schema: schema/NNN_*.sql, embedded at build time (tools/embed-sql) and
 * applied in order under PRAGMA user_version. WAL journal, synchronous=FULL:
 * a COMMIT that returned has reached the disk (SQLite docs, "PRAGMA synchronous").
 * Statements are prepared once per connection and reset after each use.
 * Two layouts serve speed and are documented in schema/001_core.sql: Merkle
 * nodes live in tiles of four levels (a proof reads ~log2(n)/4 rows), and the
 * lookup of events by id is a table filled in sorted bulk from a map of the
 * newest events kept in memory (see "lookup by id" below).
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
    S_CP_PUT, S_CP_LATEST, S_BEGIN, S_COMMIT, S_ROLLBACK, S_LEAF_GET, S_IDS_PUT, S_TAIL,
    S_BEGIN_READ, S_COUNT_
};

static const char *const stmt_sql[S_COUNT_] = {
    [S_META_GET] = "SELECT v FROM meta WHERE k = ?1",
    [S_META_PUT] = "INSERT OR REPLACE INTO meta(k, v) VALUES (?1, ?2)",
    [S_SIZE] = "SELECT COALESCE(MAX(idx) + 1, 0) FROM events",
    [S_EV_PUT] = "INSERT INTO events(idx, id, entry, accepted_at, receipt_sig) "
                 "VALUES (?1, ?2, ?3, ?4, ?5)",
    [S_EV_GET] = "SELECT idx, id, entry, accepted_at, receipt_sig FROM events WHERE idx = ?1",
    [S_EV_FIND] = "SELECT idx FROM ids WHERE k = ?1",
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
    [S_IDS_PUT] = "INSERT OR IGNORE INTO ids(k, idx) VALUES (?1, ?2)",
    [S_TAIL] = "SELECT idx, id FROM events WHERE idx >= ?1 ORDER BY idx",
    [S_BEGIN] = "BEGIN IMMEDIATE",
    [S_BEGIN_READ] = "BEGIN",
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

/* Merkle tiles (schema/001_core.sql): TILE_H tree levels per tile, TILE_W
 * nodes in a tile's bottom row, TILE_N hashes in a complete tile. */
#define TILE_H 4
#define TILE_W 16
#define TILE_N 30
#define TILE_LEVELS 16 /* 64 tree levels */

enum { TILE_NONE, TILE_CLEAN, TILE_DIRTY };

/* One tile in memory: the last one read or written at its tile level. */
struct tile {
    int state;                     /* TILE_NONE; TILE_CLEAN: as stored; TILE_DIRTY: to write */
    uint64_t index;                /* j: the tile under node (TILE_H * (t + 1), j) */
    unsigned n;                    /* hashes held: the first n in post-order */
    uint8_t h[TILE_N][LD_MERKLE_HASH];
};

/* Events with idx >= meta ids_upto (not yet in table ids) by the first 8
 * bytes of their id: chained hashing over arrays. */
struct idmap {
    int valid;                     /* 0: rebuild from the database before use */
    unsigned epoch;                /* write transaction it was last checked in */
    uint64_t base;                 /* meta ids_upto when the map was built */
    uint64_t end;                  /* events with idx < end are in the map or in ids */
    uint32_t n, cap;               /* entries in use, allocated */
    uint64_t *key;                 /* key[e]: first 8 id bytes, big-endian (memcmp order) */
    uint64_t *idx;                 /* idx[e]: leaf index of entry e */
    uint32_t *next;                /* next entry of the same bucket; IDMAP_END ends */
    uint32_t *head;                /* nbuckets heads */
    uint32_t nbuckets;             /* a power of two, >= cap */
};
#define IDMAP_END UINT32_MAX
/* Move the map into table ids at a commit once it holds this many events:
 * size / 8 keeps the pages rewritten per event low, the bounds keep the map
 * small (65536 entries: 1.5 MiB) and the early merges cheap. */
#define IDMAP_MIN 64u
#define IDMAP_MAX 65536u

struct ld_store {
    sqlite3 *db;                   /* the connection */
    sqlite3_stmt *stmt[S_COUNT_];  /* prepared lazily, finalised on close */
    unsigned fault;                /* test hook: countdown to an injected failure, 0 = off */
    struct ld_store_q q[QCACHE];   /* domain statements, prepared on first use */
    size_t nq;
    unsigned epoch;                /* counts write transactions begun */
    int writing;                   /* inside ld_store_begin .. commit/rollback */
    int reading;                   /* inside ld_store_read_begin .. read_end */
    struct tile tiles[TILE_LEVELS]; /* per tile level: write buffer and read cache */
    struct idmap ids;              /* the newest events by id */
    int nf_valid;                  /* nf_id was not found in write transaction nf_epoch */
    unsigned nf_epoch;
    uint8_t nf_id[LD_MERKLE_HASH];
};

struct ld_store_iter {
    struct ld_store *s;            /* borrowed */
    sqlite3_stmt *st;              /* owned */
};

static enum ld_rc tiles_flush(struct ld_store *s);
static void tiles_forget(struct ld_store *s);
static enum ld_rc ids_merge(struct ld_store *s, uint64_t *merged);
static void ids_forget(struct ld_store *s);
static void ids_reset(struct ld_store *s, uint64_t base);

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
        /* wal_autocheckpoint: copy the WAL back every 10,000 pages (40 MiB)
         * instead of SQLite's 1,000; pages written by many commits are then
         * copied once (domain append bench: +3%, the checkpoint ran on the
         * writer's serial path). The cost: until the WAL file has grown to
         * that size once after opening, each commit extends it, and a
         * one-event commit's fsync then costs ~25% more (bench: 1 event per
         * commit 0.16-0.17 -> 0.12-0.13 x raw verify at the start of a log). */
        if (exec(s, "PRAGMA journal_mode = WAL") != LD_OK ||
            exec(s, "PRAGMA wal_autocheckpoint = 10000") != LD_OK ||
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

enum ld_rc
ld_store_cache(struct ld_store *s, unsigned kib)
{
    char sql[64];

    snprintf(sql, sizeof sql, "PRAGMA cache_size = -%u", kib ? kib : 65536u);
    return exec(s, sql);
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
    free(s->ids.key);
    free(s->ids.idx);
    free(s->ids.next);
    free(s->ids.head);
    free(s);
}

enum ld_rc
ld_store_begin(struct ld_store *s)
{
    enum ld_rc rc = step_done(s, get(s, S_BEGIN));
    unsigned t;

    if (rc == LD_OK) {
        s->epoch++;
        s->writing = 1;
        /* Another connection may have grown the open tiles since. */
        for (t = 0; t < TILE_LEVELS; t++)
            if (s->tiles[t].n < TILE_N)
                s->tiles[t].state = TILE_NONE;
    }
    return rc;
}

/* Before COMMIT: the tiles still in memory, and the events map into table ids
 * when it has grown enough; both inside the transaction, so a failed commit
 * leaves nothing half done. */
enum ld_rc
ld_store_commit(struct ld_store *s)
{
    uint64_t merged = 0;
    enum ld_rc rc = LD_OK;

    if (s->writing) {
        rc = tiles_flush(s);
        if (rc == LD_OK)
            rc = ids_merge(s, &merged);
    }
    if (rc == LD_OK)
        rc = step_done(s, get(s, S_COMMIT));
    if (rc == LD_OK) {
        s->writing = 0;
        if (merged)
            ids_reset(s, merged);
    }
    return rc;
}

/* Memory that may hold writes of the transaction is dropped, and reloaded
 * from the database when next needed. */
void
ld_store_rollback(struct ld_store *s)
{
    tiles_forget(s);
    ids_forget(s);
    s->writing = s->reading = 0;
    if (!sqlite3_get_autocommit(s->db))
        sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
}

enum ld_rc
ld_store_read_begin(struct ld_store *s)
{
    enum ld_rc rc;

    sqlite3_stmt *st;
    int r;

    if (!sqlite3_get_autocommit(s->db))
        return LD_OK;
    /* Not step_done: a read is no write for the fault-injection count. */
    st = get(s, S_BEGIN_READ);
    if (st == NULL)
        return LD_DB;
    r = sqlite3_step(st);
    sqlite3_reset(st);
    rc = r == SQLITE_DONE ? LD_OK : map(r) == LD_OK ? LD_DB : map(r);
    if (rc == LD_OK)
        s->reading = 1;
    return rc;
}

void
ld_store_read_end(struct ld_store *s)
{
    sqlite3_stmt *st;

    if (s->reading && !sqlite3_get_autocommit(s->db) && (st = get(s, S_COMMIT)) != NULL) {
        sqlite3_step(st);
        sqlite3_reset(st);
    }
    s->reading = 0;
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

/* ---- lookup by id ------------------------------------------------------- */

/* First 8 bytes of an id as a big-endian integer: integer order is the
 * memcmp order of the BLOB keys of table ids. */
static uint64_t
id_key(const uint8_t *id)
{
    uint64_t k = 0;
    unsigned i;

    for (i = 0; i < 8; i++)
        k = k << 8 | id[i];
    return k;
}

static void
key_bytes(uint64_t k, uint8_t out[8])
{
    int i;

    for (i = 7; i >= 0; i--, k >>= 8)
        out[i] = (uint8_t)k;
}

static void
ids_reset(struct ld_store *s, uint64_t base)
{
    struct idmap *m = &s->ids;

    m->base = m->end = base;
    m->n = 0;
    if (m->head)
        memset(m->head, 0xff, m->nbuckets * sizeof *m->head);
}

static void
ids_forget(struct ld_store *s)
{
    s->ids.valid = 0;
    s->nf_valid = 0;
}

static void
ids_add(struct ld_store *s, uint64_t idx, uint64_t key)
{
    struct idmap *m = &s->ids;
    uint32_t e, b;

    if (m->n == m->cap) {
        m->cap = m->cap ? 2 * m->cap : 1024;
        m->key = ld_xrealloc(m->key, m->cap * sizeof *m->key);
        m->idx = ld_xrealloc(m->idx, m->cap * sizeof *m->idx);
        m->next = ld_xrealloc(m->next, m->cap * sizeof *m->next);
        m->nbuckets = m->cap;
        free(m->head);
        m->head = ld_xmalloc(m->nbuckets * sizeof *m->head);
        memset(m->head, 0xff, m->nbuckets * sizeof *m->head);
        for (e = 0; e < m->n; e++) {
            b = (uint32_t)(m->key[e] & (m->nbuckets - 1));
            m->next[e] = m->head[b];
            m->head[b] = e;
        }
    }
    e = m->n++;
    b = (uint32_t)(key & (m->nbuckets - 1));
    m->key[e] = key;
    m->idx[e] = idx;
    m->next[e] = m->head[b];
    m->head[b] = e;
    m->end = idx + 1;
}

/*
 * Bring the map up to date with the database: the events from meta ids_upto
 * on. Inside a write transaction once (nobody else writes meanwhile, and the
 * store's own event_put keeps the map current); otherwise on every lookup,
 * reading only the events appended since the last one. Events are append-only
 * and table ids only grows between rebuilds, so the two reads need not share
 * a snapshot.
 */
static enum ld_rc
ids_sync(struct ld_store *s)
{
    struct idmap *m = &s->ids;
    int in_txn = s->writing;
    uint64_t upto = 0, size = 0;
    char *v = NULL;
    sqlite3_stmt *st;
    enum ld_rc rc;
    int r;

    if (m->valid && in_txn && m->epoch == s->epoch)
        return LD_OK;
    rc = ld_store_meta_get(s, "ids_upto", &v);
    if (rc == LD_OK)
        upto = strtoull(v, NULL, 10);
    free(v);
    if (rc != LD_OK && rc != LD_NOTFOUND)
        return rc;
    rc = ld_store_size(s, &size);
    if (rc != LD_OK)
        return rc;
    if (!m->valid || m->base != upto || m->end > size) {
        ids_reset(s, upto);
        m->valid = 1;
    }
    if (m->end < size) {
        st = get(s, S_TAIL);
        if (st == NULL)
            return LD_DB;
        sqlite3_bind_int64(st, 1, (sqlite3_int64)m->end);
        while ((r = sqlite3_step(st)) == SQLITE_ROW) {
            uint8_t id[8] = {0};
            int n = sqlite3_column_bytes(st, 1);
            /* A damaged id (not 32 bytes) gets a key no real id has to match in full. */
            if (n > 0)
                memcpy(id, sqlite3_column_blob(st, 1), n < 8 ? (size_t)n : 8);
            ids_add(s, (uint64_t)sqlite3_column_int64(st, 0), id_key(id));
        }
        sqlite3_reset(st);
        if (r != SQLITE_DONE) {
            m->valid = 0;
            return map(r) == LD_OK ? LD_DB : map(r);
        }
    }
    m->epoch = s->epoch;
    return LD_OK;
}

/* Is the event at idx the one with this id? [out] same. */
static enum ld_rc
id_at(struct ld_store *s, uint64_t idx, const uint8_t id[LD_MERKLE_HASH], int *same)
{
    sqlite3_stmt *st = get(s, S_LEAF_GET);
    int r;

    if (st == NULL)
        return LD_DB;
    sqlite3_bind_int64(st, 1, (sqlite3_int64)idx);
    r = sqlite3_step(st);
    *same = r == SQLITE_ROW && sqlite3_column_bytes(st, 0) == LD_MERKLE_HASH &&
            memcmp(sqlite3_column_blob(st, 0), id, LD_MERKLE_HASH) == 0;
    sqlite3_reset(st);
    return r == SQLITE_ROW || r == SQLITE_DONE ? LD_OK : (map(r) == LD_OK ? LD_DB : map(r));
}

enum ld_rc
ld_store_event_find(struct ld_store *s, const uint8_t id[LD_MERKLE_HASH], uint64_t *idx)
{
    struct idmap *m = &s->ids;
    uint64_t key = id_key(id), cand = 0;
    sqlite3_stmt *st;
    uint32_t e;
    enum ld_rc rc;
    int same = 0, r;

    rc = ids_sync(s);
    if (rc != LD_OK)
        return rc;
    for (e = m->head ? m->head[key & (m->nbuckets - 1)] : IDMAP_END; e != IDMAP_END;
         e = m->next[e]) {
        if (m->key[e] != key)
            continue;
        rc = id_at(s, m->idx[e], id, &same);
        if (rc != LD_OK)
            return rc;
        if (same) {
            *idx = m->idx[e];
            return LD_OK;
        }
    }
    st = get(s, S_EV_FIND);
    if (st == NULL)
        return LD_DB;
    sqlite3_bind_blob(st, 1, id, 8, SQLITE_STATIC);
    while ((r = sqlite3_step(st)) == SQLITE_ROW) {
        cand = (uint64_t)sqlite3_column_int64(st, 0);
        rc = id_at(s, cand, id, &same);
        if (rc != LD_OK || same)
            break;
    }
    sqlite3_reset(st);
    if (rc != LD_OK)
        return rc;
    if (same) {
        *idx = cand;
        return LD_OK;
    }
    if (r != SQLITE_ROW && r != SQLITE_DONE)
        return map(r) == LD_OK ? LD_DB : map(r);
    /* Remembered for event_put: no other writer can add it before the commit. */
    if (s->writing) {
        s->nf_valid = 1;
        s->nf_epoch = s->epoch;
        memcpy(s->nf_id, id, LD_MERKLE_HASH);
    }
    return LD_NOTFOUND;
}

/*
 * Move the map into table ids (sorted, so the inserts walk the index once)
 * when it has grown to IDMAP_MIN..IDMAP_MAX events; meta ids_upto records how
 * far table ids reaches. [out] merged: the new ids_upto, 0 if nothing moved.
 */
static int
cmp_u64pair(const void *a, const void *b)
{
    const uint64_t *x = a, *y = b;

    if (x[0] != y[0])
        return x[0] < y[0] ? -1 : 1;
    return x[1] < y[1] ? -1 : x[1] > y[1];
}

static enum ld_rc
ids_merge(struct ld_store *s, uint64_t *merged)
{
    struct idmap *m = &s->ids;
    uint64_t want = m->end / 8, *pairs;
    char v[24];
    sqlite3_stmt *st;
    uint32_t e;
    enum ld_rc rc = LD_OK;

    if (want < IDMAP_MIN)
        want = IDMAP_MIN;
    if (want > IDMAP_MAX)
        want = IDMAP_MAX;
    if (!m->valid || m->epoch != s->epoch || m->n < want)
        return LD_OK;
    st = get(s, S_IDS_PUT);
    if (st == NULL)
        return LD_DB;
    pairs = ld_xmalloc(2 * (size_t)m->n * sizeof *pairs);
    for (e = 0; e < m->n; e++) {
        pairs[2 * e] = m->key[e];
        pairs[2 * e + 1] = m->idx[e];
    }
    qsort(pairs, m->n, 2 * sizeof *pairs, cmp_u64pair);
    for (e = 0; e < m->n && rc == LD_OK; e++) {
        uint8_t k[8];
        key_bytes(pairs[2 * e], k);
        sqlite3_bind_blob(st, 1, k, sizeof k, SQLITE_TRANSIENT);
        sqlite3_bind_int64(st, 2, (sqlite3_int64)pairs[2 * e + 1]);
        rc = step_done(s, st);
    }
    free(pairs);
    snprintf(v, sizeof v, "%llu", (unsigned long long)m->end);
    if (rc == LD_OK)
        rc = ld_store_meta_put(s, "ids_upto", v);
    if (rc == LD_OK)
        *merged = m->end;
    return rc;
}

/* A second event with a stored id is refused (LD_DB), as a UNIQUE index would. */
enum ld_rc
ld_store_event_put(struct ld_store *s, const struct ld_store_event *ev)
{
    sqlite3_stmt *st = get(s, S_EV_PUT);
    uint64_t idx;
    enum ld_rc rc;

    if (st == NULL)
        return LD_DB;
    if (!(s->nf_valid && s->nf_epoch == s->epoch && s->writing &&
          memcmp(s->nf_id, ev->id, LD_MERKLE_HASH) == 0)) {
        rc = ld_store_event_find(s, ev->id, &idx);
        if (rc == LD_OK)
            return LD_DB;
        if (rc != LD_NOTFOUND)
            return rc;
    }
    rc = ids_sync(s);
    if (rc != LD_OK)
        return rc;
    sqlite3_bind_int64(st, 1, (sqlite3_int64)ev->idx);
    sqlite3_bind_blob(st, 2, ev->id, LD_MERKLE_HASH, SQLITE_STATIC);
    sqlite3_bind_blob(st, 3, ev->entry, (int)ev->entry_len, SQLITE_STATIC);
    sqlite3_bind_int64(st, 4, ev->accepted_at);
    sqlite3_bind_blob(st, 5, ev->receipt_sig, 64, SQLITE_STATIC);
    rc = step_done(s, st);
    if (rc == LD_OK) {
        s->nf_valid = 0;
        if (s->ids.valid && ev->idx >= s->ids.end)
            ids_add(s, ev->idx, id_key(ev->id));
        else
            ids_forget(s);
    }
    return rc;
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

/* ---- Merkle tiles ------------------------------------------------------- */

/* Where node (level, index) lives: tile (t, j), position pos in its post-order. */
struct tile_at {
    unsigned t;                    /* tile level: tree levels TILE_H*t .. TILE_H*t + 3 */
    uint64_t j;                    /* tile index within the tile level */
    unsigned pos;                  /* 0 .. TILE_N - 1 */
    int first;                     /* the node is the tile's first (its key is the tile's) */
};

static struct tile_at
tile_locate(unsigned level, uint64_t index)
{
    struct tile_at a;
    unsigned r = level % TILE_H, m, pop = 0, x;

    a.t = level / TILE_H;
    a.j = index >> (TILE_H - r);
    m = (unsigned)(index & ((TILE_W >> r) - 1)) << r; /* first bottom node under it */
    for (x = m; x; x &= x - 1)
        pop++;
    /* Nodes emitted before its subtree starts, then its subtree (2^(r+1) - 1 nodes). */
    a.pos = 2 * m - pop + (2u << r) - 2;
    a.first = r == 0 && m == 0;
    return a;
}

static sqlite3_int64
tile_key(unsigned t, uint64_t j)
{
    return node_key(TILE_H * t, j * TILE_W);
}

/* Read tile (t, j) into tl. LD_NOTFOUND without a row; LD_TAMPERED if its
 * length is not 1..TILE_N hashes. tl is unchanged unless LD_OK. */
static enum ld_rc
tile_read(struct ld_store *s, unsigned t, uint64_t j, struct tile *tl)
{
    sqlite3_stmt *st = get(s, S_NODE_GET);
    enum ld_rc rc = LD_NOTFOUND;
    int r, len;

    if (st == NULL)
        return LD_DB;
    sqlite3_bind_int64(st, 1, tile_key(t, j));
    r = sqlite3_step(st);
    if (r == SQLITE_ROW) {
        len = sqlite3_column_bytes(st, 0);
        if (len <= 0 || len % LD_MERKLE_HASH != 0 || len > TILE_N * LD_MERKLE_HASH) {
            rc = LD_TAMPERED;
        } else {
            memcpy(tl->h, sqlite3_column_blob(st, 0), (size_t)len);
            tl->n = (unsigned)len / LD_MERKLE_HASH;
            tl->index = j;
            tl->state = TILE_CLEAN;
            rc = LD_OK;
        }
    } else if (r != SQLITE_DONE) {
        rc = map(r);
    }
    sqlite3_reset(st);
    return rc;
}

static enum ld_rc
tile_write(struct ld_store *s, unsigned t, struct tile *tl)
{
    sqlite3_stmt *st = get(s, S_NODE_PUT);
    enum ld_rc rc;

    if (st == NULL)
        return LD_DB;
    sqlite3_bind_int64(st, 1, tile_key(t, tl->index));
    sqlite3_bind_blob(st, 2, tl->h, (int)(tl->n * LD_MERKLE_HASH), SQLITE_STATIC);
    rc = step_done(s, st);
    if (rc == LD_OK)
        tl->state = TILE_CLEAN;
    return rc;
}

static enum ld_rc
tiles_flush(struct ld_store *s)
{
    unsigned t;
    enum ld_rc rc = LD_OK;

    for (t = 0; t < TILE_LEVELS && rc == LD_OK; t++)
        if (s->tiles[t].state == TILE_DIRTY)
            rc = tile_write(s, t, &s->tiles[t]);
    return rc;
}

static void
tiles_forget(struct ld_store *s)
{
    unsigned t;

    for (t = 0; t < TILE_LEVELS; t++)
        s->tiles[t].state = TILE_NONE;
}

/* A node stored on its own (a row at the node's own key), or level 0's events.id. */
static enum ld_rc
node_row(struct ld_store *s, unsigned level, uint64_t index, uint8_t out[LD_MERKLE_HASH])
{
    sqlite3_stmt *st;
    enum ld_rc rc = LD_NOTFOUND;
    int r;

    /* Without a tile, leaf hashes are the event ids. */
    st = get(s, level == 0 ? S_LEAF_GET : S_NODE_GET);
    if (st == NULL)
        return LD_DB;
    sqlite3_bind_int64(st, 1, level == 0 ? (sqlite3_int64)index : node_key(level, index));
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

/* From the tile that holds the node (kept in memory, one per tile level, so
 * that a proof or a walk in leaf order reads each tile once); else a row of
 * its own; else, for a leaf, events.id. */
enum ld_rc
ld_store_node_get(void *ctx, unsigned level, uint64_t index, uint8_t out[LD_MERKLE_HASH])
{
    struct ld_store *s = ctx;
    struct tile_at a;
    struct tile *tl, tmp;
    enum ld_rc rc;

    if (level >= TILE_H * TILE_LEVELS)
        return LD_NOTFOUND;
    a = tile_locate(level, index);
    tl = &s->tiles[a.t];
    if (tl->state != TILE_NONE && tl->index == a.j) {
        if (a.pos < tl->n) {
            memcpy(out, tl->h[a.pos], LD_MERKLE_HASH);
            return LD_OK;
        }
        if (tl->state == TILE_DIRTY) /* newer than the row: nothing more there */
            return a.first ? LD_NOTFOUND : node_row(s, level, index, out);
    }
    /* The write buffer stays; a clean tile makes way. */
    rc = tile_read(s, a.t, a.j, tl->state == TILE_DIRTY ? &tmp : tl);
    if (rc == LD_OK) {
        const struct tile *got = tl->state == TILE_DIRTY ? &tmp : tl;
        if (a.pos < got->n) {
            memcpy(out, got->h[a.pos], LD_MERKLE_HASH);
            return LD_OK;
        }
    } else if (rc != LD_NOTFOUND) {
        return rc;
    }
    return a.first && level > 0 ? LD_NOTFOUND : node_row(s, level, index, out);
}

/* One node on its own row (tests and tools; appends use ld_store_node_add). */
enum ld_rc
ld_store_node_put(void *ctx, unsigned level, uint64_t index, const uint8_t hash[LD_MERKLE_HASH])
{
    struct ld_store *s = ctx;
    sqlite3_stmt *st;

    if (level == 0)
        return LD_OK;
    if (level < TILE_H * TILE_LEVELS && s->tiles[level / TILE_H].state == TILE_CLEAN)
        s->tiles[level / TILE_H].state = TILE_NONE; /* the row may be the tile's */
    st = get(s, S_NODE_PUT);
    if (st == NULL)
        return LD_DB;
    sqlite3_bind_int64(st, 1, node_key(level, index));
    sqlite3_bind_blob(st, 2, hash, LD_MERKLE_HASH, SQLITE_STATIC);
    return step_done(s, st);
}

/*
 * Nodes arrive in the order ld_merkle_frontier_push emits them, which is each
 * tile's post-order: the node goes at the end of its tile. A complete tile is
 * written at once; the open tile of each level at ld_store_commit (or at once
 * outside a transaction). An identical node again (a retried push) is fine.
 */
enum ld_rc
ld_store_node_add(void *ctx, unsigned level, uint64_t index, const uint8_t hash[LD_MERKLE_HASH])
{
    struct ld_store *s = ctx;
    struct tile_at a;
    struct tile *tl;
    enum ld_rc rc;

    if (level >= TILE_H * TILE_LEVELS)
        return LD_INVALID;
    a = tile_locate(level, index);
    tl = &s->tiles[a.t];
    if (tl->state == TILE_NONE || tl->index != a.j) {
        if (tl->state == TILE_DIRTY)
            return LD_INVALID; /* the open tile is not complete: a node was skipped */
        if (a.pos == 0) {
            tl->state = TILE_CLEAN;
            tl->index = a.j;
            tl->n = 0;
        } else {
            rc = tile_read(s, a.t, a.j, tl);
            if (rc != LD_OK)
                return rc == LD_NOTFOUND ? LD_TAMPERED : rc;
        }
    }
    if (a.pos < tl->n)
        return memcmp(tl->h[a.pos], hash, LD_MERKLE_HASH) == 0 ? LD_OK : LD_TAMPERED;
    if (a.pos != tl->n)
        return LD_TAMPERED; /* the stored tile lacks nodes before this one */
    memcpy(tl->h[tl->n++], hash, LD_MERKLE_HASH);
    tl->state = TILE_DIRTY;
    if (tl->n == TILE_N || !s->writing) {
        rc = tile_write(s, a.t, tl);
        if (rc != LD_OK) {
            tl->state = TILE_NONE;
            return rc;
        }
    }
    return LD_OK;
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
    tiles_forget(s);
    ids_forget(s);
    rc = exec(s, "DELETE FROM nodes; DELETE FROM heads; DELETE FROM parties; DELETE FROM keys;");
    /* Table ids only indexes the events: it is refilled here, in one sorted pass. */
    if (rc == LD_OK)
        rc = exec(s, "DELETE FROM ids; "
                     "INSERT INTO ids(k, idx) SELECT substr(id, 1, 8), idx FROM events "
                     "ORDER BY 1, 2; "
                     "INSERT OR REPLACE INTO meta(k, v) "
                     "SELECT 'ids_upto', CAST(COALESCE(MAX(idx) + 1, 0) AS TEXT) FROM events;");
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
