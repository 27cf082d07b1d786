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
 * "verified","body"}]}, events oldest first. Each signature is checked now
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
 * "receiver","district"}; caller frees with cJSON_Delete(). *next: the last
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
 * "valid_from","valid_until","scope":[{"item","capacity_g","licensed"}]}]}.
 * [out] out: new object (cJSON_Delete). Returns LD_OK, LD_NOTFOUND, LD_DB, LD_BUSY.
 */
enum ld_rc ld_view_party(struct ld_store *s, const char *id, cJSON **out);

/* Every party, in id order, as ld_view_party without keys and licences.
 * [out] out: new array. Returns LD_OK, LD_DB, LD_BUSY. */
enum ld_rc ld_view_parties(struct ld_store *s, cJSON **out);

#endif
