/*
 * test_workday.c - unit tests for src/workday.c on the embedded State Council
 * calendar (data/cn-holidays.csv, 2024-2026): Spring Festival and National Day
 * blocks with their make-up Saturdays and Sundays, deadlines that cross them,
 * coverage, counting against a brute-force reference, the CST day boundary,
 * and loading further rows, including refusals with line numbers.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "liandan/tm.h"
#include "liandan/workday.h"

static struct ld_workday *cal;

static int
setup(void **state)
{
    struct ld_err err;

    (void)state;
    ld_err_clear(&err);
    cal = ld_workday_new();
    if (ld_workday_load_builtin(cal, &err) != LD_OK) {
        fprintf(stderr, "load: %s: %s\n", err.field, err.msg);
        return -1;
    }
    return 0;
}

static int
teardown(void **state)
{
    (void)state;
    ld_workday_free(cal);
    return 0;
}

/* Day number of "YYYY-MM-DD". */
static int64_t
D(const char *s)
{
    int64_t t = 0;

    if (ld_tm_parse_lenient(s, &t) != LD_OK || strlen(s) != 10)
        fail_msg("bad test date '%s'", s);
    return t / LD_TM_DAY;
}

/* Expect is_workday(date) == want. */
static void
expect_day(const char *date, int want)
{
    if (ld_workday_is_workday(cal, D(date)) != want)
        fail_msg("%s: expected %s", date, want ? "a working day" : "a day off");
}

/* Expect the n-th working day after from to be want. */
static void
expect_add(const char *from, int n, const char *want)
{
    int64_t out = 0, back = -1;
    char got[LD_TM_DATE_LEN];

    assert_int_equal(ld_workday_add(cal, D(from), n, &out), LD_OK);
    assert_int_equal(ld_tm_format_date(out * LD_TM_DAY, got), LD_OK);
    if (strcmp(got, want) != 0)
        fail_msg("%s + %d working days: got %s, expected %s", from, n, got, want);
    assert_int_equal(ld_workday_between(cal, D(from), out, &back), LD_OK);
    assert_int_equal(back, n);
}

static void
test_rows_and_coverage(void **state)
{
    int64_t d;
    int off = 0, work = 0;
    const char *name = NULL;
    struct ld_workday *empty = ld_workday_new();

    (void)state;
    for (d = D("2023-01-01"); d <= D("2027-12-31"); d++) {
        enum ld_workday_kind k = ld_workday_kind(cal, d, NULL);

        off += k == LD_WORKDAY_OFF;
        work += k == LD_WORKDAY_WORK;
    }
    assert_int_equal(off, 93);  /* 32 + 28 + 33 in data/cn-holidays.md */
    assert_int_equal(work, 19); /* 8 + 5 + 6 */

    assert_int_equal(ld_workday_kind(cal, D("2025-10-03"), &name), LD_WORKDAY_OFF);
    assert_string_equal(name, "国庆节、中秋节");
    assert_int_equal(ld_workday_kind(cal, D("2026-09-20"), &name), LD_WORKDAY_WORK);
    assert_string_equal(name, "国庆节");
    assert_int_equal(ld_workday_kind(cal, D("2025-03-10"), &name), LD_WORKDAY_NORMAL);
    assert_null(name);

    assert_true(ld_workday_covered(cal, 2024));
    assert_true(ld_workday_covered(cal, 2025));
    assert_true(ld_workday_covered(cal, 2026));
    assert_false(ld_workday_covered(cal, 2023)); /* has two rows, from the 2024 notice */
    assert_false(ld_workday_covered(cal, 2030));
    assert_false(ld_workday_covered(cal, 1969));
    assert_false(ld_workday_covered(cal, 10000));
    assert_false(ld_workday_covered(empty, 2025));
    /* An empty calendar is Monday to Friday. */
    assert_true(ld_workday_is_workday(empty, D("2025-10-01")));
    assert_false(ld_workday_is_workday(empty, D("2025-09-28")));
    ld_workday_free(empty);
    ld_workday_free(NULL);
}

static void
test_spring_festival(void **state)
{
    (void)state;
    /* 2024: Sun 02-04 and Sun 02-18 work; 02-10..02-17 off; 除夕 02-09 is a normal Friday. */
    expect_day("2024-02-03", 0);
    expect_day("2024-02-04", 1);
    expect_day("2024-02-09", 1);
    expect_day("2024-02-10", 0);
    expect_day("2024-02-12", 0);
    expect_day("2024-02-16", 0);
    expect_day("2024-02-17", 0);
    expect_day("2024-02-18", 1);
    expect_day("2024-02-19", 1);
    /* 2025: Sun 01-26 and Sat 02-08 work; 01-28..02-04 off. */
    expect_day("2025-01-26", 1);
    expect_day("2025-01-27", 1);
    expect_day("2025-01-28", 0);
    expect_day("2025-02-04", 0);
    expect_day("2025-02-05", 1);
    expect_day("2025-02-08", 1);
    expect_day("2025-02-09", 0);
    /* 2026: Sat 02-14 and Sat 02-28 work; 02-15..02-23 off. */
    expect_day("2026-02-13", 1);
    expect_day("2026-02-14", 1);
    expect_day("2026-02-15", 0);
    expect_day("2026-02-23", 0);
    expect_day("2026-02-24", 1);
    expect_day("2026-02-28", 1);
    expect_day("2026-03-01", 0);
}

static void
test_national_day(void **state)
{
    (void)state;
    /* 2024: Sun 09-29 and Sat 10-12 work; 10-01..10-07 off. */
    expect_day("2024-09-29", 1);
    expect_day("2024-10-01", 0);
    expect_day("2024-10-07", 0);
    expect_day("2024-10-08", 1);
    expect_day("2024-10-12", 1);
    expect_day("2024-10-13", 0);
    /* 2025 (with 中秋节): Sun 09-28 and Sat 10-11 work; 10-01..10-08 off. */
    expect_day("2025-09-27", 0);
    expect_day("2025-09-28", 1);
    expect_day("2025-10-08", 0);
    expect_day("2025-10-09", 1);
    expect_day("2025-10-11", 1);
    /* 2026: Sun 09-20 works; 中秋节 09-25..09-27 off; 10-01..10-07 off; Sat 10-10 works. */
    expect_day("2026-09-20", 1);
    expect_day("2026-09-25", 0);
    expect_day("2026-09-28", 1);
    expect_day("2026-10-07", 0);
    expect_day("2026-10-08", 1);
    expect_day("2026-10-10", 1);
    /* Ordinary weeks and other holidays. */
    expect_day("2025-03-10", 1);
    expect_day("2025-03-15", 0);
    expect_day("2025-05-02", 0); /* new statutory day from 2025 */
    expect_day("2025-12-31", 1);
    expect_day("2023-12-29", 1);
    expect_day("2023-12-30", 0);
}

static void
test_deadlines(void **state)
{
    int64_t out = 0;

    (void)state;
    expect_add("2025-03-10", 0, "2025-03-10");
    expect_add("2025-03-10", 1, "2025-03-11");
    expect_add("2025-03-14", 1, "2025-03-17"); /* Friday to Monday */
    expect_add("2025-03-16", 1, "2025-03-17"); /* from a Sunday: the day itself never counts */
    /* Crossing National Day; make-up Sunday 09-28 and Saturday 10-11 count. */
    expect_add("2025-09-26", 5, "2025-10-10");
    expect_add("2025-09-29", 5, "2025-10-13");
    expect_add("2024-09-30", 5, "2024-10-12");
    expect_add("2026-09-24", 5, "2026-10-09"); /* 中秋节 then 国庆节 */
    /* Crossing the Spring Festival. */
    expect_add("2024-02-08", 5, "2024-02-21");
    expect_add("2025-01-24", 5, "2025-02-07");
    expect_add("2026-02-13", 5, "2026-02-27");
    expect_add("2026-02-13", 10, "2026-03-05"); /* paper-manifest deadline, Art. 20 */
    /* A weekend make-up day is the next working day. */
    expect_add("2024-10-11", 1, "2024-10-12");
    expect_add("2024-02-03", 1, "2024-02-04");
    /* 2030 is not covered: its holidays are unknown, Monday-Friday apply. */
    assert_false(ld_workday_covered(cal, 2030));
    expect_add("2030-09-30", 5, "2030-10-07");
    expect_add("2029-12-31", 1, "2030-01-01"); /* a plain Tuesday here */

    /* Ranges. */
    assert_int_equal(ld_workday_add(cal, -1, 1, &out), LD_INVALID);
    assert_int_equal(ld_workday_add(cal, LD_WORKDAY_DAY_MAX + 1, 0, &out), LD_INVALID);
    assert_int_equal(ld_workday_add(cal, D("2025-03-10"), -1, &out), LD_INVALID);
    assert_int_equal(ld_workday_add(cal, D("2025-03-10"), LD_WORKDAY_N_MAX + 1, &out), LD_INVALID);
    assert_int_equal(ld_workday_add(cal, LD_WORKDAY_DAY_MAX, 1, &out), LD_INVALID);
    assert_int_equal(ld_workday_add(cal, LD_WORKDAY_DAY_MAX, 0, &out), LD_OK);
    assert_int_equal(out, LD_WORKDAY_DAY_MAX);
    assert_int_equal(ld_workday_add(cal, D("2025-01-01"), LD_WORKDAY_N_MAX, &out), LD_OK);
}

static void
test_cst_deadline(void **state)
{
    int64_t t = 0, dl = 0;
    char s[LD_TM_RFC3339_LEN];

    (void)state;
    /* 24:00 CST is 16:00Z. */
    assert_int_equal(ld_tm_parse("2025-09-25T15:59:59Z", &t), LD_OK);
    assert_int_equal(ld_workday_day_of(t), D("2025-09-25"));
    assert_int_equal(ld_workday_day_of(t + 1), D("2025-09-26"));
    assert_int_equal(ld_workday_day_of(0), 0);
    assert_int_equal(ld_workday_day_of(-28800), 0);
    assert_int_equal(ld_workday_day_of(-28801), -1);

    /* Arrival Friday 2025-09-26 10:00 CST: confirm before 2025-10-11 00:00 CST. */
    assert_int_equal(ld_tm_parse("2025-09-26T02:00:00Z", &t), LD_OK);
    assert_int_equal(ld_workday_deadline(cal, t, 5, &dl), LD_OK);
    assert_int_equal(ld_tm_format(dl, s), LD_OK);
    assert_string_equal(s, "2025-10-10T16:00:00Z");
    /* Arrival at 00:30 CST on 09-26 is still 09-26 (16:30Z the day before). */
    assert_int_equal(ld_tm_parse("2025-09-25T16:30:00Z", &t), LD_OK);
    assert_int_equal(ld_workday_deadline(cal, t, 5, &dl), LD_OK);
    assert_int_equal(ld_tm_format(dl, s), LD_OK);
    assert_string_equal(s, "2025-10-10T16:00:00Z");
    /* 23:30 CST on Thursday 09-25 is a day earlier: the 5th working day is 10-09. */
    assert_int_equal(ld_tm_parse("2025-09-25T15:30:00Z", &t), LD_OK);
    assert_int_equal(ld_workday_deadline(cal, t, 5, &dl), LD_OK);
    assert_int_equal(ld_tm_format(dl, s), LD_OK);
    assert_string_equal(s, "2025-10-09T16:00:00Z");

    assert_int_equal(ld_workday_deadline(cal, -1, 5, &dl), LD_INVALID);
    assert_int_equal(ld_workday_deadline(cal, LD_TM_MAX, 0, &dl), LD_INVALID);
    assert_int_equal(ld_workday_deadline(cal, t, -1, &dl), LD_INVALID);
}

/* Brute-force count of working days in (a, b]. */
static int64_t
slow_between(int64_t a, int64_t b)
{
    int64_t d, n = 0;

    for (d = a + 1; d <= b; d++)
        n += ld_workday_is_workday(cal, d);
    return n;
}

static void
test_between(void **state)
{
    int64_t a, b, out = 0, lo = D("2023-11-01"), hi = D("2027-02-28");
    uint64_t x = 0x2026u;
    int n, i;

    (void)state;
    assert_int_equal(ld_workday_between(cal, D("2023-12-31"), D("2024-12-31"), &out), LD_OK);
    assert_int_equal(out, 251);
    assert_int_equal(ld_workday_between(cal, D("2024-12-31"), D("2025-12-31"), &out), LD_OK);
    assert_int_equal(out, 248);
    assert_int_equal(ld_workday_between(cal, D("2025-12-31"), D("2026-12-31"), &out), LD_OK);
    assert_int_equal(out, 248);
    assert_int_equal(ld_workday_between(cal, D("2025-09-30"), D("2025-10-09"), &out), LD_OK);
    assert_int_equal(out, 1);
    assert_int_equal(ld_workday_between(cal, D("2025-10-09"), D("2025-09-30"), &out), LD_OK);
    assert_int_equal(out, -1);
    assert_int_equal(ld_workday_between(cal, D("2025-10-01"), D("2025-10-01"), &out), LD_OK);
    assert_int_equal(out, 0);
    assert_int_equal(ld_workday_between(cal, 0, LD_WORKDAY_DAY_MAX, &out), LD_OK);
    assert_true(out > 2000000);
    assert_int_equal(ld_workday_between(cal, -1, 0, &out), LD_INVALID);
    assert_int_equal(ld_workday_between(cal, 0, LD_WORKDAY_DAY_MAX + 1, &out), LD_INVALID);

    /* add and between agree with each other and with the brute force. */
    for (a = lo; a <= hi; a += 3) {
        for (n = 0; n <= 12; n++) {
            int64_t end = 0, back = 0;

            assert_int_equal(ld_workday_add(cal, a, n, &end), LD_OK);
            assert_int_equal(ld_workday_between(cal, a, end, &back), LD_OK);
            assert_int_equal(back, n);
            assert_true(n == 0 || ld_workday_is_workday(cal, end));
        }
    }
    for (i = 0; i < 2000; i++) {
        x = x * 6364136223846793005u + 1442695040888963407u;
        a = lo + (int64_t)((x >> 33) % (uint64_t)(hi - lo));
        x = x * 6364136223846793005u + 1442695040888963407u;
        b = lo + (int64_t)((x >> 33) % (uint64_t)(hi - lo));
        assert_int_equal(ld_workday_between(cal, a, b, &out), LD_OK);
        assert_int_equal(out, a <= b ? slow_between(a, b) : -slow_between(b, a));
    }
}

/* Load text into a copy of the builtin calendar state; expect rc, field, message. */
static void
expect_load(struct ld_workday *w, const char *text, enum ld_rc want, const char *field,
            const char *msg)
{
    struct ld_err err;
    enum ld_rc rc;

    ld_err_clear(&err);
    rc = ld_workday_load_csv(w, "new.csv", text, strlen(text), &err);
    if (rc != want)
        fail_msg("load: rc %s, expected %s (%s)", ld_rc_str(rc), ld_rc_str(want), err.msg);
    if (want == LD_OK)
        return;
    assert_string_equal(err.field, field);
    if (strstr(err.msg, msg) == NULL)
        fail_msg("message \"%s\" lacks \"%s\"", err.msg, msg);
}

static void
test_load(void **state)
{
    struct ld_workday *w = ld_workday_new();
    struct ld_err err;
    const char *name = NULL;

    (void)state;
    ld_err_clear(&err);
    assert_int_equal(ld_workday_load_builtin(w, &err), LD_OK);
    /* Loading the same rows again changes nothing. */
    assert_int_equal(ld_workday_load_builtin(w, &err), LD_OK);
    assert_true(ld_workday_is_workday(w, D("2025-09-28")));

    /* A further year (made-up test rows, not a real notice), quoted fields allowed. */
    expect_load(w,
                "date,kind,name\r\n"
                "2031-01-01,off,元旦\r\n"
                "\"2031-02-08\",\"work\",\"春节\"\r\n"
                "2031-02-06,off,春节\r\n",
                LD_OK, NULL, NULL);
    assert_true(ld_workday_covered(w, 2031));
    assert_false(ld_workday_is_workday(w, D("2031-01-01")));
    assert_false(ld_workday_is_workday(w, D("2031-02-06"))); /* a Thursday */
    assert_true(ld_workday_is_workday(w, D("2031-02-08")));  /* a Saturday */
    assert_int_equal(ld_workday_kind(w, D("2031-02-08"), &name), LD_WORKDAY_WORK);
    assert_string_equal(name, "春节");
    /* Old rows are still there. */
    assert_false(ld_workday_is_workday(w, D("2025-10-08")));

    /* Malformed rows are refused with their line; nothing is added. */
    expect_load(w, "date,kind,name\n2032-01-01,off,元旦\n2032-13-01,off,x\n", LD_INVALID,
                "new.csv:3", "line 3: date '2032-13-01' does not exist");
    assert_false(ld_workday_covered(w, 2032));
    expect_load(w, "date,kind,name\n2032-02-30,off,x\n", LD_INVALID, "new.csv:2", "does not exist");
    expect_load(w, "date,kind,name\n1969-12-31,off,x\n", LD_INVALID, "new.csv:2", "before 1970");
    expect_load(w, "date,kind,name\n2032-1-01,off,x\n", LD_PARSE, "new.csv:2",
                "date '2032-1-01' is not YYYY-MM-DD");
    expect_load(w, "date,kind,name\n28-01-01xx,off,x\n", LD_PARSE, "new.csv:2",
                "is not YYYY-MM-DD");
    expect_load(w, "date,kind,name\n2032-01-01T00:00:00Z,off,x\n", LD_PARSE, "new.csv:2",
                "is not YYYY-MM-DD");
    expect_load(w, "date,kind,name\n\n\n2032-01-01,holiday,x\n", LD_INVALID, "new.csv:4",
                "line 4: kind 'holiday' is not 'off' or 'work'");
    expect_load(w, "date,kind,name\n2032-01-01,Off,x\n", LD_INVALID, "new.csv:2", "kind 'Off'");
    expect_load(w, "date,kind,name\n2032-01-01,off,\n", LD_INVALID, "new.csv:2", "name is empty");
    expect_load(w, "date,kind,name\n2032-01-05,work,元旦\n", LD_INVALID, "new.csv:2",
                "'work' day 2032-01-05 is a Monday");
    expect_load(w, "date,kind,name\n2032-01-01,off,元旦\n2032-01-02,off,元旦\n2032-01-01,off,x\n",
                LD_INVALID, "new.csv:4", "line 4: 2032-01-01 is already listed on line 2");
    expect_load(w, "date,kind,name\n2032-01-01,off\n", LD_PARSE, "new.csv:2",
                "2 fields, expected 3");
    expect_load(w, "date,kind,name\n2032-01-01,off,\"x\n", LD_PARSE, "new.csv:2", "never closes");
    expect_load(w, "date,type,name\n", LD_PARSE, "new.csv:1", "header column 2 is 'type'");
    expect_load(w, "", LD_PARSE, "new.csv:1", "no header");
    /* 2024-10-05 (Saturday) is 'off' already: 'work' conflicts. */
    expect_load(w, "date,kind,name\n2032-01-01,off,元旦\n2024-10-05,work,国庆节\n", LD_CONFLICT,
                "new.csv:3", "line 3: 2024-10-05 is already listed as 'off' (国庆节)");
    assert_false(ld_workday_covered(w, 2032));
    assert_false(ld_workday_is_workday(w, D("2024-10-05")));
    /* The first conflict in file order is reported. */
    expect_load(w, "date,kind,name\n2026-10-10,off,x\n2024-10-05,work,x\n", LD_CONFLICT,
                "new.csv:2", "2026-10-10 is already listed as 'work' (国庆节)");
    /* The same kind again is fine, whatever the name. */
    expect_load(w, "date,kind,name\n2024-10-05,off,another name\n", LD_OK, NULL, NULL);
    assert_int_equal(ld_workday_kind(w, D("2024-10-05"), &name), LD_WORKDAY_OFF);
    assert_string_equal(name, "国庆节");
    ld_workday_free(w);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rows_and_coverage),
        cmocka_unit_test(test_spring_festival),
        cmocka_unit_test(test_national_day),
        cmocka_unit_test(test_deadlines),
        cmocka_unit_test(test_cst_deadline),
        cmocka_unit_test(test_between),
        cmocka_unit_test(test_load),
    };

    return cmocka_run_group_tests_name("workday", tests, setup, teardown);
}
