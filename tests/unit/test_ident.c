/*
 * test_ident.c - unit tests for src/ident.c: vehicle plates of every kind and
 * every province, refusals with their messages (I/O, lowercase, separators,
 * bad UTF-8, truncated province characters), and the conservative HJ 1276
 * container-code check.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "liandan/ident.h"

static void
expect_plate(const char *s, enum ld_ident_plate_kind want)
{
    enum ld_ident_plate_kind kind = 0;
    struct ld_err err;

    ld_err_clear(&err);
    if (ld_ident_plate_check(s, "plate", &kind, &err) != LD_OK)
        fail_msg("'%s' refused: %s", s, err.msg);
    if (kind != want)
        fail_msg("'%s' is %s, expected %s", s, ld_ident_plate_kind_str(kind),
                 ld_ident_plate_kind_str(want));
    assert_true(strlen(s) <= LD_IDENT_PLATE_MAX);
}

static void
expect_bad_plate(const char *s, const char *want)
{
    enum ld_ident_plate_kind kind = 0;
    struct ld_err err;

    ld_err_clear(&err);
    if (ld_ident_plate_check(s, "body.vehicle.plate", &kind, &err) != LD_INVALID)
        fail_msg("'%s' accepted", s);
    assert_int_equal(kind, 0);
    assert_int_equal(err.rc, LD_INVALID);
    assert_string_equal(err.field, "body.vehicle.plate");
    if (strstr(err.msg, want) == NULL)
        fail_msg("message \"%s\" for '%s' lacks \"%s\"", err.msg, s, want);
}

static void
test_plate_kinds(void **state)
{
    enum ld_ident_plate_kind kind = 0;

    (void)state;
    expect_plate("辽B12345", LD_IDENT_PLATE_ORDINARY);
    expect_plate("辽B8K2X9", LD_IDENT_PLATE_ORDINARY);
    expect_plate("辽BD1234", LD_IDENT_PLATE_ORDINARY); /* 5 characters: not new-energy */
    expect_plate("京AABCDE", LD_IDENT_PLATE_ORDINARY);
    expect_plate("辽BD12345", LD_IDENT_PLATE_NEW_ENERGY);
    expect_plate("辽BF12345", LD_IDENT_PLATE_NEW_ENERGY);
    expect_plate("辽BDA1234", LD_IDENT_PLATE_NEW_ENERGY);
    expect_plate("粤BDF1234", LD_IDENT_PLATE_NEW_ENERGY);
    expect_plate("辽B12345D", LD_IDENT_PLATE_NEW_ENERGY);
    expect_plate("辽B12345F", LD_IDENT_PLATE_NEW_ENERGY);
    expect_plate("辽B1234挂", LD_IDENT_PLATE_TRAILER);
    expect_plate("辽BA123挂", LD_IDENT_PLATE_TRAILER);
    /* NULL kind and NULL err are allowed. */
    assert_int_equal(ld_ident_plate_check("辽B12345", NULL, NULL, NULL), LD_OK);
    assert_int_equal(ld_ident_plate_check("辽B1234", NULL, &kind, NULL), LD_INVALID);
    assert_string_equal(ld_ident_plate_kind_str(LD_IDENT_PLATE_ORDINARY), "ordinary");
    assert_string_equal(ld_ident_plate_kind_str(LD_IDENT_PLATE_NEW_ENERGY), "new_energy");
    assert_string_equal(ld_ident_plate_kind_str(LD_IDENT_PLATE_TRAILER), "trailer");
    assert_string_equal(ld_ident_plate_kind_str((enum ld_ident_plate_kind)9), "unknown");
}

static void
test_every_province(void **state)
{
    static const char provinces[] = LD_IDENT_PROVINCES;
    size_t i;

    (void)state;
    assert_int_equal(sizeof provinces - 1, 31 * 3);
    for (i = 0; i < 31; i++) {
        char plate[32];

        snprintf(plate, sizeof plate, "%.3sC12345", provinces + 3 * i);
        expect_plate(plate, LD_IDENT_PLATE_ORDINARY);
        snprintf(plate, sizeof plate, "%.3sC1234挂", provinces + 3 * i);
        expect_plate(plate, LD_IDENT_PLATE_TRAILER);
    }
    /* Not provinces: 港, 澳, 台, 使, 警, a Latin letter, a traditional form. */
    expect_bad_plate("港B12345", "'港' at position 1 is not a province abbreviation");
    expect_bad_plate("澳B12345", "not a province abbreviation");
    expect_bad_plate("台B12345", "not a province abbreviation");
    expect_bad_plate("使B12345", "not a province abbreviation");
    expect_bad_plate("LB12345", "'L' at position 1 is not a province");
    expect_bad_plate("遼B12345", "not a province abbreviation");
    expect_bad_plate("B12345", "not a province abbreviation");
}

static void
test_plate_refusals(void **state)
{
    (void)state;
    expect_bad_plate("", "plate is empty");
    expect_bad_plate("辽", "no issuing authority letter");
    expect_bad_plate("辽b12345", "lowercase 'b' at position 2");
    expect_bad_plate("辽I12345", "letter 'I' at position 2 is never used");
    expect_bad_plate("辽O12345", "letter 'O' at position 2 is never used");
    expect_bad_plate("辽112345", "'1' at position 2: expected the issuing authority letter");
    expect_bad_plate("辽B12O45", "letter 'O' at position 5 is never used");
    expect_bad_plate("辽B1I345", "letter 'I' at position 4");
    expect_bad_plate("辽B1234a", "lowercase 'a' at position 7");
    expect_bad_plate("辽B·12345", "'·' at position 3: expected a digit or a letter");
    expect_bad_plate("辽B 12345", "' ' at position 3: write the plate without separators");
    expect_bad_plate("辽B-12345", "without separators");
    expect_bad_plate("辽Ｂ12345", "'Ｂ' at position 2"); /* fullwidth B */
    expect_bad_plate("辽B１2345", "'１' at position 3");
    expect_bad_plate("辽B1234", "serial has 4 characters, expected 5");
    expect_bad_plate("辽B1234567", "serial has 7 characters");
    expect_bad_plate("辽B", "serial has 0 characters");
    expect_bad_plate("辽B12345\n", "control character 0x0a at position 8");
    expect_bad_plate("辽B12345678901", "longer than 12 characters");
    expect_bad_plate("辽B123警", "'警' at position 6");
    expect_bad_plate("辽B1234学", "'学' at position 7");
    /* New-energy rules. */
    expect_bad_plate("辽BDA12B4", "'B' at position 7 must be a digit");
    expect_bad_plate("辽BA12345", "'A' at position 3 must be a digit");
    expect_bad_plate("辽B1234AD", "'A' at position 7 must be a digit");
    expect_bad_plate("辽B12345A", "'A' at position 8 must be D or F");
    expect_bad_plate("辽B123456", "position 8 must be D or F");
    /* Trailers. */
    expect_bad_plate("辽B12345挂", "trailer serial has 5 characters before 挂, expected 4");
    expect_bad_plate("辽B123挂", "trailer serial has 3 characters");
    expect_bad_plate("辽B挂", "trailer serial has 0 characters");
    expect_bad_plate("辽B12挂34", "'挂' at position 5");
}

static void
test_plate_utf8(void **state)
{
    (void)state;
    /* 辽 is E8 BE BD: cut short, or followed by ASCII in place of a continuation byte. */
    expect_bad_plate("\xE8\xBE", "not valid UTF-8 (byte 0xe8 at offset 0)");
    expect_bad_plate("\xE8\xBE"
                     "B12345",
                     "not valid UTF-8");
    expect_bad_plate("\xE8"
                     "B12345",
                     "not valid UTF-8");
    expect_bad_plate("\xBE\xBD"
                     "B12345",
                     "byte 0xbe at offset 0");
    expect_bad_plate("辽B1234\xE6\x8C", "byte 0xe6 at offset 8"); /* 挂 cut short */
    expect_bad_plate("\xC0\x80"
                     "B12345",
                     "not valid UTF-8"); /* overlong NUL */
    expect_bad_plate("\xE0\x80\xAF"
                     "B12345",
                     "not valid UTF-8"); /* overlong '/' */
    expect_bad_plate("\xED\xA0\x80"
                     "B12345",
                     "not valid UTF-8"); /* surrogate */
    expect_bad_plate("\xF4\x90\x80\x80"
                     "B12345",
                     "not valid UTF-8"); /* above U+10FFFF */
    expect_bad_plate("\xFF"
                     "B12345",
                     "byte 0xff at offset 0");
    expect_bad_plate("辽B12345\xFF", "byte 0xff at offset 9");
    /* A valid 4-byte character is decoded as one position. */
    expect_bad_plate("辽B\xF0\x9F\x9A\x9A"
                     "2345",
                     "'\xF0\x9F\x9A\x9A' at position 3");
}

static void
expect_container(const char *s)
{
    struct ld_err err;

    ld_err_clear(&err);
    if (ld_ident_container_check(s, "c", &err) != LD_OK)
        fail_msg("'%s' refused: %s", s, err.msg);
}

static void
expect_bad_container(const char *s, const char *want)
{
    struct ld_err err;

    ld_err_clear(&err);
    if (ld_ident_container_check(s, "line.containers[0]", &err) != LD_INVALID)
        fail_msg("'%s' accepted", s);
    assert_string_equal(err.field, "line.containers[0]");
    if (strstr(err.msg, want) == NULL)
        fail_msg("message \"%s\" for '%s' lacks \"%s\"", err.msg, s, want);
}

static void
test_container(void **state)
{
    char longest[LD_IDENT_CONTAINER_MAX + 2];

    (void)state;
    expect_container("1");
    expect_container("A");
    expect_container("91210200240000982090021408202501150001");
    expect_container("91210200240000982X-900-214-08-20250115-0001");
    expect_container("DL-2025-000137");
    memset(longest, '7', sizeof longest);
    longest[LD_IDENT_CONTAINER_MAX] = '\0';
    expect_container(longest);
    longest[LD_IDENT_CONTAINER_MAX] = '7';
    longest[LD_IDENT_CONTAINER_MAX + 1] = '\0';
    expect_bad_container(longest, "has 65 characters, at most 64");
    expect_bad_container("", "container code is empty");
    expect_bad_container("-A1", "'-' at position 1");
    expect_bad_container("A1-", "'-' at position 3");
    expect_bad_container("A--1", "'-' at position 2");
    expect_bad_container("ab12", "lowercase 'a' at position 1");
    expect_bad_container("AB 12", "' ' at position 3: only 0-9, A-Z and '-'");
    expect_bad_container("AB_12", "'_' at position 3");
    expect_bad_container("AB/12", "'/' at position 3");
    expect_bad_container("桶01", "byte 0xe6 at position 1");
    expect_bad_container("A\t1", "byte 0x09 at position 2");
    assert_int_equal(ld_ident_container_check("A1", NULL, NULL), LD_OK);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plate_kinds),    cmocka_unit_test(test_every_province),
        cmocka_unit_test(test_plate_refusals), cmocka_unit_test(test_plate_utf8),
        cmocka_unit_test(test_container),
    };

    return cmocka_run_group_tests_name("ident", tests, NULL, NULL);
}
