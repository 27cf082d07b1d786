/*
 * test_audit.c - the anomaly rules (audit.c) on ledgers built through the
 * library with the domain rules registered: deadlines across the 2026 Spring
 * Festival and National Day holidays and into a year the calendar does not
 * cover (and the same year loaded), each anomaly kind present when due and
 * absent when not, options, damaged derived tables, and the renderings.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "liandan/audit.h"
#include "liandan/domain.h"
#include "liandan/ledger.h"
#include "liandan/mem.h"
#include "liandan/tm.h"
#include "liandan/workday.h"

#define P1 "9121021300000001X5"
#define R1 "9121020400000005X8"
#define R2 "9121021100000006XD"
#define CARR "91210200MA0QD6W09B"

/* ---- fixture: a ledger with the domain rules ---------------------------- */

#include "fixture_domain.h"

static void
licence(struct fx *f, const char *id, const char *until, const char *capacity)
{
    char body[512], cap[128] = "";

    if (capacity)
        snprintf(cap, sizeof cap, ",\"capacity_g\":%s", capacity);
    snprintf(body, sizeof body,
             "{\"id\":\"%s\",\"kind\":\"disposal\",\"number\":\"L-%s\","
             "\"valid_from\":\"2026-01-01\",\"valid_until\":\"%s\",\"codes\":[\"HW08\"],"
             "\"methods\":[\"R9\",\"D10\"]%s}",
             id, id + 14, until, cap);
    ok(f, "party.licence", 0, "regulator", body);
}

static int
setup(void **state)
{
    struct fx *f = ld_xcalloc(1, sizeof *f);
    struct ld_sig_pub reg;
    char *vkey = NULL;

    assert_int_equal(ld_sig_init(), LD_OK);
    snprintf(f->dir, sizeof f->dir, "/tmp/ld_test_audit_XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    snprintf(f->db, sizeof f->db, "%s/l.db", f->dir);
    assert_int_equal(ld_sig_keygen("regulator.test", &f->reg), LD_OK);
    ld_sig_secret_pub(f->reg, &reg);
    at("2026-01-05T01:00:00Z");
    assert_int_equal(ld_ledger_create(f->db, "test.example/log", &reg, NULL, NULL, &vkey, NULL),
                     LD_OK);
    free(vkey);
    assert_int_equal(ld_ledger_open(f->db, NULL, &f->l, NULL), LD_OK);
    assert_int_equal(ld_domain_register(f->l), LD_OK);
    party(f, P1, "producer", "210213");
    party(f, R1, "receiver", "210204");
    party(f, R2, "receiver", "210211");
    party(f, CARR, "carrier", "210204");
    licence(f, R1, "2027-12-31", NULL);
    licence(f, R2, "2027-12-31", "{\"HW08\":1000000}");
    ok(f, "party.permit", 0, "regulator",
       "{\"id\":\"" CARR "\",\"number\":\"T-1\",\"valid_from\":\"2026-01-01\","
       "\"valid_until\":\"2028-12-31\",\"vehicles\":[\"辽B12345\",\"辽B1234挂\"]}");
    *state = f;
    return 0;
}

/* ---- manifest steps ----------------------------------------------------- */

/* File a one-line 800 kg waste-oil manifest at t; extra is appended to the body
 * (e.g. a paper object), from to the line. Returns its number. */
static long long
file_at(struct fx *f, const char *t, const char *filer, const char *receiver, const char *from,
        const char *extra)
{
    char body[2048], fromj[600] = "";
    int64_t now;
    long long n;

    at(t);
    assert_int_equal(ld_tm_now(&now), LD_OK);
    n = (long long)ld_manifest_next_number(ld_ledger_store(f->l), filer, now);
    assert_true(n > 0);
    if (from)
        snprintf(fromj, sizeof fromj, ",\"from\":%s", from);
    snprintf(body, sizeof body,
             "{\"producer\":{\"id\":\"%s\",\"name\":\"n\",\"address\":\"a\",\"contact\":\"c\","
             "\"phone\":\"p\",\"emergency_phone\":\"e\"},\"consignor\":\"producer\","
             "\"receiver\":\"%s\",\"carrier\":\"" CARR "\",%s\"lines\":[{\"name\":\"废矿物油\","
             "\"catalogue\":\"2021\",\"code\":\"900-214-08\",\"category\":\"HW08\","
             "\"hazard\":[\"T\",\"I\"],\"form\":\"liquid\",\"constituents\":\"oil\","
             "\"packaging\":\"drum\",\"packages\":1,\"qty_g\":%lld,\"emergency\":\"sand\"%s}]}",
             filer, receiver, extra ? extra : "", from ? 200000LL : 800000LL, fromj);
    ok(f, "manifest.file", n, filer, body);
    return n;
}

static void
pickup_at(struct fx *f, const char *t, long long n, const char *vehicle, const char *trailer)
{
    char body[512], tr[64] = "";

    at(t);
    if (trailer)
        snprintf(tr, sizeof tr, "\"trailer\":\"%s\",", trailer);
    snprintf(body, sizeof body,
             "{\"vehicle\":\"%s\",%s\"driver\":{\"name\":\"a\",\"licence\":\"1\"},"
             "\"escort\":{\"name\":\"b\",\"licence\":\"2\"},\"start\":\"s\",\"packages\":[1]}",
             vehicle, tr);
    ok(f, "transport.pickup", n, CARR, body);
}

static void
arrive_at(struct fx *f, const char *t, long long n)
{
    at(t);
    ok(f, "transport.arrive", n, CARR, "{\"place\":\"p\"}");
}

/* receipt.accept of line 1; discrepancy: a description or NULL. */
static void
accept_at(struct fx *f, const char *t, long long n, const char *receiver, long long received,
          long long accepted, const char *discrepancy)
{
    char body[512], d[256] = "";

    at(t);
    if (discrepancy)
        snprintf(d, sizeof d, ",\"discrepancy\":{\"kinds\":[\"packaging\"],\"description\":\"%s\"}",
                 discrepancy);
    snprintf(body, sizeof body,
             "{\"lines\":[{\"line\":1,\"received_g\":%lld,\"accepted_g\":%lld%s}]}", received,
             accepted, d);
    ok(f, "receipt.accept", n, receiver, body);
}

/* Pickup, arrival and full receipt, an hour apart from t. */
static void
deliver_at(struct fx *f, const char *day, long long n, const char *receiver, long long received,
           long long accepted)
{
    char t[32];

    snprintf(t, sizeof t, "%sT01:00:00Z", day);
    pickup_at(f, t, n, "辽B12345", NULL);
    snprintf(t, sizeof t, "%sT02:00:00Z", day);
    arrive_at(f, t, n);
    snprintf(t, sizeof t, "%sT03:00:00Z", day);
    accept_at(f, t, n, receiver, received, accepted, NULL);
}

static int64_t
instant(const char *t)
{
    int64_t v = 0;

    assert_int_equal(ld_tm_parse(t, &v), LD_OK);
    return v;
}

/* Run the audit as of now with defaults (or the given options). */
static struct ld_audit *
audit(struct fx *f, const char *now, const struct ld_audit_opts *opts)
{
    struct ld_audit_opts o = LD_AUDIT_OPTS_INIT;
    struct ld_audit *a = NULL;
    struct ld_err err;

    if (opts)
        o = *opts;
    o.now = instant(now);
    memset(&err, 0, sizeof err);
    if (ld_audit_run(ld_ledger_store(f->l), &o, &a, &err) != LD_OK)
        fail_msg("audit failed: %s", err.msg);
    return a;
}

/* The anomaly of rule on manifest, or NULL. */
static const struct ld_audit_item *
item(const struct ld_audit *a, const char *rule, long long manifest)
{
    size_t i;

    for (i = 0; i < a->n; i++)
        if (strcmp(a->items[i].rule, rule) == 0 && a->items[i].manifest == manifest)
            return &a->items[i];
    return NULL;
}

static size_t
count(const struct ld_audit *a, const char *rule)
{
    size_t i, n = 0;

    for (i = 0; i < a->n; i++)
        n += strcmp(a->items[i].rule, rule) == 0;
    return n;
}

/* ---- tests -------------------------------------------------------------- */

/* Arrival Friday 2026-02-13: the 5th working day after it is Friday 02-27
 * (02-14 is a make-up working Saturday, 02-15..02-23 the Spring Festival). */
static void
test_receipt_spring_festival(void **state)
{
    struct fx *f = *state;
    struct ld_audit *a;
    const struct ld_audit_item *it;
    long long n, m;

    n = file_at(f, "2026-02-12T01:00:00Z", P1, R1, NULL, NULL);
    m = file_at(f, "2026-02-12T01:00:00Z", P1, R1, NULL, NULL);
    pickup_at(f, "2026-02-12T02:00:00Z", n, "辽B12345", NULL);
    pickup_at(f, "2026-02-12T02:00:00Z", m, "辽B12345", NULL);
    arrive_at(f, "2026-02-13T02:00:00Z", n);
    arrive_at(f, "2026-02-13T02:00:00Z", m);
    a = audit(f, "2026-02-27T15:59:59Z", NULL);
    assert_int_equal(a->n, 0);
    ld_audit_free(a);
    a = audit(f, "2026-02-27T16:00:00Z", NULL);
    assert_int_equal(a->n, 2);
    it = item(a, LD_AUDIT_RECEIPT_OVERDUE, n);
    assert_non_null(it);
    assert_int_equal(it->deadline, instant("2026-02-27T16:00:00Z"));
    assert_string_equal(it->party, R1);
    assert_false(it->provisional);
    assert_string_equal(it->detail,
                        "arrived 2026-02-13 10:00 CST, receipt not confirmed within 5 working days");
    ld_audit_free(a);
    /* n confirmed on the last day, m on the make-up Saturday after it. */
    accept_at(f, "2026-02-27T15:00:00Z", n, R1, 800000, 800000, NULL);
    accept_at(f, "2026-02-28T01:00:00Z", m, R1, 800000, 800000, NULL);
    a = audit(f, "2026-03-10T00:00:00Z", NULL);
    assert_int_equal(a->n, 1);
    it = item(a, LD_AUDIT_RECEIPT_LATE, m);
    assert_non_null(it);
    assert_int_equal(it->deadline, instant("2026-02-27T16:00:00Z"));
    assert_null(item(a, LD_AUDIT_RECEIPT_LATE, n));
    assert_int_equal(count(a, LD_AUDIT_RECEIPT_OVERDUE), 0);
    ld_audit_free(a);
}

/* National Day 2026: 10-01..10-07 off, Saturday 10-10 worked. */
static void
test_transit_national_day(void **state)
{
    struct fx *f = *state;
    struct ld_audit_opts o = LD_AUDIT_OPTS_INIT;
    struct ld_audit *a;
    const struct ld_audit_item *it;
    long long n, m, k;

    n = file_at(f, "2026-09-30T00:30:00Z", P1, R1, NULL, NULL);
    m = file_at(f, "2026-09-30T00:30:00Z", P1, R1, NULL, NULL);
    k = file_at(f, "2026-09-30T00:30:00Z", P1, R1, NULL, NULL);
    pickup_at(f, "2026-09-30T01:00:00Z", n, "辽B12345", NULL);
    pickup_at(f, "2026-09-30T01:00:00Z", m, "辽B12345", NULL);
    pickup_at(f, "2026-09-30T01:00:00Z", k, "辽B12345", NULL);
    /* n arrives on the 3rd working day (Saturday 10-10), m on Monday 10-12. */
    arrive_at(f, "2026-10-10T08:00:00Z", n);
    arrive_at(f, "2026-10-12T01:00:00Z", m);
    a = audit(f, "2026-10-10T15:59:59Z", NULL);
    assert_null(item(a, LD_AUDIT_TRANSIT_OVERDUE, k));
    ld_audit_free(a);
    a = audit(f, "2026-10-10T16:00:00Z", NULL);
    it = item(a, LD_AUDIT_TRANSIT_OVERDUE, k);
    assert_non_null(it);
    assert_int_equal(it->deadline, instant("2026-10-10T16:00:00Z"));
    assert_string_equal(it->party, CARR);
    assert_null(item(a, LD_AUDIT_TRANSIT_LATE, n));
    ld_audit_free(a);
    a = audit(f, "2026-10-13T00:00:00Z", NULL);
    assert_non_null(item(a, LD_AUDIT_TRANSIT_LATE, m));
    assert_null(item(a, LD_AUDIT_TRANSIT_LATE, n));
    assert_int_equal(count(a, LD_AUDIT_TRANSIT_LATE) + count(a, LD_AUDIT_TRANSIT_OVERDUE), 2);
    ld_audit_free(a);
    /* Four working days allowed: m is in time, k is due at the end of 10-12. */
    o.transit_days = 4;
    a = audit(f, "2026-10-12T15:59:59Z", &o);
    assert_int_equal(count(a, LD_AUDIT_TRANSIT_LATE) + count(a, LD_AUDIT_TRANSIT_OVERDUE), 0);
    ld_audit_free(a);
    /* Receipt deadline of an arrival on Saturday 10-10: Friday 10-16. */
    a = audit(f, "2026-10-16T16:00:00Z", &o);
    it = item(a, LD_AUDIT_RECEIPT_OVERDUE, n);
    assert_non_null(it);
    assert_int_equal(it->deadline, instant("2026-10-16T16:00:00Z"));
    assert_null(item(a, LD_AUDIT_RECEIPT_OVERDUE, m));
    ld_audit_free(a);
}

static void
test_quantities(void **state)
{
    struct fx *f = *state;
    struct ld_audit_opts o = LD_AUDIT_OPTS_INIT;
    struct ld_audit *a;
    const struct ld_audit_item *it;
    long long n, m, k;

    n = file_at(f, "2026-03-02T00:00:00Z", P1, R1, NULL, NULL);
    m = file_at(f, "2026-03-02T00:00:00Z", P1, R1, NULL, NULL);
    k = file_at(f, "2026-03-02T00:00:00Z", P1, R1, NULL, NULL);
    deliver_at(f, "2026-03-02", n, R1, 760000, 760000); /* exactly 5% short */
    deliver_at(f, "2026-03-02", m, R1, 800000, 600000); /* partial acceptance */
    pickup_at(f, "2026-03-02T04:00:00Z", k, "辽B12345", NULL);
    arrive_at(f, "2026-03-02T05:00:00Z", k);
    accept_at(f, "2026-03-02T06:00:00Z", k, R1, 800000, 800000, "drums dented");
    a = audit(f, "2026-03-03T00:00:00Z", NULL);
    assert_int_equal(count(a, LD_AUDIT_QUANTITY), 0);
    assert_non_null(item(a, LD_AUDIT_DISCREPANCY, m));
    it = item(a, LD_AUDIT_DISCREPANCY, k);
    assert_non_null(it);
    assert_string_equal(it->party, P1);
    assert_int_equal(it->deadline, -1);
    assert_null(item(a, LD_AUDIT_DISCREPANCY, n));
    assert_int_equal(a->n, 2);
    ld_audit_free(a);
    o.tolerance = 499;
    a = audit(f, "2026-03-03T00:00:00Z", &o);
    it = item(a, LD_AUDIT_QUANTITY, n);
    assert_non_null(it);
    assert_string_equal(it->detail, "filed 800000 g, received 760000 g (-5.00%, tolerance 4.99%)");
    assert_string_equal(it->batch + 14, "-01");
    ld_audit_free(a);
    o.tolerance = 0;
    a = audit(f, "2026-03-03T00:00:00Z", &o);
    assert_int_equal(count(a, LD_AUDIT_QUANTITY), 1);
    ld_audit_free(a);
}

static void
test_licence_and_capacity(void **state)
{
    struct fx *f = *state;
    struct ld_audit *a;
    const struct ld_audit_item *it;
    long long n, m, k;

    n = file_at(f, "2026-03-02T00:00:00Z", P1, R2, NULL, NULL);
    m = file_at(f, "2026-03-02T00:00:00Z", P1, R2, NULL, NULL);
    k = file_at(f, "2026-03-02T00:00:00Z", P1, R1, NULL, NULL);
    deliver_at(f, "2026-03-02", n, R2, 600000, 600000);
    deliver_at(f, "2026-03-03", m, R2, 600000, 600000);
    a = audit(f, "2026-03-04T00:00:00Z", NULL);
    assert_int_equal(count(a, LD_AUDIT_CAPACITY), 1);
    assert_int_equal(count(a, LD_AUDIT_LICENCE), 0);
    it = item(a, LD_AUDIT_CAPACITY, m);
    assert_non_null(it);
    assert_string_equal(it->party, R2);
    assert_string_equal(it->detail,
                        "HW08 accepted in 2026: 1200000 g, over the licensed 1000000 g a year");
    ld_audit_free(a);
    /* The regulator records R1's licence anew, ending before k was filed. */
    at("2026-03-04T00:00:00Z");
    licence(f, R1, "2026-02-28", NULL);
    a = audit(f, "2026-03-04T00:00:00Z", NULL);
    it = item(a, LD_AUDIT_LICENCE, k);
    assert_non_null(it);
    assert_string_equal(it->party, R1);
    assert_string_equal(it->detail, "not licensed on the filing day 2026-03-02: disposal licence "
                                    "L-05X8 is valid 2026-01-01 to 2026-02-28");
    ld_audit_free(a);
}

static void
test_vehicle_and_paper(void **state)
{
    struct fx *f = *state;
    struct ld_audit *a;
    const struct ld_audit_item *it;
    long long n, m, p, q;

    n = file_at(f, "2026-03-02T00:00:00Z", P1, R1, NULL, NULL);
    m = file_at(f, "2026-03-02T00:00:00Z", P1, R1, NULL, NULL);
    pickup_at(f, "2026-03-02T01:00:00Z", n, "辽B54321", NULL);
    pickup_at(f, "2026-03-02T01:00:00Z", m, "辽B12345", "辽B9999挂");
    /* Completed Wednesday 09-30: the 10th working day after is Tuesday 10-20. */
    p = file_at(f, "2026-10-20T15:59:59Z", P1, R1, NULL,
                "\"paper\":{\"transferred_on\":\"2026-09-29\",\"completed_on\":\"2026-09-30\"},");
    q = file_at(f, "2026-10-20T16:00:00Z", P1, R1, NULL,
                "\"paper\":{\"transferred_on\":\"2026-09-29\",\"completed_on\":\"2026-09-30\"},");
    a = audit(f, "2026-10-21T00:00:00Z", NULL);
    it = item(a, LD_AUDIT_VEHICLE, n);
    assert_non_null(it);
    assert_string_equal(it->detail, "leg 1: vehicle 辽B54321 not in the carrier's transport permit");
    assert_string_equal(it->party, CARR);
    it = item(a, LD_AUDIT_VEHICLE, m);
    assert_non_null(it);
    assert_string_equal(it->detail, "leg 1: trailer 辽B9999挂 not in the carrier's transport permit");
    assert_null(item(a, LD_AUDIT_PAPER_LATE, p));
    it = item(a, LD_AUDIT_PAPER_LATE, q);
    assert_non_null(it);
    assert_int_equal(it->deadline, instant("2026-10-20T16:00:00Z"));
    assert_string_equal(it->party, P1);
    /* A paper manifest's licence is judged on its completion day. */
    assert_null(item(a, LD_AUDIT_LICENCE, q));
    ld_audit_free(a);
}

static void
test_balance(void **state)
{
    struct fx *f = *state;
    struct ld_audit *a;
    const struct ld_audit_item *it;
    char from[128], *sql;
    long long n, m, c;

    n = file_at(f, "2026-03-02T00:00:00Z", P1, R1, NULL, NULL);
    deliver_at(f, "2026-03-02", n, R1, 800000, 600000);
    snprintf(from, sizeof from, "[{\"batch\":\"%lld-01R\",\"qty_g\":200000}]", n);
    m = file_at(f, "2026-03-03T00:00:00Z", R1, R2, from, NULL);
    c = file_at(f, "2026-03-03T00:00:00Z", P1, R1, NULL, NULL);
    at("2026-03-03T01:00:00Z");
    ok(f, "manifest.cancel", c, P1, "{\"reason\":\"x\"}");
    a = audit(f, "2026-03-04T00:00:00Z", NULL);
    assert_int_equal(count(a, LD_AUDIT_BALANCE), 0);
    ld_audit_free(a);
    /* Damage the derived tables: the draw on the rejected part grows, a draw on a
     * batch nobody has, a disposal beyond acceptance, a draw on a cancelled load,
     * and a discrepancy flag on the cancelled manifest (never reported). */
    sql = ld_xasprintf(
        "UPDATE sources SET qty_g = 300000 WHERE source = '%lld-01R'; "
        "INSERT INTO sources(batch, source, qty_g) VALUES ('%lld-01', '20269999999999-01', 5); "
        "INSERT INTO sources(batch, source, qty_g) VALUES ('%lld-01', '%lld-01', 7); "
        "UPDATE lines SET disposed_g = 650000 WHERE batch = '%lld-01'; "
        "UPDATE manifests SET discrepancy = 1 WHERE number = %lld",
        n, m, m, c, n, c);
    assert_int_equal(ld_store_exec(ld_ledger_store(f->l), sql), LD_OK);
    free(sql);
    a = audit(f, "2026-03-04T00:00:00Z", NULL);
    it = item(a, LD_AUDIT_BALANCE, 20269999999999LL);
    assert_non_null(it);
    assert_string_equal(it->batch, "20269999999999-01");
    it = item(a, LD_AUDIT_BALANCE, c);
    assert_non_null(it);
    assert_string_equal(it->detail, "later manifests drew 7 g from a line of this cancelled manifest");
    assert_null(item(a, LD_AUDIT_DISCREPANCY, c));
    /* n: the rejected part over-drawn, and the disposal beyond acceptance; m: its
     * draws exceed what it ships. */
    assert_int_equal(count(a, LD_AUDIT_BALANCE), 5);
    assert_non_null(item(a, LD_AUDIT_BALANCE, m));
    ld_audit_free(a);
    assert_int_equal(ld_ledger_reindex(f->l, NULL), LD_OK);
    a = audit(f, "2026-03-04T00:00:00Z", NULL);
    assert_int_equal(count(a, LD_AUDIT_BALANCE), 0);
    ld_audit_free(a);
}

/* An arrival on Monday 2026-12-28 is due in 2027, which the built-in calendar
 * does not cover: Monday-Friday, provisional. Loading 2027's New Year fixes it. */
static void
test_provisional(void **state)
{
    static const char y2027[] = "date,kind,name\n2027-01-01,off,元旦\n";
    struct fx *f = *state;
    struct ld_audit_opts o = LD_AUDIT_OPTS_INIT;
    struct ld_workday *cal = ld_workday_new();
    struct ld_audit *a;
    const struct ld_audit_item *it;
    char *s;
    long long n;

    n = file_at(f, "2026-12-28T00:00:00Z", P1, R1, NULL, NULL);
    pickup_at(f, "2026-12-28T01:00:00Z", n, "辽B12345", NULL);
    arrive_at(f, "2026-12-28T02:00:00Z", n);
    a = audit(f, "2027-01-10T00:00:00Z", NULL);
    it = item(a, LD_AUDIT_RECEIPT_OVERDUE, n);
    assert_non_null(it);
    assert_int_equal(it->deadline, instant("2027-01-04T16:00:00Z"));
    assert_true(it->provisional);
    s = ld_audit_item_text(it);
    assert_non_null(strstr(s, " 2027-01-04? arrived 2026-12-28 10:00 CST"));
    free(s);
    s = ld_audit_item_json(it);
    assert_non_null(strstr(s, "\"deadline\":\"2027-01-04T16:00:00Z\",\"deadline_day\":"
                              "\"2027-01-04\""));
    assert_non_null(strstr(s, "\"provisional\":true,\"rule\":\"receipt.overdue\""));
    assert_non_null(strstr(s, "\"batch\":null"));
    free(s);
    ld_audit_free(a);
    assert_int_equal(ld_workday_load_builtin(cal, NULL), LD_OK);
    assert_int_equal(ld_workday_load_csv(cal, "2027.csv", y2027, sizeof y2027 - 1, NULL), LD_OK);
    o.cal = cal;
    a = audit(f, "2027-01-10T00:00:00Z", &o);
    it = item(a, LD_AUDIT_RECEIPT_OVERDUE, n);
    assert_non_null(it);
    assert_int_equal(it->deadline, instant("2027-01-05T16:00:00Z"));
    assert_false(it->provisional);
    ld_audit_free(a);
    ld_workday_free(cal);
}

static void
test_options(void **state)
{
    struct fx *f = *state;
    struct ld_audit_opts o = LD_AUDIT_OPTS_INIT;
    struct ld_audit *a = NULL;
    struct ld_audit_item it;

    o.transit_days = 0;
    assert_int_equal(ld_audit_run(ld_ledger_store(f->l), &o, &a, NULL), LD_INVALID);
    o.transit_days = 3;
    o.tolerance = 10001;
    assert_int_equal(ld_audit_run(ld_ledger_store(f->l), &o, &a, NULL), LD_INVALID);
    assert_null(a);
    o.tolerance = 500;
    assert_int_equal(ld_audit_run(ld_ledger_store(f->l), &o, &a, NULL), LD_OK);
    assert_int_equal(a->n, 0);
    ld_audit_free(a);
    ld_audit_free(NULL);
    assert_true(ld_audit_rule_ok("receipt.overdue"));
    assert_true(ld_audit_rule_ok("receipt"));
    assert_true(ld_audit_rule_ok("vehicle.not_in_fleet"));
    assert_false(ld_audit_rule_ok("receipt."));
    assert_false(ld_audit_rule_ok("rec"));
    assert_false(ld_audit_rule_ok(""));
    memset(&it, 0, sizeof it);
    it.rule = LD_AUDIT_TRANSIT_LATE;
    assert_true(ld_audit_match(&it, "transit"));
    assert_true(ld_audit_match(&it, "transit.late"));
    assert_false(ld_audit_match(&it, "transit.overdue"));
    assert_false(ld_audit_match(&it, "trans"));
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_receipt_spring_festival, setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_transit_national_day, setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_quantities, setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_licence_and_capacity, setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_vehicle_and_paper, setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_balance, setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_provisional, setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_options, setup, fx_teardown),
    };
    return cmocka_run_group_tests_name("audit", tests, NULL, NULL);
}
