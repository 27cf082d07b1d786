/*
 * verify.h - full verification of a ledger from its raw events alone
 * (`liandan verify`). Trusts nothing derived: it replays the party events to
 * know which key was certified when, and re-checks, in leaf order,
 *   - that leaf indexes run 0, 1, 2, ... without gaps;
 *   - that each stored entry parses, is canonical (RFC 8785) and hashes
 *     (RFC 6962 leaf hash) to its stored id;
 *   - that its key was certified for its actor, valid at its time and not
 *     revoked before it (party.h), or is the pinned regulator key;
 *   - its Ed25519 signature and the ledger's signature on its receipt;
 *   - that prev is the head of its chain (manifest or party history);
 *   - every stored Merkle node (the ones proofs are served from);
 *   - every stored checkpoint: the ledger key's signature (C2SP signed note),
 *     its origin, and its root against the root recomputed from the entries.
 * It stops at the first fault and names it.
 */
#ifndef LIANDAN_VERIFY_H
#define LIANDAN_VERIFY_H

#include <stddef.h>
#include <stdint.h>

#include "liandan/err.h"
#include "liandan/ledger.h"

struct ld_verify_result {
    uint64_t events;         /* events checked (all of them when the ledger is sound) */
    uint64_t checkpoints;    /* checkpoints checked */
    uint64_t checkpoint_size; /* size of the latest checkpoint, 0 if none */
    int has_fault;           /* 1 when a fault was found */
    uint64_t fault_index;    /* leaf index of the fault (UINT64_MAX when not about an event) */
    struct ld_err err;       /* the fault: field and reason */
};

struct ld_verify_opts {
    unsigned threads;            /* signature-check threads; 0 = number of cores */
    int skip_receipts;           /* 1: do not check receipt signatures (faster) */
    const struct ld_rule *rules; /* the domain's rules (for flags and chains); may be NULL */
    size_t nrules;
    /* Called now and then with progress; may be NULL. */
    void (*progress)(void *ctx, uint64_t done, uint64_t total);
    void *progress_ctx;
};

/*
 * Verify the ledger at db (opened read-only).
 * [out] res: counts and the first fault.
 * Returns LD_OK when everything verifies; LD_TAMPERED when a fault was found
 * (res->err names it); LD_NOTFOUND / LD_IO / LD_DB when the database could not be read.
 */
enum ld_rc ld_verify_ledger(const char *db, const struct ld_verify_opts *opts,
                            struct ld_verify_result *res);

#endif
