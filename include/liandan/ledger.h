/*
 * ledger.h - the append-only ledger: accepts signed events (DESIGN.md §4.3),
 * keeps the RFC 6962 log, signs receipts and checkpoints (§4.4), serves proofs.
 *
 * Append pipeline, in this order (each step has its own error):
 *   parse and shape-check (LD_PARSE / LD_INVALID) -> already accepted? (LD_EXISTS,
 *   with the original receipt) -> known event type (LD_INVALID) -> the key id is
 *   certified for the actor and valid at event.at and now (LD_WRONGKEY) ->
 *   signature (LD_BADSIG) -> at within the clock window (LD_INVALID) -> prev is
 *   the head of the event's chain (LD_CONFLICT for a fork, LD_INVALID for an
 *   unknown prev) -> rules hook check (LD_RULE) -> store, Merkle leaf, head,
 *   rules hook apply, signed receipt (LD_DB / LD_BUSY) -> commit.
 *
 * The core knows parties and keys (party.h) and nothing of manifests; domain
 * modules register a rule per event type with ld_ledger_add_rules().
 *
 * Thread safety: a struct ld_ledger is used by one thread at a time;
 * ld_ledger_append_batch uses worker threads internally for signatures.
 */
#ifndef LIANDAN_LEDGER_H
#define LIANDAN_LEDGER_H

#include <stddef.h>
#include <stdint.h>

#include "liandan/err.h"
#include "liandan/event.h"
#include "liandan/sig.h"
#include "liandan/store.h"

struct ld_ledger;

/* Rule flags. */
#define LD_RULE_REGULATOR 0x1u   /* only the pinned regulator key may sign this type */
#define LD_RULE_MANIFEST 0x2u    /* event.manifest must be set */
#define LD_RULE_NO_MANIFEST 0x4u /* event.manifest must be null */

#define LD_CHAIN_MAX 64

/* One entry of the rules hook: how the ledger treats one event type. */
struct ld_rule {
    const char *type; /* event type, e.g. "party.register" */
    unsigned flags;   /* LD_RULE_* */
    /* Chain key of ev into out (cap LD_CHAIN_MAX), or "" for an unchained event
     * (prev must then be null). NULL: "m:<manifest>" when manifest is set, else "". */
    enum ld_rc (*chain)(const struct ld_event *ev, char *out, size_t cap, struct ld_err *err);
    /* Check ev's body against the current state (read only). NULL: accept. */
    enum ld_rc (*check)(struct ld_store *s, const struct ld_event *ev, struct ld_err *err);
    /* Update derived tables for accepted ev at leaf idx. NULL: nothing to do. */
    enum ld_rc (*apply)(struct ld_store *s, const struct ld_event *ev, uint64_t idx);
};

/* A signed receipt (DESIGN.md §4.4). */
struct ld_receipt {
    char id[LD_EVENT_ID_HEX]; /* event id, hex */
    uint64_t leaf_index;      /* position in the log */
    int64_t accepted_at;      /* seconds since the epoch */
    uint8_t sig[LD_SIG_SIG];  /* ledger signature over the receipt message */
};

/* Options for ld_ledger_open. */
struct ld_ledger_opts {
    unsigned store_flags;      /* LD_STORE_READONLY, LD_STORE_SYNC_NORMAL */
    const char *key_passphrase; /* for an encrypted ledger key file; NULL if clear */
    unsigned threads;          /* signature-check threads for batches; 0 = number of cores */
    int64_t skew_future;       /* seconds event.at may be ahead of now; 0 = 300 */
    int64_t skew_past;         /* seconds event.at may lag behind now; 0 = 86400 */
    unsigned cache_kib;        /* page cache of the connection (ld_store_cache); 0 = default */
};

/*
 * Create a ledger at db: schema, origin, the pinned regulator key, and the
 * ledger's signing key. If key_path names an existing key file it is used
 * (passphrase as in opts), otherwise a new key named origin is generated and
 * written there unencrypted with mode 0600 (key_path NULL: db + ".ledger.key").
 * [out] ledger_vkey: new verifier key line of the ledger key; caller frees with free().
 * Returns LD_OK, LD_EXISTS (already a ledger), LD_INVALID (bad origin), LD_IO,
 * LD_WRONGKEY (key file needs another passphrase), LD_DB.
 */
enum ld_rc ld_ledger_create(const char *db, const char *origin,
                            const struct ld_sig_pub *regulator, const char *key_path,
                            const char *key_passphrase, char **ledger_vkey, struct ld_err *err);

/*
 * Open an existing ledger. opts may be NULL (defaults).
 * [out] out: new ledger; caller frees with ld_ledger_close().
 * Returns LD_OK, LD_NOTFOUND (no ledger), LD_IO, LD_DB, LD_BUSY.
 */
enum ld_rc ld_ledger_open(const char *db, const struct ld_ledger_opts *opts,
                          struct ld_ledger **out, struct ld_err *err);

/* Close; NULL is a no-op. */
void ld_ledger_close(struct ld_ledger *l);

/* Register rules (borrowed: rules must outlive l). A type registered twice: LD_INVALID. */
enum ld_rc ld_ledger_add_rules(struct ld_ledger *l, const struct ld_rule *rules, size_t n);

/* The store under l (borrowed), for queries. */
struct ld_store *ld_ledger_store(struct ld_ledger *l);

/* Origin, regulator and ledger verifier keys (borrowed, valid while l is open). */
const char *ld_ledger_origin(const struct ld_ledger *l);
const struct ld_sig_pub *ld_ledger_regulator(const struct ld_ledger *l);
const struct ld_sig_pub *ld_ledger_key(const struct ld_ledger *l);

/*
 * A secret derived from the ledger key for context (ld_sig_secret_derive),
 * e.g. the key that authenticates the HTTP server's bearer tokens, so that
 * they survive a restart and die with the key. Loads the key if needed.
 * [out] out: 32 bytes (the caller wipes them). Returns LD_OK, LD_IO, LD_WRONGKEY.
 */
enum ld_rc ld_ledger_derive(struct ld_ledger *l, const char *context, uint8_t out[32],
                            struct ld_err *err);

/*
 * Let appends trust the memo vc (borrowed; NULL: none) for signatures that
 * another thread has already checked (vcache.h): the HTTP server verifies each
 * event's signature on its request thread, in parallel, and the writer then
 * skips that work. Key certification, chains and rules are still checked here.
 */
struct ld_vcache;
void ld_ledger_set_vcache(struct ld_ledger *l, struct ld_vcache *vc);

/*
 * For a read-only ledger beside a writer in another connection: catch up
 * with the size the store holds now (reloads the O(log n) right edge), so
 * that proofs and roots may use sizes committed since open. No-op when
 * nothing changed. Returns LD_OK, LD_DB, LD_BUSY, LD_TAMPERED.
 */
enum ld_rc ld_ledger_refresh(struct ld_ledger *l);

/* Current tree size. */
uint64_t ld_ledger_size(const struct ld_ledger *l);

/*
 * Append one signed event (untrusted bytes), durably.
 * [out] r: the receipt (LD_OK: new; LD_EXISTS: the original one).
 * [out] err: may be NULL; names the failing field and rule.
 * Returns LD_OK, LD_EXISTS, LD_PARSE, LD_INVALID, LD_WRONGKEY, LD_BADSIG,
 * LD_CONFLICT, LD_RULE, LD_DB, LD_BUSY, LD_IO (ledger key unreadable).
 */
enum ld_rc ld_ledger_append(struct ld_ledger *l, const char *text, size_t len,
                            struct ld_receipt *r, struct ld_err *err);

/* One item of a batch append. */
struct ld_ledger_item {
    const char *text;          /* [in] signed event bytes (borrowed) */
    size_t len;                /* [in] */
    struct ld_event *parsed;   /* [in] optional: text already parsed by ld_event_parse; the
                                * ledger takes what it holds and leaves it zeroed */
    enum ld_rc rc;             /* [out] as ld_ledger_append */
    struct ld_receipt receipt; /* [out] valid for LD_OK and LD_EXISTS */
    struct ld_err err;         /* [out] detail when rc is an error */
};

/*
 * Append n events in one transaction and one fsync; each item gets its own
 * result. Later items see earlier ones (a batch may register a party and then
 * use its key). Signatures are checked on opts.threads threads. If the commit
 * itself fails every item that would have been accepted gets LD_DB and nothing
 * is stored. Returns LD_OK when the batch was processed (see items), or the
 * commit's error.
 */
enum ld_rc ld_ledger_append_batch(struct ld_ledger *l, struct ld_ledger_item *items, size_t n);

/*
 * Receipt as DESIGN.md §4.4 JSON: {"accepted_at":T,"id":ID,"leaf_index":N,"sig":B64}
 * (canonical). Returns a new string; caller frees with free().
 */
char *ld_receipt_json(const struct ld_receipt *r);

/* The bytes the receipt signature covers: purpose || JCS({accepted_at,id,leaf_index}).
 * Returns a new string; caller frees with free(). [out] len. */
char *ld_receipt_message(const struct ld_receipt *r, size_t *len);

/* The receipt of the event at idx (from the store). LD_NOTFOUND if none. */
enum ld_rc ld_ledger_receipt(struct ld_ledger *l, uint64_t idx, struct ld_receipt *r);

/*
 * The latest signed checkpoint; signs and stores a new one first when the log
 * has grown since (or none exists) and l is writable.
 * [out] note: new string; caller frees with free(). [out] size: may be NULL.
 */
enum ld_rc ld_ledger_checkpoint(struct ld_ledger *l, char **note, uint64_t *size);

/* Checkpoint body for (size, root): "ORIGIN\nSIZE\nBASE64(root)\n" (C2SP tlog-checkpoint).
 * Returns a new string; caller frees with free(). */
char *ld_ledger_checkpoint_body(const char *origin, uint64_t size, const uint8_t root[32]);

/* Root hash of the first size leaves. LD_INVALID if size > tree size. */
enum ld_rc ld_ledger_root(struct ld_ledger *l, uint64_t size, uint8_t root[LD_MERKLE_HASH]);

/*
 * Inclusion proof JSON (DESIGN.md §4.4) for leaf idx in the tree of `size`
 * (0 = current size): {"inclusion":[B64...],"leaf_hash":B64,"leaf_index":N,"tree_size":M}.
 * [out] json: new string; caller frees with free().
 * Returns LD_OK, LD_NOTFOUND (no such leaf), LD_INVALID (size), LD_DB.
 */
enum ld_rc ld_ledger_prove_inclusion(struct ld_ledger *l, uint64_t idx, uint64_t size,
                                     char **json);

/* Consistency proof JSON: {"consistency":[...],"new_root":B64,"new_size":B,"old_root":B64,
 * "old_size":A}. Returns LD_OK, LD_INVALID (sizes), LD_DB. */
enum ld_rc ld_ledger_prove_consistency(struct ld_ledger *l, uint64_t old_size, uint64_t new_size,
                                       char **json);

/* Id (hex) of the head of chain ("m:NUMBER", "p:USCC"). LD_NOTFOUND for an empty chain. */
enum ld_rc ld_ledger_head(struct ld_ledger *l, const char *chain, char id[LD_EVENT_ID_HEX]);

/* Find an event by id (64 hex) or decimal leaf index. [out] idx. LD_NOTFOUND/LD_INVALID. */
enum ld_rc ld_ledger_lookup(struct ld_ledger *l, const char *id_or_index, uint64_t *idx);

/*
 * Rebuild every derived table (nodes, heads, parties, keys, and the domain's)
 * from the events, in one transaction. Returns LD_OK, LD_TAMPERED (an event
 * does not parse), LD_DB.
 */
enum ld_rc ld_ledger_reindex(struct ld_ledger *l, struct ld_err *err);

#endif
