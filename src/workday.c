/*
 * workday.c - working days under the State Council holiday calendar
 * (include/liandan/workday.h): a sorted array of listed days searched by
 * bisection, Monday-Friday otherwise. Counting over long ranges uses the
 * closed form for weekdays and corrects it with the listed days in range.
 * The data and its sources: data/cn-holidays.csv, data/cn-holidays.md.
 */
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "liandan/data.h"
#include "liandan/mem.h"
#include "liandan/tm.h"
#include "liandan/workday.h"
#include "liandan/banned.h"

#define NAME_MAX_BYTES 96 /* longest festival name accepted */

struct row {
    int64_t day;               /* CST day number */
    enum ld_workday_kind kind; /* LD_WORKDAY_OFF or LD_WORKDAY_WORK */
    char *name;                /* owned: festival heading of the notice */
    size_t line;               /* source line while loading; unused after */
};

struct ld_workday {
    struct row *rows; /* sorted by day, days unique */
    size_t n;         /* rows in use */
};

struct ld_workday *
ld_workday_new(void)
{
    return ld_xcalloc(1, sizeof(struct ld_workday));
}

static void
free_rows(struct row *rows, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        free(rows[i].name);
    free(rows);
}

void
ld_workday_free(struct ld_workday *w)
{
    if (w == NULL)
        return;
    free_rows(w->rows, w->n);
    free(w);
}

/* Index of the first row with day >= d (w->n if none). */
static size_t
lower_bound(const struct ld_workday *w, int64_t d)
{
    size_t lo = 0, hi = w->n;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;

        if (w->rows[mid].day < d)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static const struct row *
find(const struct ld_workday *w, int64_t d)
{
    size_t i = lower_bound(w, d);

    return i < w->n && w->rows[i].day == d ? &w->rows[i] : NULL;
}

static int
by_day_then_line(const void *a, const void *b)
{
    const struct row *x = a, *y = b;

    if (x->day != y->day)
        return x->day < y->day ? -1 : 1;
    return x->line < y->line ? -1 : x->line > y->line;
}

/* Weekday names for messages, ISO order. */
static const char *const weekday_names[8] = {"",         "Monday", "Tuesday",  "Wednesday",
                                             "Thursday", "Friday", "Saturday", "Sunday"};

/* Parse and check the data rows of csv (header already read) into *out. */
static enum ld_rc
read_rows(struct ld_data_csv *csv, struct row **out, size_t *nout, struct ld_err *err)
{
    struct row *rows = NULL;
    size_t n = 0, cap = 0;
    enum ld_rc rc = LD_OK;
    int got = 0;

    for (;;) {
        const char *const *f = csv->field;
        enum ld_workday_kind kind;
        int64_t t;
        size_t namelen;

        rc = ld_data_csv_next(csv, &got, err);
        if (rc != LD_OK || !got)
            break;
        if (strlen(f[0]) != 10) {
            rc = ld_data_csv_fail(csv, err, LD_PARSE, "date '%s' is not YYYY-MM-DD", f[0]);
            goto out;
        }
        rc = ld_tm_parse_lenient(f[0], &t);
        if (rc == LD_PARSE) {
            rc = ld_data_csv_fail(csv, err, LD_PARSE, "date '%s' is not YYYY-MM-DD", f[0]);
            goto out;
        }
        if (rc != LD_OK) {
            rc = ld_data_csv_fail(csv, err, LD_INVALID,
                                  "date '%s' does not exist or is before 1970", f[0]);
            goto out;
        }
        if (strcmp(f[1], "off") == 0) {
            kind = LD_WORKDAY_OFF;
        } else if (strcmp(f[1], "work") == 0) {
            kind = LD_WORKDAY_WORK;
        } else {
            rc = ld_data_csv_fail(csv, err, LD_INVALID, "kind '%s' is not 'off' or 'work'", f[1]);
            goto out;
        }
        namelen = strlen(f[2]);
        if (namelen == 0 || namelen > NAME_MAX_BYTES) {
            rc = ld_data_csv_fail(csv, err, LD_INVALID, "name is empty or longer than %d bytes",
                                  NAME_MAX_BYTES);
            goto out;
        }
        if (kind == LD_WORKDAY_WORK && ld_tm_weekday(t / LD_TM_DAY) <= 5) {
            rc = ld_data_csv_fail(csv, err, LD_INVALID,
                                  "'work' day %s is a %s (make-up days are Saturdays or Sundays)",
                                  f[0], weekday_names[ld_tm_weekday(t / LD_TM_DAY)]);
            goto out;
        }
        if (n == cap) {
            cap = cap ? 2 * cap : 64;
            rows = ld_xrealloc(rows, cap * sizeof *rows);
        }
        rows[n].day = t / LD_TM_DAY;
        rows[n].kind = kind;
        rows[n].name = ld_xstrdup(f[2]);
        rows[n].line = csv->line;
        n++;
    }
out:
    if (rc != LD_OK) {
        free_rows(rows, n);
        rows = NULL;
        n = 0;
    }
    *out = rows;
    *nout = n;
    return rc;
}

/* Record an error at line `line` of source name. */
static enum ld_rc
row_fail(struct ld_err *err, enum ld_rc rc, const char *name, size_t line, int64_t day,
         const char *what)
{
    char field[LD_ERR_FIELD_MAX], date[LD_TM_DATE_LEN];

    if (ld_tm_format_date(day * LD_TM_DAY, date) != LD_OK)
        date[0] = '\0';
    snprintf(field, sizeof field, "%s:%zu", name, line);
    return ld_err_set(err, rc, field, "line %zu: %s %s", line, date, what);
}

enum ld_rc
ld_workday_load_csv(struct ld_workday *w, const char *name, const char *text, size_t len,
                    struct ld_err *err)
{
    static const char *const header[] = {"date", "kind", "name"};
    struct ld_data_csv csv;
    struct row *add = NULL, *merged = NULL;
    size_t nadd = 0, i, j, k, nmerged = 0;
    enum ld_rc rc = LD_OK;

    assert(w != NULL && name != NULL && (text != NULL || len == 0));
    ld_data_csv_init(&csv, name, text, len, 3);
    rc = ld_data_csv_header(&csv, header, err);
    if (rc == LD_OK)
        rc = read_rows(&csv, &add, &nadd, err);
    if (rc != LD_OK)
        goto out;
    /* Sorting by (day, line) puts a repeated date right after its first line. */
    if (nadd > 1)
        qsort(add, nadd, sizeof *add, by_day_then_line);
    for (i = 1; i < nadd; i++) {
        if (add[i].day == add[i - 1].day) {
            char what[64];

            snprintf(what, sizeof what, "is already listed on line %zu", add[i - 1].line);
            rc = row_fail(err, LD_INVALID, name, add[i].line, add[i].day, what);
            goto out;
        }
    }
    /* The first conflict in file order, not in date order. */
    k = nadd;
    for (i = 0; i < nadd; i++) {
        const struct row *old = find(w, add[i].day);

        if (old != NULL && old->kind != add[i].kind && (k == nadd || add[i].line < add[k].line))
            k = i;
    }
    if (k < nadd) {
        const struct row *old = find(w, add[k].day);
        char what[160];

        snprintf(what, sizeof what, "is already listed as '%s' (%s)",
                 old->kind == LD_WORKDAY_OFF ? "off" : "work", old->name);
        rc = row_fail(err, LD_CONFLICT, name, add[k].line, add[k].day, what);
        goto out;
    }
    /* Merge two sorted arrays; a date in both keeps the existing row. */
    merged = ld_xcalloc(w->n + nadd, sizeof *merged);
    for (i = 0, j = 0; i < w->n || j < nadd;) {
        if (j == nadd || (i < w->n && w->rows[i].day < add[j].day)) {
            merged[nmerged++] = w->rows[i++];
        } else if (i == w->n || add[j].day < w->rows[i].day) {
            merged[nmerged++] = add[j];
            add[j++].name = NULL; /* moved */
        } else {
            merged[nmerged++] = w->rows[i++];
            j++; /* same day, same kind: already listed */
        }
    }
    free(w->rows);
    w->rows = merged;
    w->n = nmerged;
out:
    free_rows(add, nadd);
    ld_data_csv_release(&csv);
    return rc;
}

enum ld_rc
ld_workday_load_builtin(struct ld_workday *w, struct ld_err *err)
{
    const struct ld_data_file *f = ld_data_get("cn-holidays.csv");

    assert(w != NULL);
    if (f == NULL)
        return ld_err_set(err, LD_NOTFOUND, "cn-holidays.csv",
                          "data file 'cn-holidays.csv' is not embedded");
    return ld_workday_load_csv(w, f->name, f->text, f->len, err);
}

int
ld_workday_covered(const struct ld_workday *w, int year)
{
    const struct row *r;

    assert(w != NULL);
    if (year < 1970 || year > 9999)
        return 0;
    r = find(w, ld_tm_days_from_civil(year, 1, 1));
    return r != NULL && r->kind == LD_WORKDAY_OFF;
}

enum ld_workday_kind
ld_workday_kind(const struct ld_workday *w, int64_t day, const char **name)
{
    const struct row *r;

    assert(w != NULL);
    r = find(w, day);
    if (name != NULL)
        *name = r ? r->name : NULL;
    return r ? r->kind : LD_WORKDAY_NORMAL;
}

int
ld_workday_is_workday(const struct ld_workday *w, int64_t day)
{
    const struct row *r;

    assert(w != NULL);
    r = find(w, day);
    if (r != NULL)
        return r->kind == LD_WORKDAY_WORK;
    return ld_tm_weekday(day) <= 5;
}

static int
day_ok(int64_t d)
{
    return d >= LD_WORKDAY_DAY_MIN && d <= LD_WORKDAY_DAY_MAX;
}

enum ld_rc
ld_workday_add(const struct ld_workday *w, int64_t day, int n, int64_t *out)
{
    int64_t d = day;

    assert(w != NULL && out != NULL);
    if (!day_ok(day) || n < 0 || n > LD_WORKDAY_N_MAX)
        return LD_INVALID;
    while (n > 0) {
        if (++d > LD_WORKDAY_DAY_MAX)
            return LD_INVALID;
        if (ld_workday_is_workday(w, d))
            n--;
    }
    *out = d;
    return LD_OK;
}

/* Monday-Friday days d with -3 <= d <= x: u = d + 3 runs over [0, x + 4), and
 * d is a weekday iff u mod 7 < 5 (ld_tm_weekday). Only differences are used. */
static int64_t
weekdays_before(int64_t x)
{
    int64_t t = x + 4; /* > 0 for every day >= LD_WORKDAY_DAY_MIN */
    int64_t r = t % 7;

    return 5 * (t / 7) + (r < 5 ? r : 5);
}

enum ld_rc
ld_workday_between(const struct ld_workday *w, int64_t a, int64_t b, int64_t *out)
{
    int64_t lo, hi, count;
    size_t i;

    assert(w != NULL && out != NULL);
    if (!day_ok(a) || !day_ok(b))
        return LD_INVALID;
    lo = a < b ? a : b;
    hi = a < b ? b : a;
    /* Weekdays in (lo, hi], then the listed days in that range. */
    count = weekdays_before(hi) - weekdays_before(lo);
    for (i = lower_bound(w, lo + 1); i < w->n && w->rows[i].day <= hi; i++) {
        int weekday = ld_tm_weekday(w->rows[i].day) <= 5;

        if (w->rows[i].kind == LD_WORKDAY_OFF && weekday)
            count--;
        else if (w->rows[i].kind == LD_WORKDAY_WORK && !weekday)
            count++;
    }
    *out = a <= b ? count : -count;
    return LD_OK;
}

int64_t
ld_workday_day_of(int64_t t)
{
    int64_t s = t + LD_WORKDAY_UTC_OFFSET;

    /* Floor division, so instants before the epoch land on the right day. */
    return s >= 0 ? s / LD_TM_DAY : -((-s + LD_TM_DAY - 1) / LD_TM_DAY);
}

enum ld_rc
ld_workday_deadline(const struct ld_workday *w, int64_t t, int n, int64_t *deadline)
{
    int64_t end;
    enum ld_rc rc;

    assert(w != NULL && deadline != NULL);
    if (t < LD_TM_MIN || t > LD_TM_MAX)
        return LD_INVALID;
    rc = ld_workday_add(w, ld_workday_day_of(t), n, &end);
    if (rc != LD_OK)
        return rc;
    /* SPEC: 民法典 第二百零三条 - the last day ends at 24:00 (CST). */
    *deadline = (end + 1) * LD_TM_DAY - LD_WORKDAY_UTC_OFFSET;
    return LD_OK;
}
