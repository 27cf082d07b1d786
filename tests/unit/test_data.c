/*
 * test_data.c - unit tests for src/data.c: the embedded file table and the
 * RFC 4180 reader (quoting, CRLF, blank lines, BOM, line numbers in errors,
 * UTF-8 and control-character refusals).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "liandan/data.h"

static void
test_embedded(void **state)
{
    const struct ld_data_file *f;
    size_t i, lines = 0;

    (void)state;
    assert_true(ld_data_file_count >= 6); /* more editions or years may be added */
    f = ld_data_get("hw-catalogue-2021.csv");
    assert_non_null(f);
    assert_string_equal(f->name, "hw-catalogue-2021.csv");
    assert_int_equal(f->len, 69469); /* the file's size: bytes kept exactly */
    assert_int_equal(f->text[f->len], '\0');
    assert_int_equal(strlen(f->text), f->len);
    assert_memory_equal(f->text + f->len - 2, "\r\n", 2);
    for (i = 0; i < f->len; i++)
        lines += f->text[i] == '\n';
    assert_int_equal(lines, 468);
    f = ld_data_get("cn-holidays.csv");
    assert_non_null(f);
    assert_int_equal(f->len, 2837);
    assert_memory_equal(f->text, "date,kind,name\n2023-12-30,off,元旦\n", 37);
    assert_non_null(ld_data_get("hw-exemptions-2021.csv"));
    assert_non_null(ld_data_get("disposal-methods.csv"));
    assert_non_null(ld_data_get("gb2260-provinces.csv"));
    assert_non_null(ld_data_get("dalian-districts.csv"));
    assert_null(ld_data_get("cn-holidays.md"));
    assert_null(ld_data_get("data/cn-holidays.csv"));
    assert_null(ld_data_get(""));
}

/* Read all of text as records of n fields; join them as "a|b;c|d;" into out. */
static enum ld_rc
read_all(const char *text, size_t len, size_t n, char *out, size_t size, struct ld_err *err)
{
    struct ld_data_csv c;
    size_t used = 0, i;
    enum ld_rc rc;
    int got = 0;

    out[0] = '\0';
    ld_err_clear(err);
    ld_data_csv_init(&c, "t.csv", text, len, n);
    for (;;) {
        rc = ld_data_csv_next(&c, &got, err);
        if (rc != LD_OK || !got)
            break;
        for (i = 0; i < n; i++)
            used += (size_t)snprintf(out + used, size - used, "%s%s", c.field[i],
                                     i + 1 < n ? "|" : ";");
        used += (size_t)snprintf(out + used, size - used, "@%zu ", c.line);
    }
    ld_data_csv_release(&c);
    ld_data_csv_release(&c); /* twice is harmless */
    return rc;
}

static void
expect_records(const char *text, size_t n, const char *want)
{
    char out[512];
    struct ld_err err;

    if (read_all(text, strlen(text), n, out, sizeof out, &err) != LD_OK)
        fail_msg("\"%s\": %s", text, err.msg);
    assert_string_equal(out, want);
}

static void
expect_error(const char *text, size_t len, size_t n, const char *field, const char *want)
{
    char out[512];
    struct ld_err err;

    assert_int_equal(read_all(text, len, n, out, sizeof out, &err), LD_PARSE);
    assert_int_equal(err.rc, LD_PARSE);
    assert_string_equal(err.field, field);
    if (strstr(err.msg, want) == NULL)
        fail_msg("message \"%s\" lacks \"%s\"", err.msg, want);
}

/* For literals: the length includes any embedded NUL. */
#define EXPECT_ERROR(lit, n, field, want) expect_error(lit, sizeof lit - 1, n, field, want)

static void
test_records(void **state)
{
    (void)state;
    expect_records("", 2, "");
    expect_records("\n\r\n\n", 2, "");
    expect_records("a,b\nc,d\n", 2, "a|b;@1 c|d;@2 ");
    expect_records("a,b\r\nc,d\r\n", 2, "a|b;@1 c|d;@2 ");
    expect_records("a,b\nc,d", 2, "a|b;@1 c|d;@2 ");
    expect_records("a,b\n\n\r\nc,d\n\n", 2, "a|b;@1 c|d;@4 ");
    expect_records("\xEF\xBB\xBF"
                   "a,b\n",
                   2, "a|b;@1 ");
    expect_records(",\n,x\n", 2, "|;@1 |x;@2 ");
    expect_records("\"a,b\",\"say \"\"hi\"\"\"\n", 2, "a,b|say \"hi\";@1 ");
    expect_records("\"\",\"\"\"\"\n", 2, "|\";@1 ");
    /* A quoted field may hold line breaks; the next record's line counts them. */
    expect_records("\"one\ntwo\",x\ny,z\n", 2, "one\ntwo|x;@1 y|z;@3 ");
    expect_records("\"one\r\ntwo\",x\r\ny,z\r\n", 2, "one\r\ntwo|x;@1 y|z;@3 ");
    expect_records("元旦,国庆节、中秋节\n", 2, "元旦|国庆节、中秋节;@1 ");
    expect_records("a\tb\n", 1, "a\tb;@1 ");
    expect_records("a\n", 1, "a;@1 ");
}

static void
test_errors(void **state)
{
    (void)state;
    EXPECT_ERROR("a,b\n\"open,x\n", 2, "t.csv:2", "line 2: quoted field opened on line 2");
    EXPECT_ERROR("a,b\nx,\"open\n\n", 2, "t.csv:2", "never closes");
    EXPECT_ERROR("a,b\nc,d\"e\n", 2, "t.csv:2", "'\"' inside an unquoted field");
    EXPECT_ERROR("\"a\"b,c\n", 2, "t.csv:1", "'b' after a closing quote");
    EXPECT_ERROR("a,b\rc,d\n", 2, "t.csv:1", "carriage return not followed by line feed");
    EXPECT_ERROR("a,b\n\rx,y\n", 2, "t.csv:2", "carriage return");
    EXPECT_ERROR("a,b\nc,d,e\n", 2, "t.csv:2", "more than 2 fields");
    EXPECT_ERROR("a,b\n\nc\n", 2, "t.csv:3", "line 3: 1 field, expected 2");
    EXPECT_ERROR("a,b,\n", 2, "t.csv:1", "more than 2 fields");
}

static void
test_bytes(void **state)
{
    static const char nul[] = "a,b\nc,d\0e\n";
    static const char qnul[] = "a,\"b\0\"\n";

    (void)state;
    expect_error(nul, sizeof nul - 1, 2, "t.csv:2", "NUL byte");
    expect_error(qnul, sizeof qnul - 1, 2, "t.csv:1", "NUL byte");
    EXPECT_ERROR("a,\xff\n", 2, "t.csv:1", "field 2 is not valid UTF-8 (byte 1)");
    EXPECT_ERROR("a,x\xC0\x80\n", 2, "t.csv:1", "not valid UTF-8 (byte 2)"); /* overlong */
    EXPECT_ERROR("a,\xED\xA0\x80\n", 2, "t.csv:1", "not valid UTF-8");       /* surrogate */
    EXPECT_ERROR("a,\xF4\x90\x80\x80\n", 2, "t.csv:1", "not valid UTF-8");   /* > U+10FFFF */
    EXPECT_ERROR("a,\xE5\x85\n", 2, "t.csv:1", "not valid UTF-8");           /* truncated */
    EXPECT_ERROR("\x01,b\n", 2, "t.csv:1", "field 1 holds control character 0x01");
    EXPECT_ERROR("a,b\x7f\n", 2, "t.csv:1", "control character 0x7f");
}

static void
test_header_and_fail(void **state)
{
    static const char *const names[] = {"date", "kind", "name"};
    struct ld_data_csv c;
    struct ld_err err;
    int got = 0;

    (void)state;
    ld_err_clear(&err);
    ld_data_csv_init(&c, "h.csv", "date,kind,name\n2024-01-01,off,元旦\n", 37, 3);
    assert_int_equal(ld_data_csv_header(&c, names, &err), LD_OK);
    assert_int_equal(ld_data_csv_next(&c, &got, &err), LD_OK);
    assert_int_equal(got, 1);
    assert_string_equal(c.field[2], "元旦");
    assert_int_equal(ld_data_csv_fail(&c, &err, LD_INVALID, "kind '%s' is odd", c.field[1]),
                     LD_INVALID);
    assert_string_equal(err.field, "h.csv:2");
    assert_string_equal(err.msg, "line 2: kind 'off' is odd");
    assert_int_equal(ld_data_csv_next(&c, &got, &err), LD_OK);
    assert_int_equal(got, 0);
    ld_data_csv_release(&c);

    ld_err_clear(&err);
    ld_data_csv_init(&c, "h.csv", "date,type,name\n", 15, 3);
    assert_int_equal(ld_data_csv_header(&c, names, &err), LD_PARSE);
    assert_string_equal(err.field, "h.csv:1");
    assert_string_equal(err.msg, "line 1: header column 2 is 'type', expected 'kind'");
    ld_data_csv_release(&c);

    ld_err_clear(&err);
    ld_data_csv_init(&c, "h.csv", "\n\n", 2, 3);
    assert_int_equal(ld_data_csv_header(&c, names, &err), LD_PARSE);
    assert_string_equal(err.msg, "line 3: no header (the input is empty)");
    ld_data_csv_release(&c);

    /* A NULL err is allowed. */
    ld_data_csv_init(&c, "h.csv", "a\n", 2, 3);
    assert_int_equal(ld_data_csv_header(&c, names, NULL), LD_PARSE);
    ld_data_csv_release(&c);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_embedded),        cmocka_unit_test(test_records),
        cmocka_unit_test(test_errors),          cmocka_unit_test(test_bytes),
        cmocka_unit_test(test_header_and_fail),
    };

    return cmocka_run_group_tests_name("data", tests, NULL, NULL);
}
