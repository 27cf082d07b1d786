/*
 * rules_receipt.c - the receiver part (DESIGN.md §5; Art. 18 of the 2021
 * Measures): receipt with per-line weighed quantities and significant
 * discrepancies, partial acceptance, rejection, and disposal.
 *
 *   receipt.accept    {"lines":[{"line","received_g","accepted_g",
 *                      "discrepancy":{"kinds":[K..],"description"}}]}
 *                     K: name, quantity, characteristics, form, packaging
 *   receipt.reject    {"reason","lines":[{"line","rejected_g"}]}   (lines absent: all;
 *                     lines not listed are accepted as filed)
 *   disposal.complete {"on":"YYYY-MM-DD","lines":[{"line","method","qty_g"}]}
 *
 * What the receiver accepts becomes batch NUMBER-LL held by it; what it
 * refuses becomes batch NUMBER-LLR, which must leave under a new manifest
 * naming it as a source. A manifest closes when everything accepted has been
 * disposed of or shipped on.
 */
#include <stdio.h>
#include <string.h>

#include "liandan/body.h"
#include "liandan/domain.h"
#include "liandan/banned.h"

#define B "event.body"
#define MAX_LINES 99

struct rline {
    int64_t line, received, accepted, rejected, qty;
    int discrepancy;
    const char *method;
};

struct receipt {
    struct rline l[MAX_LINES];
    size_t n;
    int whole;                    /* reject: every line, all of it */
    int64_t on;                   /* disposal day */
};

static enum ld_rc
manifest_of(struct ld_store *s, const struct ld_event *ev, struct ld_domain_manifest *m,
            const char *state, struct ld_err *err)
{
    enum ld_rc rc = ld_domain_manifest_get(s, ev->manifest, m);

    if (rc == LD_NOTFOUND)
        return ld_err_set(err, LD_RULE, "event.manifest", "no manifest %lld",
                          (long long)ev->manifest);
    if (rc != LD_OK)
        return ld_err_set(err, rc, "", "cannot read manifests");
    if (strcmp(m->receiver, ev->actor) != 0)
        return ld_err_set(err, LD_RULE, "event.actor", "the manifest names receiver %s",
                          m->receiver);
    if (state && strcmp(m->state, state) != 0)
        return ld_err_set(err, LD_RULE, "event.manifest", "the manifest must be %s (it is %s)",
                          state, m->state);
    return LD_OK;
}

static const char q_line[] =
    "SELECT qty_g, COALESCE(accepted_g, 0), disposed_g, "
    "COALESCE((SELECT drawn_g FROM holdings h WHERE h.batch = lines.batch AND h.holder = ?3), 0) "
    "FROM lines WHERE manifest = ?1 AND line = ?2";

/* Filed, accepted, disposed and shipped-on grams of one line. */
static enum ld_rc
line_get(struct ld_store *s, int64_t manifest, int64_t line, const char *holder, int64_t v[4])
{
    struct ld_store_q *q = NULL;
    enum ld_rc rc = ld_store_q(s, q_line, &q);
    int i;

    if (rc != LD_OK)
        return rc;
    ld_store_q_int(q, 1, manifest);
    ld_store_q_int(q, 2, line);
    ld_store_q_text(q, 3, holder);
    rc = ld_store_q_step(q);
    for (i = 0; rc == LD_OK && i < 4; i++)
        v[i] = ld_store_q_col_int(q, i);
    ld_store_q_done(q);
    return rc;
}

/* Lines array: each names an existing line once. */
static enum ld_rc
lines_shape(const cJSON *body, int kind, int nlines, struct receipt *r, struct ld_err *err)
{
    static const char *const an[] = {"line", "received_g", "accepted_g", "discrepancy"};
    static const char *const rn[] = {"line", "rejected_g"};
    static const char *const dn[] = {"line", "method", "qty_g"};
    static const char *const kinds[] = {"name", "quantity", "characteristics", "form",
                                        "packaging"};
    const cJSON *lines = NULL, *it;
    char base[LD_BODY_PATH_MAX];
    size_t i;
    enum ld_rc rc, first = LD_OK;

    rc = ld_body_array(body, B, "lines", MAX_LINES, kind == 'r' ? LD_BODY_OPTIONAL : 0, &lines,
                       err);
    if (rc != LD_OK)
        return rc;
    if (lines == NULL) {
        r->whole = 1;
        return LD_OK;
    }
    cJSON_ArrayForEach(it, lines)
    {
        struct rline *l = &r->l[r->n];
        memset(l, 0, sizeof *l);
        ld_body_index(base, B ".lines", r->n);
        rc = kind == 'a'   ? ld_body_only(it, base, an, 4, err)
             : kind == 'r' ? ld_body_only(it, base, rn, 2, err)
                           : ld_body_only(it, base, dn, 3, err);
        if (rc == LD_OK)
            rc = ld_body_int(it, base, "line", 1, nlines, 0, 0, &l->line, err);
        for (i = 0; rc == LD_OK && i < r->n; i++)
            if (r->l[i].line == l->line)
                rc = ld_err_set(err, LD_INVALID, base, "line %lld is listed twice",
                                (long long)l->line);
        if (rc == LD_OK && kind == 'a') {
            const cJSON *d = NULL, *ks, *k;
            rc = ld_body_int(it, base, "received_g", 0, 1000000000000LL, 0, 0, &l->received, err);
            if (rc == LD_OK)
                rc = ld_body_int(it, base, "accepted_g", 0, l->received, 0, 0, &l->accepted, err);
            if (rc == LD_OK)
                rc = ld_body_obj(it, base, "discrepancy", LD_BODY_OPTIONAL, &d, err);
            if (rc == LD_OK && d) {
                static const char *const dnm[] = {"kinds", "description"};
                char dbase[LD_BODY_PATH_MAX];
                const char *desc;
                ld_body_path(dbase, base, "discrepancy");
                l->discrepancy = 1;
                rc = ld_body_only(d, dbase, dnm, 2, err);
                if (rc == LD_OK)
                    rc = ld_body_array(d, dbase, "kinds", 5, 0, &ks, err);
                if (rc == LD_OK)
                    rc = ld_body_str(d, dbase, "description", 500, 0, &desc, err);
                if (rc == LD_OK)
                    cJSON_ArrayForEach(k, ks)
                    {
                        for (i = 0; i < 5 && !(cJSON_IsString(k) &&
                                               strcmp(k->valuestring, kinds[i]) == 0);
                             i++)
                            ;
                        if (i == 5) {
                            rc = ld_err_set(err, LD_INVALID, dbase,
                                            "discrepancy kinds are name, quantity, "
                                            "characteristics, form, packaging");
                            break;
                        }
                    }
            }
            l->rejected = l->received - l->accepted;
        } else if (rc == LD_OK && kind == 'r') {
            rc = ld_body_int(it, base, "rejected_g", 1, 1000000000000LL, 0, 0, &l->rejected, err);
        } else if (rc == LD_OK) {
            rc = ld_body_str(it, base, "method", 4, 0, &l->method, err);
            if (rc == LD_OK && !ld_domain_method_ok(l->method))
                rc = ld_err_set(err, LD_INVALID, base, "'%s' is not a method code", l->method);
            if (rc == LD_OK)
                rc = ld_body_int(it, base, "qty_g", 1, 1000000000000LL, 0, 0, &l->qty, err);
        }
        /* Go on with the next line: every bad line is reported (ld_err keeps them). */
        if (rc != LD_OK && first == LD_OK)
            first = rc;
        r->n++;
    }
    return first;
}

/* ---- receipt.accept ----------------------------------------------------- */

static enum ld_rc
accept_shape(const cJSON *body, int nlines, struct receipt *r, struct ld_err *err)
{
    static const char *const names[] = {"lines"};
    enum ld_rc rc;

    memset(r, 0, sizeof *r);
    rc = ld_body_only(body, B, names, 1, err);
    if (rc == LD_OK)
        rc = lines_shape(body, 'a', nlines, r, err);
    if (rc == LD_OK && (int)r->n != nlines)
        rc = ld_err_set(err, LD_INVALID, B ".lines",
                        "every line (%d) must be weighed and decided", nlines);
    return rc;
}

static enum ld_rc
accept_check(struct ld_store *s, const struct ld_event *ev, struct ld_err *err)
{
    struct ld_domain_manifest m;
    struct receipt r;
    enum ld_rc rc = manifest_of(s, ev, &m, "arrived", err);

    if (rc == LD_OK)
        rc = accept_shape(ev->body, m.nlines, &r, err);
    return rc;
}

static const char q_receive[] =
    "UPDATE lines SET received_g = ?3, accepted_g = ?4, rejected_g = ?5 "
    "WHERE manifest = ?1 AND line = ?2";
static const char q_hold[] =
    "INSERT OR REPLACE INTO holdings(batch, holder, qty_g, drawn_g) VALUES (?1, ?2, ?3, 0)";
static const char q_flag[] = "UPDATE manifests SET discrepancy = 1 WHERE number = ?1";

/* Mark the manifest as received with a significant discrepancy or refusal. */
static enum ld_rc
flag_discrepancy(struct ld_store *s, int64_t manifest)
{
    struct ld_store_q *q = NULL;
    enum ld_rc rc = ld_store_q(s, q_flag, &q);

    if (rc != LD_OK)
        return rc;
    ld_store_q_int(q, 1, manifest);
    return ld_store_q_exec(q);
}

static enum ld_rc
hold(struct ld_store *s, const char *batch, const char *holder, int64_t qty)
{
    struct ld_store_q *q = NULL;
    enum ld_rc rc;

    if (qty <= 0)
        return LD_OK;
    rc = ld_store_q(s, q_hold, &q);
    if (rc != LD_OK)
        return rc;
    ld_store_q_text(q, 1, batch);
    ld_store_q_text(q, 2, holder);
    ld_store_q_int(q, 3, qty);
    return ld_store_q_exec(q);
}

/* Record the decision for one line: quantities, and who holds what. */
static enum ld_rc
decide(struct ld_store *s, const struct ld_event *ev, const struct rline *l)
{
    struct ld_store_q *q = NULL;
    char batch[28];
    enum ld_rc rc = ld_store_q(s, q_receive, &q);

    if (rc != LD_OK)
        return rc;
    ld_store_q_int(q, 1, ev->manifest);
    ld_store_q_int(q, 2, l->line);
    ld_store_q_int(q, 3, l->received);
    ld_store_q_int(q, 4, l->accepted);
    ld_store_q_int(q, 5, l->rejected);
    rc = ld_store_q_exec(q);
    snprintf(batch, sizeof batch, "%lld-%02lld", (long long)ev->manifest, (long long)l->line);
    if (rc == LD_OK)
        rc = hold(s, batch, ev->actor, l->accepted);
    snprintf(batch, sizeof batch, "%lld-%02lldR", (long long)ev->manifest, (long long)l->line);
    if (rc == LD_OK)
        rc = hold(s, batch, ev->actor, l->rejected);
    return rc;
}

static enum ld_rc
accept_apply(struct ld_store *s, const struct ld_event *ev, uint64_t idx)
{
    struct ld_domain_manifest m;
    struct receipt r;
    size_t i;
    int flagged = 0;
    enum ld_rc rc;

    (void)idx;
    if (ld_domain_manifest_get(s, ev->manifest, &m) != LD_OK ||
        accept_shape(ev->body, m.nlines, &r, NULL) != LD_OK)
        return LD_TAMPERED;
    for (i = 0, rc = LD_OK; rc == LD_OK && i < r.n; i++) {
        rc = decide(s, ev, &r.l[i]);
        flagged |= r.l[i].discrepancy || r.l[i].rejected > 0;
    }
    if (rc == LD_OK && flagged)
        rc = flag_discrepancy(s, ev->manifest);
    if (rc == LD_OK)
        rc = ld_domain_manifest_state(s, ev->manifest,
                                      flagged ? "received_with_discrepancy" : "received",
                                      "received_at", ev->at);
    return rc;
}

/* ---- receipt.reject ----------------------------------------------------- */

static enum ld_rc
reject_shape(const cJSON *body, int nlines, struct receipt *r, struct ld_err *err)
{
    static const char *const names[] = {"reason", "lines"};
    const char *reason;
    enum ld_rc rc;

    memset(r, 0, sizeof *r);
    rc = ld_body_only(body, B, names, 2, err);
    if (rc == LD_OK)
        rc = ld_body_str(body, B, "reason", 500, 0, &reason, err);
    if (rc == LD_OK)
        rc = lines_shape(body, 'r', nlines, r, err);
    return rc;
}

static enum ld_rc
reject_check(struct ld_store *s, const struct ld_event *ev, struct ld_err *err)
{
    struct ld_domain_manifest m;
    struct receipt r;
    int64_t v[4];
    size_t i;
    enum ld_rc rc = manifest_of(s, ev, &m, "arrived", err);

    if (rc == LD_OK)
        rc = reject_shape(ev->body, m.nlines, &r, err);
    for (i = 0; rc == LD_OK && i < r.n; i++) {
        char path[LD_BODY_PATH_MAX];
        rc = line_get(s, ev->manifest, r.l[i].line, ev->actor, v);
        if (rc != LD_OK)
            return ld_err_set(err, LD_DB, "", "cannot read lines");
        snprintf(path, sizeof path, B ".lines[%zu].rejected_g", i);
        if (r.l[i].rejected > v[0])
            rc = ld_err_set(err, LD_INVALID, path, "rejects more than the %lld g filed",
                            (long long)v[0]);
    }
    return rc;
}

static enum ld_rc
reject_apply(struct ld_store *s, const struct ld_event *ev, uint64_t idx)
{
    struct ld_domain_manifest m;
    struct receipt r;
    int64_t v[4];
    int line, all = 1;
    size_t i;
    enum ld_rc rc = LD_OK;

    (void)idx;
    if (ld_domain_manifest_get(s, ev->manifest, &m) != LD_OK ||
        reject_shape(ev->body, m.nlines, &r, NULL) != LD_OK)
        return LD_TAMPERED;
    /* Whole rejection: every line, all of it. Per line: the listed lines lose
     * rejected_g; the lines not listed are accepted as filed. */
    for (line = 1; rc == LD_OK && line <= m.nlines; line++) {
        struct rline l;
        memset(&l, 0, sizeof l);
        l.line = line;
        rc = line_get(s, ev->manifest, line, ev->actor, v);
        if (rc != LD_OK)
            break;
        l.received = v[0];
        l.rejected = r.whole ? v[0] : 0;
        for (i = 0; i < r.n; i++)
            if (r.l[i].line == line)
                l.rejected = r.l[i].rejected;
        l.accepted = l.received - l.rejected;
        all &= l.accepted == 0;
        rc = decide(s, ev, &l);
    }
    /* A rejection, whole or in part, is a discrepancy the regulator sees. */
    if (rc == LD_OK)
        rc = flag_discrepancy(s, ev->manifest);
    if (rc == LD_OK)
        rc = ld_domain_manifest_state(s, ev->manifest,
                                      all ? "rejected" : "received_with_discrepancy",
                                      "received_at", ev->at);
    return rc;
}

/* ---- disposal.complete -------------------------------------------------- */

static enum ld_rc
dispose_shape(const cJSON *body, int nlines, struct receipt *r, struct ld_err *err)
{
    static const char *const names[] = {"on", "lines"};
    enum ld_rc rc;

    memset(r, 0, sizeof *r);
    rc = ld_body_only(body, B, names, 2, err);
    if (rc == LD_OK)
        rc = ld_body_date(body, B, "on", 0, 0, &r->on, err);
    if (rc == LD_OK)
        rc = lines_shape(body, 'd', nlines, r, err);
    return rc;
}

static const char q_received_at[] =
    "SELECT COALESCE(received_at, 0) FROM manifests WHERE number = ?1";

static enum ld_rc
dispose_check(struct ld_store *s, const struct ld_event *ev, struct ld_err *err)
{
    struct ld_domain_manifest m;
    struct receipt r;
    int64_t v[4];
    size_t i;
    enum ld_rc rc = manifest_of(s, ev, &m, NULL, err);

    if (rc != LD_OK)
        return rc;
    if (strcmp(m.state, "received") != 0 && strcmp(m.state, "received_with_discrepancy") != 0)
        return ld_err_set(err, LD_RULE, "event.manifest",
                          "disposal follows receipt (the manifest is %s)", m.state);
    rc = dispose_shape(ev->body, m.nlines, &r, err);
    if (rc == LD_OK && r.on > ld_domain_day(ev->at))
        rc = ld_err_set(err, LD_INVALID, B ".on", "disposal cannot be recorded before it happens");
    if (rc == LD_OK) {
        struct ld_store_q *q = NULL;
        int64_t received = 0;
        rc = ld_store_q(s, q_received_at, &q);
        if (rc != LD_OK)
            return ld_err_set(err, rc, "", "cannot read manifests");
        ld_store_q_int(q, 1, ev->manifest);
        if (ld_store_q_step(q) == LD_OK)
            received = ld_store_q_col_int(q, 0);
        ld_store_q_done(q);
        if (r.on < ld_domain_day(received))
            rc = ld_err_set(err, LD_INVALID, B ".on",
                            "disposal cannot come before the receipt it disposes of");
    }
    for (i = 0; rc == LD_OK && i < r.n; i++) {
        char path[LD_BODY_PATH_MAX];
        snprintf(path, sizeof path, B ".lines[%zu]", i);
        if (!ld_domain_scope(s, ev->actor, "disposal", r.l[i].method, NULL))
            return ld_err_set(err, LD_RULE, path, "the receiver's licence does not permit %s",
                              r.l[i].method);
        rc = line_get(s, ev->manifest, r.l[i].line, ev->actor, v);
        if (rc != LD_OK)
            return ld_err_set(err, LD_DB, "", "cannot read lines");
        if (r.l[i].qty > v[1] - v[2] - v[3])
            return ld_err_set(err, LD_RULE, path,
                              "disposes of %lld g, but only %lld g accepted remain",
                              (long long)r.l[i].qty, (long long)(v[1] - v[2] - v[3]));
    }
    return rc;
}

static const char q_dispose[] =
    "UPDATE lines SET disposed_g = disposed_g + ?3, method = ?4 WHERE manifest = ?1 AND line = ?2";


static const char q_open[] =
    "SELECT COUNT(*) FROM lines l WHERE l.manifest = ?1 AND COALESCE(l.accepted_g, 0) > "
    "l.disposed_g + COALESCE((SELECT drawn_g FROM holdings h WHERE h.batch = l.batch AND "
    "h.holder = ?2), 0)";
static const char q_reopen[] =
    "UPDATE manifests SET state = CASE discrepancy WHEN 1 THEN 'received_with_discrepancy' "
    "ELSE 'received' END, closed_at = NULL WHERE number = ?1 AND state = 'closed'";

enum ld_rc
ld_manifest_reopen(struct ld_store *s, int64_t manifest, const char *receiver)
{
    struct ld_store_q *q = NULL;
    int64_t open = 0;
    enum ld_rc rc = ld_store_q(s, q_open, &q);

    if (rc != LD_OK)
        return rc;
    ld_store_q_int(q, 1, manifest);
    ld_store_q_text(q, 2, receiver);
    if (ld_store_q_step(q) == LD_OK)
        open = ld_store_q_col_int(q, 0);
    ld_store_q_done(q);
    if (!open)
        return LD_OK;
    rc = ld_store_q(s, q_reopen, &q);
    if (rc != LD_OK)
        return rc;
    ld_store_q_int(q, 1, manifest);
    return ld_store_q_exec(q);
}

/* Close the manifest when nothing accepted is left undisposed or unshipped. */
enum ld_rc
ld_manifest_maybe_close(struct ld_store *s, int64_t manifest, const char *receiver, int64_t at)
{
    struct ld_store_q *q = NULL;
    int64_t open = 1;
    enum ld_rc rc = ld_store_q(s, q_open, &q);

    if (rc != LD_OK)
        return rc;
    ld_store_q_int(q, 1, manifest);
    ld_store_q_text(q, 2, receiver);
    if (ld_store_q_step(q) == LD_OK)
        open = ld_store_q_col_int(q, 0);
    ld_store_q_done(q);
    if (open)
        return LD_OK;
    return ld_domain_manifest_state(s, manifest, "closed", "closed_at", at);
}

static enum ld_rc
dispose_apply(struct ld_store *s, const struct ld_event *ev, uint64_t idx)
{
    struct ld_domain_manifest m;
    struct ld_store_q *q = NULL;
    struct receipt r;
    size_t i;
    enum ld_rc rc = LD_OK;

    (void)idx;
    if (ld_domain_manifest_get(s, ev->manifest, &m) != LD_OK ||
        dispose_shape(ev->body, m.nlines, &r, NULL) != LD_OK)
        return LD_TAMPERED;
    for (i = 0; rc == LD_OK && i < r.n; i++) {
        rc = ld_store_q(s, q_dispose, &q);
        if (rc != LD_OK)
            break;
        ld_store_q_int(q, 1, ev->manifest);
        ld_store_q_int(q, 2, r.l[i].line);
        ld_store_q_int(q, 3, r.l[i].qty);
        ld_store_q_text(q, 4, r.l[i].method);
        rc = ld_store_q_exec(q);
    }
    if (rc == LD_OK)
        rc = ld_manifest_maybe_close(s, ev->manifest, ev->actor, ev->at);
    return rc;
}

const struct ld_rule ld_rules_receipt[] = {
    {"receipt.accept", LD_RULE_MANIFEST, NULL, accept_check, accept_apply},
    {"receipt.reject", LD_RULE_MANIFEST, NULL, reject_check, reject_apply},
    {"disposal.complete", LD_RULE_MANIFEST, NULL, dispose_check, dispose_apply},
};
const size_t ld_rules_receipt_count = sizeof ld_rules_receipt / sizeof *ld_rules_receipt;
