/*
 * test_tm.c - unit tests for src/tm.c (RFC 3339 UTC, Hinnant day arithmetic).
 * Known answers, refusals one by one, and 10,000 random times checked against
 * the C library's gmtime_r/timegm as an independent oracle (they are banned in
 * src/, not here).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "liandan/tm.h"

static uint64_t rng_state = 0x1da7e2026u;

/* splitmix64: a fixed, portable sequence so failures reproduce. */
static uint64_t
rng(void)
{
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15u);

    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

/* Parse s strictly, expect LD_OK and t, and that formatting gives s back. */
static void
expect_time(const char *s, int64_t t)
{
    char buf[LD_TM_RFC3339_LEN];
    int64_t got = -42;

    if (ld_tm_parse(s, &got) != LD_OK)
        fail_msg("\"%s\" refused", s);
    assert_int_equal(got, t);
    assert_int_equal(ld_tm_format(t, buf), LD_OK);
    assert_string_equal(buf, s);
}

/* Parse s, expect rc, and that *out was left alone. */
static void
expect_refused(enum ld_rc (*fn)(const char *, int64_t *), const char *s, enum ld_rc rc)
{
    int64_t got = -42;
    enum ld_rc r = fn(s, &got);

    if (r != rc)
        fail_msg("\"%s\": got %s, expected %s", s, ld_rc_str(r), ld_rc_str(rc));
    assert_int_equal(got, -42);
}

static void
test_known_answers(void **state)
{
    (void)state;
    expect_time("1970-01-01T00:00:00Z", 0);
    expect_time("1970-01-01T00:00:01Z", 1);
    expect_time("1970-01-02T00:00:00Z", 86400);
    expect_time("2000-01-01T00:00:00Z", 946684800);
    expect_time("2001-09-09T01:46:40Z", 1000000000);
    expect_time("2038-01-19T03:14:07Z", INT64_C(2147483647));
    expect_time("2038-01-19T03:14:08Z", INT64_C(2147483648));
    expect_time("2106-02-07T06:28:16Z", INT64_C(4294967296));
    expect_time("2026-11-29T08:00:00Z", INT64_C(1795939200));
    expect_time("9999-12-31T23:59:59Z", LD_TM_MAX);
    assert_int_equal(LD_TM_MAX, INT64_C(253402300799));
}

static void
test_leap_years(void **state)
{
    (void)state;
    expect_time("2000-02-29T00:00:00Z", INT64_C(951782400)); /* divisible by 400 */
    expect_time("2024-02-29T12:34:56Z", INT64_C(1709210096));
    expect_time("1972-02-29T23:59:59Z", INT64_C(68255999)); /* first leap day after the epoch */
    expect_time("2100-03-01T00:00:00Z", INT64_C(4107542400));
    expect_refused(ld_tm_parse, "2023-02-29T00:00:00Z", LD_INVALID);
    expect_refused(ld_tm_parse, "2100-02-29T00:00:00Z", LD_INVALID); /* divisible by 100 */
    expect_refused(ld_tm_parse, "1900-02-29T00:00:00Z", LD_INVALID);
    expect_refused(ld_tm_parse_lenient, "2023-02-29", LD_INVALID);
    assert_int_equal(ld_tm_is_leap(2000), 1);
    assert_int_equal(ld_tm_is_leap(2024), 1);
    assert_int_equal(ld_tm_is_leap(2023), 0);
    assert_int_equal(ld_tm_is_leap(2100), 0);
    assert_int_equal(ld_tm_is_leap(1600), 1);
    assert_int_equal(ld_tm_is_leap(0), 1);
    assert_int_equal(ld_tm_is_leap(-4), 1);
    assert_int_equal(ld_tm_days_in_month(2024, 2), 29);
    assert_int_equal(ld_tm_days_in_month(2023, 2), 28);
    assert_int_equal(ld_tm_days_in_month(2100, 2), 28);
    assert_int_equal(ld_tm_days_in_month(2023, 4), 30);
    assert_int_equal(ld_tm_days_in_month(2023, 12), 31);
}

/* Every string here is refused by the strict parser, with the given code. */
static void
test_malformed(void **state)
{
    static const struct {
        const char *s;
        enum ld_rc rc;
    } cases[] = {
        {"", LD_PARSE},
        {"2026-11-29", LD_PARSE},                /* date alone: lenient only */
        {"2026-11-29t08:00:00Z", LD_PARSE},      /* lowercase t */
        {"2026-11-29T08:00:00z", LD_PARSE},      /* lowercase z */
        {"2026-11-29 08:00:00Z", LD_PARSE},      /* space instead of T */
        {"2026-11-29T08:00:00", LD_PARSE},       /* no zone */
        {"2026-11-29T08:00:00+00:00", LD_PARSE}, /* offset, even zero */
        {"2026-11-29T16:00:00+08:00", LD_PARSE},
        {"2026-11-29T08:00:00-00:00", LD_PARSE},
        {"2026-11-29T08:00:00.000Z", LD_PARSE}, /* fractional seconds */
        {"2026-11-29T08:00:00.5Z", LD_PARSE},
        {"2026-11-29T08:00Z", LD_PARSE},   /* no seconds */
        {"2026-11-29T8:00:00Z", LD_PARSE}, /* one-digit hour */
        {"2026-1-29T08:00:00Z", LD_PARSE},
        {"26-11-29T08:00:00Z", LD_PARSE},
        {"+2026-11-29T08:00:00Z", LD_PARSE},
        {"12026-11-29T08:00:00Z", LD_PARSE}, /* five-digit year */
        {" 2026-11-29T08:00:00Z", LD_PARSE},
        {"2026-11-29T08:00:00Z ", LD_PARSE},
        {"2026-11-29T08:00:00Z\n", LD_PARSE},
        {"2026-11-29T08:00:00ZZ", LD_PARSE},
        {"2026/11/29T08:00:00Z", LD_PARSE},
        {"2026-11-29T08.00.00Z", LD_PARSE},
        {"2026-11-2xT08:00:00Z", LD_PARSE},
        {"2026-11-29T0x:00:00Z", LD_PARSE},
        {"2026-11-29T08:00:-1Z", LD_PARSE},
        {"20261129T080000Z", LD_PARSE},       /* ISO 8601 basic format */
        {"2026-13-01T00:00:00X", LD_PARSE},   /* shape wins over range */
        {"2026-00-10T00:00:00Z", LD_INVALID}, /* month 0 */
        {"2026-13-10T00:00:00Z", LD_INVALID}, /* month 13 */
        {"2026-11-00T00:00:00Z", LD_INVALID}, /* day 0 */
        {"2026-11-31T00:00:00Z", LD_INVALID}, /* November has 30 */
        {"2026-02-30T00:00:00Z", LD_INVALID}, /* Feb 30 */
        {"2026-01-32T00:00:00Z", LD_INVALID},
        {"2026-11-29T24:00:00Z", LD_INVALID}, /* hour 24 */
        {"2026-11-29T23:60:00Z", LD_INVALID}, /* minute 60 */
        {"2016-12-31T23:59:60Z", LD_INVALID}, /* a real leap second, still refused */
        {"2026-11-29T99:99:99Z", LD_INVALID},
        {"1969-12-31T23:59:59Z", LD_INVALID}, /* before the epoch */
        {"0000-01-01T00:00:00Z", LD_INVALID},
    };
    size_t i;

    (void)state;
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++)
        expect_refused(ld_tm_parse, cases[i].s, cases[i].rc);
}

static void
test_lenient(void **state)
{
    int64_t t = -42;

    (void)state;
    assert_int_equal(ld_tm_parse_lenient("2026-11-29", &t), LD_OK);
    assert_int_equal(t, INT64_C(1795910400));
    assert_int_equal(ld_tm_parse_lenient("2026-11-29T08:00:00Z", &t), LD_OK);
    assert_int_equal(t, INT64_C(1795939200));
    assert_int_equal(ld_tm_parse_lenient("1970-01-01", &t), LD_OK);
    assert_int_equal(t, 0);
    assert_int_equal(ld_tm_parse_lenient("9999-12-31", &t), LD_OK);
    assert_int_equal(t, LD_TM_MAX - 86399);
    expect_refused(ld_tm_parse_lenient, "2026-11-29T", LD_PARSE);
    expect_refused(ld_tm_parse_lenient, "2026-11-29Z", LD_PARSE);
    expect_refused(ld_tm_parse_lenient, "2026-11-29 ", LD_PARSE);
    expect_refused(ld_tm_parse_lenient, "2026-11-2", LD_PARSE);
    expect_refused(ld_tm_parse_lenient, "2026_11_29", LD_PARSE);
    expect_refused(ld_tm_parse_lenient, "2026-11-29t08:00:00Z", LD_PARSE);
    expect_refused(ld_tm_parse_lenient, "2026-11-29T08:00:00+08:00", LD_PARSE);
    expect_refused(ld_tm_parse_lenient, "2026-02-30", LD_INVALID);
    expect_refused(ld_tm_parse_lenient, "1969-12-31", LD_INVALID);
    expect_refused(ld_tm_parse_lenient, "2026-11-29T24:00:00Z", LD_INVALID);
}

static void
test_format_range(void **state)
{
    char buf[LD_TM_RFC3339_LEN];
    char date[LD_TM_DATE_LEN];

    (void)state;
    memset(buf, 'x', sizeof buf);
    memset(date, 'x', sizeof date);
    assert_int_equal(ld_tm_format(-1, buf), LD_INVALID);
    assert_int_equal(ld_tm_format(LD_TM_MAX + 1, buf), LD_INVALID);
    assert_int_equal(ld_tm_format(INT64_MIN, buf), LD_INVALID);
    assert_int_equal(ld_tm_format(INT64_MAX, buf), LD_INVALID);
    assert_int_equal(ld_tm_format_date(-1, date), LD_INVALID);
    assert_int_equal(ld_tm_format_date(LD_TM_MAX + 1, date), LD_INVALID);
    assert_int_equal(buf[0], 'x'); /* untouched on failure */
    assert_int_equal(date[0], 'x');

    assert_int_equal(ld_tm_format_date(0, date), LD_OK);
    assert_string_equal(date, "1970-01-01");
    assert_int_equal(ld_tm_format_date(INT64_C(1795939200), date), LD_OK);
    assert_string_equal(date, "2026-11-29");
    assert_int_equal(ld_tm_format_date(INT64_C(1795910399), date), LD_OK);
    assert_string_equal(date, "2026-11-28");
    assert_int_equal(ld_tm_format_date(LD_TM_MAX, date), LD_OK);
    assert_string_equal(date, "9999-12-31");
    assert_int_equal(strlen("9999-12-31T23:59:59Z") + 1, LD_TM_RFC3339_LEN);
}

/* ISO weekdays: 1 = Monday ... 7 = Sunday. */
static void
test_weekday(void **state)
{
    (void)state;
    assert_int_equal(ld_tm_weekday(ld_tm_days_from_civil(2026, 11, 29)), 7);
    assert_int_equal(ld_tm_weekday(ld_tm_days_from_civil(2026, 11, 30)), 1);
    assert_int_equal(ld_tm_weekday(0), 4);  /* Thursday */
    assert_int_equal(ld_tm_weekday(-1), 3); /* 1969-12-31 */
    assert_int_equal(ld_tm_weekday(-7), 4);
    assert_int_equal(ld_tm_weekday(-8), 3);
    assert_int_equal(ld_tm_weekday(ld_tm_days_from_civil(2000, 1, 1)), 6); /* Saturday */
    assert_int_equal(ld_tm_weekday(ld_tm_days_from_civil(2024, 2, 29)), 4);
    assert_int_equal(ld_tm_weekday(ld_tm_days_from_civil(1949, 10, 1)), 6);
    assert_int_equal(ld_tm_weekday(ld_tm_days_from_civil(1, 1, 1)), 1); /* proleptic */
    assert_int_equal(ld_tm_weekday(ld_tm_days_from_civil(9999, 12, 31)), 5);
    assert_int_equal(ld_tm_weekday(INT64_C(1795939200) / LD_TM_DAY), 7);
}

/* Day numbers and dates agree over a wide span, one day at a time. */
static void
test_days_roundtrip(void **state)
{
    int64_t days;
    int y = 0, m = 0, d = 0, py, pm, pd;

    (void)state;
    assert_int_equal(ld_tm_days_from_civil(1970, 1, 1), 0);
    assert_int_equal(ld_tm_days_from_civil(1969, 12, 31), -1);
    assert_int_equal(ld_tm_days_from_civil(1, 1, 1), -719162);
    assert_int_equal(ld_tm_days_from_civil(2026, 11, 29), 20786);
    assert_int_equal(ld_tm_days_from_civil(2000, 3, 1), ld_tm_days_from_civil(2000, 2, 29) + 1);
    /* -1000-01-01 up to 10000-01-01 */
    ld_tm_civil_from_days(ld_tm_days_from_civil(-1000, 1, 1) - 1, &py, &pm, &pd);
    assert_int_equal(py, -1001);
    assert_int_equal(pm, 12);
    assert_int_equal(pd, 31);
    for (days = ld_tm_days_from_civil(-1000, 1, 1); days <= ld_tm_days_from_civil(10000, 1, 1);
         days++) {
        ld_tm_civil_from_days(days, &y, &m, &d);
        if (ld_tm_days_from_civil(y, m, d) != days)
            fail_msg("day %lld -> %d-%d-%d does not come back", (long long)days, y, m, d);
        /* the next day of py-pm-pd */
        if (pd < ld_tm_days_in_month(py, pm)) {
            assert_true(y == py && m == pm && d == pd + 1);
        } else if (pm < 12) {
            assert_true(y == py && m == pm + 1 && d == 1);
        } else {
            assert_true(y == py + 1 && m == 1 && d == 1);
        }
        py = y;
        pm = m;
        pd = d;
    }
    /* the asserted limits */
    ld_tm_civil_from_days(299999999, &y, &m, &d);
    assert_int_equal(ld_tm_days_from_civil(y, m, d), 299999999);
    ld_tm_civil_from_days(-299999999, &y, &m, &d);
    assert_int_equal(ld_tm_days_from_civil(y, m, d), -299999999);
}

/* 10,000 random times: our format equals strftime over gmtime_r, and parsing
 * gives the time back. */
static void
test_random_against_libc(void **state)
{
    int i;

    (void)state;
    for (i = 0; i < 10000; i++) {
        int64_t t = (int64_t)(rng() % (uint64_t)(LD_TM_MAX + 1)), back = -1;
        time_t tt = (time_t)t;
        struct tm tm;
        char want[64], got[LD_TM_RFC3339_LEN], date[LD_TM_DATE_LEN];

        assert_non_null(gmtime_r(&tt, &tm));
        assert_true(strftime(want, sizeof want, "%Y-%m-%dT%H:%M:%SZ", &tm) > 0);
        assert_int_equal(ld_tm_format(t, got), LD_OK);
        assert_string_equal(got, want);
        assert_int_equal(ld_tm_parse(got, &back), LD_OK);
        assert_int_equal(back, t);
        assert_int_equal(ld_tm_format_date(t, date), LD_OK);
        assert_memory_equal(date, want, 10);
        assert_int_equal(ld_tm_weekday(t / LD_TM_DAY), tm.tm_wday == 0 ? 7 : tm.tm_wday);
    }
}

/* 10,000 random valid strings: format(parse(x)) == x, and timegm agrees. */
static void
test_random_strings(void **state)
{
    int i;

    (void)state;
    for (i = 0; i < 10000; i++) {
        int y = 1970 + (int)(rng() % 8030), m = 1 + (int)(rng() % 12);
        int d = 1 + (int)(rng() % (uint64_t)ld_tm_days_in_month(y, m));
        int h = (int)(rng() % 24), mi = (int)(rng() % 60), se = (int)(rng() % 60);
        char x[32], got[LD_TM_RFC3339_LEN];
        struct tm tm;
        int64_t t = -1;

        snprintf(x, sizeof x, "%04d-%02d-%02dT%02d:%02d:%02dZ", y, m, d, h, mi, se);
        assert_int_equal(ld_tm_parse(x, &t), LD_OK);
        assert_int_equal(ld_tm_format(t, got), LD_OK);
        assert_string_equal(got, x);
        memset(&tm, 0, sizeof tm);
        tm.tm_year = y - 1900;
        tm.tm_mon = m - 1;
        tm.tm_mday = d;
        tm.tm_hour = h;
        tm.tm_min = mi;
        tm.tm_sec = se;
        assert_int_equal(t, (int64_t)timegm(&tm));
    }
}

static void
test_now(void **state)
{
    int64_t t = -42, before, after;

    (void)state;
    assert_int_equal(setenv("LIANDAN_NOW", "2026-11-29T08:00:00Z", 1), 0);
    assert_int_equal(ld_tm_now(&t), LD_OK);
    assert_int_equal(t, INT64_C(1795939200));

    t = -42;
    assert_int_equal(setenv("LIANDAN_NOW", "2026-11-29", 1), 0); /* strict, not lenient */
    assert_int_equal(ld_tm_now(&t), LD_INVALID);
    assert_int_equal(setenv("LIANDAN_NOW", "2026-02-30T00:00:00Z", 1), 0);
    assert_int_equal(ld_tm_now(&t), LD_INVALID);
    assert_int_equal(t, -42);

    assert_int_equal(setenv("LIANDAN_NOW", "", 1), 0); /* empty means unset */
    before = (int64_t)time(NULL);
    assert_int_equal(ld_tm_now(&t), LD_OK);
    after = (int64_t)time(NULL);
    assert_true(t >= before && t <= after);

    assert_int_equal(unsetenv("LIANDAN_NOW"), 0);
    before = (int64_t)time(NULL);
    assert_int_equal(ld_tm_now(&t), LD_OK);
    after = (int64_t)time(NULL);
    assert_true(t >= before && t <= after);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_known_answers),  cmocka_unit_test(test_leap_years),
        cmocka_unit_test(test_malformed),      cmocka_unit_test(test_lenient),
        cmocka_unit_test(test_format_range),   cmocka_unit_test(test_weekday),
        cmocka_unit_test(test_days_roundtrip), cmocka_unit_test(test_random_against_libc),
        cmocka_unit_test(test_random_strings), cmocka_unit_test(test_now),
    };

    return cmocka_run_group_tests_name("tm", tests, NULL, NULL);
}
