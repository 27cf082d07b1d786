/*
 * api_reports.c - the regulator's reports (schema/api.md "Reads"): trace of
 * a batch or manifest (json, svg, dot), its trace bundle, anomalies (the
 * audit) and statistics (json, csv). Authorisation (regulator only) is the
 * route table's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http_api.h"
#include "liandan/audit.h"
#include "liandan/bundle.h"
#include "liandan/stats.h"
#include "liandan/tm.h"
#include "liandan/trace.h"
#include "liandan/view.h"
#include "liandan/banned.h"

/* The trace JSON with each line node's transport legs as "carriers" (who
 * carried it, on which vehicle): the graph's carrier stage (issue 5).
 * Replaces *text; on a store error replies and sets *text to NULL. */
static void
with_carriers(struct ld_http_req *r, struct ld_ledger *l, char **text)
{
    cJSON *root = cJSON_Parse(*text), *n, *legs = cJSON_CreateObject();
    enum ld_rc rc = LD_OK;

    free(*text);
    *text = NULL;
    if (root == NULL) {
        cJSON_Delete(legs);
        ld_http_fail(r, LD_IO, NULL);
        return;
    }
    cJSON_ArrayForEach(n, cJSON_GetObjectItemCaseSensitive(root, "nodes"))
    {
        const cJSON *m = cJSON_GetObjectItemCaseSensitive(n, "manifest");
        const char *kind = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(n, "kind"));
        char key[24];
        cJSON *got;
        if (!cJSON_IsNumber(m) || kind == NULL || strcmp(kind, "line") != 0)
            continue; /* rejected parts and disposals: no transport of their own */
        snprintf(key, sizeof key, "%.0f", m->valuedouble);
        got = cJSON_GetObjectItemCaseSensitive(legs, key);
        if (got == NULL) {
            rc = ld_view_legs(ld_ledger_store(l), (int64_t)m->valuedouble, &got);
            if (rc != LD_OK)
                break;
            cJSON_AddItemToObject(legs, key, got);
        }
        cJSON_AddItemToObject(n, "carriers", cJSON_Duplicate(got, 1));
    }
    cJSON_Delete(legs);
    if (rc != LD_OK) {
        cJSON_Delete(root);
        ld_http_fail(r, rc, NULL);
        return;
    }
    *text = cJSON_PrintUnformatted(root);
    cJSON_Delete(root);
    if (*text == NULL)
        abort();
}

void
ld_api_trace(struct ld_http_req *r)
{
    const char *fmt = ld_http_query(r, "format");
    struct ld_ledger *l;
    struct ld_trace *t = NULL;
    struct ld_err err;
    char *text;
    const char *ctype;
    enum ld_rc rc;

    if (fmt == NULL)
        fmt = "json";
    if (strcmp(fmt, "json") && strcmp(fmt, "svg") && strcmp(fmt, "dot")) {
        ld_http_error(r, 400, 0, "bad_query", "format", "format is json, svg or dot");
        return;
    }
    if ((l = ld_http_reader(r)) == NULL)
        return;
    ld_err_clear(&err);
    rc = ld_trace_build(ld_ledger_store(l), r->arg[0], &t, &err);
    if (rc != LD_OK) {
        if (rc == LD_INVALID)
            ld_http_error(r, 400, 0, "bad_query", "subject", "%s", err.msg[0] ? err.msg :
                          "a subject is a manifest number or a batch NUMBER-LL");
        else
            ld_http_fail(r, rc, &err);
        return;
    }
    if (strcmp(fmt, "json") == 0) {
        text = ld_trace_json(t);
        ld_trace_free(t);
        with_carriers(r, l, &text);
        if (text == NULL)
            return;
        ld_http_reply(r, 200, "application/json", text, strlen(text));
        return;
    }
    if (strcmp(fmt, "svg") == 0)
        text = ld_trace_svg(t), ctype = "image/svg+xml";
    else
        text = ld_trace_dot(t), ctype = "text/vnd.graphviz; charset=utf-8";
    ld_trace_free(t);
    ld_http_reply(r, 200, ctype, text, strlen(text));
}

void
ld_api_trace_bundle(struct ld_http_req *r)
{
    struct ld_ledger *l;
    struct ld_err err;
    char *json = NULL;
    enum ld_rc rc;

    if ((l = ld_http_reader(r)) == NULL)
        return;
    ld_err_clear(&err);
    rc = ld_ledger_refresh(l);
    if (rc == LD_OK)
        rc = ld_bundle_build(l, r->arg[0], &json, &err);
    if (rc != LD_OK) {
        ld_http_fail(r, rc, &err);
        return;
    }
    ld_http_reply(r, 200, "application/json", json, strlen(json));
}

/* filter=TEXT: a rule id or family, the party concerned, a manifest number
 * or a batch. */
static int
subject_match(const struct ld_audit_item *it, const char *f)
{
    char num[24];

    if (ld_audit_rule_ok(f))
        return ld_audit_match(it, f);
    snprintf(num, sizeof num, "%lld", (long long)it->manifest);
    if (strcmp(f, it->party) == 0 || strcmp(f, num) == 0 || strcmp(f, it->batch) == 0)
        return 1;
    /* A batch also matches what is wrong with its whole manifest. */
    return it->batch[0] == '\0' && strncmp(f, num, strlen(num)) == 0 && f[strlen(num)] == '-';
}

void
ld_api_anomalies(struct ld_http_req *r)
{
    struct ld_audit_opts o = LD_AUDIT_OPTS_INIT;
    const char *rule = ld_http_query(r, "rule"), *now = ld_http_query(r, "now");
    const char *filter = ld_http_query(r, "filter");
    struct ld_audit *a = NULL;
    struct ld_ledger *l;
    struct ld_err err;
    char at[LD_TM_RFC3339_LEN];
    cJSON *out, *items;
    size_t i;
    enum ld_rc rc;

    if (now ? ld_tm_parse_lenient(now, &o.now) != LD_OK : (o.now = ld_http_now(), 0)) {
        ld_http_error(r, 400, 0, "bad_query", "now",
                      "now is YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ");
        return;
    }
    if (rule && !ld_audit_rule_ok(rule)) {
        ld_http_error(r, 400, 0, "bad_query", "rule", "unknown rule id or family");
        return;
    }
    if ((l = ld_http_reader(r)) == NULL)
        return;
    ld_err_clear(&err);
    rc = ld_audit_run(ld_ledger_store(l), &o, &a, &err);
    if (rc != LD_OK) {
        ld_http_fail(r, rc, &err);
        return;
    }
    out = cJSON_CreateObject();
    ld_tm_format(o.now, at);
    cJSON_AddStringToObject(out, "now", at);
    items = cJSON_AddArrayToObject(out, "items");
    for (i = 0; i < a->n; i++) {
        char *text;
        if ((rule && !ld_audit_match(&a->items[i], rule)) ||
            (filter && !subject_match(&a->items[i], filter)))
            continue;
        text = ld_audit_item_json(&a->items[i]);
        cJSON_AddItemToArray(items, cJSON_Parse(text));
        free(text);
    }
    ld_audit_free(a);
    ld_http_reply_json(r, 200, out);
}

void
ld_api_stats(struct ld_http_req *r)
{
    const char *bys = ld_http_query(r, "by"), *ys = ld_http_query(r, "year");
    const char *fmt = ld_http_query(r, "format");
    enum ld_stats_by by = LD_STATS_ALL;
    struct ld_stats *st = NULL;
    struct ld_ledger *l;
    int64_t year = 0;
    enum ld_rc rc;

    if (bys && strcmp(bys, "state") == 0) {
        /* Counts by state (the dashboard's first figure): not a quantity table. */
        cJSON *rows = NULL, *out;
        if (ys || (fmt && strcmp(fmt, "json") != 0)) {
            ld_http_error(r, 400, 0, "bad_query", ys ? "year" : "format",
                          "by=state counts every manifest now, as JSON");
            return;
        }
        if ((l = ld_http_reader(r)) == NULL)
            return;
        rc = ld_view_states(ld_ledger_store(l), &rows);
        if (rc != LD_OK) {
            ld_http_fail(r, rc, NULL);
            return;
        }
        out = cJSON_CreateObject();
        cJSON_AddStringToObject(out, "by", "state");
        cJSON_AddItemToObject(out, "rows", rows);
        ld_http_reply_json(r, 200, out);
        return;
    }
    if (bys && strcmp(bys, "all") != 0 && !ld_stats_by_parse(bys, &by)) {
        ld_http_error(r, 400, 0, "bad_query", "by",
                      "by is all, producer, receiver, category, code, district or month");
        return;
    }
    if (ys && (strlen(ys) != 4 || !ld_http_number(ys, &year) || year < 1970)) {
        ld_http_error(r, 400, 0, "bad_query", "year", "year is a year such as 2026");
        return;
    }
    if (fmt && strcmp(fmt, "json") && strcmp(fmt, "csv")) {
        ld_http_error(r, 400, 0, "bad_query", "format", "format is json or csv");
        return;
    }
    if ((l = ld_http_reader(r)) == NULL)
        return;
    rc = ld_stats_run(ld_ledger_store(l), by, (int)year, &st);
    if (rc != LD_OK) {
        ld_http_fail(r, rc, NULL);
        return;
    }
    if (fmt && strcmp(fmt, "csv") == 0) {
        struct ld_buf b = LD_BUF_INIT;
        size_t len;
        char *text;
        ld_stats_csv(st, &b);
        text = ld_buf_detach(&b, &len);
        ld_http_reply(r, 200, "text/csv; charset=utf-8", text, len);
    } else {
        ld_http_reply_json(r, 200, ld_stats_json(st));
    }
    ld_stats_free(st);
}

void
ld_api_capacity(struct ld_http_req *r)
{
    const char *ys = ld_http_query(r, "year");
    struct ld_ledger *l;
    int64_t year = 0;
    cJSON *items = NULL, *out;
    enum ld_rc rc;

    if (ys && (strlen(ys) != 4 || !ld_http_number(ys, &year) || year < 1970)) {
        ld_http_error(r, 400, 0, "bad_query", "year", "year is a year such as 2026");
        return;
    }
    if (ys == NULL) {
        char d[LD_TM_DATE_LEN];
        ld_tm_format_date(ld_http_now() + 8 * 3600, d); /* this year in Beijing */
        year = strtoll(d, NULL, 10);
    }
    if ((l = ld_http_reader(r)) == NULL)
        return;
    rc = ld_view_capacity(ld_ledger_store(l), (int)year, &items);
    if (rc != LD_OK) {
        ld_http_fail(r, rc, NULL);
        return;
    }
    out = cJSON_CreateObject();
    cJSON_AddNumberToObject(out, "year", (double)year);
    cJSON_AddItemToObject(out, "items", items);
    ld_http_reply_json(r, 200, out);
}
