/*
 * bundle.h - the trace bundle (DESIGN.md §4.5): everything needed to check
 * one batch's story offline against the regulator's public key alone:
 * party certificates -> event signatures -> per-manifest chains -> inclusion
 * in the checkpoint -> checkpoint signature.
 *
 * Format (version 1; one canonical JSON document, RFC 8785, members sorted):
 *
 *   {"checkpoint":NOTE,        the ledger's signed checkpoint (C2SP tlog-checkpoint
 *                              as a signed note, §4.4) of tree size N
 *    "events":[SIGNED...],     every event of every manifest in the trace (the
 *                              whole chains "m:NUMBER", from the filing on), in
 *                              leaf order
 *    "ledger_key":VKEY,        verifier key line of the key that signed NOTE
 *    "parties":[SIGNED...],    the registry chains "p:USCC" (party.register, .key,
 *                              .revoke, .licence, .permit) of every party that
 *                              signed one of the events, as of N, in leaf order
 *    "proofs":[INCLUSION...],  proofs[i] is the inclusion proof (§4.4) of
 *                              parties[i]; proofs[P + j] that of events[j]
 *                              (P = number of party events), all in the tree of N
 *    "version":1}
 *
 * SIGNED is a stored entry (§4.3, {"event":{...},"sig":B64}) as a JSON object:
 * its canonical form is the entry again, whose leaf hash is the event id.
 *
 * What ld_bundle_verify checks, and in which order (the first failure is
 * named by a JSON path into the bundle, "events[3].sig", and the event id):
 *   1. the shape: exactly the members above, version 1, one proof per event;
 *   2. the checkpoint: signed by ledger_key, body ORIGIN / SIZE / ROOT;
 *   3. each party event, in order: a party.* event with no manifest, its
 *      proof's shape, signed by the regulator (actor "regulator", the
 *      regulator's key id, Ed25519), its leaf hash included in the checkpoint
 *      (RFC 6962 / RFC 9162 §2.1.3.2), leaf indexes strictly increasing, and
 *      its party's chain linked from null (starting with party.register);
 *      party.key certifies a key from the event's at (until body.until),
 *      party.revoke revokes it for every later leaf;
 *   4. each event, in order: it belongs to a manifest; its key is the
 *      regulator's (actor "regulator") or one a party event before it in the
 *      log certified for its actor, valid at its at and not revoked before it
 *      (ld_party_key_check); its signature; its inclusion; its manifest's
 *      chain linked from null, each event no earlier than the one before;
 *   5. nothing extra: every party chain belongs to a party that signed an event.
 * What it cannot see: events appended to a chain after its last event in the
 * bundle (a log proves inclusion, not absence), and whether ledger_key is the
 * ledger's real key (compare res->ledger with a key you trust).
 *
 * Thread safety: ld_bundle_verify is reentrant (after ld_sig_init);
 * ld_bundle_build uses the ledger, which belongs to one thread.
 */
#ifndef LIANDAN_BUNDLE_H
#define LIANDAN_BUNDLE_H

#include <stddef.h>
#include <stdint.h>

#include "liandan/err.h"
#include "liandan/ledger.h"
#include "liandan/merkle.h"
#include "liandan/sig.h"

#define LD_BUNDLE_VERSION 1
#define LD_BUNDLE_ORIGIN_MAX 256 /* checkpoint origin bytes incl. NUL */

/* What a verified bundle holds. */
struct ld_bundle_result {
    size_t parties;                    /* party events checked */
    size_t events;                     /* manifest events checked */
    size_t manifests;                  /* manifest chains among them */
    size_t signers;                    /* parties whose certified keys signed events */
    uint64_t tree_size;                /* size of the checkpoint */
    uint8_t root[LD_MERKLE_HASH];      /* its root hash */
    char origin[LD_BUNDLE_ORIGIN_MAX]; /* its origin line */
    struct ld_sig_pub ledger;          /* the key that signed it (from "ledger_key") */
};

/*
 * Build the trace bundle of subject: a batch NUMBER-LL (or NUMBER-LLR) or a
 * manifest NUMBER, traced with ld_trace_build. The checkpoint is the latest
 * stored one when it covers every event of the traced manifests; otherwise a
 * fresh one is signed (ld_ledger_checkpoint) if l is writable. Party chains
 * are cut at the checkpoint's size. Works on a read-only ledger whose latest
 * checkpoint covers the traced manifests.
 * [in,out] l: the ledger (may store a new checkpoint). [in] subject: borrowed.
 * [out] out_json: new NUL-terminated canonical JSON; caller frees with free().
 *   Set only on LD_OK.
 * [out] err: may be NULL; says what is wrong.
 * Returns LD_OK; LD_INVALID / LD_NOTFOUND for the subject as ld_trace_build;
 * LD_NOTFOUND when no checkpoint covers the traced events and none can be
 * signed (read-only ledger, or no checkpoint at all); LD_TAMPERED when a
 * stored chain or party record is inconsistent, or the latest checkpoint is
 * larger than the log (run `liandan verify`); LD_IO (ledger key
 * unreadable), LD_DB, LD_BUSY. Catches up first with what other connections
 * appended (ld_ledger_refresh).
 */
enum ld_rc ld_bundle_build(struct ld_ledger *l, const char *subject, char **out_json,
                           struct ld_err *err);

/*
 * Verify a bundle offline (see the list above) against the regulator's key.
 * [in] json, len: the bundle text (exactly len bytes; borrowed).
 * [in] regulator: the regulator's public key (borrowed).
 * [out] res: filled only on LD_OK; may be NULL.
 * [out] err: may be NULL; field is the JSON path of the first failing item
 *   ("checkpoint", "parties[2].sig", "events[5].event.prev", "proofs[7].inclusion")
 *   and msg names the event id and the reason.
 * Returns LD_OK; LD_PARSE (not JSON); LD_INVALID (shape of the bundle, an
 * event or a proof); LD_BADSIG (an event or checkpoint signature);
 * LD_WRONGKEY (an event signed by a key not certified for its actor, or not
 * valid at its time; a checkpoint not signed by ledger_key); LD_TAMPERED (a
 * broken chain, a proof that does not lead to the checkpoint's root, events
 * out of order, a party chain nobody needs).
 */
enum ld_rc ld_bundle_verify(const char *json, size_t len, const struct ld_sig_pub *regulator,
                            struct ld_bundle_result *res, struct ld_err *err);

#endif
