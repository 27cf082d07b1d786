/*
 * tm.h - UTC time for the ledger: seconds since 1970-01-01T00:00:00Z as
 * int64_t, the one textual form signed events use (DESIGN.md §4.3 "at"), and
 * proleptic Gregorian day arithmetic for deadlines (DESIGN.md §5).
 *
 * gmtime/localtime and friends are banned (banned.h): they are not reentrant,
 * and the time zone of the machine must never leak into signed data. The
 * calendar code follows Howard Hinnant's days_from_civil / civil_from_days
 * (https://howardhinnant.github.io/date_algorithms.html). There are no leap
 * seconds: every day has 86400 seconds, as in POSIX time.
 *
 * Canonical timestamp, RFC 3339 §5.6 restricted to one spelling:
 *
 *   OFFSET  SIZE  FIELD
 *   0       4     year, 1970-9999
 *   4       1     '-'
 *   5       2     month, 01-12
 *   7       1     '-'
 *   8       2     day, 01-28/29/30/31 as the month allows
 *   10      1     'T' (uppercase only)
 *   11      2     hour, 00-23
 *   13      1     ':'
 *   14      2     minute, 00-59
 *   16      1     ':'
 *   17      2     second, 00-59 (leap second 60 refused)
 *   19      1     'Z' (uppercase only; no numeric offset, no fraction)
 *
 * Thread safety: every function is reentrant; ld_tm_now() reads the
 * environment, so it must not race with setenv()/putenv() in another thread.
 */
#ifndef LIANDAN_TM_H
#define LIANDAN_TM_H

#include <stdint.h>

#include "liandan/err.h"

/* Buffer size for "YYYY-MM-DDTHH:MM:SSZ", including the NUL. */
#define LD_TM_RFC3339_LEN 21
/* Buffer size for "YYYY-MM-DD", including the NUL. */
#define LD_TM_DATE_LEN 11

/* The range of times that have a canonical form. */
#define LD_TM_MIN INT64_C(0)            /* 1970-01-01T00:00:00Z */
#define LD_TM_MAX INT64_C(253402300799) /* 9999-12-31T23:59:59Z */

#define LD_TM_DAY INT64_C(86400) /* seconds per day */

/* Environment variable that, when set and non-empty, replaces the clock in
 * ld_tm_now(). Its value must be a canonical timestamp. For tests and demos. */
#define LD_TM_NOW_ENV "LIANDAN_NOW"

/*
 * Parse a canonical timestamp "YYYY-MM-DDTHH:MM:SSZ" (exactly 20 characters,
 * see the table above). Lowercase 't'/'z', offsets, fractional seconds,
 * surrounding spaces and trailing bytes are all refused.
 * [in] s: NUL-terminated; borrowed.
 * [out] out: seconds since the epoch, set only on LD_OK.
 * Returns LD_OK; LD_PARSE if s does not have the canonical shape; LD_INVALID
 * if it has the shape but names no such time (month 13, Feb 30, hour 24,
 * second 60) or a year before 1970.
 */
enum ld_rc ld_tm_parse(const char *s, int64_t *out);

/*
 * Lenient parse for command-line input: the canonical form, or a date
 * "YYYY-MM-DD" meaning 00:00:00Z of that day. Nothing else (no offsets, no
 * lowercase, no spaces).
 * [in] s: NUL-terminated; borrowed.
 * [out] out: seconds since the epoch, set only on LD_OK.
 * Returns LD_OK, LD_PARSE or LD_INVALID as ld_tm_parse().
 */
enum ld_rc ld_tm_parse_lenient(const char *s, int64_t *out);

/*
 * Write t in canonical form "YYYY-MM-DDTHH:MM:SSZ".
 * [in] t: seconds since the epoch.
 * [out] out: LD_TM_RFC3339_LEN bytes, NUL-terminated; written only on LD_OK.
 * Returns LD_OK, or LD_INVALID if t is outside [LD_TM_MIN, LD_TM_MAX].
 */
enum ld_rc ld_tm_format(int64_t t, char out[LD_TM_RFC3339_LEN]);

/*
 * Write the UTC date of t as "YYYY-MM-DD".
 * [in] t: seconds since the epoch.
 * [out] out: LD_TM_DATE_LEN bytes, NUL-terminated; written only on LD_OK.
 * Returns LD_OK, or LD_INVALID if t is outside [LD_TM_MIN, LD_TM_MAX].
 */
enum ld_rc ld_tm_format_date(int64_t t, char out[LD_TM_DATE_LEN]);

/*
 * The current time in whole seconds (CLOCK_REALTIME, truncated). If the
 * environment variable LIANDAN_NOW (LD_TM_NOW_ENV) is set and non-empty, its
 * canonical timestamp is returned instead, so that tests and demos are
 * reproducible: LIANDAN_NOW=2026-11-29T08:00:00Z liandan ...
 * [out] out: set only on LD_OK.
 * Returns LD_OK; LD_INVALID if LIANDAN_NOW is set but not a canonical
 * timestamp (it is never silently ignored); LD_IO if the clock cannot be
 * read or lies outside [LD_TM_MIN, LD_TM_MAX].
 */
enum ld_rc ld_tm_now(int64_t *out);

/* Seconds on the monotonic clock (CLOCK_MONOTONIC): for durations and
 * timeouts, never for event times. */
double ld_tm_mono(void);

/*
 * Days since 1970-01-01 of the proleptic Gregorian date y-m-d (negative
 * before 1970). Does not check that d exists in that month: 2023-02-29 gives
 * the same day as 2023-03-01 (use ld_tm_days_in_month() to validate).
 * [in] y: any year with |y| < 1000000. [in] m: 1-12. [in] d: 1-31.
 * Returns the day number. Never fails (the ranges are asserted).
 */
int64_t ld_tm_days_from_civil(int y, int m, int d);

/*
 * The proleptic Gregorian date of day number days (days since 1970-01-01).
 * [in] days: |days| < 300000000 (about 820,000 years either way).
 * [out] y, m, d: year, month 1-12, day 1-31; none may be NULL.
 * Never fails (the range is asserted).
 */
void ld_tm_civil_from_days(int64_t days, int *y, int *m, int *d);

/*
 * ISO 8601 weekday of day number days: 1 = Monday ... 7 = Sunday. For a time
 * t >= 0 in seconds, pass t / LD_TM_DAY.
 * Returns 1-7. Never fails.
 */
int ld_tm_weekday(int64_t days);

/* 1 if y is a Gregorian leap year, else 0. */
int ld_tm_is_leap(int y);

/* Number of days in month m (1-12, asserted) of year y: 28-31. */
int ld_tm_days_in_month(int y, int m);

#endif
