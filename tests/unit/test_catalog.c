/*
 * test_catalog.c - unit tests for src/catalog.c on the real embedded data
 * (data/hw-catalogue-2021.csv and friends): table sizes, known codes and
 * their hazard cells, the 900-000-NN rule, the hazard declaration rule,
 * exemption coverage, method codes, places, and loading a further edition
 * from CSV text including refusals with line numbers.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "liandan/catalog.h"

#define ED LD_CATALOG_EDITION_2021

static struct ld_catalog *cat;

static int
setup(void **state)
{
    struct ld_err err;

    (void)state;
    ld_err_clear(&err);
    if (ld_catalog_new(&cat, &err) != LD_OK) {
        fprintf(stderr, "ld_catalog_new: %s: %s\n", err.field, err.msg);
        return -1;
    }
    return 0;
}

static int
teardown(void **state)
{
    (void)state;
    ld_catalog_free(cat);
    cat = NULL;
    return 0;
}

/* Fail unless err's message contains want. */
static void
assert_msg(const struct ld_err *err, const char *want)
{
    if (strstr(err->msg, want) == NULL)
        fail_msg("message \"%s\" lacks \"%s\"", err->msg, want);
}

static const struct ld_catalog_waste *
waste(const char *code)
{
    const struct ld_catalog_waste *w = NULL;
    struct ld_err err;

    ld_err_clear(&err);
    if (ld_catalog_waste(cat, ED, code, "code", &w, &err) != LD_OK)
        fail_msg("%s: %s", code, err.msg);
    assert_non_null(w);
    return w;
}

static void
test_counts(void **state)
{
    const struct ld_catalog_category *cats;
    const struct ld_catalog_exemption *xs;
    const char *const *eds;
    size_t n, i;
    int seqs[64] = {0}, distinct = 0;

    (void)state;
    eds = ld_catalog_editions(cat, &n);
    assert_true(n >= 1);
    assert_string_equal(eds[0], "2021");
    assert_non_null(ld_catalog_wastes(cat, ED, &n));
    assert_int_equal(n, 467);
    cats = ld_catalog_categories(cat, ED, &n);
    assert_int_equal(n, 46);
    assert_string_equal(cats[0].code, "HW01");
    assert_int_equal(cats[0].listed, 5);
    assert_string_equal(cats[45].code, "HW50");
    assert_int_equal(cats[45].listed, 44);
    assert_non_null(ld_catalog_methods(cat, &n));
    assert_int_equal(n, 22);
    assert_non_null(ld_catalog_provinces(cat, &n));
    assert_int_equal(n, 31);
    assert_non_null(ld_catalog_districts(cat, &n));
    assert_int_equal(n, 11);
    xs = ld_catalog_exemptions(cat, ED, &n);
    assert_int_equal(n, 57);
    for (i = 0; i < n; i++) {
        assert_true(xs[i].seq >= 1 && xs[i].seq < 64);
        if (!seqs[xs[i].seq]++)
            distinct++;
    }
    assert_int_equal(distinct, 32);
    assert_null(ld_catalog_wastes(cat, "2019", &n));
    assert_int_equal(n, 0);
}

static void
test_known_codes(void **state)
{
    const struct ld_catalog_waste *w;

    (void)state;
    w = waste("900-214-08");
    assert_string_equal(w->edition, "2021");
    assert_string_equal(w->code, "900-214-08");
    assert_string_equal(w->category, "HW08");
    assert_string_equal(w->category_name, "废矿物油与含矿物油废物");
    assert_string_equal(w->industry, "非特定行业");
    assert_string_equal(w->hazard, "T,I");
    assert_int_equal(w->haz_required, LD_HAZ_T);
    assert_int_equal(w->haz_allowed, LD_HAZ_T | LD_HAZ_I);
    assert_int_equal(w->listed, 1);
    assert_non_null(strstr(w->description, "废发动机油"));

    w = waste("841-001-01");
    assert_string_equal(w->category_name, "医疗废物");
    assert_string_equal(w->hazard, "In");
    assert_string_equal(w->description, "感染性废物");

    w = waste("841-004-01");
    assert_string_equal(w->hazard, "T/C/I/R");
    assert_int_equal(w->haz_required, 0);

    w = waste("900-052-31"); /* waste lead-acid batteries */
    assert_string_equal(w->hazard, "T,C");
    w = waste("900-049-50"); /* spent vehicle catalysts */
    assert_string_equal(w->hazard, "T");
    w = waste("900-042-49");
    assert_string_equal(w->hazard, "T/C/I/R/In");
    assert_int_equal(w->haz_allowed, LD_HAZ_ALL);

    /* Quoted cells with commas survive the CSV parse. */
    w = waste("263-004-04");
    assert_string_equal(w->description,
                        "2,4,5-三氯苯氧乙酸生产过程中四氯苯蒸馏产生的重馏分及蒸馏残余物");
    w = waste("900-401-06");
    assert_string_equal(w->hazard, "T,I");
    assert_non_null(strstr(w->description, "1,1,1-三氯乙烷"));
}

static void
test_unlisted_codes(void **state)
{
    const struct ld_catalog_waste *w = NULL;
    struct ld_err err;

    (void)state;
    w = waste("900-000-08");
    assert_int_equal(w->listed, 0);
    assert_string_equal(w->category, "HW08");
    assert_string_equal(w->category_name, "废矿物油与含矿物油废物");
    assert_string_equal(w->hazard, "");
    assert_int_equal(w->haz_required, 0);
    assert_int_equal(w->haz_allowed, LD_HAZ_ALL);
    assert_string_equal(waste("900-000-01")->category, "HW01");
    assert_string_equal(waste("900-000-50")->category, "HW50");

    w = NULL;
    ld_err_clear(&err);
    assert_int_equal(ld_catalog_waste(cat, ED, "900-000-99", "line.code", &w, &err), LD_NOTFOUND);
    assert_null(w);
    assert_string_equal(err.field, "line.code");
    assert_msg(&err, "no category HW99");
    /* HW41-HW44 do not exist in the 2021 edition. */
    ld_err_clear(&err);
    assert_int_equal(ld_catalog_waste(cat, ED, "900-000-41", NULL, &w, &err), LD_NOTFOUND);
    ld_err_clear(&err);
    assert_int_equal(ld_catalog_waste(cat, ED, "900-999-08", NULL, &w, &err), LD_NOTFOUND);
    assert_msg(&err, "is not in the 2021 catalogue");
}

static void
test_malformed_codes(void **state)
{
    static const char *const bad[] = {
        "",           "900-214-8",  "900214-08", "900-214-080", "900-214-08 ", " 900-214-08",
        "900_214_08", "9OO-214-08", "HW08",      "900-214-0８", "900-214-0\n", "90a-214-08",
    };
    const struct ld_catalog_waste *w = NULL;
    struct ld_err err;
    size_t i;

    (void)state;
    for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        ld_err_clear(&err);
        assert_int_equal(ld_catalog_waste(cat, ED, bad[i], "c", &w, &err), LD_INVALID);
        assert_null(w);
        assert_msg(&err, "is not NNN-NNN-NN");
    }
    ld_err_clear(&err);
    assert_int_equal(ld_catalog_waste(cat, "2019", "900-214-08", "c", &w, &err), LD_NOTFOUND);
    assert_string_equal(err.field, "edition");
    assert_msg(&err, "no catalogue edition '2019'");
}

/* Declare the space-separated characteristics in list for code. */
static enum ld_rc
declare(const char *code, const char *list, struct ld_err *err)
{
    char buf[64], *p, *items[8];
    const char *const *decl = (const char *const *)items;
    size_t n = 0;

    snprintf(buf, sizeof buf, "%s", list);
    for (p = buf; *p != '\0' && n < 8;) {
        items[n++] = p;
        p += strcspn(p, " ");
        if (*p == ' ')
            *p++ = '\0';
    }
    ld_err_clear(err);
    return ld_catalog_hazard_check(waste(code), decl, n, "line.hazard", err);
}

static void
expect_ok(const char *code, const char *list)
{
    struct ld_err err;

    if (declare(code, list, &err) != LD_OK)
        fail_msg("%s {%s} refused: %s", code, list, err.msg);
}

static void
expect_refused(const char *code, const char *list, const char *field, const char *want)
{
    struct ld_err err;

    if (declare(code, list, &err) != LD_INVALID)
        fail_msg("%s {%s} accepted", code, list);
    assert_string_equal(err.field, field);
    assert_msg(&err, want);
}

static void
test_hazard_rule(void **state)
{
    (void)state;
    /* "T": exactly T. */
    expect_ok("263-004-04", "T");
    expect_refused("263-004-04", "T I", "line.hazard[1]", "'I' is not listed for 263-004-04");
    expect_refused("263-004-04", "C", "line.hazard[0]", "(catalogue: 'T')");
    expect_refused("263-004-04", "", "line.hazard", "no hazard characteristic declared");

    /* "T,I": has T, may also have I. */
    expect_ok("900-214-08", "T");
    expect_ok("900-214-08", "T I");
    expect_ok("900-214-08", "I T");
    expect_refused("900-214-08", "I", "line.hazard", "'T' is required for 900-214-08");
    expect_refused("900-214-08", "T C", "line.hazard[1]", "(catalogue: 'T,I')");

    /* "C,T" differs from "T,C": the first is the one required. */
    expect_ok("251-014-34", "C");
    expect_ok("251-014-34", "C T");
    expect_refused("251-014-34", "T", "line.hazard", "'C' is required");
    expect_ok("900-052-31", "T C");
    expect_refused("900-052-31", "C", "line.hazard", "'T' is required for 900-052-31");

    /* "T,I,R": T required, I and R optional. */
    expect_ok("900-402-06", "T R");
    expect_ok("900-402-06", "T I R");
    expect_refused("900-402-06", "I R", "line.hazard", "'T' is required");

    /* "a/b": one or more of them. */
    expect_ok("841-004-01", "C");
    expect_ok("841-004-01", "I R");
    expect_ok("841-004-01", "T C I R");
    expect_refused("841-004-01", "In", "line.hazard[0]", "(catalogue: 'T/C/I/R')");
    expect_ok("900-041-49", "In");
    expect_ok("900-041-49", "T");
    expect_ok("900-041-49", "T In");
    expect_refused("900-041-49", "", "line.hazard", "no hazard characteristic");

    /* "In" alone. */
    expect_ok("841-001-01", "In");
    expect_refused("841-001-01", "T", "line.hazard[0]", "(catalogue: 'In')");

    /* 900-000-NN: anything identified, but something. */
    expect_ok("900-000-08", "T C I R In");
    expect_ok("900-000-08", "R");
    expect_refused("900-000-08", "", "line.hazard", "no hazard characteristic");
    expect_refused("900-000-08", "T X", "line.hazard[1]", "'X' is not T, C, I, R or In");

    /* Spelling is exact; repeats are refused. */
    expect_refused("900-214-08", "t", "line.hazard[0]", "'t' is not T, C, I, R or In");
    expect_refused("841-001-01", "IN", "line.hazard[0]", "'IN' is not T, C, I, R or In");
    expect_refused("900-214-08", "T T", "line.hazard[1]", "'T' declared twice");

    assert_int_equal(ld_catalog_hazard_bit("In"), LD_HAZ_IN);
    assert_int_equal(ld_catalog_hazard_bit("I"), LD_HAZ_I);
    assert_int_equal(ld_catalog_hazard_bit("in"), 0);
    assert_int_equal(ld_catalog_hazard_bit(" T"), 0);
}

/* Look up coverage, expecting LD_OK. */
static enum ld_catalog_cover
cover(int seq, const char *code, const char *stage, const struct ld_catalog_exemption **row)
{
    enum ld_catalog_cover c = LD_CATALOG_COVER_NO;
    struct ld_err err;

    ld_err_clear(&err);
    if (ld_catalog_exemption(cat, ED, seq, code, stage, &c, row, &err) != LD_OK)
        fail_msg("exemption %d %s %s: %s", seq, code, stage, err.msg);
    return c;
}

static void
test_exemptions(void **state)
{
    const struct ld_catalog_exemption *row = NULL;
    enum ld_catalog_cover c = LD_CATALOG_COVER_NO;
    struct ld_err err;

    (void)state;
    /* 18: intact waste lead-acid batteries, transport only. */
    assert_int_equal(cover(18, "900-052-31", "运输", &row), LD_CATALOG_COVER_CODE);
    assert_non_null(row);
    assert_int_equal(row->seq, 18);
    assert_string_equal(row->stage, "运输");
    assert_string_equal(row->exemption, "不按危险废物进行运输。");
    assert_int_equal(cover(18, "900-052-31", "利用", &row), LD_CATALOG_COVER_NO);
    assert_null(row);
    assert_int_equal(cover(18, "900-214-08", "运输", NULL), LD_CATALOG_COVER_NO);

    /* 8: steel oil drums, utilisation only: does not cover transport. */
    assert_int_equal(cover(8, "900-249-08", "运输", &row), LD_CATALOG_COVER_NO);
    assert_int_equal(cover(8, "900-249-08", "利用", &row), LD_CATALOG_COVER_CODE);

    /* 9: two codes joined by ';'. */
    assert_int_equal(cover(9, "900-200-08", "利用", NULL), LD_CATALOG_COVER_CODE);
    assert_int_equal(cover(9, "900-006-09", "利用", NULL), LD_CATALOG_COVER_CODE);
    assert_int_equal(cover(9, "900-214-08", "利用", NULL), LD_CATALOG_COVER_NO);

    /* 2: a category (HW01), including its 900-000-01. */
    assert_int_equal(cover(2, "841-002-01", "运输", &row), LD_CATALOG_COVER_CODE);
    assert_string_equal(row->waste_code, "HW01");
    assert_int_equal(row->scope, LD_CATALOG_EXEMPT_CATEGORY);
    assert_int_equal(cover(2, "900-000-01", "处置", NULL), LD_CATALOG_COVER_CODE);
    assert_int_equal(cover(2, "841-002-01", "利用", NULL), LD_CATALOG_COVER_NO);
    assert_int_equal(cover(2, "900-214-08", "运输", NULL), LD_CATALOG_COVER_NO);

    /* 3 names 841-001-01 only. */
    assert_int_equal(cover(3, "841-001-01", "运输", NULL), LD_CATALOG_COVER_CODE);
    assert_int_equal(cover(3, "841-002-01", "运输", NULL), LD_CATALOG_COVER_NO);

    /* 24: 全部环节 covers every stage. */
    assert_int_equal(cover(24, "900-041-49", "运输", &row), LD_CATALOG_COVER_CODE);
    assert_string_equal(row->stage, "全部环节");
    assert_int_equal(cover(24, "900-041-49", "收集", NULL), LD_CATALOG_COVER_CODE);

    /* 13: the 全部环节 row is found although the 处置 row comes first. */
    assert_int_equal(cover(13, "772-003-18", "运输", &row), LD_CATALOG_COVER_CODE);
    assert_string_equal(row->stage, "全部环节");

    /* Origin labels: 25 (environmental emergencies) at transport, any code. */
    assert_int_equal(cover(25, "900-214-08", "运输", &row), LD_CATALOG_COVER_ORIGIN);
    assert_int_equal(row->scope, LD_CATALOG_EXEMPT_ORIGIN);
    assert_string_equal(row->waste_code, "突发环境事件产生的危险废物");
    assert_int_equal(cover(25, "900-214-08", "收集", NULL), LD_CATALOG_COVER_NO);
    /* 26's "利用、处置" row covers both stages it lists. */
    assert_int_equal(cover(26, "900-000-49", "处置", NULL), LD_CATALOG_COVER_ORIGIN);
    assert_int_equal(cover(26, "900-000-49", "利用", NULL), LD_CATALOG_COVER_ORIGIN);
    /* 32 ("-"): point-to-point utilisation. */
    assert_int_equal(cover(32, "900-214-08", "利用", NULL), LD_CATALOG_COVER_ORIGIN);
    assert_int_equal(cover(32, "900-214-08", "运输", NULL), LD_CATALOG_COVER_NO);
    /* 1: household waste, 全部环节. */
    assert_int_equal(cover(1, "900-052-31", "运输", NULL), LD_CATALOG_COVER_ORIGIN);

    /* Refusals. */
    ld_err_clear(&err);
    assert_int_equal(ld_catalog_exemption(cat, ED, 33, "900-052-31", "运输", &c, NULL, &err),
                     LD_NOTFOUND);
    assert_string_equal(err.field, "seq");
    ld_err_clear(&err);
    assert_int_equal(ld_catalog_exemption(cat, ED, 18, "900-052-31", "贮存", &c, NULL, &err),
                     LD_INVALID);
    assert_string_equal(err.field, "stage");
    ld_err_clear(&err);
    assert_int_equal(ld_catalog_exemption(cat, ED, 24, "900-041-49", "全部环节", &c, NULL, &err),
                     LD_INVALID);
    ld_err_clear(&err);
    assert_int_equal(ld_catalog_exemption(cat, ED, 18, "900-52-31", "运输", &c, NULL, &err),
                     LD_INVALID);
    assert_string_equal(err.field, "code");
    ld_err_clear(&err);
    assert_int_equal(ld_catalog_exemption(cat, ED, 18, "900-000-99", "运输", &c, NULL, &err),
                     LD_NOTFOUND);
    ld_err_clear(&err);
    assert_int_equal(ld_catalog_exemption(cat, "2019", 18, "900-052-31", "运输", &c, NULL, &err),
                     LD_NOTFOUND);
    assert_string_equal(err.field, "edition");
}

static void
test_methods(void **state)
{
    static const char *const bad[] = {"", "R", "R0", "R01", "X1", "r1", "R123", "R1 ", "D-1"};
    const struct ld_catalog_method *m = NULL;
    struct ld_err err;
    size_t i;

    (void)state;
    assert_int_equal(ld_catalog_method(cat, "R9", "m", &m, NULL), LD_OK);
    assert_int_equal(m->kind, LD_CATALOG_UTILISATION);
    assert_string_equal(m->kind_name, "utilisation");
    assert_string_equal(m->name_zh, "废油再提炼或其他废油的再利用");
    assert_int_equal(ld_catalog_method(cat, "D10", "m", &m, NULL), LD_OK);
    assert_int_equal(m->kind, LD_CATALOG_DISPOSAL);
    assert_string_equal(m->name_zh, "焚烧");
    assert_string_equal(m->name_en, "Incineration");
    assert_int_equal(ld_catalog_method(cat, "C1", "m", &m, NULL), LD_OK);
    assert_int_equal(m->kind, LD_CATALOG_DISPOSAL);
    assert_int_equal(ld_catalog_method(cat, "C2", "m", &m, NULL), LD_OK);
    assert_int_equal(m->kind, LD_CATALOG_UTILISATION);
    assert_int_equal(ld_catalog_method(cat, "Y16", "m", &m, NULL), LD_OK);
    assert_string_equal(m->name_zh, "医疗废物其他处置方式");
    assert_int_equal(ld_catalog_method(cat, "R15", "m", &m, NULL), LD_OK);
    assert_string_equal(m->code, "R15");

    ld_err_clear(&err);
    m = NULL;
    assert_int_equal(ld_catalog_method(cat, "R10", "line.method", &m, &err), LD_NOTFOUND);
    assert_null(m);
    assert_string_equal(err.field, "line.method");
    for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        ld_err_clear(&err);
        assert_int_equal(ld_catalog_method(cat, bad[i], "m", &m, &err), LD_INVALID);
        assert_null(m);
    }
}

static void
test_places(void **state)
{
    const struct ld_catalog_place *p = NULL;
    struct ld_err err;

    (void)state;
    assert_int_equal(ld_catalog_province(cat, "21", NULL, &p, NULL), LD_OK);
    assert_string_equal(p->name_zh, "辽宁省");
    assert_string_equal(p->name_en, "Liaoning");
    assert_int_equal(ld_catalog_province(cat, "65", NULL, &p, NULL), LD_OK);
    assert_string_equal(p->name_zh, "新疆维吾尔自治区");
    assert_int_equal(ld_catalog_province(cat, "71", NULL, &p, NULL), LD_NOTFOUND);
    assert_int_equal(ld_catalog_province(cat, "2", NULL, &p, NULL), LD_INVALID);
    assert_int_equal(ld_catalog_province(cat, "210", NULL, &p, NULL), LD_INVALID);
    assert_int_equal(ld_catalog_province(cat, "2a", NULL, &p, NULL), LD_INVALID);

    assert_int_equal(ld_catalog_district(cat, "210213", NULL, &p, NULL), LD_OK);
    assert_string_equal(p->name_zh, "金州区");
    assert_int_equal(ld_catalog_district(cat, "210200", NULL, &p, NULL), LD_OK);
    assert_string_equal(p->name_zh, "大连市");
    assert_int_equal(ld_catalog_district(cat, "210224", NULL, &p, NULL), LD_OK);
    assert_string_equal(p->name_en, "Changhai County");
    ld_err_clear(&err);
    assert_int_equal(ld_catalog_district(cat, "210299", "party.district", &p, &err), LD_NOTFOUND);
    assert_string_equal(err.field, "party.district");
    assert_int_equal(ld_catalog_district(cat, "21021", NULL, &p, NULL), LD_INVALID);
    assert_int_equal(ld_catalog_district(cat, "2102130", NULL, &p, NULL), LD_INVALID);

    assert_int_equal(ld_catalog_province_of(cat, "210213", NULL, &p, NULL), LD_OK);
    assert_string_equal(p->code, "21");
    assert_int_equal(ld_catalog_province_of(cat, "370202", NULL, &p, NULL), LD_OK);
    assert_string_equal(p->name_zh, "山东省");
    assert_int_equal(ld_catalog_province_of(cat, "990000", NULL, &p, NULL), LD_NOTFOUND);
    assert_int_equal(ld_catalog_province_of(cat, "21", NULL, &p, NULL), LD_INVALID);
}

static const char header[] = "category,category_name,industry,code,description,hazard\r\n";

/* Add edition ed from CSV body (after the header); expect rc and, on failure,
 * field and a message fragment. */
static void
add(const char *ed, const char *body, const char *xs, enum ld_rc want, const char *field,
    const char *msg)
{
    char text[2048];
    size_t before, after;
    struct ld_err err;
    enum ld_rc rc;

    snprintf(text, sizeof text, "%s%s", header, body);
    ld_catalog_editions(cat, &before);
    ld_err_clear(&err);
    rc = ld_catalog_add_edition(cat, ed, text, strlen(text), xs, xs ? strlen(xs) : 0, &err);
    if (rc != want)
        fail_msg("edition %s: rc %s, expected %s (%s)", ed, ld_rc_str(rc), ld_rc_str(want),
                 err.msg);
    ld_catalog_editions(cat, &after);
    assert_int_equal(after, before + (want == LD_OK));
    if (want != LD_OK) {
        assert_int_equal(err.rc, want);
        assert_string_equal(err.field, field);
        assert_msg(&err, msg);
    }
}

static void
test_add_edition(void **state)
{
    const struct ld_catalog_waste *w = NULL;
    const struct ld_catalog_exemption *row = NULL;
    enum ld_catalog_cover c = LD_CATALOG_COVER_NO;
    const char *const *eds;
    size_t n;

    (void)state;
    add("test",
        "HW08,废矿物油与含矿物油废物,非特定行业,900-214-08,\"废机油, \"\"发动机\"\"\",\"T,I\"\r\n"
        "HW49,其他废物,非特定行业,900-041-49,废包装物,T/In\r\n",
        "seq,waste_code,waste,stage,condition,exemption\n"
        "1,900-041-49;900-214-08,x,运输、利用,c,e\n",
        LD_OK, NULL, NULL);
    assert_int_equal(ld_catalog_waste(cat, "test", "900-214-08", NULL, &w, NULL), LD_OK);
    assert_string_equal(w->edition, "test");
    assert_string_equal(w->description, "废机油, \"发动机\"");
    assert_string_equal(w->hazard, "T,I");
    assert_int_equal(ld_catalog_waste(cat, "test", "900-000-49", NULL, &w, NULL), LD_OK);
    assert_int_equal(ld_catalog_waste(cat, "test", "900-000-01", NULL, &w, NULL), LD_NOTFOUND);
    assert_int_equal(ld_catalog_waste(cat, "test", "900-249-08", NULL, &w, NULL), LD_NOTFOUND);
    assert_int_equal(ld_catalog_exemption(cat, "test", 1, "900-214-08", "利用", &c, &row, NULL),
                     LD_OK);
    assert_int_equal(c, LD_CATALOG_COVER_CODE);
    assert_int_equal(ld_catalog_exemption(cat, "test", 1, "900-214-08", "处置", &c, &row, NULL),
                     LD_OK);
    assert_int_equal(c, LD_CATALOG_COVER_NO);
    /* The 2021 edition is untouched. */
    assert_non_null(ld_catalog_wastes(cat, ED, &n));
    assert_int_equal(n, 467);
    eds = ld_catalog_editions(cat, &n);
    assert_string_equal(eds[n - 1], "test");

    add("test", "HW08,x,y,900-214-08,z,T\n", NULL, LD_CONFLICT, "edition", "already loaded");
    add("2021", "HW08,x,y,900-214-08,z,T\n", NULL, LD_CONFLICT, "edition", "'2021' is already");
    add("20 25", "HW08,x,y,900-214-08,z,T\n", NULL, LD_INVALID, "edition", "is not 1-15");
    add("", "HW08,x,y,900-214-08,z,T\n", NULL, LD_INVALID, "edition", "is not 1-15");

    /* Bad rows name their line (the header is line 1). */
    add("b1", "HW08,x,y,900-214-08,z,T\nHW08,x,y,900-215-08,z,T;I\n", NULL, LD_INVALID,
        "hw-catalogue-b1.csv:3", "line 3: hazard 'T;I' is not");
    add("b2", "HW08,x,y,900-214-08,z,\"T,I/C\"\n", NULL, LD_INVALID, "hw-catalogue-b2.csv:2",
        "hazard 'T,I/C'");
    add("b3", "HW08,x,y,900-214-08,z,\"T,T\"\n", NULL, LD_INVALID, "hw-catalogue-b3.csv:2",
        "hazard 'T,T'");
    add("b4", "HW08,x,y,900-214-09,z,T\n", NULL, LD_INVALID, "hw-catalogue-b4.csv:2",
        "does not end in category HW08");
    add("b5", "HW08,x,y,900-214-08,z,T\n\nHW08,x,y,900-214-08,z,T\n", NULL, LD_INVALID,
        "hw-catalogue-b5.csv:4", "line 4: code '900-214-08' already on line 2");
    add("b6", "HW08,x,y,900-000-08,z,T\n", NULL, LD_INVALID, "hw-catalogue-b6.csv:2", "reserved");
    add("b7", "HW08,x,y,900-214-08,\"unterminated,T\n", NULL, LD_PARSE, "hw-catalogue-b7.csv:2",
        "never closes");
    add("b8", "HW08,x,y,900-214-08,z\n", NULL, LD_PARSE, "hw-catalogue-b8.csv:2",
        "5 fields, expected 6");
    add("b9", "HW08,x,y,900-214-08,z,T\nHW08,其他,y,900-215-08,z,T\n", NULL, LD_INVALID,
        "hw-catalogue-b9.csv:3", "category HW08 is named");
    add("b10", "HW8,x,y,900-214-08,z,T\n", NULL, LD_INVALID, "hw-catalogue-b10.csv:2",
        "category 'HW8' is not HWNN");
    add("b11", "", NULL, LD_INVALID, "hw-catalogue-b11.csv", "lists no waste code");
    add("b12", "HW08,x,y,900-214-08,\"a\"b,T\n", NULL, LD_PARSE, "hw-catalogue-b12.csv:2",
        "after a closing quote");
    add("b13", "HW08,x,y,900-214-08,z,T\n",
        "seq,waste_code,waste,stage,condition,exemption\n1,900-249-08,x,运输,c,e\n", LD_INVALID,
        "hw-exemptions-b13.csv:2", "'900-249-08' is not listed");
    add("b14", "HW08,x,y,900-214-08,z,T\n",
        "seq,waste_code,waste,stage,condition,exemption\n1,HW09,x,运输,c,e\n", LD_INVALID,
        "hw-exemptions-b14.csv:2", "not a category");
    add("b15", "HW08,x,y,900-214-08,z,T\n",
        "seq,waste_code,waste,stage,condition,exemption\n1,HW08,x,贮存,c,e\n", LD_INVALID,
        "hw-exemptions-b15.csv:2", "stage '贮存'");
    add("b16", "HW08,x,y,900-214-08,z,T\n",
        "seq,waste_code,waste,stage,condition,exemption\n0,HW08,x,运输,c,e\n", LD_INVALID,
        "hw-exemptions-b16.csv:2", "seq '0'");
    add("b17", "HW08,x,y,900-214-08,z,T\n", "seq,code,waste,stage,condition,exemption\n", LD_PARSE,
        "hw-exemptions-b17.csv:1", "header column 2 is 'code'");
    add("b18", "HW08,x,y,900-214-08,z,T\n",
        "seq,waste_code,waste,stage,condition,exemption\n1,HW08,x,运输、运输,c,e\n", LD_INVALID,
        "hw-exemptions-b18.csv:2", "stage");
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_counts),         cmocka_unit_test(test_known_codes),
        cmocka_unit_test(test_unlisted_codes), cmocka_unit_test(test_malformed_codes),
        cmocka_unit_test(test_hazard_rule),    cmocka_unit_test(test_exemptions),
        cmocka_unit_test(test_methods),        cmocka_unit_test(test_places),
        cmocka_unit_test(test_add_edition),
    };

    return cmocka_run_group_tests_name("catalog", tests, setup, teardown);
}
