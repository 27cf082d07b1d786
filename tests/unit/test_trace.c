/*
 * test_trace.c - lineage and mass balance (trace.c) on ledgers built through
 * the library with the domain rules registered: consolidation at a collector,
 * partial acceptance and re-shipping of the rejected part, a 50-hop chain,
 * unknown and cancelled subjects, a damaged derived table, and the four
 * renderings.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "liandan/domain.h"
#include "liandan/ledger.h"
#include "liandan/mem.h"
#include "liandan/tm.h"
#include "liandan/trace.h"

#define P1 "9121021300000001X5"
#define P2 "9121021100000002X9"
#define P3 "9121028100000003XN"
#define COL "9121021300000004X8"
#define R1 "9121020400000005X8"
#define R2 "9121021100000006XD"
#define CARR "91210200MA0QD6W09B"

/* ---- fixture: a ledger with the domain rules ---------------------------- */

#include "fixture_domain.h"

static void
licence(struct fx *f, const char *id, const char *kind, const char *until)
{
    char body[512];

    snprintf(body, sizeof body,
             "{\"id\":\"%s\",\"kind\":\"%s\",\"number\":\"L-%s\",\"valid_from\":\"2026-01-01\","
             "\"valid_until\":\"%s\",\"codes\":[\"HW08\"],\"methods\":[\"R9\",\"D10\"]}",
             id, kind, id + 14, until);
    ok(f, "party.licence", 0, "regulator", body);
}

static int
setup(void **state)
{
    struct fx *f = ld_xcalloc(1, sizeof *f);
    struct ld_sig_pub reg;
    char *vkey = NULL;

    assert_int_equal(ld_sig_init(), LD_OK);
    snprintf(f->dir, sizeof f->dir, "/tmp/ld_test_trace_XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    snprintf(f->db, sizeof f->db, "%s/l.db", f->dir);
    assert_int_equal(ld_sig_keygen("regulator.test", &f->reg), LD_OK);
    ld_sig_secret_pub(f->reg, &reg);
    at("2026-03-02T01:00:00Z");
    assert_int_equal(ld_ledger_create(f->db, "test.example/log", &reg, NULL, NULL, &vkey, NULL),
                     LD_OK);
    free(vkey);
    assert_int_equal(ld_ledger_open(f->db, NULL, &f->l, NULL), LD_OK);
    assert_int_equal(ld_domain_register(f->l), LD_OK);
    party(f, P1, "producer", "210213");
    party(f, P2, "producer", "210211");
    party(f, P3, "producer", "210281");
    party(f, COL, "collector", "210213");
    party(f, R1, "receiver", "210204");
    party(f, R2, "receiver", "210211");
    party(f, CARR, "carrier", "210204");
    licence(f, COL, "collection", "2027-12-31");
    licence(f, R1, "disposal", "2027-12-31");
    licence(f, R2, "disposal", "2027-12-31");
    ok(f, "party.permit", 0, "regulator",
       "{\"id\":\"" CARR "\",\"number\":\"T-1\",\"valid_from\":\"2026-01-01\","
       "\"valid_until\":\"2028-12-31\",\"vehicles\":[\"辽B12345\"]}");
    *state = f;
    return 0;
}

/* ---- manifest steps ----------------------------------------------------- */

/* file() and deliver() are in fixture_domain.h. */

static void
dispose(struct fx *f, long long n, const char *receiver, const char *method, long long qty)
{
    char body[256];

    snprintf(body, sizeof body,
             "{\"on\":\"2026-03-02\",\"lines\":[{\"line\":1,\"method\":\"%s\",\"qty_g\":%lld}]}",
             method, qty);
    ok(f, "disposal.complete", n, receiver, body);
}

static char *
batch(long long n, const char *suffix)
{
    return ld_xasprintf("%lld-01%s", n, suffix);
}

static const struct ld_trace_node *
node(const struct ld_trace *t, long long n, const char *suffix)
{
    char *id = batch(n, suffix);
    long i = ld_trace_find(t, id);

    if (i < 0)
        fail_msg("no node %s in the trace", id);
    free(id);
    return &t->nodes[i];
}

/* Edge from -> to of kind with qty. */
static void
edge(const struct ld_trace *t, const struct ld_trace_node *a, const struct ld_trace_node *b,
     enum ld_trace_edge_kind k, long long qty)
{
    size_t i;

    for (i = 0; i < t->nedges; i++)
        if (&t->nodes[t->edges[i].from] == a && &t->nodes[t->edges[i].to] == b) {
            assert_int_equal(t->edges[i].kind, k);
            assert_int_equal(t->edges[i].qty_g, qty);
            return;
        }
    fail_msg("no edge %s -> %s", a->id, b->id);
}

/* The DESIGN.md §5 story: three producers -> collector -> R1 (partial) -> R2. */
struct story {
    long long n1, n2, n3, n4, n5;
};

static void
tell(struct fx *f, struct story *s)
{
    char from[512];

    s->n1 = file(f, P1, COL, 300000, NULL);
    s->n2 = file(f, P2, COL, 250000, NULL);
    s->n3 = file(f, P3, COL, 250000, NULL);
    deliver(f, s->n1, COL, 300000, 300000);
    deliver(f, s->n2, COL, 250000, 250000);
    deliver(f, s->n3, COL, 250000, 250000);
    snprintf(from, sizeof from,
             "[{\"batch\":\"%lld-01\",\"qty_g\":300000},{\"batch\":\"%lld-01\",\"qty_g\":250000},"
             "{\"batch\":\"%lld-01\",\"qty_g\":250000}]",
             s->n1, s->n2, s->n3);
    s->n4 = file(f, COL, R1, 800000, from);
    deliver(f, s->n4, R1, 800000, 600000);
    dispose(f, s->n4, R1, "R9", 600000);
    snprintf(from, sizeof from, "[{\"batch\":\"%lld-01R\",\"qty_g\":200000}]", s->n4);
    s->n5 = file(f, R1, R2, 200000, from);
    deliver(f, s->n5, R2, 200000, 200000);
    dispose(f, s->n5, R2, "D10", 200000);
}

/* ---- tests -------------------------------------------------------------- */

static void
test_collector_and_rejection(void **state)
{
    struct fx *f = *state;
    struct story s;
    struct ld_trace *t = NULL;
    const struct ld_trace_node *a, *b, *c, *m, *r, *d4, *n5, *d5;
    char *id, *text;
    size_t i;

    tell(f, &s);
    id = batch(s.n1, "");
    assert_int_equal(ld_trace_build(ld_ledger_store(f->l), id, &t, NULL), LD_OK);
    free(id);
    assert_int_equal(t->nnodes, 8);
    assert_int_equal(t->nedges, 7);
    assert_int_equal(t->nbroken, 0);
    a = node(t, s.n1, "");
    b = node(t, s.n2, "");
    c = node(t, s.n3, "");
    m = node(t, s.n4, "");
    r = node(t, s.n4, "R");
    d4 = node(t, s.n4, ":disposal");
    n5 = node(t, s.n5, "");
    d5 = node(t, s.n5, ":disposal");
    /* Every source, the consolidation, the rejection and both disposals. */
    edge(t, a, m, LD_TRACE_DRAW, 300000);
    edge(t, b, m, LD_TRACE_DRAW, 250000);
    edge(t, c, m, LD_TRACE_DRAW, 250000);
    edge(t, m, r, LD_TRACE_REJECT, 200000);
    edge(t, m, d4, LD_TRACE_DISPOSE, 600000);
    edge(t, r, n5, LD_TRACE_DRAW, 200000);
    edge(t, n5, d5, LD_TRACE_DISPOSE, 200000);
    /* Balances. */
    assert_int_equal(m->qty_g, 800000);
    assert_int_equal(m->received_g, 800000);
    assert_int_equal(m->accepted_g, 600000);
    assert_int_equal(m->rejected_g, 200000);
    assert_int_equal(m->from_g, 800000);
    assert_int_equal(m->in_g, 600000);
    assert_int_equal(m->disposed_g, 600000);
    assert_int_equal(r->in_g, 200000);
    assert_int_equal(r->drawn_g, 200000);
    assert_string_equal(r->receiver, R1);
    assert_string_equal(d5->method, "D10");
    for (i = 0; i < t->nnodes; i++) {
        assert_int_equal(t->nodes[i].left_g, 0);
        assert_false(t->nodes[i].broken);
    }
    assert_true(a->start);
    assert_false(m->start);
    /* Layers: sources, collector's load, receiver's parts, re-shipment, disposal. */
    assert_int_equal(a->layer, 0);
    assert_int_equal(b->layer, 0);
    assert_int_equal(m->layer, 1);
    assert_int_equal(r->layer, 2);
    assert_int_equal(n5->layer, 3);
    assert_int_equal(d5->layer, 4);
    assert_int_equal(t->nlayers, 5);
    text = ld_trace_text(t);
    assert_non_null(strstr(text, "balance ok"));
    assert_non_null(strstr(text, "(shown above)"));
    free(text);
    ld_trace_free(t);

    /* From the final manifest: the same sources upstream, one disposal. */
    id = ld_xasprintf("%lld", s.n5);
    assert_int_equal(ld_trace_build(ld_ledger_store(f->l), id, &t, NULL), LD_OK);
    free(id);
    assert_int_equal(t->nnodes, 7);
    assert_true(ld_trace_find(t, "x") < 0);
    assert_true(node(t, s.n5, "")->start);
    node(t, s.n1, "");
    node(t, s.n2, "");
    node(t, s.n3, "");
    /* R1's own disposal is not downstream of the re-shipped part. */
    id = batch(s.n4, ":disposal");
    assert_true(ld_trace_find(t, id) < 0);
    free(id);
    ld_trace_free(t);

    /* From the rejected part. */
    id = batch(s.n4, "R");
    assert_int_equal(ld_trace_build(ld_ledger_store(f->l), id, &t, NULL), LD_OK);
    free(id);
    assert_true(node(t, s.n4, "R")->start);
    assert_int_equal(node(t, s.n4, "R")->kind, LD_TRACE_REJECTED);
    assert_int_equal(t->nbroken, 0);
    ld_trace_free(t);
}

static void
test_renderings(void **state)
{
    struct fx *f = *state;
    struct story s;
    struct ld_trace *t = NULL;
    char *id, *out, *want;

    tell(f, &s);
    id = batch(s.n4, "");
    assert_int_equal(ld_trace_build(ld_ledger_store(f->l), id, &t, NULL), LD_OK);
    free(id);
    out = ld_trace_json(t);
    assert_non_null(strstr(out, "\"balanced\":true"));
    want = ld_xasprintf("{\"from\":\"%lld-01\",\"kind\":\"reject\",\"qty_g\":200000,"
                        "\"to\":\"%lld-01R\"}",
                        s.n4, s.n4);
    assert_non_null(strstr(out, want));
    free(want);
    free(out);
    out = ld_trace_dot(t);
    assert_int_equal(strncmp(out, "digraph trace {", 15), 0);
    want = ld_xasprintf("\"%lld-01\" -> \"%lld-01\" [label=\"draw 300.000 kg\"", s.n1, s.n4);
    assert_non_null(strstr(out, want));
    free(want);
    free(out);
    out = ld_trace_svg(t);
    assert_int_equal(strncmp(out, "<?xml", 5), 0);
    assert_non_null(strstr(out, "</svg>\n"));
    assert_null(strstr(out, "&&"));
    free(out);
    out = ld_trace_text(t);
    want = ld_xasprintf("reject 200.000 kg ▶ %lld-01R", s.n4);
    assert_non_null(strstr(out, want));
    free(want);
    free(out);
    ld_trace_free(t);
}

static void
test_subjects(void **state)
{
    struct fx *f = *state;
    struct ld_trace *t = NULL;
    struct ld_err err;
    long long n, c;
    char *id;

    n = file(f, P1, R1, 1000, NULL);
    c = file(f, P1, R1, 2000, NULL);
    ok(f, "manifest.cancel", c, P1, "{\"reason\":\"plan changed\"}");
    memset(&err, 0, sizeof err);
    assert_int_equal(ld_trace_build(ld_ledger_store(f->l), "abc", &t, &err), LD_INVALID);
    assert_null(t);
    assert_int_equal(ld_trace_build(ld_ledger_store(f->l), "", &t, NULL), LD_INVALID);
    assert_int_equal(ld_trace_build(ld_ledger_store(f->l),
                                    "202621020000011111111111111111111111", &t, NULL),
                     LD_INVALID);
    assert_int_equal(ld_trace_build(ld_ledger_store(f->l), "20262102000099", &t, NULL),
                     LD_NOTFOUND);
    id = ld_xasprintf("%lld-02", n);
    assert_int_equal(ld_trace_build(ld_ledger_store(f->l), id, &t, NULL), LD_NOTFOUND);
    free(id);
    /* Nothing rejected: no rejected part. */
    id = batch(n, "R");
    memset(&err, 0, sizeof err);
    assert_int_equal(ld_trace_build(ld_ledger_store(f->l), id, &t, &err), LD_NOTFOUND);
    assert_non_null(strstr(err.msg, "no rejected part"));
    free(id);
    /* Cancelled: by number and by batch. */
    id = ld_xasprintf("%lld", c);
    memset(&err, 0, sizeof err);
    assert_int_equal(ld_trace_build(ld_ledger_store(f->l), id, &t, &err), LD_NOTFOUND);
    assert_non_null(strstr(err.msg, "cancelled"));
    free(id);
    id = batch(c, "");
    assert_int_equal(ld_trace_build(ld_ledger_store(f->l), id, &t, NULL), LD_NOTFOUND);
    free(id);
    /* A filed load: in is the filed quantity, nothing out. */
    id = batch(n, "");
    assert_int_equal(ld_trace_build(ld_ledger_store(f->l), id, &t, NULL), LD_OK);
    free(id);
    assert_int_equal(t->nnodes, 1);
    assert_false(t->nodes[0].received);
    assert_int_equal(t->nodes[0].in_g, 1000);
    assert_int_equal(t->nodes[0].left_g, 1000);
    ld_trace_free(t);
}

/* A cancelled manifest's draw does not count against its source. */
static void
test_cancelled_draw(void **state)
{
    struct fx *f = *state;
    struct ld_trace *t = NULL;
    long long a, b;
    char from[128], *id;

    a = file(f, P1, COL, 300000, NULL);
    deliver(f, a, COL, 300000, 300000);
    snprintf(from, sizeof from, "[{\"batch\":\"%lld-01\",\"qty_g\":300000}]", a);
    b = file(f, COL, R1, 300000, from);
    ok(f, "manifest.cancel", b, COL, "{\"reason\":\"x\"}");
    id = batch(a, "");
    assert_int_equal(ld_trace_build(ld_ledger_store(f->l), id, &t, NULL), LD_OK);
    free(id);
    assert_int_equal(t->nnodes, 1);
    assert_int_equal(t->nodes[0].drawn_g, 0);
    assert_int_equal(t->nodes[0].left_g, 300000);
    ld_trace_free(t);
}

static void
test_broken(void **state)
{
    struct fx *f = *state;
    struct story s;
    struct ld_trace *t = NULL;
    char *id, *sql, *text;
    const struct ld_trace_node *m;

    tell(f, &s);
    /* A derived table damaged: R1 disposed of more than it accepted. */
    sql = ld_xasprintf("UPDATE lines SET disposed_g = 650000 WHERE batch = '%lld-01'", s.n4);
    assert_int_equal(ld_store_exec(ld_ledger_store(f->l), sql), LD_OK);
    free(sql);
    id = batch(s.n1, "");
    assert_int_equal(ld_trace_build(ld_ledger_store(f->l), id, &t, NULL), LD_OK);
    free(id);
    assert_int_equal(t->nbroken, 1);
    m = node(t, s.n4, "");
    assert_true(m->broken);
    assert_int_equal(m->left_g, -50000);
    assert_string_equal(m->reason, "out 650000 g exceeds in 600000 g");
    text = ld_trace_text(t);
    assert_non_null(strstr(text, "balance BROKEN at 1"));
    assert_non_null(strstr(text, "left -50.000 kg  BROKEN"));
    free(text);
    ld_trace_free(t);
    /* A line that ships less than it drew; a receipt that does not add up. */
    sql = ld_xasprintf("UPDATE lines SET disposed_g = 600000 WHERE batch = '%lld-01'; "
                       "UPDATE lines SET qty_g = 700000 WHERE batch = '%lld-01'; "
                       "UPDATE lines SET received_g = 210000 WHERE batch = '%lld-01'",
                       s.n4, s.n4, s.n5);
    assert_int_equal(ld_store_exec(ld_ledger_store(f->l), sql), LD_OK);
    free(sql);
    id = batch(s.n5, "");
    assert_int_equal(ld_trace_build(ld_ledger_store(f->l), id, &t, NULL), LD_OK);
    free(id);
    assert_int_equal(t->nbroken, 2);
    assert_string_equal(node(t, s.n4, "")->reason,
                        "draws 800000 g from its sources but ships 700000 g");
    assert_string_equal(node(t, s.n5, "")->reason,
                        "received 210000 g is not accepted 200000 g + rejected 0 g");
    ld_trace_free(t);
    /* reindex repairs the derived tables. */
    assert_int_equal(ld_ledger_reindex(f->l, NULL), LD_OK);
    id = batch(s.n5, "");
    assert_int_equal(ld_trace_build(ld_ledger_store(f->l), id, &t, NULL), LD_OK);
    free(id);
    assert_int_equal(t->nbroken, 0);
    ld_trace_free(t);
}

/* 50 hops: two receivers ship the same load back and forth. */
static void
test_fifty_hops(void **state)
{
    struct fx *f = *state;
    struct ld_trace *t = NULL;
    long long n[51];
    char from[128], *id;
    struct timespec t0, t1;
    size_t i, rounds = 200;
    double us;

    n[0] = file(f, P1, R1, 500000, NULL);
    deliver(f, n[0], R1, 500000, 500000);
    for (i = 1; i <= 50; i++) {
        const char *filer = i % 2 ? R1 : R2, *to = i % 2 ? R2 : R1;
        snprintf(from, sizeof from, "[{\"batch\":\"%lld-01\",\"qty_g\":500000}]", n[i - 1]);
        n[i] = file(f, filer, to, 500000, from);
        deliver(f, n[i], to, 500000, 500000);
    }
    dispose(f, n[50], R1, "R9", 500000);
    id = batch(n[0], "");
    assert_int_equal(ld_trace_build(ld_ledger_store(f->l), id, &t, NULL), LD_OK);
    assert_int_equal(t->nnodes, 52);
    assert_int_equal(t->nbroken, 0);
    assert_int_equal(t->nlayers, 52);
    ld_trace_free(t);
    /* Time it (reported, not asserted: machines differ). */
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (i = 0; i < rounds; i++) {
        assert_int_equal(ld_trace_build(ld_ledger_store(f->l), id, &t, NULL), LD_OK);
        ld_trace_free(t);
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    us = ((double)(t1.tv_sec - t0.tv_sec) * 1e6 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e3) /
         (double)rounds;
    print_message("trace of a 50-hop lineage: %.0f us\n", us);
    free(id);
    /* From the end: the whole chain upstream. */
    id = batch(n[50], "");
    assert_int_equal(ld_trace_build(ld_ledger_store(f->l), id, &t, NULL), LD_OK);
    free(id);
    assert_int_equal(t->nnodes, 52);
    ld_trace_free(t);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_collector_and_rejection, setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_renderings, setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_subjects, setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_cancelled_draw, setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_broken, setup, fx_teardown),
        cmocka_unit_test_setup_teardown(test_fifty_hops, setup, fx_teardown),
    };
    return cmocka_run_group_tests_name("trace", tests, NULL, NULL);
}
