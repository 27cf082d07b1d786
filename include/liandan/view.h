/*
 * view.h - read models of the ledger for people and clients: a manifest with
 * its signed events (`liandan show`, GET /v1/manifests/{n}), the manifest
 * search (`liandan list`, GET /v1/manifests), who is named on a manifest
 * (authorisation), and parties with their keys and licences. JSON shapes are
 * the contract in schema/api.md.
 *
 * Thread safety: as the store (one thread per store); vc may be shared.
 */
#ifndef LIANDAN_VIEW_H
#define LIANDAN_VIEW_H

#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdint.h>

#include "liandan/err.h"
#include "liandan/sig.h"
#include "liandan/store.h"
#include "liandan/vcache.h"

/*
 * A manifest: {"number","state","producer","carrier","receiver","filed_at",
 * "head","verified","events":[{"index","id","type","at","actor","key",
 * "prev","sig","verified","body"}]}, events oldest first (prev and sig as
 * signed, so that a client can check each signature itself). Each signature is checked now
 * against the key certified for its signer (the regulator's pinned key for
 * the regulator); vc (may be NULL) memoises signatures already found good.
 * An event whose stored id is not the hash of its entry is not verified.
 * [out] out: new object; caller frees with cJSON_Delete(). *all_ok: 1 when
 * every event verified.
 * Returns LD_OK, LD_NOTFOUND (no such manifest), LD_TAMPERED (a chain link
 * or entry cannot be read back), LD_DB, LD_BUSY.
 */
enum ld_rc ld_view_manifest(struct ld_store *s, const struct ld_sig_pub *regulator,
                            int64_t number, struct ld_vcache *vc, cJSON **out, int *all_ok);

/* Filters of the manifest search; NULL members do not filter. */
struct ld_view_filter {
    const char *party;    /* USCC named on the manifest */
    const char *role;     /* with party: "producer", "carrier" (any leg) or "receiver" */
    const char *state;    /* manifests.state */
    const char *code;     /* a line's waste code or category HWxx */
    const char *district; /* filer's 6-digit district */
    int64_t from, to;     /* filed_at in [from, to); 0 = open */
};

/*
 * Manifests matching f with number > after, in number order, at most limit.
 * [out] items: new array of {"number","state","filed_at","producer","carrier",
 * "receiver","district","leg_carrier"} ("carrier" the one filed, "leg_carrier"
 * the carrier of the latest leg, who holds or last held the load, null before
 * pickup); caller frees with cJSON_Delete(). *next: the last
 * number when more may follow (the cursor), else 0.
 * Returns LD_OK, LD_DB, LD_BUSY.
 */
enum ld_rc ld_view_list(struct ld_store *s, const struct ld_view_filter *f, int64_t after,
                        size_t limit, cJSON **items, int64_t *next);

/* Is party named on manifest number (producer, planned carrier, the carrier
 * of any leg, receiver)? Returns LD_OK (named), LD_INVALID (not named),
 * LD_NOTFOUND (no such manifest), LD_DB, LD_BUSY. */
enum ld_rc ld_view_named(struct ld_store *s, int64_t number, const char *party);

/*
 * A party: {"id","name","roles":[...],"district","head","keys":[{"keyid",
 * "vkey","from","until","revoked_at"}],"licences":[{"kind","number",
 * "valid_from","valid_until","scope":[{"item","capacity_g","licensed"}]}]};
 * a transport permit's licence also has "vehicles":[PLATE...].
 * [out] out: new object (cJSON_Delete). Returns LD_OK, LD_NOTFOUND, LD_DB, LD_BUSY.
 */
enum ld_rc ld_view_party(struct ld_store *s, const char *id, cJSON **out);

/* Every party, in id order, as ld_view_party without keys and licences.
 * [out] out: new array. Returns LD_OK, LD_DB, LD_BUSY. */
enum ld_rc ld_view_parties(struct ld_store *s, cJSON **out);

/*
 * A certified key: {"keyid","party","vkey","from","until","revoked_at",
 * "cert_index","revoked_index","cert"[,"revocation"]}: cert is the stored
 * party.key entry that certified it and revocation the party.revoke entry
 * that revoked it (signed events a client can check against the regulator's
 * key itself); a key may sign events placed in the log after cert_index and
 * before revoked_index (revocation counts by position, not by time).
 * [out] out: new object. Returns LD_OK, LD_NOTFOUND, LD_DB, LD_BUSY.
 */
enum ld_rc ld_view_key(struct ld_store *s, const char *keyid, cJSON **out);

/*
 * Parties with role ("receiver", "collector", "carrier", "producer") as
 * ld_view_party without keys or head. For a receiver or collector with
 * codes (n > 0): only those whose disposal (receiver) or collection
 * (collector) licence is valid on CST day number `day` and covers every code
 * (by the code or its category). For a carrier: only those with a transport
 * permit valid on `day`. [out] out: new array (cJSON_Delete).
 * Returns LD_OK, LD_INVALID (unknown role), LD_DB, LD_BUSY.
 */
enum ld_rc ld_view_directory(struct ld_store *s, const char *role, const char *const *codes,
                             size_t n, int64_t day, cJSON **out);

/*
 * Licensed annual capacity and its use in CST year `year`: one row per
 * receiver (or collector) and category with a capacity:
 * [{"receiver","name","licence","category","capacity_g","used_g"}], used_g
 * being the grams accepted in that category on manifests received that year
 * (the year of receipt, as the audit's capacity rule counts).
 * [out] out: new array. Returns LD_OK, LD_DB, LD_BUSY.
 */
enum ld_rc ld_view_capacity(struct ld_store *s, int year, cJSON **out);

/* The transport legs of a manifest, in order: [{"leg","carrier","name","vehicle",
 * "trailer","started_at","in_fleet"}] (name: the carrier's registered name).
 * [out] out: new array (cJSON_Delete). Returns LD_OK, LD_DB, LD_BUSY. */
enum ld_rc ld_view_legs(struct ld_store *s, int64_t manifest, cJSON **out);

/* Manifests per state: [{"key":STATE,"manifests":N}] in state order, all
 * states present (zero included). [out] out: new array. Returns LD_OK, LD_DB, LD_BUSY. */
enum ld_rc ld_view_states(struct ld_store *s, cJSON **out);

#endif
