/*
 * stats.c - totals for the regulator (include/liandan/stats.h): one ordered
 * pass over the period's manifests and their lines (schema/002_manifest.sql),
 * summed per group in C, names looked up per group, and two renderings: a
 * table in tonnes and an Excel-friendly CSV (SPEC: RFC 4180, UTF-8 with BOM,
 * CRLF).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "liandan/data.h"
#include "liandan/map.h"
#include "liandan/mem.h"
#include "liandan/stats.h"
#include "liandan/tm.h"
#include "liandan/banned.h"

/* SPEC: DESIGN.md §5 - days, months and years count in China Standard Time. */
#define CST_OFFSET INT64_C(28800)

static const char *const by_names[] = {"all",  "producer", "receiver", "category",
                                       "code", "district", "month"};

/*
 * Manifests of the period in number order and their lines in batch order,
 * merged in C and summed per group in a hash map. Both scans read their
 * table front to back over a key range (SQLite: rowid and the WITHOUT ROWID
 * primary key): the filing year is the first four digits of the number
 * (SPEC: 危险废物转移管理办法 Art. 15, year of filing in CST, checked by
 * rules_manifest.c), and a batch NUMBER-LL starts with its number, so batch
 * order is number order. A grouped join in SQL sorts every line instead
 * (measured 2-5 s against well under 1 s at 10^6 manifests).
 */
static const char q_manifests[] =
    "SELECT number, producer, receiver, district, filed_at FROM manifests "
    "WHERE number >= ?1 AND number < ?2 AND state <> 'cancelled' "
    "AND filed_at >= ?3 AND filed_at < ?4 ORDER BY number";
static const char q_lines[] =
    "SELECT manifest, qty_g, COALESCE(received_g, 0), COALESCE(accepted_g, 0), disposed_g, "
    "category, code FROM lines WHERE batch >= ?1 AND batch < ?2 ORDER BY batch";
static const char q_name[] = "SELECT name FROM parties WHERE id = ?1";

int
ld_stats_by_parse(const char *s, enum ld_stats_by *by)
{
    size_t i;

    for (i = 1; i < sizeof by_names / sizeof *by_names; i++)
        if (strcmp(s, by_names[i]) == 0) {
            *by = (enum ld_stats_by)i;
            return 1;
        }
    return 0;
}

const char *
ld_stats_by_name(enum ld_stats_by by)
{
    return (size_t)by < sizeof by_names / sizeof *by_names ? by_names[by] : "?";
}

/* Name of a district from the embedded tables: the Dalian district, else the province. */
static char *
district_name(const char *code)
{
    static const char *const files[] = {"dalian-districts.csv", "gb2260-provinces.csv"};
    static const char *const header[] = {"code", "name_zh", "name_en"};
    char *name = NULL;
    size_t i;

    for (i = 0; i < 2 && name == NULL; i++) {
        const struct ld_data_file *f = ld_data_get(files[i]);
        struct ld_data_csv c;
        int got = 0;
        if (f == NULL)
            continue;
        ld_data_csv_init(&c, f->name, f->text, f->len, 3);
        if (ld_data_csv_header(&c, header, NULL) == LD_OK)
            while (ld_data_csv_next(&c, &got, NULL) == LD_OK && got)
                if (i == 0 ? strcmp(c.field[0], code) == 0
                           : strncmp(c.field[0], code, 2) == 0 && strlen(c.field[0]) == 2) {
                    name = ld_xstrdup(c.field[1]);
                    break;
                }
        ld_data_csv_release(&c);
    }
    return name ? name : ld_xstrdup("");
}

/* The row of key (created on first use). [in,out] cap: rows allocated. */
static struct ld_stats_row *
row_of(struct ld_stats *st, struct ld_map *index, size_t *cap, const char *key)
{
    void *v = ld_map_get(index, key);
    struct ld_stats_row *r;

    if (v)
        return &st->rows[(size_t)(uintptr_t)v - 1];
    if (st->n == *cap) {
        *cap = *cap ? 2 * *cap : 16;
        st->rows = ld_xrealloc(st->rows, *cap * sizeof *st->rows);
    }
    r = &st->rows[st->n++];
    memset(r, 0, sizeof *r);
    snprintf(r->key, sizeof r->key, "%s", key);
    ld_map_put(index, r->key, (void *)(uintptr_t)st->n);
    return r;
}

static int
by_key(const void *a, const void *b)
{
    return strcmp(((const struct ld_stats_row *)a)->key, ((const struct ld_stats_row *)b)->key);
}

/* Registered names of the party groups; embedded names of the districts. */
static enum ld_rc
names(struct ld_store *s, struct ld_stats *st)
{
    struct ld_store_q *q = NULL;
    size_t i;
    enum ld_rc rc = LD_OK;

    for (i = 0; rc == LD_OK && i < st->n; i++) {
        struct ld_stats_row *r = &st->rows[i];
        if (st->by == LD_STATS_DISTRICT) {
            r->name = district_name(r->key);
            continue;
        }
        if (st->by != LD_STATS_PRODUCER && st->by != LD_STATS_RECEIVER) {
            r->name = ld_xstrdup("");
            continue;
        }
        rc = ld_store_q(s, q_name, &q);
        if (rc != LD_OK)
            break;
        ld_store_q_text(q, 1, r->key);
        rc = ld_store_q_step(q);
        r->name = ld_xstrdup(rc == LD_OK ? ld_store_q_col_text(q, 0) : "");
        ld_store_q_done(q);
        rc = rc == LD_NOTFOUND ? LD_OK : rc;
    }
    for (; i < st->n; i++)
        st->rows[i].name = ld_xstrdup("");
    return rc;
}

/* Line sums of one manifest. */
struct sums {
    int64_t f, r, a, d;
};

static void
add_sums(struct ld_stats_row *r, const struct sums *x)
{
    r->filed_g += x->f;
    r->received_g += x->r;
    r->accepted_g += x->a;
    r->disposed_g += x->d;
}

enum ld_rc
ld_stats_run(struct ld_store *s, enum ld_stats_by by, int year, struct ld_stats **out)
{
    struct ld_stats *st = NULL;
    struct ld_store_q *qm = NULL, *ql = NULL;
    struct ld_map *index = NULL;
    int64_t from = LD_TM_MIN, to = LD_TM_MAX + 1, nfrom = 0, nto = INT64_C(100000000000000);
    char bfrom[16] = "0", bto[16] = ":"; /* ":" follows the digits */
    int64_t *last = NULL; /* per row: the last manifest counted in it */
    size_t cap = 0, nlast = 0;
    int per_line = by == LD_STATS_CATEGORY || by == LD_STATS_CODE;
    enum ld_rc rc, rl;

    if ((size_t)by >= sizeof by_names / sizeof *by_names ||
        (year != 0 && (year < 1970 || year > 9999)))
        return LD_INVALID;
    if (year) {
        from = ld_tm_days_from_civil(year, 1, 1) * LD_TM_DAY - CST_OFFSET;
        to = ld_tm_days_from_civil(year + 1, 1, 1) * LD_TM_DAY - CST_OFFSET;
        nfrom = (int64_t)year * INT64_C(10000000000);
        nto = (int64_t)(year + 1) * INT64_C(10000000000);
        snprintf(bfrom, sizeof bfrom, "%04d", year);
        snprintf(bto, sizeof bto, "%04d", year + 1);
    }
    st = ld_xcalloc(1, sizeof *st);
    st->by = by;
    st->year = year;
    index = ld_map_new();
    rc = ld_store_q(s, q_manifests, &qm);
    if (rc == LD_OK)
        rc = ld_store_q(s, q_lines, &ql);
    if (rc != LD_OK)
        goto out;
    ld_store_q_int(qm, 1, nfrom);
    ld_store_q_int(qm, 2, nto);
    ld_store_q_int(qm, 3, from);
    ld_store_q_int(qm, 4, to);
    ld_store_q_text(ql, 1, bfrom);
    ld_store_q_text(ql, 2, bto);
    rl = ld_store_q_step(ql);
    while ((rc = ld_store_q_step(qm)) == LD_OK) {
        int64_t number = ld_store_q_col_int(qm, 0), lm = 0;
        struct ld_stats_row *r = NULL;
        struct sums x = {0, 0, 0, 0};
        char key[24];

        st->total.manifests++;
        if (!per_line) {
            if (by == LD_STATS_MONTH) {
                int y, mo, d;
                ld_tm_civil_from_days((ld_store_q_col_int(qm, 4) + CST_OFFSET) / LD_TM_DAY, &y,
                                      &mo, &d);
                snprintf(key, sizeof key, "%04d-%02d", y, mo);
            } else {
                snprintf(key, sizeof key, "%s",
                         by == LD_STATS_ALL        ? "all"
                         : by == LD_STATS_PRODUCER ? ld_store_q_col_text(qm, 1)
                         : by == LD_STATS_RECEIVER ? ld_store_q_col_text(qm, 2)
                                                   : ld_store_q_col_text(qm, 3));
            }
            r = row_of(st, index, &cap, key);
            r->manifests++;
        }
        /* Lines of manifests outside the period or cancelled are skipped. */
        while (rl == LD_OK && (lm = ld_store_q_col_int(ql, 0)) < number)
            rl = ld_store_q_step(ql);
        while (rl == LD_OK && lm == number) {
            struct sums y;
            y.f = ld_store_q_col_int(ql, 1);
            y.r = ld_store_q_col_int(ql, 2);
            y.a = ld_store_q_col_int(ql, 3);
            y.d = ld_store_q_col_int(ql, 4);
            if (per_line) {
                struct ld_stats_row *g = row_of(st, index, &cap,
                                                ld_store_q_col_text(ql, by == LD_STATS_CATEGORY
                                                                            ? 5 : 6));
                size_t gi = (size_t)(g - st->rows);
                /* A manifest counts once per group: its lines come together. */
                if (gi >= nlast) {
                    last = ld_xrealloc(last, cap * sizeof *last);
                    for (; nlast < cap; nlast++)
                        last[nlast] = -1;
                }
                if (last[gi] != number) {
                    last[gi] = number;
                    g->manifests++;
                }
                add_sums(g, &y);
            }
            x.f += y.f;
            x.r += y.r;
            x.a += y.a;
            x.d += y.d;
            rl = ld_store_q_step(ql);
            if (rl == LD_OK)
                lm = ld_store_q_col_int(ql, 0);
        }
        if (r)
            add_sums(r, &x);
        add_sums(&st->total, &x);
    }
    ld_store_q_done(ql);
    ld_store_q_done(qm);
    if (rc != LD_NOTFOUND)
        goto out;
    rc = rl == LD_OK || rl == LD_NOTFOUND ? LD_OK : rl;
    if (rc != LD_OK)
        goto out;
    if (st->n)
        qsort(st->rows, st->n, sizeof *st->rows, by_key);
    rc = names(s, st);
    snprintf(st->total.key, sizeof st->total.key, "total");
    st->total.name = ld_xstrdup("");
out:
    free(last);
    ld_map_free(index, NULL);
    if (rc != LD_OK) {
        ld_stats_free(st);
        return rc;
    }
    *out = st;
    return LD_OK;
}

void
ld_stats_free(struct ld_stats *st)
{
    size_t i;

    if (st == NULL)
        return;
    for (i = 0; i < st->n; i++)
        free(st->rows[i].name);
    free(st->rows);
    free(st->total.name);
    free(st);
}

/* ---- table -------------------------------------------------------------- */

/* Tonnes with three decimals, rounded half up to the kilogram. */
static void
tonnes(char *out, size_t cap, int64_t g)
{
    unsigned long long kg = ((unsigned long long)(g < 0 ? 0 : g) + 500) / 1000;

    snprintf(out, cap, "%llu.%03llu", kg / 1000, kg % 1000);
}

static void
table_row(struct ld_buf *b, const struct ld_stats_row *r, int keyw)
{
    char f[32], rv[32], a[32], d[32];

    tonnes(f, sizeof f, r->filed_g);
    tonnes(rv, sizeof rv, r->received_g);
    tonnes(a, sizeof a, r->accepted_g);
    tonnes(d, sizeof d, r->disposed_g);
    ld_buf_addf(b, "%-*s %9lld %14s %14s %14s %14s", keyw, r->key, (long long)r->manifests, f, rv,
                a, d);
    if (r->name && r->name[0])
        ld_buf_addf(b, "  %s", r->name);
    ld_buf_adds(b, "\n");
}

void
ld_stats_table(const struct ld_stats *st, struct ld_buf *out)
{
    const char *by = ld_stats_by_name(st->by);
    int keyw = 8;
    size_t i;
    char upper[16];

    for (i = 0; i < st->n; i++)
        if ((int)strlen(st->rows[i].key) > keyw)
            keyw = (int)strlen(st->rows[i].key);
    for (i = 0; by[i] && i < sizeof upper - 1; i++)
        upper[i] = (char)(by[i] >= 'a' && by[i] <= 'z' ? by[i] - 'a' + 'A' : by[i]);
    upper[i] = '\0';
    ld_buf_addf(out, "%-*s %9s %14s %14s %14s %14s%s\n", keyw, upper, "MANIFESTS", "FILED_T",
                "RECEIVED_T", "ACCEPTED_T", "DISPOSED_T",
                st->by == LD_STATS_PRODUCER || st->by == LD_STATS_RECEIVER ||
                        st->by == LD_STATS_DISTRICT
                    ? "  NAME"
                    : "");
    if (st->by != LD_STATS_ALL)
        for (i = 0; i < st->n; i++)
            table_row(out, &st->rows[i], keyw);
    {
        struct ld_stats_row t = st->total;
        snprintf(t.key, sizeof t.key, "TOTAL");
        table_row(out, &t, keyw);
    }
}

/* ---- CSV ---------------------------------------------------------------- */

/* SPEC: RFC 4180 §2 - quote fields with comma, quote, CR or LF; double the quotes. */
static void
csv_field(struct ld_buf *b, const char *s)
{
    int formula = s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@';
    const char *p;

    if (!formula && strpbrk(s, ",\"\r\n") == NULL) {
        ld_buf_adds(b, s);
        return;
    }
    ld_buf_addc(b, '"');
    if (formula)
        ld_buf_addc(b, '\'');
    for (p = s; *p; p++) {
        if (*p == '"')
            ld_buf_addc(b, '"');
        ld_buf_addc(b, *p);
    }
    ld_buf_addc(b, '"');
}

static void
csv_row(struct ld_buf *b, const struct ld_stats_row *r)
{
    csv_field(b, r->key);
    ld_buf_addc(b, ',');
    csv_field(b, r->name ? r->name : "");
    ld_buf_addf(b, ",%lld,%lld,%lld,%lld,%lld\r\n", (long long)r->manifests,
                (long long)r->filed_g, (long long)r->received_g, (long long)r->accepted_g,
                (long long)r->disposed_g);
}

void
ld_stats_csv(const struct ld_stats *st, struct ld_buf *out)
{
    size_t i;

    ld_buf_adds(out, "\xEF\xBB\xBF"); /* UTF-8 byte order mark, for Excel */
    ld_buf_addf(out, "%s,name,manifests,filed_g,received_g,accepted_g,disposed_g\r\n",
                ld_stats_by_name(st->by));
    if (st->by != LD_STATS_ALL)
        for (i = 0; i < st->n; i++)
            csv_row(out, &st->rows[i]);
    csv_row(out, &st->total);
}

static cJSON *
json_row(const struct ld_stats_row *r)
{
    cJSON *o = cJSON_CreateObject();

    cJSON_AddStringToObject(o, "key", r->key);
    cJSON_AddStringToObject(o, "name", r->name ? r->name : "");
    cJSON_AddNumberToObject(o, "manifests", (double)r->manifests);
    cJSON_AddNumberToObject(o, "filed_g", (double)r->filed_g);
    cJSON_AddNumberToObject(o, "received_g", (double)r->received_g);
    cJSON_AddNumberToObject(o, "accepted_g", (double)r->accepted_g);
    cJSON_AddNumberToObject(o, "disposed_g", (double)r->disposed_g);
    return o;
}

cJSON *
ld_stats_json(const struct ld_stats *st)
{
    cJSON *o = cJSON_CreateObject(), *rows;
    size_t i;

    cJSON_AddStringToObject(o, "by", ld_stats_by_name(st->by));
    if (st->year)
        cJSON_AddNumberToObject(o, "year", st->year);
    else
        cJSON_AddNullToObject(o, "year");
    rows = cJSON_AddArrayToObject(o, "rows");
    if (st->by != LD_STATS_ALL)
        for (i = 0; i < st->n; i++)
            cJSON_AddItemToArray(rows, json_row(&st->rows[i]));
    cJSON_AddItemToObject(o, "total", json_row(&st->total));
    return o;
}
