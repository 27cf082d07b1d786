/*
 * test_canon.c - unit tests for src/canon.c (RFC 8785 JCS, DESIGN.md §4.1).
 *
 * Known answers come from $LIANDAN_SHARED/vectors/jcs (cyberphone's six
 * input/output pairs and the first 10,000 ES6 number lines); a missing
 * LIANDAN_SHARED or vector file fails the test instead of skipping it.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <cJSON.h>

#include "liandan/buf.h"
#include "liandan/canon.h"
#include "liandan/err.h"
#include "liandan/mem.h"

/* Whole file under $LIANDAN_SHARED/<rel> into a new buffer (not NUL-terminated
 * beyond len, so that parse tests see exactly len bytes); fails the test. */
static char *
slurp(const char *rel, size_t *len)
{
    const char *root = getenv("LIANDAN_SHARED");
    char *path, *data;
    FILE *f;
    long n;

    if (root == NULL || *root == '\0')
        fail_msg("LIANDAN_SHARED is not set (the shared/ folder with test vectors)");
    path = ld_xasprintf("%s/%s", root, rel);
    f = fopen(path, "rb");
    if (f == NULL)
        fail_msg("cannot open '%s'", path);
    assert_int_equal(fseek(f, 0, SEEK_END), 0);
    n = ftell(f);
    assert_true(n >= 0);
    assert_int_equal(fseek(f, 0, SEEK_SET), 0);
    data = ld_xmalloc((size_t)n);
    assert_int_equal(fread(data, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    free(path);
    *len = (size_t)n;
    return data;
}

/* Parse `json` (as exactly strlen bytes, copied to an unterminated buffer so
 * ASan catches over-reads) and return rc; *out gets the tree or NULL. */
static enum ld_rc
parse(const char *json, unsigned flags, cJSON **out, struct ld_err *err)
{
    size_t n = strlen(json);
    char *copy = ld_xmalloc(n);
    enum ld_rc rc;

    memcpy(copy, json, n);
    ld_err_clear(err);
    rc = ld_canon_parse(copy, n, flags, out, err);
    free(copy);
    return rc;
}

/* Parse `json` with flags and expect canonical text `want`. */
static void
expect_canon(const char *json, unsigned flags, const char *want)
{
    struct ld_err err = {0};
    cJSON *root = NULL;
    char *got = NULL;
    size_t got_len = 0;

    if (parse(json, flags, &root, &err) != LD_OK)
        fail_msg("parse '%s': %s: %s", json, err.field, err.msg);
    assert_int_equal(ld_canon_dup(root, flags, &got, &got_len, &err), LD_OK);
    assert_string_equal(got, want);
    assert_int_equal(got_len, strlen(want));
    free(got);
    cJSON_Delete(root);
}

/* Parse `json` and expect refusal with rc, field and message. */
static void
expect_refused(const char *json, unsigned flags, enum ld_rc rc, const char *field, const char *msg)
{
    struct ld_err err = {0};
    cJSON *root = (cJSON *)&err; /* must come back NULL */

    assert_int_equal(parse(json, flags, &root, &err), rc);
    assert_null(root);
    assert_int_equal(err.rc, rc);
    if (field != NULL)
        assert_string_equal(err.field, field);
    if (msg != NULL)
        assert_string_equal(err.msg, msg);
}

/* Write tree v (taking it) and expect refusal with rc, field and message. */
static void
expect_write_refused(cJSON *v, unsigned flags, enum ld_rc rc, const char *field, const char *msg)
{
    struct ld_err err = {0};
    char *got = (char *)&err;
    size_t got_len = 99;

    assert_int_equal(ld_canon_dup(v, flags, &got, &got_len, &err), rc);
    assert_null(got);
    assert_int_equal(got_len, 0);
    assert_string_equal(err.field, field);
    if (msg != NULL)
        assert_string_equal(err.msg, msg);
    cJSON_Delete(v);
}

static void
test_vectors(void **state)
{
    static const char *const names[] = {"arrays",  "french", "structures",
                                        "unicode", "values", "weird"};
    size_t i, in_len, want_len;
    int checked = 0;

    (void)state;
    for (i = 0; i < sizeof names / sizeof names[0]; i++) {
        char *in_rel = ld_xasprintf("vectors/jcs/input/%s.json", names[i]);
        char *out_rel = ld_xasprintf("vectors/jcs/output/%s.json", names[i]);
        char *in = slurp(in_rel, &in_len);
        char *want = slurp(out_rel, &want_len);
        struct ld_buf b = LD_BUF_INIT;
        struct ld_err err = {0};
        cJSON *root = NULL;

        assert_int_equal(ld_canon_parse(in, in_len, 0, &root, &err), LD_OK);
        assert_int_equal(ld_canon_write(root, 0, &b, &err), LD_OK);
        assert_int_equal(b.len, want_len);
        assert_memory_equal(b.data, want, want_len);

        /* Canonical text is a fixed point. */
        cJSON_Delete(root);
        root = NULL;
        assert_int_equal(ld_canon_parse(b.data, b.len, 0, &root, &err), LD_OK);
        ld_buf_reset(&b);
        assert_int_equal(ld_canon_write(root, 0, &b, &err), LD_OK);
        assert_int_equal(b.len, want_len);
        assert_memory_equal(b.data, want, want_len);

        cJSON_Delete(root);
        ld_buf_release(&b);
        free(in);
        free(want);
        free(in_rel);
        free(out_rel);
        checked++;
    }
    assert_int_equal(checked, 6);
}

static void
test_numbers_10000(void **state)
{
    size_t len, i = 0;
    char *text = slurp("vectors/jcs/es6_numbers_10000.txt", &len);
    int checked = 0;

    (void)state;
    while (i < len) {
        char line[128], got[LD_CANON_NUM_MAX];
        const char *comma;
        char *end = NULL;
        size_t n = 0;
        uint64_t bits;
        double d;

        while (i + n < len && text[i + n] != '\n')
            n++;
        assert_true(n < sizeof line);
        memcpy(line, text + i, n);
        line[n] = '\0';
        i += n + 1;
        comma = strchr(line, ',');
        assert_non_null(comma);
        bits = strtoull(line, &end, 16);
        assert_ptr_equal(end, comma);
        memcpy(&d, &bits, sizeof d);
        assert_int_equal(ld_canon_number(d, got), LD_OK);
        if (strcmp(got, comma + 1) != 0)
            fail_msg("line %d (%s): got %s", checked + 1, line, got);
        checked++;
    }
    free(text);
    assert_int_equal(checked, 10000);
}

static void
test_number_edges(void **state)
{
    static const struct {
        double d;
        const char *want;
    } cases[] = {
        {0.0, "0"},
        {-0.0, "0"},
        {1.0, "1"},
        {-1.0, "-1"},
        {0.1, "0.1"},
        {1.5, "1.5"},
        {1e21, "1e+21"},
        {1e20, "100000000000000000000"},
        {123456789012345680000.0, "123456789012345680000"},
        {1e-6, "0.000001"},
        {1e-7, "1e-7"},
        {1.2345e-7, "1.2345e-7"},
        {-1.2345e-7, "-1.2345e-7"},
        {5e-324, "5e-324"},
        {1.7976931348623157e308, "1.7976931348623157e+308"},
        {-1.7976931348623157e308, "-1.7976931348623157e+308"},
        {9007199254740991.0, "9007199254740991"},
        {9007199254740992.0, "9007199254740992"},
        {333333333.33333329, "333333333.3333333"},
        {4.35, "4.35"},
        {0.000001234567890123456, "0.000001234567890123456"},
        {2e-3, "0.002"},
        {1e23, "1e+23"},
        /* Powers of two whose rounding interval is lopsided: the nearest 16-digit
         * decimal misses it, the one on the other side of d is inside. */
        {0x1p-1017, "7.120236347223045e-307"},
        {0x1p-1007, "7.291122019556398e-304"},
        {2.2250738585072014e-308, "2.2250738585072014e-308"},
        {295147905179352830000.0, "295147905179352830000"}, /* 2^68 */
    };
    char got[LD_CANON_NUM_MAX];
    size_t i;

    (void)state;
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        assert_int_equal(ld_canon_number(cases[i].d, got), LD_OK);
        assert_string_equal(got, cases[i].want);
    }
}

static void
test_nonfinite_refused(void **state)
{
    char got[LD_CANON_NUM_MAX];
    cJSON *o;

    (void)state;
    assert_int_equal(ld_canon_number(NAN, got), LD_INVALID);
    assert_string_equal(got, "");
    assert_int_equal(ld_canon_number(INFINITY, got), LD_INVALID);
    assert_int_equal(ld_canon_number(-INFINITY, got), LD_INVALID);

    o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "x", NAN);
    expect_write_refused(o, 0, LD_INVALID, "$.x", "number NaN is not allowed in JSON");
    o = cJSON_CreateArray();
    cJSON_AddItemToArray(o, cJSON_CreateNumber(-INFINITY));
    expect_write_refused(o, 0, LD_INVALID, "$[0]", "number -Infinity is not allowed in JSON");

    /* JSON text has no spelling for them. */
    expect_refused("NaN", 0, LD_PARSE, "", "malformed JSON at byte 0");
    expect_refused("[Infinity]", 0, LD_PARSE, "", "malformed JSON at byte 1");
    expect_refused("[-Infinity]", 0, LD_PARSE, "", "malformed JSON at byte 2");
}

static cJSON *
event_with_qty(double qty)
{
    cJSON *root = cJSON_CreateObject();
    cJSON *event = cJSON_AddObjectToObject(root, "event");
    cJSON *body = cJSON_AddObjectToObject(event, "body");

    cJSON_AddStringToObject(body, "waste", "HW08");
    cJSON_AddNumberToObject(body, "qty_g", qty);
    return root;
}

static void
test_signed_write(void **state)
{
    struct ld_err err = {0};
    cJSON *v, *lines;
    char *got = NULL;

    (void)state;
    expect_write_refused(event_with_qty(1.5), LD_CANON_SIGNED, LD_INVALID, "$.event.body.qty_g",
                         "number 1.5 is not an integer");
    expect_write_refused(event_with_qty(9007199254740992.0), LD_CANON_SIGNED, LD_INVALID,
                         "$.event.body.qty_g", "number 9007199254740992 is out of range");
    expect_write_refused(event_with_qty(-9007199254740992.0), LD_CANON_SIGNED, LD_INVALID,
                         "$.event.body.qty_g", "number -9007199254740992 is out of range");
    expect_write_refused(event_with_qty(1e300), LD_CANON_SIGNED, LD_INVALID, "$.event.body.qty_g",
                         "number 1e+300 is out of range");

    v = cJSON_CreateObject();
    lines = cJSON_AddArrayToObject(v, "lines");
    cJSON_AddItemToArray(lines, cJSON_CreateNumber(1));
    cJSON_AddItemToArray(lines, cJSON_CreateNumber(2));
    cJSON_AddItemToArray(lines, cJSON_CreateNumber(0.25));
    expect_write_refused(v, LD_CANON_SIGNED, LD_INVALID, "$.lines[2]",
                         "number 0.25 is not an integer");

    /* Keys that are not identifiers are quoted in the path. */
    v = cJSON_CreateObject();
    cJSON_AddNumberToObject(cJSON_AddObjectToObject(v, "a b"), "q\"", 2.5);
    expect_write_refused(v, LD_CANON_SIGNED, LD_INVALID, "$[\"a b\"][\"q\\\"\"]",
                         "number 2.5 is not an integer");

    /* The limits themselves are fine, and flags 0 accepts non-integers. */
    v = event_with_qty(9007199254740991.0);
    assert_int_equal(ld_canon_dup(v, LD_CANON_SIGNED, &got, NULL, &err), LD_OK);
    assert_string_equal(got,
                        "{\"event\":{\"body\":{\"qty_g\":9007199254740991,\"waste\":\"HW08\"}}}");
    free(got);
    cJSON_Delete(v);
    v = event_with_qty(-9007199254740991.0);
    assert_int_equal(ld_canon_dup(v, LD_CANON_SIGNED, &got, NULL, &err), LD_OK);
    assert_string_equal(got,
                        "{\"event\":{\"body\":{\"qty_g\":-9007199254740991,\"waste\":\"HW08\"}}}");
    free(got);
    cJSON_Delete(v);
    /* -0.0 is an integer value; JCS writes it as 0. */
    v = event_with_qty(-0.0);
    assert_int_equal(ld_canon_dup(v, LD_CANON_SIGNED, &got, NULL, &err), LD_OK);
    assert_string_equal(got, "{\"event\":{\"body\":{\"qty_g\":0,\"waste\":\"HW08\"}}}");
    free(got);
    cJSON_Delete(v);
    /* err may be NULL. */
    v = event_with_qty(0.5);
    assert_int_equal(ld_canon_dup(v, LD_CANON_SIGNED, &got, NULL, NULL), LD_INVALID);
    assert_null(got);
    cJSON_Delete(v);
    v = event_with_qty(1.5);
    assert_int_equal(ld_canon_dup(v, 0, &got, NULL, &err), LD_OK);
    assert_string_equal(got, "{\"event\":{\"body\":{\"qty_g\":1.5,\"waste\":\"HW08\"}}}");
    free(got);
    cJSON_Delete(v);
    assert_int_equal(err.rc, LD_OK);
}

static void
test_signed_parse(void **state)
{
    (void)state;
    expect_canon("{\"q\": 9007199254740991}", LD_CANON_SIGNED, "{\"q\":9007199254740991}");
    expect_canon("[-9007199254740991, 0, -1, 12]", LD_CANON_SIGNED, "[-9007199254740991,0,-1,12]");
    expect_refused("{\"q\": 9007199254740992}", LD_CANON_SIGNED, LD_INVALID, "$.q",
                   "number 9007199254740992 is out of range");
    /* 2^53 + 1 reads as 2^53; the range check sees it too. */
    expect_refused("[9007199254740993]", LD_CANON_SIGNED, LD_INVALID, "$[0]",
                   "number 9007199254740992 is out of range");
    expect_refused("{\"event\":{\"body\":{\"qty_g\":1.5}}}", LD_CANON_SIGNED, LD_INVALID,
                   "$.event.body.qty_g", "number 1.5 is not an integer");
    /* Integer values written as non-integers. */
    expect_refused("{\"lines\":[1,2,1.0]}", LD_CANON_SIGNED, LD_INVALID, "$.lines[2]",
                   "number 1.0 is not written as an integer");
    expect_refused("{\"a\":[5],\"b\":{\"c\":1e2}}", LD_CANON_SIGNED, LD_INVALID, "$.b.c",
                   "number 1e2 is not written as an integer");
    expect_refused("[0,-0]", LD_CANON_SIGNED, LD_INVALID, "$[1]",
                   "number -0 is not written as an integer");
    expect_refused("-0", LD_CANON_SIGNED, LD_INVALID, "$",
                   "number -0 is not written as an integer");
    expect_refused("[2.50]", LD_CANON_SIGNED, LD_INVALID, "$[0]", "number 2.50 is not an integer");
    expect_refused("[1e400]", LD_CANON_SIGNED, LD_INVALID, "$[0]", "number 1e400 is out of range");
    expect_refused("[1e400]", 0, LD_INVALID, "$[0]", "number Infinity is not allowed in JSON");
    /* Numbers inside strings are text, not numbers. */
    expect_canon("{\"s\":\"1.5e3\",\"n\":[\"-0\",3]}", LD_CANON_SIGNED,
                 "{\"n\":[\"-0\",3],\"s\":\"1.5e3\"}");
    /* Without the flag all of them are fine. */
    expect_canon("[1.0,1e2,-0,1.5,9007199254740993]", 0, "[1,100,0,1.5,9007199254740992]");
}

static void
test_duplicates(void **state)
{
    cJSON *v;

    (void)state;
    expect_refused("{\"a\":1,\"a\":2}", 0, LD_INVALID, "$.a", "duplicate member name");
    expect_refused("{\"x\":[{\"b\":1,\"c\":0,\"b\":1}]}", 0, LD_INVALID, "$.x[0].b",
                   "duplicate member name");
    /* Equal after unescaping. */
    expect_refused("{\"a\":1,\"\\u0061\":1}", 0, LD_INVALID, "$.a", "duplicate member name");
    expect_refused("{\"\xc3\xa9\":1,\"\\u00e9\":1}", 0, LD_INVALID, "$[\"\xc3\xa9\"]",
                   "duplicate member name");
    /* Same names in different objects are fine. */
    expect_canon("{\"a\":{\"a\":1},\"b\":{\"a\":2}}", 0, "{\"a\":{\"a\":1},\"b\":{\"a\":2}}");

    v = cJSON_CreateObject();
    cJSON_AddNumberToObject(v, "k", 1);
    cJSON_AddNumberToObject(v, "k", 2);
    expect_write_refused(v, 0, LD_INVALID, "$.k", "duplicate member name");
}

static void
test_bad_utf8(void **state)
{
    static const char *const bad[] = {
        "[\"\x80\"]",                     /* lone continuation byte */
        "[\"\xc0\xaf\"]",                 /* overlong '/' */
        "[\"\xc1\xbf\"]",                 /* overlong */
        "[\"\xe0\x80\xaf\"]",             /* overlong, 3 bytes */
        "[\"\xf0\x80\x80\xaf\"]",         /* overlong, 4 bytes */
        "[\"\xed\xa0\x80\"]",             /* U+D800 encoded */
        "[\"\xed\xbf\xbf\"]",             /* U+DFFF encoded */
        "[\"\xed\xa0\xbd\xed\xb8\x80\"]", /* CESU-8 surrogate pair */
        "[\"\xf4\x90\x80\x80\"]",         /* above U+10FFFF */
        "[\"\xf5\x80\x80\x80\"]",
        "[\"\xff\"]",
        "[\"\xc3\"]", /* truncated before the quote */
        "[\"\xe2\x82\"]",
        "{\"\xc3\x28\":1}", /* in a member name */
    };
    static const char *const bad_escapes[] = {
        "[\"\\ud800\"]",  "[\"\\udc00\"]",        "[\"\\ud800\\u0041\"]",
        "[\"\\ud800x\"]", "[\"\\ude00\\ud83d\"]", "{\"\\udbff\":1}",
    };
    size_t i;
    cJSON *v;

    (void)state;
    for (i = 0; i < sizeof bad / sizeof bad[0]; i++)
        expect_refused(bad[i], 0, LD_INVALID, "", NULL);
    expect_refused("[\"ok\",\"\xed\xa0\x80\"]", 0, LD_INVALID, "", "invalid UTF-8 at byte 7");
    for (i = 0; i < sizeof bad_escapes / sizeof bad_escapes[0]; i++)
        expect_refused(bad_escapes[i], 0, LD_INVALID, "", NULL);
    expect_refused("[\"\\ud800\"]", 0, LD_INVALID, "", "unpaired surrogate escape at byte 2");
    /* cJSON would cut the string at the NUL: refuse rather than lose data. */
    expect_refused("[\"a\\u0000b\"]", 0, LD_INVALID, "", "escaped U+0000 at byte 3");

    /* Valid edge cases: U+007F, U+0080, U+07FF, U+FFFF, U+10000, U+10FFFF. */
    expect_canon("[\"\x7f\xc2\x80\xdf\xbf\xef\xbf\xbf\xf0\x90\x80\x80\xf4\x8f\xbf\xbf\"]", 0,
                 "[\"\x7f\xc2\x80\xdf\xbf\xef\xbf\xbf\xf0\x90\x80\x80\xf4\x8f\xbf\xbf\"]");
    expect_canon("[\"\\ud83d\\ude00\\uDBFF\\uDFFF\"]", 0, "[\"\xf0\x9f\x98\x80\xf4\x8f\xbf\xbf\"]");

    /* Trees built in code are checked too. */
    v = cJSON_CreateObject();
    cJSON_AddStringToObject(v, "s", "a\xed\xa0\x80");
    expect_write_refused(v, 0, LD_INVALID, "$.s", "string is not valid UTF-8 (byte 1)");
    v = cJSON_CreateObject();
    cJSON_AddStringToObject(v, "\xc0\x80", "x");
    expect_write_refused(v, 0, LD_INVALID, "$", "member name is not valid UTF-8 (byte 0)");
}

static void
test_malformed(void **state)
{
    static const struct {
        const char *json;
        size_t at;
    } cases[] = {
        {"", 0},
        {"   ", 3},
        {"{} x", 3}, /* trailing garbage */
        {"[1] [2]", 4},
        {"{\"a\":1}}", 7},
        {"[1,]", 3},
        {"[,1]", 1},
        {"{\"a\":1,}", 7},
        {"{\"a\" 1}", 5},
        {"{a:1}", 1},
        {"[01]", 2},
        {"[1.]", 3},
        {"[-.5]", 2},
        {"[.5]", 1},
        {"[+1]", 1},
        {"[1e]", 3},
        {"[1e+]", 4},
        {"[0x10]", 2},
        {"[tru]", 1},
        {"[True]", 1},
        {"[nul", 1},
        {"[1", 2},
        {"{\"a\":", 5},
        {"\"abc", 4},
        {"[\"a\nb\"]", 3}, /* raw control character */
        {"[\"a\tb\"]", 3},
        {"[\"\\x\"]", 2},
        {"[\"\\uZZZZ\"]", 2}, /* cJSON would read this as U+0000 */
        {"[\"\\u12\"]", 2},
        {"\xef\xbb\xbf[]", 0}, /* BOM */
        {"[1]\f", 3},          /* form feed is not JSON whitespace */
        {"\v[1]", 0},
    };
    size_t i;
    char msg[64];

    (void)state;
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        snprintf(msg, sizeof msg, "malformed JSON at byte %zu", cases[i].at);
        expect_refused(cases[i].json, 0, LD_PARSE, "", msg);
    }
    /* A NUL inside the length is not a terminator. */
    {
        struct ld_err err = {0};
        cJSON *root = NULL;
        char text[4] = {'[', ']', '\0', ' '};

        assert_int_equal(ld_canon_parse(text, sizeof text, 0, &root, &err), LD_PARSE);
        assert_null(root);
        assert_string_equal(err.msg, "malformed JSON at byte 2");
        /* ... and bytes past len are not read: "[]x" with len 2 is fine. */
        assert_int_equal(ld_canon_parse("[]x", 2, 0, &root, &err), LD_OK);
        cJSON_Delete(root);
    }
    /* cJSON reads at most 63 bytes of a number: longer literals are refused. */
    expect_canon("[0.1000000000000000000000000000000000000000000000000000000000000]", 0, "[0.1]");
    expect_refused("[0.10000000000000000000000000000000000000000000000000000000000000]", 0,
                   LD_INVALID, "", "number literal longer than 63 characters at byte 1");
    /* err may be NULL. */
    {
        cJSON *root = NULL;
        assert_int_equal(ld_canon_parse("[1,]", 4, 0, &root, NULL), LD_PARSE);
        assert_null(root);
        assert_int_equal(ld_canon_parse("[1.5]", 5, LD_CANON_SIGNED, &root, NULL), LD_INVALID);
        assert_null(root);
    }
    /* Surrounding JSON whitespace is allowed. */
    expect_canon(" \t\r\n[ 1 , { \"a\" : true } ]\n ", 0, "[1,{\"a\":true}]");
    expect_canon("\"top\"", 0, "\"top\"");
    expect_canon("null", 0, "null");
    expect_canon("-12", LD_CANON_SIGNED, "-12");
}

static void
test_depth(void **state)
{
    struct ld_buf b = LD_BUF_INIT;
    cJSON *v, *inner;
    int i;

    (void)state;
    for (i = 0; i < 64; i++)
        ld_buf_addc(&b, '[');
    for (i = 0; i < 64; i++)
        ld_buf_addc(&b, ']');
    expect_canon(b.data, 0, b.data);
    ld_buf_reset(&b);
    for (i = 0; i < 65; i++)
        ld_buf_adds(&b, "{\"a\":");
    ld_buf_adds(&b, "1");
    for (i = 0; i < 65; i++)
        ld_buf_addc(&b, '}');
    expect_refused(b.data, 0, LD_INVALID, "", "nesting deeper than 64 at byte 320");
    ld_buf_release(&b);

    /* The writer holds trees built in code to the same limit. */
    v = cJSON_CreateArray();
    for (i = 1, inner = v; i < 64; i++) {
        cJSON *next = cJSON_CreateArray();
        cJSON_AddItemToArray(inner, next);
        inner = next;
    }
    {
        char *got = NULL;
        assert_int_equal(ld_canon_dup(v, 0, &got, NULL, NULL), LD_OK);
        free(got);
    }
    cJSON_AddItemToArray(inner, cJSON_CreateArray());
    assert_int_equal(ld_canon_dup(v, 0, &(char *){NULL}, NULL, NULL), LD_INVALID);
    cJSON_Delete(v);
}

static void
test_utf16_order(void **state)
{
    (void)state;
    /*
     * U+1F600 is F0 9F 98 80 in UTF-8 (sorts last by bytes) but D83D DE00 in
     * UTF-16, so it sorts before U+E000 and U+FF21 and after U+20AC.
     */
    expect_canon("{\"\\uff21\":4,\"\\ue000\":3,\"\\ud83d\\ude00\":2,\"\\u20ac\":1,\"z\":0}", 0,
                 "{\"z\":0,\"\xe2\x82\xac\":1,\"\xf0\x9f\x98\x80\":2,\"\xee\x80\x80\":3,"
                 "\"\xef\xbc\xa1\":4}");
    /* Two astral characters: same lead surrogate, order by trail. */
    expect_canon("{\"\\ud83d\\ude01\":1,\"\\ud83d\\ude00\":0,\"\\ud83c\\udf00\":2}", 0,
                 "{\"\xf0\x9f\x8c\x80\":2,\"\xf0\x9f\x98\x80\":0,\"\xf0\x9f\x98\x81\":1}");
    /* A prefix sorts first; sorting is by code unit, not locale. */
    expect_canon("{\"ab\":1,\"a\":2,\"B\":3,\"\":4}", 0, "{\"\":4,\"B\":3,\"a\":2,\"ab\":1}");
}

static void
test_escaping(void **state)
{
    (void)state;
    /* SPEC: RFC 8785 §3.2.2.2. */
    expect_canon("[\"\\u0001\\u001F\\b\\t\\n\\f\\r\\\"\\\\\\/\\u007f\\u00e9\\u20AC<>&'\"]", 0,
                 "[\"\\u0001\\u001f\\b\\t\\n\\f\\r\\\"\\\\/\x7f\xc3\xa9\xe2\x82\xac<>&'\"]");
    expect_canon("{\"\\u000b\":\"\\u000B\"}", 0, "{\"\\u000b\":\"\\u000b\"}");
}

static void
test_write_nodes(void **state)
{
    struct ld_buf b = LD_BUF_INIT;
    struct ld_err err = {0};
    cJSON *v;
    char *got = NULL;
    size_t len = 0;

    (void)state;
    /* Literals, empty containers, reference and const-key nodes. */
    v = cJSON_CreateObject();
    cJSON_AddItemToObjectCS(v, "t", cJSON_CreateTrue());
    cJSON_AddItemToObject(v, "f", cJSON_CreateFalse());
    cJSON_AddItemToObject(v, "n", cJSON_CreateNull());
    cJSON_AddItemToObject(v, "o", cJSON_CreateObject());
    cJSON_AddItemToObject(v, "a", cJSON_CreateArray());
    cJSON_AddItemToObject(v, "s", cJSON_CreateStringReference("ref"));
    assert_int_equal(ld_canon_dup(v, 0, &got, &len, &err), LD_OK);
    assert_string_equal(got, "{\"a\":[],\"f\":false,\"n\":null,\"o\":{},\"s\":\"ref\",\"t\":true}");
    assert_int_equal(len, strlen(got));
    free(got);

    /* ld_canon_write appends. */
    ld_buf_adds(&b, "x=");
    assert_int_equal(ld_canon_write(v, 0, &b, &err), LD_OK);
    assert_string_equal(b.data,
                        "x={\"a\":[],\"f\":false,\"n\":null,\"o\":{},\"s\":\"ref\",\"t\":true}");
    ld_buf_release(&b);
    cJSON_Delete(v);

    /* cJSON_Raw is unchecked text: refused. */
    v = cJSON_CreateObject();
    cJSON_AddRawToObject(v, "r", "1.0");
    expect_write_refused(v, 0, LD_PARSE, "$.r", NULL);
    expect_write_refused(NULL, 0, LD_PARSE, "$", NULL);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_vectors),      cmocka_unit_test(test_numbers_10000),
        cmocka_unit_test(test_number_edges), cmocka_unit_test(test_nonfinite_refused),
        cmocka_unit_test(test_signed_write), cmocka_unit_test(test_signed_parse),
        cmocka_unit_test(test_duplicates),   cmocka_unit_test(test_bad_utf8),
        cmocka_unit_test(test_malformed),    cmocka_unit_test(test_depth),
        cmocka_unit_test(test_utf16_order),  cmocka_unit_test(test_escaping),
        cmocka_unit_test(test_write_nodes),
    };

    return cmocka_run_group_tests_name("canon", tests, NULL, NULL);
}
