/*
 * workday.h - working days (工作日) under the State Council holiday calendar,
 * for the deadlines of DESIGN.md §5: the receiver confirms within 5 working
 * days of arrival; paper manifests are entered within 10 working days.
 *
 * Days are int64_t day numbers: days since 1970-01-01 of the civil date in
 * China Standard Time (UTC+8, no daylight saving), as ld_tm_days_from_civil()
 * gives them. ld_workday_day_of() turns a UTC instant into that day.
 *
 * A day is a working day when the calendar lists it as "work" (a make-up
 * Saturday or Sunday, 调休上班), or when it is Monday to Friday and not
 * listed as "off". The calendar comes from data/cn-holidays.csv (the yearly
 * 国务院办公厅 notices, see data/cn-holidays.md) and can be extended with
 * further CSV text of the same form ("load a new year").
 *
 * Coverage: year Y is covered when the calendar lists Y-01-01 as "off".
 * Every notice opens with 元旦 (1 January off), and this attributes the
 * 2023-12-30/31 rows of the 2024 notice to 2024, so 2023 is not covered
 * although it has rows. In a year that is not covered the calendar knows no
 * holidays, so deadlines there fall back to Monday-Friday: callers must check
 * ld_workday_covered() and say so (e.g. flag the deadline as provisional).
 *
 * Deadline rule (SPEC: 民法典 第二百零一条, 第二百零三条 applied to working
 * days): the day of the event does not count; "within n working days of day
 * D" ends at 24:00 CST of ld_workday_add(D, n), the n-th working day after D.
 * An arrival on Friday 2025-09-26 gives Friday 2025-10-10 for n = 5 (the National Day
 * block 10-01..10-08 does not count, Sunday 09-28 is a make-up working day).
 *
 * Thread safety: reads (everything taking a const pointer) may run
 * concurrently; ld_workday_load_* must not run while others read.
 */
#ifndef LIANDAN_WORKDAY_H
#define LIANDAN_WORKDAY_H

#include <stddef.h>
#include <stdint.h>

#include "liandan/err.h"

/* Day numbers accepted by the counting functions: 1970-01-01 .. 9999-12-31. */
#define LD_WORKDAY_DAY_MIN INT64_C(0)
#define LD_WORKDAY_DAY_MAX INT64_C(2932896)
/* Largest n for ld_workday_add() (some 380 years). */
#define LD_WORKDAY_N_MAX 100000
/* China Standard Time is UTC+8 all year. */
#define LD_WORKDAY_UTC_OFFSET INT64_C(28800)

struct ld_workday;

/* What the calendar says about one day. */
enum ld_workday_kind {
    LD_WORKDAY_NORMAL = 0, /* not listed: Monday-Friday work, weekend off */
    LD_WORKDAY_OFF = 1,    /* listed "off": holiday (weekend days of a block included) */
    LD_WORKDAY_WORK = 2    /* listed "work": make-up working Saturday or Sunday */
};

/* Returns a new, empty calendar (every year uncovered); caller frees with ld_workday_free(). */
struct ld_workday *ld_workday_new(void);

/* Free w and its rows. NULL is a no-op. */
void ld_workday_free(struct ld_workday *w);

/*
 * Add rows from CSV text with header "date,kind,name" (RFC 4180, UTF-8):
 * date YYYY-MM-DD (1970-9999, a real date), kind "off" or "work", name the
 * festival (non-empty, at most 96 bytes). A "work" row must be a Saturday or
 * Sunday. All or nothing: on any error w is unchanged.
 * A row for a date already in w with the same kind is accepted and ignored
 * (reloading a file is harmless); with the other kind it is a conflict.
 * [in,out] w: the calendar.
 * [in] name: source name for messages ("cn-holidays-2027.csv"); borrowed.
 * [in] text, len: the CSV; borrowed for the call.
 * [out] err: may be NULL; err->field is "NAME:LINE" and err->msg starts with
 *       "line LINE: " for the first bad row.
 * Returns LD_OK; LD_PARSE for malformed CSV, a wrong header or a date not in
 * the form YYYY-MM-DD; LD_INVALID for a date that does not exist, an unknown
 * kind, an empty or long name, a weekday "work" row or a date listed twice in
 * the text; LD_CONFLICT for a date w already lists with the other kind.
 */
enum ld_rc ld_workday_load_csv(struct ld_workday *w, const char *name, const char *text, size_t len,
                               struct ld_err *err);

/*
 * Add the calendar embedded in the binary (data/cn-holidays.csv: 2024-2026).
 * Returns as ld_workday_load_csv(); LD_NOTFOUND if the file is not embedded.
 */
enum ld_rc ld_workday_load_builtin(struct ld_workday *w, struct ld_err *err);

/* 1 if year is covered (its 1 January is listed "off"), else 0. */
int ld_workday_covered(const struct ld_workday *w, int year);

/*
 * What the calendar lists for day.
 * [out] name: may be NULL; the festival name (borrowed from w, valid until
 *       the next load or free) for OFF and WORK, NULL for NORMAL.
 */
enum ld_workday_kind ld_workday_kind(const struct ld_workday *w, int64_t day, const char **name);

/* 1 if day is a working day (rule at the top of this header), else 0. Any day number. */
int ld_workday_is_workday(const struct ld_workday *w, int64_t day);

/*
 * The n-th working day after day: day itself never counts, whether or not it
 * is a working day; n = 0 gives day.
 * [in] day: LD_WORKDAY_DAY_MIN..LD_WORKDAY_DAY_MAX. [in] n: 0..LD_WORKDAY_N_MAX.
 * [out] out: set only on LD_OK.
 * Returns LD_OK, or LD_INVALID if an argument or the result is out of range.
 */
enum ld_rc ld_workday_add(const struct ld_workday *w, int64_t day, int n, int64_t *out);

/*
 * Working days d with a < d <= b, or minus those with b < d <= a when b < a.
 * So ld_workday_between(a, ld_workday_add(a, n)) == n.
 * [out] out: set only on LD_OK.
 * Returns LD_OK, or LD_INVALID if a or b is out of range.
 */
enum ld_rc ld_workday_between(const struct ld_workday *w, int64_t a, int64_t b, int64_t *out);

/* The CST day number of a UTC instant t (seconds since the epoch, t >= 0 or not). */
int64_t ld_workday_day_of(int64_t t);

/*
 * The instant a deadline of n working days after the event at t passes:
 * 24:00 CST at the end of ld_workday_add(ld_workday_day_of(t), n), as UTC
 * seconds. An action at time u is in time iff u < *deadline.
 * [in] t: LD_TM_MIN..LD_TM_MAX (tm.h). [in] n: 0..LD_WORKDAY_N_MAX.
 * [out] deadline: set only on LD_OK.
 * Returns LD_OK, or LD_INVALID if t, n or the result is out of range.
 */
enum ld_rc ld_workday_deadline(const struct ld_workday *w, int64_t t, int n, int64_t *deadline);

#endif
