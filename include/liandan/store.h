/*
 * store.h - the ledger's storage interface. One implementation today,
 * src/store_sqlite.c (one SQLite file, schema in schema/NNN_*.sql); a
 * PostgreSQL store would implement the same functions.
 *
 * The store does no validation of meaning: the ledger (ledger.h) decides what
 * is written. It guarantees durability (WAL, synchronous=FULL unless asked
 * otherwise), that events and checkpoints are never updated or deleted
 * (triggers), and that reads see the writes of the current transaction.
 *
 * Thread safety: one struct ld_store per thread; SQLite serialises writers
 * across processes (busy timeout 5 s, then LD_BUSY).
 */
#ifndef LIANDAN_STORE_H
#define LIANDAN_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "liandan/err.h"
#include "liandan/merkle.h"

struct ld_store;

/* Open flags. */
#define LD_STORE_CREATE 0x1u      /* create a new file; LD_EXISTS if it already holds a ledger */
#define LD_STORE_READONLY 0x2u    /* open read-only (verify, queries) */
#define LD_STORE_SYNC_NORMAL 0x4u /* synchronous=NORMAL instead of FULL (benchmarks only) */

/*
 * Open (or create) the ledger database at path and bring its schema up to
 * date. Without LD_STORE_CREATE the file must exist and hold a ledger.
 * [out] out: new store; caller frees with ld_store_close().
 * Returns LD_OK, LD_NOTFOUND (no ledger there), LD_EXISTS (CREATE on an
 * existing ledger), LD_IO (cannot open), LD_DB (schema or SQL failure), LD_BUSY.
 */
enum ld_rc ld_store_open(const char *path, unsigned flags, struct ld_store **out,
                         struct ld_err *err);

/* Close; NULL is a no-op. Rolls back an open transaction. */
void ld_store_close(struct ld_store *s);

/* Page cache of this connection in KiB (default 65536: the id index and the
 * Merkle tiles stay hot for bulk appends; a server's readers need far less).
 * Returns LD_OK or LD_DB. */
enum ld_rc ld_store_cache(struct ld_store *s, unsigned kib);

/* Transactions (BEGIN IMMEDIATE / COMMIT / ROLLBACK). Returns LD_OK, LD_BUSY or LD_DB.
 * commit first writes what the store holds back for it (open Merkle tiles; the
 * newest events' ids into table ids); if it fails the transaction stays open
 * and the caller rolls back. */
enum ld_rc ld_store_begin(struct ld_store *s);
enum ld_rc ld_store_commit(struct ld_store *s);
void ld_store_rollback(struct ld_store *s);

/* A read transaction around several reads (a proof): they see one state and
 * take the read lock once. begin is a no-op inside another transaction; end
 * closes only what begin opened. begin returns LD_OK, LD_BUSY or LD_DB. */
enum ld_rc ld_store_read_begin(struct ld_store *s);
void ld_store_read_end(struct ld_store *s);

/* Settings. get: [out] *out new string, caller frees with free(); LD_NOTFOUND if unset. */
enum ld_rc ld_store_meta_get(struct ld_store *s, const char *k, char **out);
enum ld_rc ld_store_meta_put(struct ld_store *s, const char *k, const char *v);

/* One stored event. */
struct ld_store_event {
    uint64_t idx;                 /* leaf index */
    uint8_t id[LD_MERKLE_HASH];   /* leaf hash as stored */
    char *entry;                  /* owned (free()): the canonical entry, NUL-terminated */
    size_t entry_len;             /* bytes of entry */
    int64_t accepted_at;          /* seconds since the epoch */
    uint8_t receipt_sig[64];      /* ledger signature over the receipt */
};

/* Number of events (the tree size). */
enum ld_rc ld_store_size(struct ld_store *s, uint64_t *size);

/* Append event ev at ev->idx (must equal the current size). Returns LD_OK, LD_DB. */
enum ld_rc ld_store_event_put(struct ld_store *s, const struct ld_store_event *ev);

/* Event by index / by id. [out] ev: caller frees ev->entry. LD_NOTFOUND if none.
 * event_put refuses an id that is already stored (LD_DB). */
enum ld_rc ld_store_event_get(struct ld_store *s, uint64_t idx, struct ld_store_event *ev);
enum ld_rc ld_store_event_find(struct ld_store *s, const uint8_t id[LD_MERKLE_HASH],
                               uint64_t *idx);

/* Iterate events in index order from `from`. next returns LD_OK, LD_NOTFOUND at
 * the end, or LD_DB. [out] ev as for ld_store_event_get. */
struct ld_store_iter;
enum ld_rc ld_store_iter_new(struct ld_store *s, uint64_t from, struct ld_store_iter **out);
enum ld_rc ld_store_iter_next(struct ld_store_iter *it, struct ld_store_event *ev);
void ld_store_iter_free(struct ld_store_iter *it);

/* Merkle nodes; matches ld_merkle_get_fn / ld_merkle_put_fn with ctx = the store.
 * get reads the tile that holds the node (schema/001_core.sql), else a row of
 * the node's own, else for level 0 events.id: LD_OK, LD_NOTFOUND, LD_TAMPERED
 * (a row of the wrong length), LD_DB. The store keeps the last tile of each
 * tile level in memory, so reading nodes in leaf or proof order is cheap.
 * put stores one node on its own row; it ignores level 0 (the event row holds it). */
enum ld_rc ld_store_node_get(void *s, unsigned level, uint64_t index,
                             uint8_t out[LD_MERKLE_HASH]);
enum ld_rc ld_store_node_put(void *s, unsigned level, uint64_t index,
                             const uint8_t hash[LD_MERKLE_HASH]);
/*
 * Store a node created by an append (an ld_merkle_put_fn for
 * ld_merkle_frontier_push, ctx = the store; level 0 included). Nodes must come
 * in the order the frontier emits them, from the stored tree's size on; an
 * identical node again is accepted (a retried push). Inside a transaction the
 * open tiles are written by ld_store_commit, outside one at once.
 * Returns LD_OK, LD_TAMPERED (the stored tiles disagree: run reindex),
 * LD_INVALID (a node out of order), LD_DB.
 */
enum ld_rc ld_store_node_add(void *s, unsigned level, uint64_t index,
                             const uint8_t hash[LD_MERKLE_HASH]);

/* Chain heads: leaf index, id and event time of the latest event of a chain.
 * get: LD_NOTFOUND for a chain with no event yet; id and at may be NULL. */
enum ld_rc ld_store_head_get(struct ld_store *s, const char *chain, uint64_t *idx,
                             uint8_t id[LD_MERKLE_HASH], int64_t *at);
enum ld_rc ld_store_head_put(struct ld_store *s, const char *chain, uint64_t idx,
                             const uint8_t id[LD_MERKLE_HASH], int64_t at);

/* A registered party. */
struct ld_store_party {
    char id[19];       /* USCC */
    char *name;        /* owned */
    char *roles;       /* owned, comma-separated */
    char district[7];  /* 6-digit code */
    uint64_t reg_idx;  /* events.idx of the registration */
};
enum ld_rc ld_store_party_put(struct ld_store *s, const struct ld_store_party *p);
/* [out] p: caller releases with ld_store_party_release(). LD_NOTFOUND if none. */
enum ld_rc ld_store_party_get(struct ld_store *s, const char *id, struct ld_store_party *p);
void ld_store_party_release(struct ld_store_party *p);

/* A certified key. until_at / revoked_* are -1 / UINT64_MAX when unset. */
struct ld_store_key {
    char keyid[33];     /* key id */
    char party[19];     /* holder's USCC */
    char *vkey;         /* owned: verifier key line */
    uint8_t pub[32];    /* raw public key */
    int64_t from_at;    /* valid from */
    int64_t until_at;   /* valid until (exclusive), -1 for none */
    uint64_t cert_idx;  /* certifying event */
    uint64_t revoked_idx; /* revoking event, UINT64_MAX if not revoked */
    int64_t revoked_at; /* at of the revocation, -1 if not revoked */
};
enum ld_rc ld_store_key_put(struct ld_store *s, const struct ld_store_key *k);
enum ld_rc ld_store_key_get(struct ld_store *s, const char *keyid, struct ld_store_key *k);
enum ld_rc ld_store_key_revoke(struct ld_store *s, const char *keyid, uint64_t idx, int64_t at);
void ld_store_key_release(struct ld_store_key *k);

/* Checkpoints. latest: [out] size and *note (free()); LD_NOTFOUND if none yet. */
enum ld_rc ld_store_checkpoint_put(struct ld_store *s, uint64_t size, const char *note,
                                   int64_t signed_at);
enum ld_rc ld_store_checkpoint_latest(struct ld_store *s, uint64_t *size, char **note);
/* Iterate every checkpoint in size order: calls fn until it returns non-LD_OK. */
enum ld_rc ld_store_checkpoint_each(struct ld_store *s,
                                    enum ld_rc (*fn)(void *ctx, uint64_t size, const char *note),
                                    void *ctx);

/*
 * Prepared statements for the domain's own derived tables (schema/002_* and
 * later). The SQL text is the cache key: pass a string literal, and the
 * statement is prepared once per connection. Keep the SQL portable (no
 * SQLite-only syntax beyond INSERT OR REPLACE) so that another store can run it.
 *   ld_store_q(s, sql, &q) -> bind 1-based parameters -> ld_store_q_step until it
 *   returns LD_NOTFOUND (no more rows) -> ld_store_q_done(q).
 * A statement is used by one caller at a time; done() resets it for reuse.
 */
struct ld_store_q;
/* Returns LD_OK or LD_DB (SQL does not prepare). [out] q: borrowed from s. */
enum ld_rc ld_store_q(struct ld_store *s, const char *sql, struct ld_store_q **q);
void ld_store_q_text(struct ld_store_q *q, int i, const char *v); /* NULL binds NULL */
void ld_store_q_int(struct ld_store_q *q, int i, int64_t v);
void ld_store_q_null(struct ld_store_q *q, int i);
/* LD_OK: a row is available; LD_NOTFOUND: done (for writes: executed); LD_DB/LD_BUSY. */
enum ld_rc ld_store_q_step(struct ld_store_q *q);
/* Column i of the current row: text ("" for NULL), integer (0 for NULL), NULL test. */
const char *ld_store_q_col_text(struct ld_store_q *q, int i);
int64_t ld_store_q_col_int(struct ld_store_q *q, int i);
int ld_store_q_col_null(struct ld_store_q *q, int i);
/* Column i as bytes (borrowed until the next step/done); *len set. */
const void *ld_store_q_col_blob(struct ld_store_q *q, int i, size_t *len);
/* Reset for the next use (clears bindings). */
void ld_store_q_done(struct ld_store_q *q);
/* Run a write statement with no result rows: step once and reset. Counts for
 * fault injection. Returns LD_OK, LD_DB or LD_BUSY. */
enum ld_rc ld_store_q_exec(struct ld_store_q *q);

/*
 * Content-addressed attachments (schema/005_attachments.sql).
 * put: stores data under hex SHA-256 [out] hash (65 bytes); storing the same
 * bytes again is LD_OK. max 16 MiB. Returns LD_OK, LD_INVALID (too large or bad
 * media type), LD_DB.
 * get: [out] *data (free()), *len, media_type[64]; LD_NOTFOUND if absent.
 */
enum ld_rc ld_store_attachment_put(struct ld_store *s, const void *data, size_t len,
                                   const char *media_type, int64_t now, char hash[65]);
enum ld_rc ld_store_attachment_get(struct ld_store *s, const char *hash, char **data, size_t *len,
                                   char media_type[64]);
#define LD_STORE_ATTACHMENT_MAX (16u << 20)

/* Empty every DERIVED table (nodes, heads, parties, keys, and every table the
 * domain's migrations list in meta key "derived_tables") for a rebuild. */
enum ld_rc ld_store_clear_derived(struct ld_store *s);

/* Run a statement with no result, for tests and tools (e.g. tamper tests).
 * Returns LD_OK or LD_DB. */
enum ld_rc ld_store_exec(struct ld_store *s, const char *sql);

/*
 * Test-only fault injection: the nth store operation from now (1 = the next)
 * that would write or begin/commit fails with LD_DB, once. 0 disables.
 */
void ld_store_fault_inject(struct ld_store *s, unsigned nth);

#endif
