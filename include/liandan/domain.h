/*
 * domain.h - the manifest domain (DESIGN.md §5) plugged into the ledger's
 * rules hook: licences and permits, the 联单 lifecycle, batches and lineage.
 * Event bodies are documented in schema/events.md and schema/events/ (one JSON Schema per type).
 *
 * Rule sets (each an array of struct ld_rule, see ledger.h):
 *   src/rules_licence.c    party.licence, party.permit            (regulator)
 *   src/rules_manifest.c   manifest.file, manifest.cancel         (filer)
 *   src/rules_transport.c  transport.pickup, .handover, .arrive   (carriers)
 *   src/rules_receipt.c    receipt.accept, receipt.reject,
 *                          disposal.complete                      (receiver)
 *   src/rules_correct.c    manifest.correct, manifest.approve     (parties; regulator requests)
 *   src/rules_calendar.c   calendar.load: holiday years added     (regulator)
 * src/domain.c holds the queries they share.
 */
#ifndef LIANDAN_DOMAIN_H
#define LIANDAN_DOMAIN_H

#include <stddef.h>
#include <stdint.h>

#include "liandan/err.h"
#include "liandan/ledger.h"
#include "liandan/store.h"

/* Register every domain rule set with l. Returns LD_OK or LD_INVALID (twice). */
enum ld_rc ld_domain_register(struct ld_ledger *l);

/* All domain rules as one table, for the offline verifier. [out] n. */
const struct ld_rule *ld_domain_rules(size_t *n);

extern const struct ld_rule ld_rules_licence[];
extern const size_t ld_rules_licence_count;
extern const struct ld_rule ld_rules_manifest[];
extern const size_t ld_rules_manifest_count;
extern const struct ld_rule ld_rules_transport[];
extern const size_t ld_rules_transport_count;
extern const struct ld_rule ld_rules_receipt[];
extern const size_t ld_rules_receipt_count;
extern const struct ld_rule ld_rules_correct[];
extern const size_t ld_rules_correct_count;
extern const struct ld_rule ld_rules_calendar[];
extern const size_t ld_rules_calendar_count;

struct ld_workday;
/* The working-day calendar deadlines count with: the built-in years plus every
 * calendar.load row in the ledger. [out] out: new; caller frees with
 * ld_workday_free(). Returns LD_OK, a store error, or the calendar's. */
enum ld_rc ld_domain_calendar(struct ld_store *s, struct ld_workday **out, struct ld_err *err);

/* Reference data checks against the built-in catalogue (data/, loaded once,
 * shared read-only by every thread). Each returns 1 (valid) or 0. */
int ld_domain_edition_ok(const char *edition);           /* a catalogue edition: "2021" */
int ld_domain_code_ok(const char *edition, const char *code); /* NNN-NNN-NN of the edition */
int ld_domain_category_ok(const char *category);          /* HWxx of the 2021 edition */
int ld_domain_code_in_category(const char *edition, const char *code, const char *category);
int ld_domain_hazard_ok(const char *edition, const char *code, const char *const *hz, size_t n);
int ld_domain_exemption_covers(int64_t seq, const char *code); /* row seq exempts transport */
int ld_domain_method_ok(const char *method);              /* R1.., D1.., C1.., Y10.. */
int ld_domain_plate_ok(const char *plate);                /* vehicle or trailer plate */
int ld_domain_container_ok(const char *code);             /* HJ 1276 container label code */

/* China Standard Time (UTC+8) day number of an event time: the calendar day
 * the regulation's dates and deadlines count in. */
int64_t ld_domain_day(int64_t t);

/* Is party `id` registered with `role`? Returns LD_OK, LD_RULE (not registered
 * or lacks the role; err names `field`), or a store error. */
enum ld_rc ld_domain_role(struct ld_store *s, const char *id, const char *role, const char *field,
                          struct ld_err *err);

/* District code of a registered party into out[7]. LD_NOTFOUND if not registered. */
enum ld_rc ld_domain_district(struct ld_store *s, const char *id, char out[7]);

/* Does party hold a licence of kind valid on `day`? [out] number (may be NULL; borrowed
 * until the next store call). Returns LD_OK, LD_RULE (none, expired, not yet valid). */
enum ld_rc ld_domain_licence(struct ld_store *s, const char *party, const char *kind, int64_t day,
                             const char *field, struct ld_err *err);

/* Does party's licence of kind list item (a code; its category also counts)? 1/0. */
int ld_domain_scope(struct ld_store *s, const char *party, const char *kind, const char *item,
                    const char *category);

/* The manifest row's state and parties. */
struct ld_domain_manifest {
    int64_t number;
    char producer[19], receiver[19], carrier[19], leg_carrier[19];
    char state[32];
    int64_t leg;
    int nlines;
};
/* Returns LD_OK, LD_NOTFOUND, or a store error. */
enum ld_rc ld_domain_manifest_get(struct ld_store *s, int64_t number, struct ld_domain_manifest *m);

/* Set a manifest's state column (and a time column when col is non-NULL). */
enum ld_rc ld_domain_manifest_state(struct ld_store *s, int64_t number, const char *state,
                                    const char *col, int64_t t);

/* The number the next filing by `filer` at time `at` must carry (Art. 15),
 * or 0 when the filer is unknown or the city's serials for the year ran out. */
int64_t ld_manifest_next_number(struct ld_store *s, const char *filer, int64_t at);

/* Record that holder drew qty_g (negative: gave back) from batch. */
enum ld_rc ld_manifest_draw(struct ld_store *s, const char *batch, const char *holder,
                            int64_t qty_g);

/* Close `manifest` (state closed, closed_at = at) when everything its receiver
 * accepted has been disposed of or shipped on; otherwise leave it. */
enum ld_rc ld_manifest_maybe_close(struct ld_store *s, int64_t manifest, const char *receiver,
                                   int64_t at);

/* Undo a close: when `manifest` is closed but something its receiver accepted
 * is held again (a draw was cancelled), back to received(_with_discrepancy). */
enum ld_rc ld_manifest_reopen(struct ld_store *s, int64_t manifest, const char *receiver);

#endif
