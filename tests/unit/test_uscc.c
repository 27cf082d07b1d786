/*
 * test_uscc.c - unit tests for src/uscc.c (GB 32100-2015 USCC, GB 11714 body).
 * Published codes, codes checked against an independent reference computation
 * in this file, and every kind of refusal with its message.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "liandan/uscc.h"

static const char alphabet[] = LD_USCC_ALPHABET;

/* Published codes of well-known registered companies; each also satisfies
 * GB 11714 in positions 9-17. */
static const char *const published[] = {
    "91350100M000100Y43", /* the widely cited textbook example */
    "914403001922038216", /* 华为技术有限公司 */
    "91440300708461136T", /* 深圳市腾讯计算机系统有限公司 */
    "91330100716105852F", /* 阿里巴巴（中国）有限公司 */
    "91110108551385082Q", /* 北京小米科技有限责任公司 */
};

/* Codes built for edge cases and checked by ref_check_char() below. */
static const char *const computed[] = {
    "912102002400009820", /* sum mod 31 == 0: check character 31 is written '0' */
    "91210200240004625Y", /* check character with the highest value (30) */
    "9121020024000000X8", /* GB 11714 body check 'X' (10) */
    "912102002400077700", /* GB 11714 body check '0' (11), GB 32100 check '0' */
    "91210200240000077B",
};

/* Independent reference: weights computed as powers of 3 mod 31, values by
 * position in the alphabet string. Returns 0 for a character outside it. */
static char
ref_check_char(const char *s17)
{
    int i, w = 1, sum = 0;

    for (i = 0; i < 17; i++) {
        const char *p = s17[i] ? strchr(alphabet, s17[i]) : NULL;

        if (p == NULL)
            return 0;
        sum += (int)(p - alphabet) * w;
        w = w * 3 % 31;
    }
    return alphabet[(31 - sum % 31) % 31];
}

static uint64_t rng_state = 0x5eed2026u;

/* splitmix64: a fixed, portable sequence so failures reproduce. */
static uint64_t
rng(void)
{
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15u);

    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

/* Check s, expecting refusal, and that the message contains want. */
static void
expect_invalid(const char *s, const char *want)
{
    struct ld_err err;

    ld_err_clear(&err);
    assert_int_equal(ld_uscc_check(s, "party.uscc", &err), LD_INVALID);
    assert_int_equal(err.rc, LD_INVALID);
    assert_string_equal(err.field, "party.uscc");
    if (strstr(err.msg, want) == NULL)
        fail_msg("message \"%s\" for \"%s\" lacks \"%s\"", err.msg, s, want);
}

static void
test_published_codes(void **state)
{
    size_t i;

    (void)state;
    for (i = 0; i < sizeof published / sizeof published[0]; i++) {
        struct ld_err err;

        ld_err_clear(&err);
        assert_int_equal(ld_uscc_check(published[i], "f", &err), LD_OK);
        assert_int_equal(err.rc, LD_OK);
        assert_string_equal(err.msg, "");
        assert_int_equal(ld_uscc_check_char(published[i]), published[i][17]);
        assert_int_equal(ld_uscc_org_ok(published[i]), 1);
    }
}

static void
test_computed_codes(void **state)
{
    size_t i;

    (void)state;
    for (i = 0; i < sizeof computed / sizeof computed[0]; i++) {
        assert_int_equal(ref_check_char(computed[i]), computed[i][17]);
        assert_int_equal(ld_uscc_check_char(computed[i]), computed[i][17]);
        assert_int_equal(ld_uscc_check(computed[i], NULL, NULL), LD_OK);
        assert_int_equal(ld_uscc_org_ok(computed[i]), 1);
    }
}

/* Random prefixes: library and reference agree, and the completed code passes. */
static void
test_random_codes_match_reference(void **state)
{
    int n, i;

    (void)state;
    for (n = 0; n < 20000; n++) {
        char s[LD_USCC_LEN + 1];
        char c;

        for (i = 0; i < 17; i++)
            s[i] = (i >= 2 && i <= 7) ? (char)('0' + rng() % 10) : alphabet[rng() % 31];
        s[17] = '\0';
        c = ld_uscc_check_char(s);
        assert_int_equal(c, ref_check_char(s));
        s[17] = c;
        s[18] = '\0';
        assert_int_equal(ld_uscc_check(s, NULL, NULL), LD_OK);
    }
}

/* Every other byte at position 18 is refused; other alphabet characters name
 * both the found and the expected check character. */
static void
test_mutated_check_char(void **state)
{
    const char *good = published[0];
    int b;

    (void)state;
    for (b = 1; b < 256; b++) {
        char s[LD_USCC_LEN + 1];

        if (b == good[17])
            continue;
        memcpy(s, good, sizeof s);
        s[17] = (char)b;
        if (strchr(alphabet, b) != NULL) {
            char want[64];

            snprintf(want, sizeof want, "check character is '%c', expected '3'", b);
            expect_invalid(s, want);
        } else {
            assert_int_equal(ld_uscc_check(s, NULL, NULL), LD_INVALID);
        }
    }
}

/* Weights are non-zero modulo the prime 31, so any single substitution in
 * positions 1-17 changes the check character. */
static void
test_mutated_body(void **state)
{
    size_t k;
    int i, a;

    (void)state;
    for (k = 0; k < sizeof published / sizeof published[0]; k++) {
        for (i = 0; i < 17; i++) {
            for (a = 0; a < 31; a++) {
                char s[LD_USCC_LEN + 1];

                memcpy(s, published[k], sizeof s);
                if (s[i] == alphabet[a] || (i >= 2 && i <= 7 && a > 9))
                    continue;
                s[i] = alphabet[a];
                expect_invalid(s, "check character is");
            }
        }
    }
}

static void
test_length(void **state)
{
    (void)state;
    expect_invalid("", "length is 0, expected 18");
    expect_invalid("91350100M000100Y4", "length is 17, expected 18");
    expect_invalid("91350100M000100Y433", "length is 19, expected 18");
    expect_invalid("91350100M000100Y43 ", "length is 19, expected 18");
}

static void
test_lowercase(void **state)
{
    (void)state;
    expect_invalid("91350100m000100Y43", "lowercase 'm' at position 9");
    expect_invalid("91350100M000100y43", "lowercase 'y' at position 16");
    expect_invalid("91350100m000100y43", "lowercase 'm' at position 9");
    assert_int_equal(ld_uscc_check_char("91350100m000100y4"), 0);
}

/* I, O, Z, S, V at every position are refused, whatever the check says. */
static void
test_forbidden_letters(void **state)
{
    static const char forbidden[] = "IOZSV";
    int i, f;

    (void)state;
    for (i = 0; i < LD_USCC_LEN; i++) {
        for (f = 0; forbidden[f] != '\0'; f++) {
            char s[LD_USCC_LEN + 1];
            char want[64];

            memcpy(s, published[0], sizeof s);
            s[i] = forbidden[f];
            snprintf(want, sizeof want, "character '%c' not allowed at position %d", forbidden[f],
                     i + 1);
            expect_invalid(s, want);
        }
    }
    expect_invalid("91350100M000100Y4I", "character 'I' not allowed at position 18");
}

static void
test_other_bytes(void **state)
{
    (void)state;
    expect_invalid("91350100M000100Y-3", "character '-' not allowed at position 17");
    expect_invalid("9135 100M000100Y43", "character ' ' not allowed at position 5");
    expect_invalid("91350100M000100Y4'", "byte 0x27 not allowed at position 18");
    expect_invalid("91350100M000100Y4\x7f", "byte 0x7f not allowed at position 18");
    /* 18 bytes, but "统一" is 6 bytes of UTF-8 */
    expect_invalid("\xe7\xbb\x9f\xe4\xb8\x80"
                   "0100M000100Y",
                   "byte 0xe7 not allowed at position 1");
}

/* Positions 3-8 are the administrative division code: digits only. */
static void
test_division_digits(void **state)
{
    char s[LD_USCC_LEN + 1];
    char c;

    (void)state;
    /* give it a correct check character so only the digit rule can refuse it */
    memcpy(s, "9135A100M000100Y4", 17);
    c = ref_check_char(s);
    assert_int_not_equal(c, 0);
    s[17] = c;
    s[18] = '\0';
    expect_invalid(s, "character 'A' at position 5 must be a digit");
    s[17] = '\0';
    assert_int_equal(ld_uscc_check_char(s), 0);
}

static void
test_err_detail(void **state)
{
    struct ld_err err;

    (void)state;
    /* NULL err and NULL field are allowed */
    assert_int_equal(ld_uscc_check("x", NULL, NULL), LD_INVALID);
    ld_err_clear(&err);
    assert_int_equal(ld_uscc_check("x", NULL, &err), LD_INVALID);
    assert_string_equal(err.field, "");
    /* the first error recorded wins */
    assert_int_equal(ld_uscc_check("91350100M000100Y44", "second", &err), LD_INVALID);
    assert_string_equal(err.msg, "length is 1, expected 18");
    /* success leaves err untouched */
    ld_err_clear(&err);
    assert_int_equal(ld_uscc_check(published[1], "f", &err), LD_OK);
    assert_int_equal(err.rc, LD_OK);
    assert_string_equal(err.field, "");
}

static void
test_check_char(void **state)
{
    static const char short17[17] = "9135";
    static const char zero17[17] = {0};

    (void)state;
    assert_int_equal(ld_uscc_check_char("91350100M000100Y4"), '3');
    assert_int_equal(ld_uscc_check_char("91210200240000982"), '0');
    assert_int_equal(ld_uscc_check_char(short17), 0); /* the NUL padding is refused */
    assert_int_equal(ld_uscc_check_char(zero17), 0);
    assert_int_equal(ld_uscc_check_char("91350100M000100I4"), 0);
    /* only 17 characters are read: an 18th is ignored */
    assert_int_equal(ld_uscc_check_char("91350100M000100Y4?"), '3');
}

static void
test_org_code(void **state)
{
    char s[LD_USCC_LEN + 1];
    int c;

    (void)state;
    /* exactly one check character of 0-9, X is accepted */
    for (c = 0; c < 256; c++) {
        memcpy(s, "91350100M000100Y43", sizeof s);
        if (c == 0)
            continue;
        s[16] = (char)c;
        assert_int_equal(ld_uscc_org_ok(s), c == '4');
    }
    memcpy(s, "9121020024000000X8", sizeof s);
    assert_int_equal(ld_uscc_org_ok(s), 1);
    s[16] = '0';
    assert_int_equal(ld_uscc_org_ok(s), 0);
    /* positions 1-8 and 18 are not looked at */
    assert_int_equal(ld_uscc_org_ok("ZZZZZZZZM000100Y4?"), 1);
    /* a code whose GB 32100 check is right but whose body check is wrong */
    memcpy(s, "91350100M000100Y5", 17);
    s[17] = ref_check_char(s);
    s[18] = '\0';
    assert_int_equal(ld_uscc_check(s, NULL, NULL), LD_OK);
    assert_int_equal(ld_uscc_org_ok(s), 0);
    /* wrong length, lowercase */
    assert_int_equal(ld_uscc_org_ok("91350100M000100Y4"), 0);
    assert_int_equal(ld_uscc_org_ok("91350100M000100Y433"), 0);
    assert_int_equal(ld_uscc_org_ok("91350100m000100y43"), 0);
    assert_int_equal(ld_uscc_org_ok(""), 0);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_published_codes),
        cmocka_unit_test(test_computed_codes),
        cmocka_unit_test(test_random_codes_match_reference),
        cmocka_unit_test(test_mutated_check_char),
        cmocka_unit_test(test_mutated_body),
        cmocka_unit_test(test_length),
        cmocka_unit_test(test_lowercase),
        cmocka_unit_test(test_forbidden_letters),
        cmocka_unit_test(test_other_bytes),
        cmocka_unit_test(test_division_digits),
        cmocka_unit_test(test_err_detail),
        cmocka_unit_test(test_check_char),
        cmocka_unit_test(test_org_code),
    };

    return cmocka_run_group_tests_name("uscc", tests, NULL, NULL);
}
