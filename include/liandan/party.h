/*
 * party.h - the core's own event types: the regulator registers parties and
 * certifies and revokes their keys (DESIGN.md §2.2, issue "trust layer" §7).
 *
 *   party.register  body {"id":USCC,"name":S,"roles":[ROLE...],"district":"NNNNNN"}
 *   party.key       body {"id":USCC,"pub":VKEY,"until":RFC3339|null}
 *   party.revoke    body {"id":USCC,"key":KEYID,"reason":S}
 *
 * All three are signed by the pinned regulator key (actor "regulator") and are
 * chained per party ("p:USCC"). ROLE is producer, carrier, receiver, collector.
 * district defaults to the USCC's administrative-division part (characters 3-8).
 */
#ifndef LIANDAN_PARTY_H
#define LIANDAN_PARTY_H

#include <stddef.h>
#include <stdint.h>

#include "liandan/err.h"
#include "liandan/ledger.h"
#include "liandan/store.h"

/* The rules for party.register, party.key and party.revoke. */
extern const struct ld_rule ld_party_rules[];
extern const size_t ld_party_rule_count;

/* Chain of a party event: "p:" + body.id (ld_rule.chain). Any regulator event
 * about one party (licences, permits) joins the same chain. */
enum ld_rc ld_party_chain(const struct ld_event *ev, char *out, size_t cap, struct ld_err *err);

/* Is role one of the known roles? Returns 1 or 0. */
int ld_party_role_ok(const char *role);

/*
 * May key k sign an event by actor at time `at` placed at leaf idx?
 * (certified before idx for this actor, from_at <= at < until_at, not revoked
 * before idx). Returns LD_OK or LD_WRONGKEY with the reason in err (field "event.key").
 */
enum ld_rc ld_party_key_check(const struct ld_store_key *k, const char *actor, int64_t at,
                              uint64_t idx, struct ld_err *err);

/*
 * Extract the key a party.key body certifies: [out] k (vkey owned, release with
 * ld_store_key_release) with from_at = at, cert_idx = idx. Returns LD_OK or
 * LD_INVALID naming the field. Used by apply and by the offline verifier.
 */
enum ld_rc ld_party_key_from_body(const cJSON *body, int64_t at, uint64_t idx,
                                  struct ld_store_key *k, struct ld_err *err);

#endif
