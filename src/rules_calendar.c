/*
 * rules_calendar.c - the working-day calendar as evidence: the regulator adds
 * a year of State Council holidays and make-up working days (国务院办公厅
 * 关于部分节假日安排的通知) with a signed calendar.load event, so that every
 * deadline the audit computes can be recomputed from the log.
 *
 *   calendar.load {"source":S,"rows":[{"date":"YYYY-MM-DD","kind":"off"|"work","name":S}]}
 *
 * Chained as "c:calendar". A row may not contradict the built-in calendar
 * (data/cn-holidays.csv) or an earlier load (workday.h rules).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "liandan/body.h"
#include "liandan/buf.h"
#include "liandan/domain.h"
#include "liandan/workday.h"
#include "liandan/banned.h"

#define B "event.body"

static enum ld_rc
calendar_chain(const struct ld_event *ev, char *out, size_t cap, struct ld_err *err)
{
    (void)ev;
    (void)err;
    snprintf(out, cap, "%s", "c:calendar");
    return LD_OK;
}

/* The rows as CSV text for workday.h (date,kind,name). [out] csv: new string. */
static enum ld_rc
rows_csv(const cJSON *body, char **csv, struct ld_err *err)
{
    static const char *const names[] = {"source", "rows"};
    static const char *const rn[] = {"date", "kind", "name"};
    struct ld_buf b = LD_BUF_INIT;
    const cJSON *rows = NULL, *r;
    const char *v, *date, *kind, *name;
    char base[LD_BODY_PATH_MAX];
    size_t i = 0;
    enum ld_rc rc = ld_body_only(body, B, names, 2, err);

    if (rc == LD_OK)
        rc = ld_body_str(body, B, "source", 200, 0, &v, err);
    if (rc == LD_OK)
        rc = ld_body_array(body, B, "rows", 400, 0, &rows, err);
    if (rc != LD_OK)
        return rc;
    ld_buf_adds(&b, "date,kind,name\n");
    cJSON_ArrayForEach(r, rows)
    {
        ld_body_index(base, B ".rows", i++);
        rc = ld_body_only(r, base, rn, 3, err);
        if (rc == LD_OK)
            rc = ld_body_str(r, base, "date", 10, 0, &date, err);
        if (rc == LD_OK)
            rc = ld_body_str(r, base, "kind", 4, 0, &kind, err);
        if (rc == LD_OK)
            rc = ld_body_str(r, base, "name", 60, 0, &name, err);
        if (rc == LD_OK && (strpbrk(name, ",\"\r\n") || strpbrk(date, ",\"\r\n") ||
                            strpbrk(kind, ",\"\r\n")))
            rc = ld_err_set(err, LD_INVALID, base, "no commas, quotes or line breaks in a row");
        if (rc != LD_OK) {
            ld_buf_release(&b);
            return rc;
        }
        ld_buf_addf(&b, "%s,%s,%s\n", date, kind, name);
    }
    *csv = ld_buf_detach(&b, NULL);
    return LD_OK;
}

static const char q_rows[] = "SELECT date, kind, name FROM calendar_rows ORDER BY date";

enum ld_rc
ld_domain_calendar(struct ld_store *s, struct ld_workday **out, struct ld_err *err)
{
    struct ld_workday *w = ld_workday_new();
    struct ld_store_q *q = NULL;
    struct ld_buf b = LD_BUF_INIT;
    enum ld_rc rc = ld_workday_load_builtin(w, err);

    if (rc == LD_OK)
        rc = ld_store_q(s, q_rows, &q);
    if (rc == LD_OK) {
        ld_buf_adds(&b, "date,kind,name\n");
        while ((rc = ld_store_q_step(q)) == LD_OK)
            ld_buf_addf(&b, "%s,%s,%s\n", ld_store_q_col_text(q, 0), ld_store_q_col_text(q, 1),
                        ld_store_q_col_text(q, 2));
        ld_store_q_done(q);
        if (rc == LD_NOTFOUND)
            rc = ld_workday_load_csv(w, "calendar_rows", b.data, b.len, err);
    }
    ld_buf_release(&b);
    if (rc != LD_OK) {
        ld_workday_free(w);
        return rc;
    }
    *out = w;
    return LD_OK;
}

static enum ld_rc
load_check(struct ld_store *s, const struct ld_event *ev, struct ld_err *err)
{
    struct ld_workday *w = NULL;
    char *csv = NULL;
    enum ld_rc rc = rows_csv(ev->body, &csv, err);

    if (rc == LD_OK)
        rc = ld_domain_calendar(s, &w, err);
    if (rc == LD_OK) {
        struct ld_err e2;
        memset(&e2, 0, sizeof e2);
        rc = ld_workday_load_csv(w, "rows", csv, strlen(csv), &e2);
        if (rc != LD_OK)
            /* e2.field is "rows:LINE"; line 2 is rows[0]. */
            /* Any refusal of a row is about a value in the body: LD_RULE when it
             * contradicts the calendar, LD_INVALID otherwise (not LD_PARSE:
             * the body is well-formed JSON). */
            rc = ld_err_set(err, rc == LD_CONFLICT ? LD_RULE : LD_INVALID, B ".rows", "%s",
                            e2.msg);
    }
    ld_workday_free(w);
    free(csv);
    return rc;
}

static const char q_row_put[] =
    "INSERT OR REPLACE INTO calendar_rows(date, kind, name, idx) VALUES (?1, ?2, ?3, ?4)";

static enum ld_rc
load_apply(struct ld_store *s, const struct ld_event *ev, uint64_t idx)
{
    const cJSON *r;
    struct ld_store_q *q = NULL;
    enum ld_rc rc = LD_OK;

    cJSON_ArrayForEach(r, cJSON_GetObjectItemCaseSensitive(ev->body, "rows"))
    {
        rc = ld_store_q(s, q_row_put, &q);
        if (rc != LD_OK)
            break;
        ld_store_q_text(q, 1, cJSON_GetObjectItemCaseSensitive(r, "date")->valuestring);
        ld_store_q_text(q, 2, cJSON_GetObjectItemCaseSensitive(r, "kind")->valuestring);
        ld_store_q_text(q, 3, cJSON_GetObjectItemCaseSensitive(r, "name")->valuestring);
        ld_store_q_int(q, 4, (int64_t)idx);
        rc = ld_store_q_exec(q);
        if (rc != LD_OK)
            break;
    }
    return rc;
}

const struct ld_rule ld_rules_calendar[] = {
    {"calendar.load", LD_RULE_REGULATOR | LD_RULE_NO_MANIFEST, calendar_chain, load_check,
     load_apply},
};
const size_t ld_rules_calendar_count = sizeof ld_rules_calendar / sizeof *ld_rules_calendar;
