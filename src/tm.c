/*
 * tm.c - UTC time without gmtime/localtime (include/liandan/tm.h): the
 * canonical RFC 3339 form of DESIGN.md §4.3, a lenient CLI parse, the clock
 * with its LIANDAN_NOW override, and proleptic Gregorian day arithmetic after
 * Howard Hinnant's "chrono-Compatible Low-Level Date Algorithms"
 * (https://howardhinnant.github.io/date_algorithms.html).
 */
#include <assert.h>
#include <stdlib.h>
#include <time.h>

#include "liandan/tm.h"
#include "liandan/banned.h"

#define CANON_LEN 20 /* strlen("YYYY-MM-DDTHH:MM:SSZ") */
#define DATE_LEN 10  /* strlen("YYYY-MM-DD") */

/* Days from 0000-03-01 to 1970-01-01 in Hinnant's shifted calendar. */
#define EPOCH_SHIFT INT64_C(719468)
#define DAYS_PER_ERA INT64_C(146097) /* 400 Gregorian years */

int
ld_tm_is_leap(int y)
{
    return y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
}

int
ld_tm_days_in_month(int y, int m)
{
    static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

    assert(m >= 1 && m <= 12);
    return m == 2 && ld_tm_is_leap(y) ? 29 : days[m - 1];
}

int64_t
ld_tm_days_from_civil(int y, int m, int d)
{
    int64_t yy, era, yoe, doy, doe;

    assert(y > -1000000 && y < 1000000);
    assert(m >= 1 && m <= 12 && d >= 1 && d <= 31);
    /* Count years from March, so that the leap day is the last of the year. */
    yy = (int64_t)y - (m <= 2);
    era = (yy >= 0 ? yy : yy - 399) / 400;
    yoe = yy - era * 400;                                  /* [0, 399] */
    doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1; /* [0, 365] */
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;           /* [0, 146096] */
    return era * DAYS_PER_ERA + doe - EPOCH_SHIFT;
}

void
ld_tm_civil_from_days(int64_t days, int *y, int *m, int *d)
{
    int64_t z, era, doe, yoe, doy, mp, yy;
    int mm;

    assert(days > -300000000 && days < 300000000);
    assert(y != NULL && m != NULL && d != NULL);
    z = days + EPOCH_SHIFT;
    era = (z >= 0 ? z : z - (DAYS_PER_ERA - 1)) / DAYS_PER_ERA;
    doe = z - era * DAYS_PER_ERA;                                /* [0, 146096] */
    yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365; /* [0, 399] */
    yy = yoe + era * 400;
    doy = doe - (365 * yoe + yoe / 4 - yoe / 100); /* [0, 365] */
    mp = (5 * doy + 2) / 153;                      /* [0, 11], March = 0 */
    mm = (int)(mp < 10 ? mp + 3 : mp - 9);
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = mm;
    *y = (int)(yy + (mm <= 2));
}

int
ld_tm_weekday(int64_t days)
{
    /* 1970-01-01 was a Thursday (ISO 4); floor modulo keeps negatives right. */
    int64_t r = (days + 3) % 7;

    return (int)(r < 0 ? r + 7 : r) + 1;
}

/* Length of s, but stop counting past max (s may be long or hostile). */
static size_t
bounded_len(const char *s, size_t max)
{
    size_t n = 0;

    while (n <= max && s[n] != '\0')
        n++;
    return n;
}

/* Value of the n ASCII digits at s, or -1 if any is not a digit. */
static int
digits(const char *s, int n)
{
    int i, v = 0;

    for (i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

/* SPEC: RFC 3339 §5.6 full-date, restricted to years 1970-9999.
 * Parses "YYYY-MM-DD" at s (DATE_LEN bytes, already known to exist) into a
 * day number. */
static enum ld_rc
parse_date(const char *s, int64_t *days_out)
{
    int y, m, d;

    y = digits(s, 4);
    m = digits(s + 5, 2);
    d = digits(s + 8, 2);
    if (y < 0 || m < 0 || d < 0 || s[4] != '-' || s[7] != '-')
        return LD_PARSE;
    if (y < 1970 || m < 1 || m > 12 || d < 1 || d > ld_tm_days_in_month(y, m))
        return LD_INVALID;
    *days_out = ld_tm_days_from_civil(y, m, d);
    return LD_OK;
}

/* SPEC: RFC 3339 §5.6 "T" partial-time "Z", without time-secfrac and with
 * time-second 60 refused (POSIX time has no leap seconds).
 * Parses "THH:MM:SSZ" at s (10 bytes, already known to exist). */
static enum ld_rc
parse_time(const char *s, int64_t *secs_out)
{
    int h, mi, se;

    h = digits(s + 1, 2);
    mi = digits(s + 4, 2);
    se = digits(s + 7, 2);
    if (s[0] != 'T' || h < 0 || s[3] != ':' || mi < 0 || s[6] != ':' || se < 0 || s[9] != 'Z')
        return LD_PARSE;
    if (h > 23 || mi > 59 || se > 59)
        return LD_INVALID;
    *secs_out = (int64_t)h * 3600 + mi * 60 + se;
    return LD_OK;
}

/* Parse the canonical form, or a date alone when allow_date is set. Shape
 * errors take precedence over range errors, so that "2023-02-30x" is
 * LD_PARSE. */
static enum ld_rc
parse(const char *s, int allow_date, int64_t *out)
{
    size_t len;
    int64_t days = 0, secs = 0;
    enum ld_rc rc, trc;

    assert(s != NULL && out != NULL);
    len = bounded_len(s, CANON_LEN);
    if (len == DATE_LEN && allow_date) {
        rc = parse_date(s, &days);
    } else if (len == CANON_LEN) {
        rc = parse_date(s, &days);
        trc = parse_time(s + DATE_LEN, &secs);
        if (rc == LD_OK || trc == LD_PARSE)
            rc = trc;
    } else {
        rc = LD_PARSE;
    }
    if (rc == LD_OK)
        *out = days * LD_TM_DAY + secs;
    return rc;
}

enum ld_rc
ld_tm_parse(const char *s, int64_t *out)
{
    return parse(s, 0, out);
}

enum ld_rc
ld_tm_parse_lenient(const char *s, int64_t *out)
{
    return parse(s, 1, out);
}

/* Write v as n decimal digits with leading zeros. */
static void
put_digits(char *p, int v, int n)
{
    while (n-- > 0) {
        p[n] = (char)('0' + v % 10);
        v /= 10;
    }
}

/* Write "YYYY-MM-DD" (no NUL) for t, already range-checked. */
static void
put_date(char *p, int64_t t)
{
    int y, m, d;

    ld_tm_civil_from_days(t / LD_TM_DAY, &y, &m, &d);
    put_digits(p, y, 4);
    p[4] = '-';
    put_digits(p + 5, m, 2);
    p[7] = '-';
    put_digits(p + 8, d, 2);
}

enum ld_rc
ld_tm_format(int64_t t, char out[LD_TM_RFC3339_LEN])
{
    int secs;

    assert(out != NULL);
    if (t < LD_TM_MIN || t > LD_TM_MAX)
        return LD_INVALID;
    secs = (int)(t % LD_TM_DAY);
    put_date(out, t);
    out[10] = 'T';
    put_digits(out + 11, secs / 3600, 2);
    out[13] = ':';
    put_digits(out + 14, secs / 60 % 60, 2);
    out[16] = ':';
    put_digits(out + 17, secs % 60, 2);
    out[19] = 'Z';
    out[20] = '\0';
    return LD_OK;
}

enum ld_rc
ld_tm_format_date(int64_t t, char out[LD_TM_DATE_LEN])
{
    assert(out != NULL);
    if (t < LD_TM_MIN || t > LD_TM_MAX)
        return LD_INVALID;
    put_date(out, t);
    out[10] = '\0';
    return LD_OK;
}

enum ld_rc
ld_tm_now(int64_t *out)
{
    const char *env;
    struct timespec ts;
    int64_t t;

    assert(out != NULL);
    env = getenv(LD_TM_NOW_ENV);
    if (env != NULL && env[0] != '\0')
        return ld_tm_parse(env, out) == LD_OK ? LD_OK : LD_INVALID;
    if (clock_gettime(CLOCK_REALTIME, &ts) != 0)
        return LD_IO;
    t = (int64_t)ts.tv_sec;
    if (t < LD_TM_MIN || t > LD_TM_MAX)
        return LD_IO;
    *out = t;
    return LD_OK;
}

double
ld_tm_mono(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}
