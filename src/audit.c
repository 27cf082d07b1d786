/*
 * audit.c - the regulator's anomaly list (include/liandan/audit.h holds the
 * rule table). The derived tables of schema/002_manifest.sql are read in a
 * few sequential passes, never one query per manifest: the small reference
 * tables (licences, capacities, draws) into memory, then manifests and their
 * lines merged in one ordered scan, then legs outside the fleet; deadlines
 * are counted with workday.h (SPEC: 危险废物转移管理办法 2021 Art. 18, Art. 20).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "liandan/audit.h"
#include "liandan/canon.h"
#include "liandan/map.h"
#include "liandan/mem.h"
#include "liandan/tm.h"
#include "liandan/banned.h"

static const char *const rule_ids[] = {
    LD_AUDIT_RECEIPT_OVERDUE, LD_AUDIT_RECEIPT_LATE, LD_AUDIT_TRANSIT_OVERDUE,
    LD_AUDIT_TRANSIT_LATE,    LD_AUDIT_DISCREPANCY,  LD_AUDIT_QUANTITY,
    LD_AUDIT_LICENCE,         LD_AUDIT_CAPACITY,     LD_AUDIT_VEHICLE,
    LD_AUDIT_BALANCE,         LD_AUDIT_PAPER_LATE,
};
#define NRULES (sizeof rule_ids / sizeof *rule_ids)

struct lic;
struct capgroup;
struct draw;
struct memo;

struct run {
    struct ld_store *s;
    const struct ld_audit_opts *o;
    const struct ld_workday *cal;   /* borrowed or owned by ld_audit_run */
    struct ld_audit *a;             /* the result being built */
    size_t cap;                     /* items allocated */
    struct lic *lic;                /* owned: disposal/collection licences, sorted by party */
    size_t nlic;
    struct capgroup **groups;       /* owned: capacity groups, sorted by receiver, category */
    size_t ngroups;
    struct draw *draws;             /* owned: draws per batch, sorted by batch */
    size_t ndraws;
    struct memo *memo;              /* owned: MEMO deadline slots */
    struct ld_map *recv;            /* owned: receiver -> struct recv (its ranges) */
};

/* ---- results ------------------------------------------------------------ */

/* src (may be NULL: "") into dst[cap], cut to fit, always terminated. */
static void
copy_str(char *dst, size_t cap, const char *src)
{
    size_t n = src ? strnlen(src, cap - 1) : 0;

    if (n)
        memcpy(dst, src, n);
    dst[n] = '\0';
}

/* Append an anomaly; detail is copied. A year of a provincial ledger holds
 * ~10^5 anomalies: party and batch are copied without printf. */
static void
add_item(struct run *r, const char *rule, int64_t manifest, const char *party, const char *batch,
         int64_t deadline, int provisional, const char *detail)
{
    struct ld_audit_item *it;

    if (r->a->n == r->cap) {
        r->cap = r->cap ? 2 * r->cap : 64;
        r->a->items = ld_xrealloc(r->a->items, r->cap * sizeof *r->a->items);
    }
    it = &r->a->items[r->a->n++];
    memset(it, 0, sizeof *it);
    it->rule = rule;
    it->manifest = manifest;
    copy_str(it->party, sizeof it->party, party);
    copy_str(it->batch, sizeof it->batch, batch);
    it->deadline = deadline;
    it->provisional = provisional;
    it->detail = ld_xstrdup(detail);
}

static void
emit(struct run *r, const char *rule, int64_t manifest, const char *party, const char *batch,
     int64_t deadline, int provisional, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 8, 9)))
#endif
    ;

static void
emit(struct run *r, const char *rule, int64_t manifest, const char *party, const char *batch,
     int64_t deadline, int provisional, const char *fmt, ...)
{
    char line[512];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    add_item(r, rule, manifest, party, batch, deadline, provisional, line);
}

static void
date_of_day(int64_t day, char out[LD_TM_DATE_LEN])
{
    if (ld_tm_format_date(day * LD_TM_DAY, out) != LD_OK)
        snprintf(out, LD_TM_DATE_LEN, "?");
}

/* "YYYY-MM-DD HH:MM" in CST of instant t, for details. */
static void
cst(int64_t t, char out[24])
{
    char iso[LD_TM_RFC3339_LEN];

    if (ld_tm_format(t + 8 * 3600, iso) != LD_OK) {
        snprintf(out, 24, "?");
        return;
    }
    snprintf(out, 24, "%.10s %.5s", iso, iso + 11);
}

static int
year_of_day(int64_t day)
{
    int y, m, d;

    ld_tm_civil_from_days(day, &y, &m, &d);
    return y;
}

/* Deadlines depend only on the CST day of the event and n: memoised. */
#define MEMO 4096

struct memo {
    int64_t day;  /* CST day of the event */
    int n;        /* working days; 0 marks an empty slot */
    int prov;     /* provisional */
    int64_t end;  /* last CST day in time */
};

/*
 * Deadline n (>= 1) working days after the event at t. [out] dl, prov (a
 * year on the way is not covered by the calendar). Returns 0 when t is out
 * of range.
 */
static int
deadline(struct run *r, int64_t t, int n, int64_t *dl, int *prov)
{
    int64_t day, end;
    struct memo *m;
    int y;

    if (t < LD_TM_MIN || t > LD_TM_MAX)
        return 0;
    day = ld_workday_day_of(t);
    m = &r->memo[(size_t)(day * 31 + n) % MEMO];
    if (m->n != n || m->day != day) {
        if (ld_workday_add(r->cal, day, n, &end) != LD_OK)
            return 0;
        m->day = day;
        m->n = n;
        m->end = end;
        m->prov = 0;
        for (y = year_of_day(day); y <= year_of_day(end); y++)
            if (!ld_workday_covered(r->cal, y))
                m->prov = 1;
    }
    /* SPEC: workday.h - the last day ends at 24:00 CST. */
    *dl = (m->end + 1) * LD_TM_DAY - LD_WORKDAY_UTC_OFFSET;
    *prov = m->prov;
    return 1;
}

/* ---- reference tables: licences, capacities ----------------------------- */

struct lic {
    char party[19];  /* holder */
    char kind[16];   /* disposal or collection */
    char number[64]; /* licence number */
    int64_t from;    /* first valid CST day */
    int64_t until;   /* last valid CST day */
};

struct capyear {
    int year;      /* CST calendar year of receipt */
    int64_t total; /* grams accepted that year */
};

struct capgroup {
    char receiver[19], category[8];
    int64_t cap;       /* licensed grams a year */
    struct capyear *y; /* owned */
    size_t ny;
};

static const char q_licences[] =
    "SELECT party, kind, number, valid_from, valid_until FROM licences "
    "WHERE kind IN ('disposal', 'collection') ORDER BY party, kind";
static const char q_caps[] =
    "SELECT party, item, MIN(capacity_g) FROM licence_scope WHERE capacity_g IS NOT NULL "
    "AND kind IN ('disposal', 'collection') GROUP BY party, item ORDER BY party, item";

static enum ld_rc
load_licences(struct run *r)
{
    struct ld_store_q *q = NULL;
    size_t cap = 0;
    enum ld_rc rc = ld_store_q(r->s, q_licences, &q);

    if (rc != LD_OK)
        return rc;
    while ((rc = ld_store_q_step(q)) == LD_OK) {
        struct lic *li;
        if (r->nlic == cap) {
            cap = cap ? 2 * cap : 16;
            r->lic = ld_xrealloc(r->lic, cap * sizeof *r->lic);
        }
        li = &r->lic[r->nlic++];
        snprintf(li->party, sizeof li->party, "%s", ld_store_q_col_text(q, 0));
        snprintf(li->kind, sizeof li->kind, "%s", ld_store_q_col_text(q, 1));
        snprintf(li->number, sizeof li->number, "%s", ld_store_q_col_text(q, 2));
        li->from = ld_store_q_col_int(q, 3);
        li->until = ld_store_q_col_int(q, 4);
    }
    ld_store_q_done(q);
    if (rc != LD_NOTFOUND)
        return rc;
    rc = ld_store_q(r->s, q_caps, &q);
    if (rc != LD_OK)
        return rc;
    while ((rc = ld_store_q_step(q)) == LD_OK) {
        struct capgroup *g = ld_xcalloc(1, sizeof *g);
        snprintf(g->receiver, sizeof g->receiver, "%s", ld_store_q_col_text(q, 0));
        snprintf(g->category, sizeof g->category, "%s", ld_store_q_col_text(q, 1));
        g->cap = ld_store_q_col_int(q, 2);
        r->groups = ld_xrealloc(r->groups, (r->ngroups + 1) * sizeof *r->groups);
        r->groups[r->ngroups++] = g;
    }
    ld_store_q_done(q);
    return rc == LD_NOTFOUND ? LD_OK : rc;
}

/* Index of party's first licence in r->lic (sorted by party), or r->nlic. */
static size_t
lic_first(const struct run *r, const char *party)
{
    size_t lo = 0, hi = r->nlic;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (strcmp(r->lic[mid].party, party) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* Index of receiver's first capacity group in r->groups (sorted by receiver,
 * category), or r->ngroups. */
static size_t
grp_first(const struct run *r, const char *receiver)
{
    size_t lo = 0, hi = r->ngroups;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (strcmp(r->groups[mid]->receiver, receiver) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* A receiver's licences r->lic[lic0, lic1) and capacity groups
 * r->groups[g0, g1), found once per receiver instead of per manifest. */
struct recv {
    size_t lic0, lic1, g0, g1;
};

static const struct recv *
recv_of(struct run *r, const char *receiver)
{
    struct recv *v = ld_map_get(r->recv, receiver);

    if (v)
        return v;
    v = ld_xcalloc(1, sizeof *v);
    v->lic0 = lic_first(r, receiver);
    for (v->lic1 = v->lic0; v->lic1 < r->nlic && strcmp(r->lic[v->lic1].party, receiver) == 0;
         v->lic1++)
        ;
    v->g0 = grp_first(r, receiver);
    for (v->g1 = v->g0; v->g1 < r->ngroups && strcmp(r->groups[v->g1]->receiver, receiver) == 0;
         v->g1++)
        ;
    ld_map_put(r->recv, receiver, v);
    return v;
}

/* Does the receiver hold a disposal or collection licence valid on day? */
static int
licensed(const struct run *r, const struct recv *v, int64_t day)
{
    size_t i;

    for (i = v->lic0; i < v->lic1; i++)
        if (r->lic[i].from <= day && day <= r->lic[i].until)
            return 1;
    return 0;
}

/* ---- lineage: what later live manifests drew from each batch ------------ */

struct draw {
    int64_t number;  /* manifest number of base, -1 if base is not NUMBER-LL */
    int64_t line;    /* line number of base */
    char base[24];   /* line batch NUMBER-LL (for a rejected part, its line) */
    int64_t drawn;   /* drawn from the line's accepted grams */
    int64_t drawn_r; /* drawn from its rejected part NUMBER-LLR */
    int64_t from;    /* the line itself drew this much from its sources */
    int seen;        /* the line exists */
};

static const char q_cancelled[] =
    "SELECT number FROM manifests WHERE state = 'cancelled' ORDER BY number";
static const char q_sources[] = "SELECT batch, source, qty_g FROM sources";

static int
by_number(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

    return x < y ? -1 : x > y;
}

/* Order of lines: by manifest number, then line (malformed ids first). */
static int
by_base(const void *a, const void *b)
{
    const struct draw *x = a, *y = b;

    if (x->number != y->number)
        return x->number < y->number ? -1 : 1;
    if (x->line != y->line)
        return x->line < y->line ? -1 : 1;
    return strcmp(x->base, y->base);
}

/* NUMBER-LL -> number and line; -1 for anything else. */
static void
parse_base(struct draw *x)
{
    size_t i;

    x->number = -1;
    x->line = -1;
    if (strlen(x->base) != 17 || x->base[14] != '-')
        return;
    for (i = 0; i < 17; i++)
        if (i != 14 && (x->base[i] < '0' || x->base[i] > '9'))
            return;
    x->number = strtoll(x->base, NULL, 10);
    x->line = strtoll(x->base + 15, NULL, 10);
}

static void
push_draw(struct draw **d, size_t *n, size_t *cap, const char *base, size_t len, int64_t drawn,
          int64_t drawn_r, int64_t from)
{
    struct draw *x;

    if (*n == *cap) {
        *cap = *cap ? 2 * *cap : 256;
        *d = ld_xrealloc(*d, *cap * sizeof **d);
    }
    x = &(*d)[(*n)++];
    memset(x, 0, sizeof *x);
    snprintf(x->base, sizeof x->base, "%.*s", (int)(len < sizeof x->base ? len : 23), base);
    x->drawn = drawn;
    x->drawn_r = drawn_r;
    x->from = from;
    parse_base(x);
}

/* Sum the draws of live manifests per batch, sorted by batch (the order of lines). */
static enum ld_rc
load_draws(struct run *r)
{
    struct ld_store_q *q = NULL;
    int64_t *cancelled = NULL;
    size_t nc = 0, cc = 0, cap = 0, i, k;
    enum ld_rc rc = ld_store_q(r->s, q_cancelled, &q);

    if (rc != LD_OK)
        return rc;
    while ((rc = ld_store_q_step(q)) == LD_OK) {
        if (nc == cc) {
            cc = cc ? 2 * cc : 64;
            cancelled = ld_xrealloc(cancelled, cc * sizeof *cancelled);
        }
        cancelled[nc++] = ld_store_q_col_int(q, 0);
    }
    ld_store_q_done(q);
    if (rc != LD_NOTFOUND)
        goto out;
    rc = ld_store_q(r->s, q_sources, &q);
    if (rc != LD_OK)
        goto out;
    while ((rc = ld_store_q_step(q)) == LD_OK) {
        const char *batch = ld_store_q_col_text(q, 0), *src = ld_store_q_col_text(q, 1);
        int64_t qty = ld_store_q_col_int(q, 2), m = strtoll(batch, NULL, 10);
        size_t len = strlen(src);
        if (nc && bsearch(&m, cancelled, nc, sizeof *cancelled, by_number))
            continue; /* a cancelled filing gave its draws back */
        if (len == 18 && src[17] == 'R')
            push_draw(&r->draws, &r->ndraws, &cap, src, 17, 0, qty, 0);
        else
            push_draw(&r->draws, &r->ndraws, &cap, src, len, qty, 0, 0);
        push_draw(&r->draws, &r->ndraws, &cap, batch, strlen(batch), 0, 0, qty);
    }
    ld_store_q_done(q);
    if (rc != LD_NOTFOUND)
        goto out;
    rc = LD_OK;
    /* One entry per batch. */
    if (r->ndraws)
        qsort(r->draws, r->ndraws, sizeof *r->draws, by_base);
    for (i = 0, k = 0; i < r->ndraws; i++) {
        if (k > 0 && strcmp(r->draws[k - 1].base, r->draws[i].base) == 0) {
            r->draws[k - 1].drawn += r->draws[i].drawn;
            r->draws[k - 1].drawn_r += r->draws[i].drawn_r;
            r->draws[k - 1].from += r->draws[i].from;
        } else {
            r->draws[k++] = r->draws[i];
        }
    }
    r->ndraws = k;
out:
    free(cancelled);
    return rc == LD_NOTFOUND ? LD_OK : rc;
}

/* ---- one pass over manifests and their lines ---------------------------- */

/*
 * Manifests in number order and lines in batch order are merged in C: a
 * batch is NUMBER-LL with a 14-digit number (Art. 15, checked at filing), so
 * batch order is number order, and both scans read their table front to back
 * (SQLite: rowid order and the WITHOUT ROWID primary key) instead of looking
 * each line's manifest up (measured ~5x slower at 10^6 manifests). SQL
 * computes, per row, whether a rule may apply (the calendar-day lower bound
 * of a deadline passed, a quantity off, a balance off): the columns every row
 * needs come first, the others are read only for the rows that need them
 * (NULL times read as -1).
 */
static const char q_manifests[] =
    "SELECT number, receiver, filed_at, COALESCE(received_at, -1), "
    "(CASE state WHEN 'cancelled' THEN 1 WHEN 'arrived' THEN 2 WHEN 'in_transit' THEN 3 "
    "ELSE 0 END) * 8 + paper * 4 + discrepancy * 2 + (CASE WHEN state IN ('arrived', "
    "'in_transit') OR received_at - arrived_at >= ?1 OR arrived_at - picked_at >= ?2 "
    "OR (paper = 1 AND filed_at - completed_at >= ?3) THEN 1 ELSE 0 END), "
    "COALESCE(picked_at, -1), COALESCE(arrived_at, -1), COALESCE(completed_at, -1), "
    "producer, COALESCE(leg_carrier, carrier), state, returned FROM manifests ORDER BY number";
static const char q_lines[] =
    "SELECT manifest * 100 + line, COALESCE(accepted_g, 0), CASE WHEN disposed_g > "
    "COALESCE(accepted_g, 0) OR (received_g IS NOT NULL AND (ABS(received_g - qty_g) * 10000 > "
    "qty_g * ?1 OR received_g <> COALESCE(accepted_g, 0) + COALESCE(rejected_g, 0))) THEN 1 "
    "ELSE 0 END, qty_g, COALESCE(received_g, -1), COALESCE(rejected_g, 0), disposed_g, batch, "
    "category FROM lines ORDER BY batch";

enum { M_CANCELLED = 1, M_ARRIVED = 2, M_IN_TRANSIT = 3 };

/* The current manifest row; the rest is read from q on demand. */
struct mrow {
    struct ld_store_q *q;  /* the manifests scan, positioned on this row */
    int64_t number;
    const char *receiver;  /* borrowed from q */
    int state;             /* M_* or 0 */
    int paper, discrepancy;
    int timely;            /* a deadline rule may apply */
    const struct recv *rv; /* the receiver's licences and capacity groups */
    int64_t filed, received; /* received: -1 if not yet */
};

static void
read_manifest(struct ld_store_q *q, struct mrow *m)
{
    int64_t packed;

    m->q = q;
    m->number = ld_store_q_col_int(q, 0);
    m->receiver = ld_store_q_col_text(q, 1);
    m->filed = ld_store_q_col_int(q, 2);
    m->received = ld_store_q_col_int(q, 3);
    packed = ld_store_q_col_int(q, 4);
    m->state = (int)(packed >> 3);
    m->paper = (int)(packed >> 2) & 1;
    m->discrepancy = (int)(packed >> 1) & 1;
    m->timely = (int)packed & 1;
}

static int64_t
picked_of(const struct mrow *m)
{
    return ld_store_q_col_int(m->q, 5);
}

static int64_t
arrived_of(const struct mrow *m)
{
    return ld_store_q_col_int(m->q, 6);
}

static int64_t
completed_of(const struct mrow *m)
{
    return ld_store_q_col_int(m->q, 7);
}

static const char *
producer_of(const struct mrow *m)
{
    return ld_store_q_col_text(m->q, 8);
}

static const char *
carrier_of(const struct mrow *m)
{
    return ld_store_q_col_text(m->q, 9);
}

/* Receipt, transit and paper deadlines; the discrepancy flag; licences. */
static void
manifest_rules(struct run *r, const struct mrow *m)
{
    int64_t dl, picked = -1, arrived = -1, completed = -1;
    int prov;
    char t1[24], t2[24];

    if (m->timely) {
        picked = picked_of(m);
        arrived = arrived_of(m);
        completed = completed_of(m);
    }
    /* Deadlines are only counted when the calendar-day lower bound is passed
     * (SQL's timely): n working days end more than n * 24 h after the event. */
    if (m->timely && arrived >= 0 &&
        (m->state == M_ARRIVED ||
         (m->received >= 0 && m->received - arrived >= LD_AUDIT_RECEIPT_DAYS * LD_TM_DAY)) &&
        deadline(r, arrived, LD_AUDIT_RECEIPT_DAYS, &dl, &prov)) {
        if (m->state == M_ARRIVED && r->o->now >= dl) {
            cst(arrived, t1);
            emit(r, LD_AUDIT_RECEIPT_OVERDUE, m->number, m->receiver, NULL, dl, prov,
                 "arrived %s CST, receipt not confirmed within %d working days", t1,
                 LD_AUDIT_RECEIPT_DAYS);
        } else if (m->received >= 0 && m->received >= dl) {
            cst(arrived, t1);
            cst(m->received, t2);
            emit(r, LD_AUDIT_RECEIPT_LATE, m->number, m->receiver, NULL, dl, prov,
                 "arrived %s CST, receipt confirmed %s CST, after %d working days", t1, t2,
                 LD_AUDIT_RECEIPT_DAYS);
        }
    }
    if (m->timely && picked >= 0 &&
        (m->state == M_IN_TRANSIT ||
         (arrived >= 0 && arrived - picked >= r->o->transit_days * LD_TM_DAY)) &&
        deadline(r, picked, r->o->transit_days, &dl, &prov)) {
        if (m->state == M_IN_TRANSIT && r->o->now >= dl) {
            cst(picked, t1);
            emit(r, LD_AUDIT_TRANSIT_OVERDUE, m->number, carrier_of(m), NULL, dl, prov,
                 "picked up %s CST, not arrived within %d working days", t1,
                 r->o->transit_days);
        } else if (arrived >= 0 && arrived >= dl) {
            cst(picked, t1);
            cst(arrived, t2);
            emit(r, LD_AUDIT_TRANSIT_LATE, m->number, carrier_of(m), NULL, dl, prov,
                 "picked up %s CST, arrived %s CST, after %d working days", t1, t2,
                 r->o->transit_days);
        }
    }
    if (m->discrepancy)
        emit(r, LD_AUDIT_DISCREPANCY, m->number, producer_of(m), NULL, -1, 0,
             "receiver %s flagged a significant discrepancy or accepted only part (%s)",
             m->receiver, ld_store_q_col_text(m->q, 10));
    if (m->paper && !m->timely)
        completed = completed_of(m);
    if (m->timely && m->paper && completed >= 0 &&
        m->filed - completed >= LD_AUDIT_PAPER_DAYS * LD_TM_DAY &&
        deadline(r, completed, LD_AUDIT_PAPER_DAYS, &dl, &prov) && m->filed >= dl) {
        char d1[LD_TM_DATE_LEN];
        date_of_day(ld_workday_day_of(completed), d1);
        cst(m->filed, t2);
        emit(r, LD_AUDIT_PAPER_LATE, m->number, producer_of(m), NULL, dl, prov,
             "paper transfer completed %s, entered %s CST, after %d working days", d1, t2,
             LD_AUDIT_PAPER_DAYS);
    }
    /* Licence on the filing day (paper: the completion day) and the receipt day;
     * a load going back to its producer needs none (rules_manifest.c). */
    if (!ld_store_q_col_int(m->q, 11)) {
        int by_completion = m->paper && completed >= 0;
        size_t first = m->rv->lic0;
        int64_t fday = ld_workday_day_of(by_completion ? completed : m->filed);
        int64_t rday = ld_workday_day_of(m->received);
        int bad_f = !licensed(r, m->rv, fday);
        int bad_r = m->received >= 0 && !m->paper && !licensed(r, m->rv, rday);
        char words[200], d1[LD_TM_DATE_LEN], d2[LD_TM_DATE_LEN];

        if (!bad_f && !bad_r)
            return;
        if (first < m->rv->lic1) {
            date_of_day(r->lic[first].from, d1);
            date_of_day(r->lic[first].until, d2);
            snprintf(words, sizeof words, "%s licence %s is valid %s to %s",
                     r->lic[first].kind, r->lic[first].number, d1, d2);
        } else {
            snprintf(words, sizeof words, "it holds no disposal or collection licence");
        }
        date_of_day(fday, d1);
        date_of_day(rday, d2);
        if (bad_f && bad_r)
            emit(r, LD_AUDIT_LICENCE, m->number, m->receiver, NULL, -1, 0,
                 "not licensed on the filing day %s nor on the receipt day %s: %s", d1, d2,
                 words);
        else if (bad_f)
            emit(r, LD_AUDIT_LICENCE, m->number, m->receiver, NULL, -1, 0,
                 "not licensed on the %s day %s: %s", by_completion ? "completion" : "filing",
                 d1, words);
        else
            emit(r, LD_AUDIT_LICENCE, m->number, m->receiver, NULL, -1, 0,
                 "not licensed on the receipt day %s: %s", d2, words);
    }
}

/* Accepted grams of a receiver's category in the year of receipt. */
static void
capacity_add(struct run *r, const struct mrow *m, const char *cat, int64_t acc)
{
    struct capgroup *g = NULL;
    size_t i;
    int year;

    for (i = m->rv->g0; i < m->rv->g1; i++)
        if (strcmp(r->groups[i]->category, cat) == 0) {
            g = r->groups[i];
            break;
        }
    if (g == NULL)
        return;
    year = year_of_day(ld_workday_day_of(m->received));
    for (i = 0; i < g->ny && g->y[i].year != year; i++)
        ;
    if (i == g->ny) {
        g->y = ld_xrealloc(g->y, (g->ny + 1) * sizeof *g->y);
        g->y[g->ny].year = year;
        g->y[g->ny++].total = 0;
    }
    g->y[i].total += acc;
}

/* Quantities, the receiver's balance, lineage and capacity of one line. */
static void
line_rules(struct run *r, const struct mrow *m, struct ld_store_q *q, size_t *k)
{
    int64_t line = ld_store_q_col_int(q, 0) % 100, acc = ld_store_q_col_int(q, 1);
    int flagged = (int)ld_store_q_col_int(q, 2);
    int64_t qty, recv, rej, disp, diff;
    const struct draw *d = NULL;

    /* Draw entries sort like lines: skip those of batches without a line. */
    while (*k < r->ndraws && (r->draws[*k].number < m->number ||
                              (r->draws[*k].number == m->number && r->draws[*k].line < line)))
        (*k)++;
    if (*k < r->ndraws && r->draws[*k].number == m->number && r->draws[*k].line == line) {
        r->draws[*k].seen = 1;
        d = &r->draws[*k];
    }
    if (m->state == M_CANCELLED) {
        /* Nothing can be drawn from a load that never left. */
        if (d && (d->drawn > 0 || d->drawn_r > 0))
            emit(r, LD_AUDIT_BALANCE, m->number, producer_of(m), ld_store_q_col_text(q, 7), -1,
                 0, "later manifests drew %lld g from a line of this cancelled manifest",
                 (long long)(d->drawn + d->drawn_r));
        return;
    }
    if (acc > 0 && m->received >= 0 && m->rv->g0 < m->rv->g1)
        capacity_add(r, m, ld_store_q_col_text(q, 8), acc);
    if (!flagged && d == NULL)
        return;
    qty = ld_store_q_col_int(q, 3);
    recv = ld_store_q_col_int(q, 4);
    rej = ld_store_q_col_int(q, 5);
    disp = ld_store_q_col_int(q, 6);
    diff = recv - qty;
    if (recv >= 0 && (diff < 0 ? -diff : diff) * 10000 > qty * r->o->tolerance)
        emit(r, LD_AUDIT_QUANTITY, m->number, producer_of(m), ld_store_q_col_text(q, 7), -1, 0,
             "filed %lld g, received %lld g (%+.2f%%, tolerance %d.%02d%%)", (long long)qty,
             (long long)recv, qty ? 100.0 * (double)diff / (double)qty : 0.0,
             r->o->tolerance / 100, r->o->tolerance % 100);
    if (recv >= 0 && recv != acc + rej)
        emit(r, LD_AUDIT_BALANCE, m->number, m->receiver, ld_store_q_col_text(q, 7), -1, 0,
             "received %lld g is not accepted %lld g + rejected %lld g", (long long)recv,
             (long long)acc, (long long)rej);
    if (d && d->drawn > 0 && d->drawn + disp > acc)
        emit(r, LD_AUDIT_BALANCE, m->number, m->receiver, ld_store_q_col_text(q, 7), -1, 0,
             "drawn %lld g + disposed %lld g exceed the %lld g accepted", (long long)d->drawn,
             (long long)disp, (long long)acc);
    else if (disp > acc)
        emit(r, LD_AUDIT_BALANCE, m->number, m->receiver, ld_store_q_col_text(q, 7), -1, 0,
             "disposed of %lld g of %lld g accepted", (long long)disp, (long long)acc);
    if (d && d->drawn_r > rej) {
        char rb[24];
        snprintf(rb, sizeof rb, "%.17sR", ld_store_q_col_text(q, 7));
        emit(r, LD_AUDIT_BALANCE, m->number, m->receiver, rb, -1, 0,
             "later manifests drew %lld g from the %lld g rejected", (long long)d->drawn_r,
             (long long)rej);
    }
    if (d && d->from > qty)
        emit(r, LD_AUDIT_BALANCE, m->number, producer_of(m), ld_store_q_col_text(q, 7), -1, 0,
             "draws %lld g from its sources but ships %lld g", (long long)d->from,
             (long long)qty);
}

static enum ld_rc
scan(struct run *r)
{
    struct ld_store_q *qm = NULL, *ql = NULL;
    struct mrow m;
    size_t k = 0, i;
    enum ld_rc rc, rl;

    rc = ld_store_q(r->s, q_manifests, &qm);
    if (rc == LD_OK)
        rc = ld_store_q(r->s, q_lines, &ql);
    if (rc != LD_OK)
        return rc;
    ld_store_q_int(qm, 1, (int64_t)LD_AUDIT_RECEIPT_DAYS * LD_TM_DAY);
    ld_store_q_int(qm, 2, (int64_t)r->o->transit_days * LD_TM_DAY);
    ld_store_q_int(qm, 3, (int64_t)LD_AUDIT_PAPER_DAYS * LD_TM_DAY);
    ld_store_q_int(ql, 1, r->o->tolerance);
    rl = ld_store_q_step(ql);
    while ((rc = ld_store_q_step(qm)) == LD_OK) {
        int64_t lm = 0;
        read_manifest(qm, &m);
        m.rv = recv_of(r, m.receiver);
        if (m.state != M_CANCELLED)
            manifest_rules(r, &m);
        /* Lines (key NUMBER * 100 + LL) without a manifest (damaged data) are skipped. */
        while (rl == LD_OK && (lm = ld_store_q_col_int(ql, 0) / 100) < m.number)
            rl = ld_store_q_step(ql);
        while (rl == LD_OK && lm == m.number) {
            line_rules(r, &m, ql, &k);
            rl = ld_store_q_step(ql);
            if (rl == LD_OK)
                lm = ld_store_q_col_int(ql, 0) / 100;
        }
    }
    ld_store_q_done(ql);
    ld_store_q_done(qm);
    if (rc != LD_NOTFOUND)
        return rc;
    if (rl != LD_OK && rl != LD_NOTFOUND)
        return rl;
    /* Draws on batches that are not in the ledger at all. */
    for (i = 0; i < r->ndraws; i++)
        if (!r->draws[i].seen && (r->draws[i].drawn > 0 || r->draws[i].drawn_r > 0))
            emit(r, LD_AUDIT_BALANCE, r->draws[i].number > 0 ? r->draws[i].number : 0, "",
                 r->draws[i].base, -1, 0,
                 "later manifests drew %lld g from batch %s%s, which is not in the ledger",
                 (long long)(r->draws[i].drawn + r->draws[i].drawn_r), r->draws[i].base,
                 r->draws[i].drawn_r ? " (rejected part)" : "");
    return LD_OK;
}

/* ---- annual capacity: which receipt crossed it -------------------------- */

static const char q_capacity[] =
    "SELECT m.number, m.received_at, l.accepted_g FROM manifests m JOIN lines l "
    "ON l.manifest = m.number WHERE m.receiver = ?1 AND l.category = ?2 "
    "AND m.received_at >= ?3 AND m.received_at < ?4 AND m.state <> 'cancelled' "
    "AND l.accepted_g > 0";

struct receipt {
    int64_t number, at, qty;
};

static int
by_time(const void *a, const void *b)
{
    const struct receipt *x = a, *y = b;

    if (x->at != y->at)
        return x->at < y->at ? -1 : 1;
    return x->number < y->number ? -1 : x->number > y->number;
}

/* Only for the (rare) groups over capacity: their year's receipts in time order. */
static enum ld_rc
crossing(struct run *r, const struct capgroup *g, const struct capyear *y)
{
    struct ld_store_q *q = NULL;
    struct receipt *rc_ = NULL;
    size_t n = 0, cap = 0, i;
    int64_t run = 0;
    enum ld_rc rc = ld_store_q(r->s, q_capacity, &q);

    if (rc != LD_OK)
        return rc;
    ld_store_q_text(q, 1, g->receiver);
    ld_store_q_text(q, 2, g->category);
    ld_store_q_int(q, 3, ld_tm_days_from_civil(y->year, 1, 1) * LD_TM_DAY - 8 * 3600);
    ld_store_q_int(q, 4, ld_tm_days_from_civil(y->year + 1, 1, 1) * LD_TM_DAY - 8 * 3600);
    while ((rc = ld_store_q_step(q)) == LD_OK) {
        if (n == cap) {
            cap = cap ? 2 * cap : 64;
            rc_ = ld_xrealloc(rc_, cap * sizeof *rc_);
        }
        rc_[n].number = ld_store_q_col_int(q, 0);
        rc_[n].at = ld_store_q_col_int(q, 1);
        rc_[n++].qty = ld_store_q_col_int(q, 2);
    }
    ld_store_q_done(q);
    if (rc == LD_NOTFOUND) {
        rc = LD_OK;
        if (n)
            qsort(rc_, n, sizeof *rc_, by_time);
        for (i = 0; i < n; i++) {
            run += rc_[i].qty;
            if (run > g->cap) {
                emit(r, LD_AUDIT_CAPACITY, rc_[i].number, g->receiver, NULL, -1, 0,
                     "%s accepted in %d: %lld g, over the licensed %lld g a year", g->category,
                     y->year, (long long)y->total, (long long)g->cap);
                break;
            }
        }
    }
    free(rc_);
    return rc;
}

/* ---- vehicles ----------------------------------------------------------- */

static const char q_fleet[] =
    "SELECT g.manifest, g.leg, g.carrier, g.vehicle, COALESCE(g.trailer, ''), "
    "v.plate IS NULL, g.trailer IS NOT NULL AND t.plate IS NULL FROM legs g "
    "LEFT JOIN vehicles v ON v.party = g.carrier AND v.plate = g.vehicle "
    "LEFT JOIN vehicles t ON t.party = g.carrier AND t.plate = g.trailer "
    "WHERE g.in_fleet = 0";

static enum ld_rc
vehicles(struct run *r)
{
    struct ld_store_q *q = NULL;
    enum ld_rc rc = ld_store_q(r->s, q_fleet, &q);

    if (rc != LD_OK)
        return rc;
    while ((rc = ld_store_q_step(q)) == LD_OK) {
        int vmiss = (int)ld_store_q_col_int(q, 5), tmiss = (int)ld_store_q_col_int(q, 6);
        const char *v = ld_store_q_col_text(q, 3), *tr = ld_store_q_col_text(q, 4);
        char what[160];

        if (tmiss && !vmiss)
            snprintf(what, sizeof what, "trailer %s", tr);
        else if (tmiss)
            snprintf(what, sizeof what, "vehicle %s and trailer %s", v, tr);
        else
            snprintf(what, sizeof what, "vehicle %s", v);
        emit(r, LD_AUDIT_VEHICLE, ld_store_q_col_int(q, 0), ld_store_q_col_text(q, 2), NULL, -1,
             0, "leg %lld: %s not in the carrier's transport permit",
             (long long)ld_store_q_col_int(q, 1), what);
    }
    ld_store_q_done(q);
    return rc == LD_NOTFOUND ? LD_OK : rc;
}

/* ---- the run ------------------------------------------------------------ */

static int
by_manifest(const void *a, const void *b)
{
    const struct ld_audit_item *x = a, *y = b;
    int c;

    if (x->manifest != y->manifest)
        return x->manifest < y->manifest ? -1 : 1;
    c = strcmp(x->rule, y->rule);
    return c ? c : strcmp(x->batch, y->batch);
}

/* Kept stepped (not reset) for the whole run: one read transaction, so all
 * passes see the same snapshot of the ledger. meta always has rows. */
static const char q_snapshot[] = "SELECT COUNT(*) FROM meta";

static enum ld_rc
capacity(struct run *r, struct capgroup **groups, size_t n)
{
    size_t i, j;
    enum ld_rc rc = LD_OK;

    for (i = 0; rc == LD_OK && i < n; i++)
        for (j = 0; rc == LD_OK && j < groups[i]->ny; j++)
            if (groups[i]->y[j].total > groups[i]->cap)
                rc = crossing(r, groups[i], &groups[i]->y[j]);
    return rc;
}

enum ld_rc
ld_audit_run(struct ld_store *s, const struct ld_audit_opts *opts, struct ld_audit **out,
             struct ld_err *err)
{
    struct run r;
    struct ld_workday *own = NULL;
    struct ld_store_q *snap = NULL;
    size_t i;
    enum ld_rc rc = LD_OK;

    memset(&r, 0, sizeof r);
    if (opts->transit_days < 1 || opts->transit_days > 365)
        return ld_err_set(err, LD_INVALID, "transit_days", "transit days are 1 to 365");
    if (opts->tolerance < 0 || opts->tolerance > 10000)
        return ld_err_set(err, LD_INVALID, "tolerance", "tolerance is 0 to 100%%");
    r.s = s;
    r.o = opts;
    r.cal = opts->cal;
    r.memo = ld_xcalloc(MEMO, sizeof *r.memo);
    r.recv = ld_map_new();
    r.a = ld_xcalloc(1, sizeof *r.a);
    r.a->now = opts->now;
    if (r.cal == NULL) {
        own = ld_workday_new();
        rc = ld_workday_load_builtin(own, err);
        if (rc != LD_OK)
            goto out;
        r.cal = own;
    }
    rc = ld_store_q(s, q_snapshot, &snap);
    if (rc == LD_OK)
        rc = ld_store_q_step(snap);
    if (rc == LD_OK)
        rc = load_licences(&r);
    if (rc == LD_OK)
        rc = load_draws(&r);
    if (rc == LD_OK)
        rc = scan(&r);
    if (rc == LD_OK)
        rc = capacity(&r, r.groups, r.ngroups);
    if (rc == LD_OK)
        rc = vehicles(&r);
    if (rc != LD_OK) {
        if (rc == LD_NOTFOUND)
            rc = LD_DB;
        ld_err_set(err, rc, "", "cannot read the derived tables");
        goto out;
    }
    if (r.a->n)
        qsort(r.a->items, r.a->n, sizeof *r.a->items, by_manifest);
out:
    if (snap)
        ld_store_q_done(snap);
    for (i = 0; i < r.ngroups; i++) {
        free(r.groups[i]->y);
        free(r.groups[i]);
    }
    free(r.groups);
    free(r.lic);
    free(r.draws);
    free(r.memo);
    ld_map_free(r.recv, free);
    ld_workday_free(own);
    if (rc != LD_OK) {
        ld_audit_free(r.a);
        return rc;
    }
    *out = r.a;
    return LD_OK;
}

void
ld_audit_free(struct ld_audit *a)
{
    size_t i;

    if (a == NULL)
        return;
    for (i = 0; i < a->n; i++)
        free(a->items[i].detail);
    free(a->items);
    free(a);
}

int
ld_audit_rule_ok(const char *id)
{
    size_t i, n = strlen(id);

    for (i = 0; i < NRULES; i++)
        if (strcmp(rule_ids[i], id) == 0 ||
            (n > 0 && strncmp(rule_ids[i], id, n) == 0 && rule_ids[i][n] == '.'))
            return 1;
    return 0;
}

int
ld_audit_match(const struct ld_audit_item *item, const char *filter)
{
    size_t n = strlen(filter);

    return strcmp(item->rule, filter) == 0 ||
           (n > 0 && strncmp(item->rule, filter, n) == 0 && item->rule[n] == '.');
}

/* Last CST day still in time for a deadline instant. */
static void
last_day(int64_t dl, char out[LD_TM_DATE_LEN])
{
    date_of_day(ld_workday_day_of(dl - 1), out);
}

char *
ld_audit_item_json(const struct ld_audit_item *it)
{
    cJSON *o = cJSON_CreateObject();
    char *out = NULL;

    if (it->batch[0])
        cJSON_AddStringToObject(o, "batch", it->batch);
    else
        cJSON_AddNullToObject(o, "batch");
    if (it->deadline >= 0) {
        char t[LD_TM_RFC3339_LEN], d[LD_TM_DATE_LEN];
        if (ld_tm_format(it->deadline, t) != LD_OK)
            snprintf(t, sizeof t, "?");
        last_day(it->deadline, d);
        cJSON_AddStringToObject(o, "deadline", t);
        cJSON_AddStringToObject(o, "deadline_day", d);
    } else {
        cJSON_AddNullToObject(o, "deadline");
        cJSON_AddNullToObject(o, "deadline_day");
    }
    cJSON_AddStringToObject(o, "detail", it->detail);
    cJSON_AddNumberToObject(o, "manifest", (double)it->manifest);
    cJSON_AddStringToObject(o, "party", it->party);
    cJSON_AddBoolToObject(o, "provisional", it->provisional);
    cJSON_AddStringToObject(o, "rule", it->rule);
    if (ld_canon_dup(o, 0, &out, NULL, NULL) != LD_OK)
        out = ld_xstrdup("{}"); /* only invalid UTF-8 in stored text could get here */
    cJSON_Delete(o);
    return out;
}

char *
ld_audit_item_text(const struct ld_audit_item *it)
{
    char d[LD_TM_DATE_LEN] = "-";

    if (it->deadline >= 0)
        last_day(it->deadline, d);
    return ld_xasprintf("%-20s %lld %-18s %s%s %s%s%s", it->rule, (long long)it->manifest,
                        it->party[0] ? it->party : "-", d, it->provisional ? "?" : "",
                        it->batch[0] ? it->batch : "", it->batch[0] ? ": " : "", it->detail);
}
