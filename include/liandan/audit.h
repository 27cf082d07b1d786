/*
 * audit.h - the regulator's anomaly list (DESIGN.md §2 principle 5, §5
 * "Deadlines", "Licences"; issue 3 `liandan audit`): what depends on time or
 * judgement is not refused at the door but reported here, each with its
 * rule, manifest, party and, where the regulation sets one, its deadline.
 *
 * Rule ids (stable: tools and tests match on them):
 *
 *   id                   party     what                                           deadline
 *   receipt.overdue      receiver  arrived, receipt not confirmed and the         arrival + 5 wd
 *                                  deadline has passed (Art. 18)
 *   receipt.late         receiver  receipt confirmed (accepted or rejected)       arrival + 5 wd
 *                                  after the deadline (Art. 18)
 *   transit.overdue      carrier   picked up, not arrived, and longer on the     pickup + T wd
 *                                  road than allowed (carrier holding the load)
 *   transit.late         carrier   arrived after that allowance (last leg's      pickup + T wd
 *                                  carrier)
 *   discrepancy.flagged  producer  the receiver flagged a significant            -
 *                                  discrepancy or accepted only part of a line
 *   quantity.mismatch    producer  a line's received grams differ from the       -
 *                                  filed grams by more than the tolerance
 *   licence.expired      receiver  the receiver held no valid disposal or        -
 *                                  collection licence on the filing day (paper:
 *                                  the completion day) or on the receipt day
 *   capacity.exceeded    receiver  accepted grams of a category in a calendar    -
 *                                  year (CST, by receipt) passed the licence's
 *                                  annual capacity; reported once, on the
 *                                  manifest whose receipt crossed it
 *   vehicle.not_in_fleet carrier   a leg's vehicle or trailer is not in the      -
 *                                  carrier's transport permit
 *   balance.broken       holder    a batch gave out more than it took in         -
 *                                  (drawn + disposed > accepted; drawn from a
 *                                  rejected part > rejected), a line drew more
 *                                  from its sources than it ships (party: its
 *                                  filer), or received != accepted + rejected
 *   paper.late           producer  a paper manifest entered later than 10 wd     completion + 10 wd
 *                                  after the transfer completed (Art. 20)
 *
 * "wd" is working days under the State Council calendar (workday.h), counted
 * in China Standard Time: the deadline passes at 24:00 CST of the n-th
 * working day after the day of the event. T is opts.transit_days (default
 * LD_AUDIT_TRANSIT_DAYS). Cancelled manifests are not reported, except as
 * the source of a draw (balance.broken: nothing can be drawn from them). A deadline
 * that runs through a year the calendar does not cover is counted Monday to
 * Friday and marked provisional.
 *
 * Cost: no query per manifest. Licences, capacities and lineage draws are
 * read into memory; manifests and lines are then read in one ordered, merged
 * pass (SQL computes per row whether a rule may apply, C decides exactly);
 * legs outside the fleet are one filtered scan. Only a capacity that is
 * exceeded costs one more query (that receiver's receipts of the year), to
 * find the receipt that crossed it. All passes read one snapshot. Measured
 * on a shared 2-core machine at 10^6 manifests (1.5 * 10^6 lines): 1.8-2.4 s
 * CPU, of which the two table scans alone take 1.2-1.6 s.
 *
 * Thread safety: uses the store, which belongs to one thread; the calendar
 * is only read.
 */
#ifndef LIANDAN_AUDIT_H
#define LIANDAN_AUDIT_H

#include <stddef.h>
#include <stdint.h>

#include "liandan/err.h"
#include "liandan/store.h"
#include "liandan/workday.h"

#define LD_AUDIT_RECEIPT_OVERDUE "receipt.overdue"
#define LD_AUDIT_RECEIPT_LATE "receipt.late"
#define LD_AUDIT_TRANSIT_OVERDUE "transit.overdue"
#define LD_AUDIT_TRANSIT_LATE "transit.late"
#define LD_AUDIT_DISCREPANCY "discrepancy.flagged"
#define LD_AUDIT_QUANTITY "quantity.mismatch"
#define LD_AUDIT_LICENCE "licence.expired"
#define LD_AUDIT_CAPACITY "capacity.exceeded"
#define LD_AUDIT_VEHICLE "vehicle.not_in_fleet"
#define LD_AUDIT_BALANCE "balance.broken"
#define LD_AUDIT_PAPER_LATE "paper.late"

/* SPEC: 危险废物转移管理办法 (2021) Art. 18: receipt within 5 working days of arrival. */
#define LD_AUDIT_RECEIPT_DAYS 5
/* SPEC: Art. 20: a paper manifest is entered within 10 working days after completion. */
#define LD_AUDIT_PAPER_DAYS 10
/* Default working days a load may be on the road (a province may set its own). */
#define LD_AUDIT_TRANSIT_DAYS 3
/* Default filed-vs-received tolerance: 5%, in hundredths of a percent. */
#define LD_AUDIT_TOLERANCE 500

struct ld_audit_opts {
    int64_t now;                /* the audit instant (UTC seconds); overdue means now >= deadline */
    int transit_days;           /* 1..365 working days allowed on the road */
    int tolerance;              /* 0..10000 hundredths of a percent (500 = 5%) */
    const struct ld_workday *cal; /* calendar, borrowed; NULL: the built-in one */
};

/* Defaults; set .now before use. */
#define LD_AUDIT_OPTS_INIT {0, LD_AUDIT_TRANSIT_DAYS, LD_AUDIT_TOLERANCE, NULL}

/* One anomaly. */
struct ld_audit_item {
    const char *rule;   /* one of the LD_AUDIT_* ids (static) */
    int64_t manifest;   /* manifest number */
    char party[19];     /* USCC of the party concerned (see the table) */
    char batch[24];     /* line concerned, "" when the whole manifest is */
    char *detail;       /* owned: one line, English, quantities in grams */
    int64_t deadline;   /* when the deadline passes (UTC seconds), -1 if the rule has none */
    int provisional;    /* 1 when the deadline runs through a year the calendar does not cover */
};

struct ld_audit {
    struct ld_audit_item *items; /* owned, sorted by manifest, rule, batch */
    size_t n;
    int64_t now;                 /* opts.now */
};

/*
 * Run every rule over the derived tables.
 * [in] s: the store (read only). [in] opts: see above; borrowed.
 * [out] out: new result; caller frees with ld_audit_free(). Set only on LD_OK.
 * [out] err: may be NULL.
 * Returns LD_OK; LD_INVALID (an option out of range); LD_NOTFOUND (no
 * calendar given and none embedded); LD_DB, LD_BUSY.
 */
enum ld_rc ld_audit_run(struct ld_store *s, const struct ld_audit_opts *opts,
                        struct ld_audit **out, struct ld_err *err);

/* Free a and its items. NULL is a no-op. */
void ld_audit_free(struct ld_audit *a);

/* 1 if id is a rule id above, or the part before its dot ("receipt"). */
int ld_audit_rule_ok(const char *id);

/* 1 if item's rule matches filter: the same id, or its prefix up to the dot. */
int ld_audit_match(const struct ld_audit_item *item, const char *filter);

/*
 * One anomaly as canonical JSON: {"batch":S|null,"deadline":T|null,
 * "deadline_day":"YYYY-MM-DD"|null,"detail","manifest":N,"party","provisional":B,
 * "rule"}; deadline_day is the last CST day still in time.
 * Returns a new string (no newline); caller frees with free().
 */
char *ld_audit_item_json(const struct ld_audit_item *item);

/*
 * One anomaly as a text line "RULE MANIFEST PARTY LASTDAY DETAIL" (LASTDAY is
 * the last CST day in time, "-" without a deadline, suffixed "?" when
 * provisional). Returns a new string (no newline); caller frees with free().
 */
char *ld_audit_item_text(const struct ld_audit_item *item);

#endif
