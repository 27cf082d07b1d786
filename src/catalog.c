/*
 * catalog.c - the hazardous-waste catalogue by edition, its exemption list,
 * method codes and GB/T 2260 places (include/liandan/catalog.h), parsed once
 * from the CSV files embedded by tools/embed-data (data/README.md). After
 * loading, everything is read-only: lookups go through ld_map, whose get does
 * not write.
 */
#include <assert.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "liandan/catalog.h"
#include "liandan/data.h"
#include "liandan/map.h"
#include "liandan/mem.h"
#include "liandan/banned.h"

#define CODE_LEN 10          /* strlen("NNN-NNN-NN") */
#define EDITION_MAX 15       /* longest edition name */
#define UNLISTED "900-000-"  /* prefix of the code for tested, unlisted waste */
#define STAGE_ALL "全部环节" /* exemption row covering every stage */
#define STAGE_SEP "、"       /* joins stages in one exemption row ("利用、处置") */

/* The stages a caller may ask about (and an exemption row may list). */
static const char *const stages[] = {"收集", "运输", "利用", "处置"};

/* Owned copies of strings, freed together. */
struct pool {
    char **v;   /* owned strings */
    size_t n;   /* in use */
    size_t cap; /* allocated */
};

struct edition {
    char *name;                        /* owned: "2021" */
    struct pool strs;                  /* every string the entries point to */
    struct ld_catalog_waste *wastes;   /* listed codes, file order */
    size_t nwastes;                    /* count of listed codes */
    struct ld_catalog_category *cats;  /* categories, file order */
    size_t ncats;                      /* count of categories */
    struct ld_catalog_waste *unlisted; /* 900-000-NN, parallel to cats */
    struct ld_catalog_exemption *exs;  /* exemption rows, file order */
    size_t nexs;                       /* count of exemption rows */
    struct ld_map *by_code;            /* code -> ld_catalog_waste (listed and unlisted) */
    struct ld_map *by_cat;             /* "HWNN" -> ld_catalog_category */
};

struct ld_catalog {
    struct edition **eds;               /* owned editions, load order */
    const char **ed_names;              /* eds[i]->name, for ld_catalog_editions() */
    size_t neds;                        /* count of editions */
    struct pool strs;                   /* strings of methods and places */
    struct ld_catalog_method *methods;  /* file order */
    size_t nmethods;                    /* count */
    struct ld_catalog_place *provinces; /* file order */
    size_t nprovinces;                  /* count */
    struct ld_catalog_place *districts; /* file order */
    size_t ndistricts;                  /* count */
    struct ld_map *method_by_code;      /* code -> ld_catalog_method */
    struct ld_map *province_by_code;    /* code -> ld_catalog_place */
    struct ld_map *district_by_code;    /* code -> ld_catalog_place */
};

static const char *
keep(struct pool *p, const char *s)
{
    if (p->n == p->cap) {
        p->cap = p->cap ? 2 * p->cap : 256;
        p->v = ld_xrealloc(p->v, p->cap * sizeof *p->v);
    }
    p->v[p->n] = ld_xstrdup(s);
    return p->v[p->n++];
}

static void
pool_release(struct pool *p)
{
    size_t i;

    for (i = 0; i < p->n; i++)
        free(p->v[i]);
    free(p->v);
    memset(p, 0, sizeof *p);
}

static int
is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* s is exactly n ASCII digits. */
static int
all_digits(const char *s, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        if (!is_digit(s[i]))
            return 0;
    return s[n] == '\0';
}

/* s has the shape NNN-NNN-NN. */
static int
code_ok(const char *s)
{
    size_t i;

    for (i = 0; i < CODE_LEN; i++) {
        if (s[i] == '\0')
            return 0;
        if (i == 3 || i == 7 ? s[i] != '-' : !is_digit(s[i]))
            return 0;
    }
    return s[CODE_LEN] == '\0';
}

/* s has the shape HWNN. */
static int
category_ok(const char *s)
{
    return s[0] == 'H' && s[1] == 'W' && all_digits(s + 2, 2);
}

static void
edition_free(struct edition *e)
{
    if (e == NULL)
        return;
    ld_map_free(e->by_code, NULL);
    ld_map_free(e->by_cat, NULL);
    free(e->wastes);
    free(e->cats);
    free(e->unlisted);
    free(e->exs);
    pool_release(&e->strs);
    free(e->name);
    free(e);
}

static const struct edition *
find_edition(const struct ld_catalog *cat, const char *name)
{
    size_t i;

    for (i = 0; i < cat->neds; i++)
        if (strcmp(cat->eds[i]->name, name) == 0)
            return cat->eds[i];
    return NULL;
}

unsigned
ld_catalog_hazard_bit(const char *s)
{
    assert(s != NULL);
    if (strcmp(s, "T") == 0)
        return LD_HAZ_T;
    if (strcmp(s, "C") == 0)
        return LD_HAZ_C;
    if (strcmp(s, "I") == 0)
        return LD_HAZ_I;
    if (strcmp(s, "R") == 0)
        return LD_HAZ_R;
    if (strcmp(s, "In") == 0)
        return LD_HAZ_IN;
    return 0;
}

/*
 * Parse a catalogue hazard cell ("T", "T,I", "C,T", "T/C/I/R/In") into the
 * bits a declaration must and may hold (rule table in catalog.h).
 * Returns 0, or -1 if the cell is not in that grammar.
 */
static int
hazard_parse(const char *s, unsigned *required, unsigned *allowed)
{
    unsigned all = 0, first = 0, bit;
    char sep = 0;
    int ntok = 0;

    for (;;) {
        size_t len = 1;

        if (s[0] == 'I' && s[1] == 'n') {
            bit = LD_HAZ_IN;
            len = 2;
        } else if (s[0] == 'T') {
            bit = LD_HAZ_T;
        } else if (s[0] == 'C') {
            bit = LD_HAZ_C;
        } else if (s[0] == 'I') {
            bit = LD_HAZ_I;
        } else if (s[0] == 'R') {
            bit = LD_HAZ_R;
        } else {
            return -1;
        }
        if (all & bit)
            return -1;
        all |= bit;
        if (ntok++ == 0)
            first = bit;
        s += len;
        if (*s == '\0')
            break;
        if ((*s != ',' && *s != '/') || (sep && *s != sep))
            return -1;
        sep = *s++;
    }
    if (ntok == 1)
        *required = all;
    else if (sep == ',')
        *required = first; /* SPEC: data/README.md "a,b = has a, may also have b" */
    else
        *required = 0; /* "a/b = has one or more of them" */
    *allowed = all;
    return 0;
}

/* Is stage one of the stages listed in row stage text list ("利用、处置")? */
static int
stage_listed(const char *list, const char *stage)
{
    size_t slen = strlen(stage), seplen = strlen(STAGE_SEP);
    const char *p = list;

    for (;;) {
        const char *end = strstr(p, STAGE_SEP);
        size_t len = end ? (size_t)(end - p) : strlen(p);

        if (len == slen && memcmp(p, stage, slen) == 0)
            return 1;
        if (end == NULL)
            return 0;
        p = end + seplen;
    }
}

/* Is list 全部环节 or a 、-joined list of known stages, each once? */
static int
stage_list_ok(const char *list)
{
    size_t seplen = strlen(STAGE_SEP), i;
    const char *p = list;
    int seen[sizeof stages / sizeof stages[0]] = {0};

    if (strcmp(list, STAGE_ALL) == 0)
        return 1;
    for (;;) {
        const char *end = strstr(p, STAGE_SEP);
        size_t len = end ? (size_t)(end - p) : strlen(p);
        int found = 0;

        for (i = 0; i < sizeof stages / sizeof stages[0]; i++) {
            if (len == strlen(stages[i]) && memcmp(p, stages[i], len) == 0 && !seen[i]) {
                seen[i] = found = 1;
                break;
            }
        }
        if (!found)
            return 0;
        if (end == NULL)
            return 1;
        p = end + seplen;
    }
}

static int
stage_known(const char *stage)
{
    size_t i;

    for (i = 0; i < sizeof stages / sizeof stages[0]; i++)
        if (strcmp(stage, stages[i]) == 0)
            return 1;
    return 0;
}

/* Load the catalogue table of edition e. */
static enum ld_rc
load_wastes(struct edition *e, const char *name, const char *text, size_t len, struct ld_err *err)
{
    static const char *const header[] = {"category", "category_name", "industry",
                                         "code",     "description",   "hazard"};
    struct ld_data_csv csv;
    struct ld_map *seen = ld_map_new(); /* code -> line number */
    size_t cap = 0, capcats = 0, i;
    enum ld_rc rc = LD_OK;
    int got = 0;

    ld_data_csv_init(&csv, name, text, len, 6);
    rc = ld_data_csv_header(&csv, header, err);
    if (rc != LD_OK)
        goto out;
    for (;;) {
        const char *const *f = csv.field;
        struct ld_catalog_category *c = NULL;
        struct ld_catalog_waste *w;
        unsigned req, allowed;
        void *prev;

        rc = ld_data_csv_next(&csv, &got, err);
        if (rc != LD_OK || !got)
            break;
        if (!category_ok(f[0])) {
            rc = ld_data_csv_fail(&csv, err, LD_INVALID, "category '%s' is not HWNN", f[0]);
            goto out;
        }
        if (!code_ok(f[3])) {
            rc = ld_data_csv_fail(&csv, err, LD_INVALID, "code '%s' is not NNN-NNN-NN", f[3]);
            goto out;
        }
        if (memcmp(f[3] + 8, f[0] + 2, 2) != 0) {
            rc = ld_data_csv_fail(&csv, err, LD_INVALID, "code '%s' does not end in category %s",
                                  f[3], f[0]);
            goto out;
        }
        if (strncmp(f[3], UNLISTED, strlen(UNLISTED)) == 0) {
            rc = ld_data_csv_fail(&csv, err, LD_INVALID,
                                  "code '%s' is reserved for waste identified by testing", f[3]);
            goto out;
        }
        if (f[1][0] == '\0' || f[2][0] == '\0' || f[4][0] == '\0') {
            rc = ld_data_csv_fail(&csv, err, LD_INVALID,
                                  "empty category_name, industry or description");
            goto out;
        }
        if (hazard_parse(f[5], &req, &allowed) != 0) {
            rc =
                ld_data_csv_fail(&csv, err, LD_INVALID,
                                 "hazard '%s' is not T, C, I, R, In joined by ',' or by '/'", f[5]);
            goto out;
        }
        prev = ld_map_put(seen, f[3], (void *)(uintptr_t)csv.line);
        if (prev != NULL) {
            rc = ld_data_csv_fail(&csv, err, LD_INVALID, "code '%s' already on line %zu", f[3],
                                  (size_t)(uintptr_t)prev);
            goto out;
        }
        for (i = 0; i < e->ncats; i++)
            if (strcmp(e->cats[i].code, f[0]) == 0)
                c = &e->cats[i];
        if (c == NULL) {
            if (e->ncats == capcats) {
                capcats = capcats ? 2 * capcats : 64;
                e->cats = ld_xrealloc(e->cats, capcats * sizeof *e->cats);
            }
            c = &e->cats[e->ncats++];
            c->edition = e->name;
            c->code = keep(&e->strs, f[0]);
            c->name = keep(&e->strs, f[1]);
            c->listed = 0;
        } else if (strcmp(c->name, f[1]) != 0) {
            rc = ld_data_csv_fail(&csv, err, LD_INVALID, "category %s is named '%s' earlier", f[0],
                                  c->name);
            goto out;
        }
        c->listed++;
        if (e->nwastes == cap) {
            cap = cap ? 2 * cap : 512;
            e->wastes = ld_xrealloc(e->wastes, cap * sizeof *e->wastes);
        }
        w = &e->wastes[e->nwastes++];
        w->edition = e->name;
        w->code = keep(&e->strs, f[3]);
        w->category = c->code;
        w->category_name = c->name;
        w->industry = keep(&e->strs, f[2]);
        w->description = keep(&e->strs, f[4]);
        w->hazard = keep(&e->strs, f[5]);
        w->haz_required = req;
        w->haz_allowed = allowed;
        w->listed = 1;
    }
    if (rc != LD_OK)
        goto out;
    if (e->nwastes == 0) {
        rc = ld_err_set(err, LD_INVALID, name, "'%s' lists no waste code", name);
        goto out;
    }
    /* Now that the arrays stop moving, index them. */
    e->unlisted = ld_xcalloc(e->ncats, sizeof *e->unlisted);
    e->by_code = ld_map_new();
    e->by_cat = ld_map_new();
    for (i = 0; i < e->ncats; i++) {
        struct ld_catalog_waste *u = &e->unlisted[i];
        char code[CODE_LEN + 1];

        snprintf(code, sizeof code, UNLISTED "%s", e->cats[i].code + 2);
        u->edition = e->name;
        u->code = keep(&e->strs, code);
        u->category = e->cats[i].code;
        u->category_name = e->cats[i].name;
        u->industry = u->description = u->hazard = "";
        u->haz_required = 0;
        u->haz_allowed = LD_HAZ_ALL;
        u->listed = 0;
        ld_map_put(e->by_code, u->code, u);
        ld_map_put(e->by_cat, e->cats[i].code, &e->cats[i]);
    }
    for (i = 0; i < e->nwastes; i++)
        ld_map_put(e->by_code, e->wastes[i].code, &e->wastes[i]);
out:
    ld_data_csv_release(&csv);
    ld_map_free(seen, NULL);
    return rc;
}

/* Check an exemption waste_code cell against edition e; set *scope. */
static enum ld_rc
classify_exemption(const struct edition *e, const struct ld_data_csv *csv, const char *cell,
                   enum ld_catalog_exempt_scope *scope, struct ld_err *err)
{
    const char *p = cell;

    if (cell[0] == '\0')
        return ld_data_csv_fail(csv, err, LD_INVALID, "empty waste_code");
    if (cell[0] == 'H' && cell[1] == 'W') {
        if (!category_ok(cell) || ld_map_get(e->by_cat, cell) == NULL)
            return ld_data_csv_fail(csv, err, LD_INVALID,
                                    "waste_code '%s' is not a category of the catalogue", cell);
        *scope = LD_CATALOG_EXEMPT_CATEGORY;
        return LD_OK;
    }
    if (!is_digit(cell[0])) {
        *scope = LD_CATALOG_EXEMPT_ORIGIN;
        return LD_OK;
    }
    for (;;) {
        char code[CODE_LEN + 1];
        const char *end = strchr(p, ';');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        const struct ld_catalog_waste *w;

        if (len != CODE_LEN)
            return ld_data_csv_fail(csv, err, LD_INVALID,
                                    "waste_code '%s' is not codes joined by ';'", cell);
        memcpy(code, p, len);
        code[len] = '\0';
        w = code_ok(code) ? ld_map_get(e->by_code, code) : NULL;
        if (w == NULL || !w->listed)
            return ld_data_csv_fail(csv, err, LD_INVALID,
                                    "waste_code '%s': '%s' is not listed in the catalogue", cell,
                                    code);
        if (end == NULL)
            break;
        p = end + 1;
    }
    *scope = LD_CATALOG_EXEMPT_CODES;
    return LD_OK;
}

/* Load the exemption list of edition e (whose wastes are loaded). */
static enum ld_rc
load_exemptions(struct edition *e, const char *name, const char *text, size_t len,
                struct ld_err *err)
{
    static const char *const header[] = {"seq",   "waste_code", "waste",
                                         "stage", "condition",  "exemption"};
    struct ld_data_csv csv;
    size_t cap = 0;
    enum ld_rc rc = LD_OK;
    int got = 0;

    ld_data_csv_init(&csv, name, text, len, 6);
    rc = ld_data_csv_header(&csv, header, err);
    if (rc != LD_OK)
        goto out;
    for (;;) {
        const char *const *f = csv.field;
        struct ld_catalog_exemption *x;
        enum ld_catalog_exempt_scope scope = LD_CATALOG_EXEMPT_ORIGIN;
        size_t n;

        rc = ld_data_csv_next(&csv, &got, err);
        if (rc != LD_OK || !got)
            break;
        n = strlen(f[0]);
        if (n == 0 || n > 4 || !all_digits(f[0], n) || f[0][0] == '0') {
            rc = ld_data_csv_fail(&csv, err, LD_INVALID, "seq '%s' is not a number 1-9999", f[0]);
            goto out;
        }
        rc = classify_exemption(e, &csv, f[1], &scope, err);
        if (rc != LD_OK)
            goto out;
        if (!stage_list_ok(f[3])) {
            rc = ld_data_csv_fail(&csv, err, LD_INVALID,
                                  "stage '%s' is not 全部环节 or stages from 收集/运输/利用/处置 "
                                  "joined by '、'",
                                  f[3]);
            goto out;
        }
        if (f[2][0] == '\0' || f[4][0] == '\0' || f[5][0] == '\0') {
            rc = ld_data_csv_fail(&csv, err, LD_INVALID, "empty waste, condition or exemption");
            goto out;
        }
        if (e->nexs == cap) {
            cap = cap ? 2 * cap : 64;
            e->exs = ld_xrealloc(e->exs, cap * sizeof *e->exs);
        }
        x = &e->exs[e->nexs++];
        x->edition = e->name;
        x->seq = atoi(f[0]);
        x->waste_code = keep(&e->strs, f[1]);
        x->waste = keep(&e->strs, f[2]);
        x->stage = keep(&e->strs, f[3]);
        x->condition = keep(&e->strs, f[4]);
        x->exemption = keep(&e->strs, f[5]);
        x->scope = scope;
    }
out:
    ld_data_csv_release(&csv);
    return rc;
}

static int
edition_name_ok(const char *s)
{
    size_t i, n = strlen(s);

    if (n == 0 || n > EDITION_MAX)
        return 0;
    for (i = 0; i < n; i++) {
        char c = s[i];

        if (!is_digit(c) && !(c >= 'A' && c <= 'Z') && !(c >= 'a' && c <= 'z') && c != '.' &&
            c != '_' && c != '-')
            return 0;
    }
    return 1;
}

enum ld_rc
ld_catalog_add_edition(struct ld_catalog *cat, const char *edition, const char *catalogue,
                       size_t len, const char *exemptions, size_t exlen, struct ld_err *err)
{
    struct edition *e = NULL;
    char name[64];
    size_t i;
    enum ld_rc rc = LD_OK;

    assert(cat != NULL && edition != NULL && catalogue != NULL);
    if (!edition_name_ok(edition)) {
        rc = ld_err_set(err, LD_INVALID, "edition",
                        "edition '%s' is not 1-%d characters from [0-9A-Za-z._-]", edition,
                        EDITION_MAX);
        goto out;
    }
    if (find_edition(cat, edition) != NULL) {
        rc = ld_err_set(err, LD_CONFLICT, "edition", "edition '%s' is already loaded", edition);
        goto out;
    }
    e = ld_xcalloc(1, sizeof *e);
    e->name = ld_xstrdup(edition);
    snprintf(name, sizeof name, "hw-catalogue-%s.csv", edition);
    rc = load_wastes(e, name, catalogue, len, err);
    if (rc != LD_OK)
        goto out;
    if (exemptions != NULL) {
        snprintf(name, sizeof name, "hw-exemptions-%s.csv", edition);
        rc = load_exemptions(e, name, exemptions, exlen, err);
        if (rc != LD_OK)
            goto out;
    }
    cat->eds = ld_xrealloc(cat->eds, (cat->neds + 1) * sizeof *cat->eds);
    cat->ed_names = ld_xrealloc(cat->ed_names, (cat->neds + 1) * sizeof *cat->ed_names);
    cat->eds[cat->neds++] = e;
    for (i = 0; i < cat->neds; i++)
        cat->ed_names[i] = cat->eds[i]->name;
    e = NULL;
out:
    edition_free(e);
    return rc;
}

/* Load disposal-methods.csv. */
static enum ld_rc
load_methods(struct ld_catalog *cat, const struct ld_data_file *file, struct ld_err *err)
{
    static const char *const header[] = {"code", "kind", "name_zh", "name_en"};
    struct ld_data_csv csv;
    size_t cap = 0;
    enum ld_rc rc = LD_OK;
    int got = 0;

    cat->method_by_code = ld_map_new();
    ld_data_csv_init(&csv, file->name, file->text, file->len, 4);
    rc = ld_data_csv_header(&csv, header, err);
    if (rc != LD_OK)
        goto out;
    for (;;) {
        const char *const *f = csv.field;
        struct ld_catalog_method *m;
        size_t n;

        rc = ld_data_csv_next(&csv, &got, err);
        if (rc != LD_OK || !got)
            break;
        n = strlen(f[0]);
        if (n < 2 || n > 3 || strchr("RDCY", f[0][0]) == NULL || f[0][1] == '0' ||
            !all_digits(f[0] + 1, n - 1)) {
            rc = ld_data_csv_fail(&csv, err, LD_INVALID, "method code '%s' is malformed", f[0]);
            goto out;
        }
        if (strcmp(f[1], "utilisation") != 0 && strcmp(f[1], "disposal") != 0) {
            rc = ld_data_csv_fail(&csv, err, LD_INVALID,
                                  "kind '%s' is not 'utilisation' or 'disposal'", f[1]);
            goto out;
        }
        if (f[2][0] == '\0' || f[3][0] == '\0') {
            rc = ld_data_csv_fail(&csv, err, LD_INVALID, "empty name_zh or name_en");
            goto out;
        }
        if (ld_map_get(cat->method_by_code, f[0]) != NULL) {
            rc = ld_data_csv_fail(&csv, err, LD_INVALID, "method code '%s' repeated", f[0]);
            goto out;
        }
        if (cat->nmethods == cap) {
            cap = cap ? 2 * cap : 32;
            cat->methods = ld_xrealloc(cat->methods, cap * sizeof *cat->methods);
        }
        m = &cat->methods[cat->nmethods++];
        m->code = keep(&cat->strs, f[0]);
        m->kind = f[1][0] == 'u' ? LD_CATALOG_UTILISATION : LD_CATALOG_DISPOSAL;
        m->kind_name = keep(&cat->strs, f[1]);
        m->name_zh = keep(&cat->strs, f[2]);
        m->name_en = keep(&cat->strs, f[3]);
        ld_map_put(cat->method_by_code, m->code, (void *)1); /* placeholder: array may move */
    }
    if (rc != LD_OK)
        goto out;
    for (cap = 0; cap < cat->nmethods; cap++)
        ld_map_put(cat->method_by_code, cat->methods[cap].code, &cat->methods[cap]);
out:
    ld_data_csv_release(&csv);
    return rc;
}

/* Load a code,name_zh,name_en table of places with codes of ndigits digits. */
static enum ld_rc
load_places(struct ld_catalog *cat, const struct ld_data_file *file, size_t ndigits,
            struct ld_catalog_place **out, size_t *nout, struct ld_map **map, struct ld_err *err)
{
    static const char *const header[] = {"code", "name_zh", "name_en"};
    struct ld_data_csv csv;
    size_t cap = 0, i;
    enum ld_rc rc = LD_OK;
    int got = 0;

    *map = ld_map_new();
    ld_data_csv_init(&csv, file->name, file->text, file->len, 3);
    rc = ld_data_csv_header(&csv, header, err);
    if (rc != LD_OK)
        goto out;
    for (;;) {
        const char *const *f = csv.field;
        struct ld_catalog_place *p;

        rc = ld_data_csv_next(&csv, &got, err);
        if (rc != LD_OK || !got)
            break;
        if (!all_digits(f[0], ndigits)) {
            rc = ld_data_csv_fail(&csv, err, LD_INVALID, "code '%s' is not %zu digits", f[0],
                                  ndigits);
            goto out;
        }
        if (f[1][0] == '\0' || f[2][0] == '\0') {
            rc = ld_data_csv_fail(&csv, err, LD_INVALID, "empty name_zh or name_en");
            goto out;
        }
        if (ld_map_get(*map, f[0]) != NULL) {
            rc = ld_data_csv_fail(&csv, err, LD_INVALID, "code '%s' repeated", f[0]);
            goto out;
        }
        if (ndigits == 6) {
            char prov[3] = {f[0][0], f[0][1], '\0'};

            if (ld_map_get(cat->province_by_code, prov) == NULL) {
                rc = ld_data_csv_fail(&csv, err, LD_INVALID, "code '%s' is in no province", f[0]);
                goto out;
            }
        }
        if (*nout == cap) {
            cap = cap ? 2 * cap : 32;
            *out = ld_xrealloc(*out, cap * sizeof **out);
        }
        p = &(*out)[(*nout)++];
        p->code = keep(&cat->strs, f[0]);
        p->name_zh = keep(&cat->strs, f[1]);
        p->name_en = keep(&cat->strs, f[2]);
        ld_map_put(*map, p->code, (void *)1); /* placeholder: array may move */
    }
    if (rc != LD_OK)
        goto out;
    for (i = 0; i < *nout; i++)
        ld_map_put(*map, (*out)[i].code, &(*out)[i]);
out:
    ld_data_csv_release(&csv);
    return rc;
}

/* The embedded file name, or LD_NOTFOUND. */
static enum ld_rc
need(const char *name, const struct ld_data_file **out, struct ld_err *err)
{
    *out = ld_data_get(name);
    if (*out == NULL)
        return ld_err_set(err, LD_NOTFOUND, name, "data file '%s' is not embedded", name);
    return LD_OK;
}

enum ld_rc
ld_catalog_new(struct ld_catalog **out, struct ld_err *err)
{
    static const char prefix[] = "hw-catalogue-", suffix[] = ".csv";
    struct ld_catalog *cat = NULL;
    const struct ld_data_file *f = NULL;
    size_t i;
    enum ld_rc rc = LD_OK;

    assert(out != NULL);
    cat = ld_xcalloc(1, sizeof *cat);
    rc = need("disposal-methods.csv", &f, err);
    if (rc == LD_OK)
        rc = load_methods(cat, f, err);
    if (rc == LD_OK)
        rc = need("gb2260-provinces.csv", &f, err);
    if (rc == LD_OK)
        rc = load_places(cat, f, 2, &cat->provinces, &cat->nprovinces, &cat->province_by_code, err);
    if (rc == LD_OK)
        rc = need("dalian-districts.csv", &f, err);
    if (rc == LD_OK)
        rc = load_places(cat, f, 6, &cat->districts, &cat->ndistricts, &cat->district_by_code, err);
    if (rc != LD_OK)
        goto out;
    for (i = 0; i < ld_data_file_count; i++) {
        const struct ld_data_file *c = &ld_data_files[i], *x;
        size_t n = strlen(c->name), plen = sizeof prefix - 1, slen = sizeof suffix - 1;
        char edition[EDITION_MAX + 1], xname[64];

        if (n <= plen + slen || strncmp(c->name, prefix, plen) != 0 ||
            strcmp(c->name + n - slen, suffix) != 0 || n - plen - slen > EDITION_MAX)
            continue;
        memcpy(edition, c->name + plen, n - plen - slen);
        edition[n - plen - slen] = '\0';
        snprintf(xname, sizeof xname, "hw-exemptions-%s.csv", edition);
        x = ld_data_get(xname);
        rc = ld_catalog_add_edition(cat, edition, c->text, c->len, x ? x->text : NULL,
                                    x ? x->len : 0, err);
        if (rc != LD_OK)
            goto out;
    }
    if (cat->neds == 0)
        rc = ld_err_set(err, LD_NOTFOUND, NULL, "no hw-catalogue-EDITION.csv is embedded");
out:
    if (rc != LD_OK) {
        ld_catalog_free(cat);
        cat = NULL;
    }
    *out = cat;
    return rc;
}

void
ld_catalog_free(struct ld_catalog *cat)
{
    size_t i;

    if (cat == NULL)
        return;
    for (i = 0; i < cat->neds; i++)
        edition_free(cat->eds[i]);
    free(cat->eds);
    free(cat->ed_names);
    ld_map_free(cat->method_by_code, NULL);
    ld_map_free(cat->province_by_code, NULL);
    ld_map_free(cat->district_by_code, NULL);
    free(cat->methods);
    free(cat->provinces);
    free(cat->districts);
    pool_release(&cat->strs);
    free(cat);
}

const char *const *
ld_catalog_editions(const struct ld_catalog *cat, size_t *n)
{
    assert(cat != NULL && n != NULL);
    *n = cat->neds;
    return cat->ed_names;
}

/* The edition, or LD_NOTFOUND recorded in err. */
static enum ld_rc
get_edition(const struct ld_catalog *cat, const char *edition, const struct edition **out,
            struct ld_err *err)
{
    *out = find_edition(cat, edition);
    if (*out == NULL)
        return ld_err_set(err, LD_NOTFOUND, "edition", "no catalogue edition '%s'", edition);
    return LD_OK;
}

enum ld_rc
ld_catalog_waste(const struct ld_catalog *cat, const char *edition, const char *code,
                 const char *field, const struct ld_catalog_waste **out, struct ld_err *err)
{
    const struct edition *e = NULL;
    const struct ld_catalog_waste *w;
    enum ld_rc rc;

    assert(cat != NULL && edition != NULL && code != NULL && out != NULL);
    rc = get_edition(cat, edition, &e, err);
    if (rc != LD_OK)
        return rc;
    if (!code_ok(code))
        return ld_err_set(err, LD_INVALID, field, "waste code '%s' is not NNN-NNN-NN", code);
    w = ld_map_get(e->by_code, code);
    if (w == NULL) {
        if (strncmp(code, UNLISTED, strlen(UNLISTED)) == 0)
            return ld_err_set(err, LD_NOTFOUND, field,
                              "waste code '%s': the %s catalogue has no category HW%s", code,
                              e->name, code + 8);
        return ld_err_set(err, LD_NOTFOUND, field, "waste code '%s' is not in the %s catalogue",
                          code, e->name);
    }
    *out = w;
    return LD_OK;
}

const struct ld_catalog_waste *
ld_catalog_wastes(const struct ld_catalog *cat, const char *edition, size_t *n)
{
    const struct edition *e;

    assert(cat != NULL && edition != NULL && n != NULL);
    e = find_edition(cat, edition);
    *n = e ? e->nwastes : 0;
    return e ? e->wastes : NULL;
}

enum ld_rc
ld_catalog_category(const struct ld_catalog *cat, const char *edition, const char *code,
                    const char *field, const struct ld_catalog_category **out, struct ld_err *err)
{
    const struct edition *e = NULL;
    const struct ld_catalog_category *c;
    enum ld_rc rc;

    assert(cat != NULL && edition != NULL && code != NULL && out != NULL);
    rc = get_edition(cat, edition, &e, err);
    if (rc != LD_OK)
        return rc;
    if (!category_ok(code))
        return ld_err_set(err, LD_INVALID, field, "category '%s' is not HWNN", code);
    c = ld_map_get(e->by_cat, code);
    if (c == NULL)
        return ld_err_set(err, LD_NOTFOUND, field, "category '%s' is not in the %s catalogue", code,
                          e->name);
    *out = c;
    return LD_OK;
}

const struct ld_catalog_category *
ld_catalog_categories(const struct ld_catalog *cat, const char *edition, size_t *n)
{
    const struct edition *e;

    assert(cat != NULL && edition != NULL && n != NULL);
    e = find_edition(cat, edition);
    *n = e ? e->ncats : 0;
    return e ? e->cats : NULL;
}

/* The characteristics in bits, as text for messages: "T, I". */
static void
hazard_names(unsigned bits, char *buf, size_t size)
{
    static const char *const names[] = {"T", "C", "I", "R", "In"};
    size_t i, used = 0;

    buf[0] = '\0';
    for (i = 0; i < 5; i++) {
        if (!(bits & (1u << i)))
            continue;
        used += (size_t)snprintf(buf + used, size - used, "%s%s", used ? ", " : "", names[i]);
        if (used >= size)
            break;
    }
}

enum ld_rc
ld_catalog_hazard_check(const struct ld_catalog_waste *w, const char *const *declared, size_t n,
                        const char *field, struct ld_err *err)
{
    const char *cell;
    char elem[LD_ERR_FIELD_MAX], names[32];
    unsigned have = 0, bit;
    size_t i;

    assert(w != NULL && (declared != NULL || n == 0));
    cell = w->listed ? w->hazard : "any, identified by testing";
    if (n == 0)
        return ld_err_set(err, LD_INVALID, field, "no hazard characteristic declared for %s",
                          w->code);
    for (i = 0; i < n; i++) {
        snprintf(elem, sizeof elem, "%s[%zu]", field ? field : "", i);
        bit = ld_catalog_hazard_bit(declared[i]);
        if (bit == 0)
            return ld_err_set(err, LD_INVALID, elem,
                              "hazard characteristic '%s' is not T, C, I, R or In", declared[i]);
        if (have & bit)
            return ld_err_set(err, LD_INVALID, elem, "hazard characteristic '%s' declared twice",
                              declared[i]);
        if (!(w->haz_allowed & bit))
            return ld_err_set(err, LD_INVALID, elem,
                              "hazard characteristic '%s' is not listed for %s (catalogue: '%s')",
                              declared[i], w->code, cell);
        have |= bit;
    }
    if (w->haz_required & ~have) {
        hazard_names(w->haz_required & ~have, names, sizeof names);
        return ld_err_set(err, LD_INVALID, field,
                          "hazard characteristic '%s' is required for %s (catalogue: '%s')", names,
                          w->code, cell);
    }
    return LD_OK;
}

/* Does row x (whose stage fits) name code w? */
static enum ld_catalog_cover
row_covers(const struct ld_catalog_exemption *x, const struct ld_catalog_waste *w)
{
    size_t clen = strlen(w->code);
    const char *p;

    switch (x->scope) {
    case LD_CATALOG_EXEMPT_CATEGORY:
        return strcmp(x->waste_code, w->category) == 0 ? LD_CATALOG_COVER_CODE
                                                       : LD_CATALOG_COVER_NO;
    case LD_CATALOG_EXEMPT_ORIGIN:
        return LD_CATALOG_COVER_ORIGIN;
    case LD_CATALOG_EXEMPT_CODES:
        for (p = x->waste_code;; p++) {
            if (strncmp(p, w->code, clen) == 0 && (p[clen] == ';' || p[clen] == '\0'))
                return LD_CATALOG_COVER_CODE;
            p = strchr(p, ';');
            if (p == NULL)
                return LD_CATALOG_COVER_NO;
        }
    }
    return LD_CATALOG_COVER_NO;
}

enum ld_rc
ld_catalog_exemption(const struct ld_catalog *cat, const char *edition, int seq, const char *code,
                     const char *stage, enum ld_catalog_cover *cover,
                     const struct ld_catalog_exemption **row, struct ld_err *err)
{
    const struct edition *e = NULL;
    const struct ld_catalog_waste *w = NULL;
    const struct ld_catalog_exemption *best = NULL;
    enum ld_catalog_cover found = LD_CATALOG_COVER_NO;
    int entry = 0;
    size_t i;
    enum ld_rc rc;

    assert(cat != NULL && edition != NULL && code != NULL && stage != NULL && cover != NULL);
    rc = get_edition(cat, edition, &e, err);
    if (rc != LD_OK)
        return rc;
    rc = ld_catalog_waste(cat, edition, code, "code", &w, err);
    if (rc != LD_OK)
        return rc;
    if (!stage_known(stage))
        return ld_err_set(err, LD_INVALID, "stage", "stage '%s' is not 收集, 运输, 利用 or 处置",
                          stage);
    for (i = 0; i < e->nexs; i++) {
        const struct ld_catalog_exemption *x = &e->exs[i];
        enum ld_catalog_cover c;

        if (x->seq != seq)
            continue;
        entry = 1;
        if (strcmp(x->stage, STAGE_ALL) != 0 && !stage_listed(x->stage, stage))
            continue;
        c = row_covers(x, w);
        if (c == LD_CATALOG_COVER_CODE && found != LD_CATALOG_COVER_CODE) {
            found = c;
            best = x;
        } else if (c == LD_CATALOG_COVER_ORIGIN && found == LD_CATALOG_COVER_NO) {
            found = c;
            best = x;
        }
    }
    if (!entry)
        return ld_err_set(err, LD_NOTFOUND, "seq", "the %s exemption list has no entry %d", e->name,
                          seq);
    *cover = found;
    if (row != NULL)
        *row = best;
    return LD_OK;
}

const struct ld_catalog_exemption *
ld_catalog_exemptions(const struct ld_catalog *cat, const char *edition, size_t *n)
{
    const struct edition *e;

    assert(cat != NULL && edition != NULL && n != NULL);
    e = find_edition(cat, edition);
    *n = e ? e->nexs : 0;
    return e && e->nexs ? e->exs : NULL;
}

enum ld_rc
ld_catalog_method(const struct ld_catalog *cat, const char *code, const char *field,
                  const struct ld_catalog_method **out, struct ld_err *err)
{
    const struct ld_catalog_method *m;
    size_t n;

    assert(cat != NULL && code != NULL && out != NULL);
    n = strlen(code);
    if (n < 2 || n > 3 || strchr("RDCY", code[0]) == NULL || code[1] == '0' ||
        !all_digits(code + 1, n - 1))
        return ld_err_set(err, LD_INVALID, field,
                          "method code '%s' is not R, D, C or Y followed by a number 1-99", code);
    m = ld_map_get(cat->method_by_code, code);
    if (m == NULL)
        return ld_err_set(err, LD_NOTFOUND, field, "method code '%s' is not in the table", code);
    *out = m;
    return LD_OK;
}

const struct ld_catalog_method *
ld_catalog_methods(const struct ld_catalog *cat, size_t *n)
{
    assert(cat != NULL && n != NULL);
    *n = cat->nmethods;
    return cat->methods;
}

/* Look up an n-digit place code in map. */
static enum ld_rc
place(const struct ld_map *map, const char *what, const char *code, size_t ndigits,
      const char *field, const struct ld_catalog_place **out, struct ld_err *err)
{
    const struct ld_catalog_place *p;

    if (!all_digits(code, ndigits))
        return ld_err_set(err, LD_INVALID, field, "%s code '%s' is not %zu digits", what, code,
                          ndigits);
    p = ld_map_get(map, code);
    if (p == NULL)
        return ld_err_set(err, LD_NOTFOUND, field, "no %s with code '%s'", what, code);
    *out = p;
    return LD_OK;
}

enum ld_rc
ld_catalog_province(const struct ld_catalog *cat, const char *code, const char *field,
                    const struct ld_catalog_place **out, struct ld_err *err)
{
    assert(cat != NULL && code != NULL && out != NULL);
    return place(cat->province_by_code, "province", code, 2, field, out, err);
}

const struct ld_catalog_place *
ld_catalog_provinces(const struct ld_catalog *cat, size_t *n)
{
    assert(cat != NULL && n != NULL);
    *n = cat->nprovinces;
    return cat->provinces;
}

enum ld_rc
ld_catalog_district(const struct ld_catalog *cat, const char *code, const char *field,
                    const struct ld_catalog_place **out, struct ld_err *err)
{
    assert(cat != NULL && code != NULL && out != NULL);
    return place(cat->district_by_code, "district", code, 6, field, out, err);
}

const struct ld_catalog_place *
ld_catalog_districts(const struct ld_catalog *cat, size_t *n)
{
    assert(cat != NULL && n != NULL);
    *n = cat->ndistricts;
    return cat->districts;
}

enum ld_rc
ld_catalog_province_of(const struct ld_catalog *cat, const char *code6, const char *field,
                       const struct ld_catalog_place **out, struct ld_err *err)
{
    char prov[3];

    assert(cat != NULL && code6 != NULL && out != NULL);
    if (!all_digits(code6, 6))
        return ld_err_set(err, LD_INVALID, field, "division code '%s' is not 6 digits", code6);
    prov[0] = code6[0];
    prov[1] = code6[1];
    prov[2] = '\0';
    return place(cat->province_by_code, "province", prov, 2, field, out, err);
}
