/*
 * catalog.h - reference tables for manifest lines (DESIGN.md §5): the
 * National Catalogue of Hazardous Wastes (国家危险废物名录) by edition, its
 * exemption list (危险废物豁免管理清单), the utilisation/disposal method codes,
 * and GB/T 2260 province and Dalian district names. data/README.md names the
 * sources.
 *
 * A struct ld_catalog is built once from the data embedded in the binary
 * (ld_catalog_new) and is then immutable: any number of threads may read it
 * concurrently. Every pointer it hands out stays valid until ld_catalog_free().
 * ld_catalog_add_edition() is the one mutator; call it before the catalogue is
 * shared.
 *
 * Waste codes (废物代码) have the form NNN-NNN-NN (ASCII digits): industry
 * source, sequence, and the two digits of the category HWNN. An edition
 * accepts the codes it lists and, for every category NN it has, the code
 * 900-000-NN: waste not listed but identified as hazardous by testing (see
 * data/README.md), whose hazard characteristics are whatever the
 * identification found. 900-000-99 is refused because there is no HW99.
 *
 * Hazard characteristics are T (毒性 toxicity), C (腐蚀性 corrosivity),
 * I (易燃性 ignitability), R (反应性 reactivity) and In (感染性 infectivity),
 * spelled exactly so. The catalogue column is kept verbatim in
 * ld_catalog_waste.hazard; ld_catalog_hazard_check() applies it as follows
 * (a declaration D is the set of characteristics a manifest line names):
 *
 *   CATALOGUE   MEANING                              D IS ACCEPTED WHEN
 *   "T"         has T                                D == {T}
 *   "a,b,..."   has a (the first), may also have     a in D, and D within {a,b,...}
 *               the others ("C,T" and "T,C" differ)
 *   "a/b/..."   has one or more of them              D not empty, D within {a,b,...}
 *   900-000-NN  identified by testing                D not empty
 *
 * D must not be empty or name a characteristic twice. A catalogue cell never
 * mixes ',' and '/' (loading refuses it).
 *
 * Lookups return LD_INVALID when the key is malformed and LD_NOTFOUND when it
 * is well-formed but absent; a caller validating a manifest treats both as a
 * refusal of the field named in err.
 */
#ifndef LIANDAN_CATALOG_H
#define LIANDAN_CATALOG_H

#include <stddef.h>

#include "liandan/err.h"

/* The edition shipped in data/ (in force 2021-01-01 to 2024-12-31). */
#define LD_CATALOG_EDITION_2021 "2021"

/* Hazard characteristics as bits, for ld_catalog_waste.haz_*. */
#define LD_HAZ_T 0x01u
#define LD_HAZ_C 0x02u
#define LD_HAZ_I 0x04u
#define LD_HAZ_R 0x08u
#define LD_HAZ_IN 0x10u
#define LD_HAZ_ALL 0x1Fu

struct ld_catalog;

/* One waste code of one edition. Strings are NUL-terminated UTF-8. */
struct ld_catalog_waste {
    const char *edition;       /* "2021" */
    const char *code;          /* "900-214-08" */
    const char *category;      /* "HW08" */
    const char *category_name; /* "废矿物油与含矿物油废物" */
    const char *industry;      /* "非特定行业"; "" for 900-000-NN */
    const char *description;   /* the listed waste; "" for 900-000-NN */
    const char *hazard;    /* the catalogue cell verbatim ("T,I", "T/C/I/R"); "" for 900-000-NN */
    unsigned haz_required; /* LD_HAZ_* bits a declaration must include */
    unsigned haz_allowed;  /* LD_HAZ_* bits a declaration may include */
    int listed;            /* 1 if in the table, 0 for 900-000-NN */
};

/* One category (类别) of one edition. */
struct ld_catalog_category {
    const char *edition; /* "2021" */
    const char *code;    /* "HW08" */
    const char *name;    /* "废矿物油与含矿物油废物" */
    size_t listed;       /* codes listed under it */
};

/* What a waste_code cell of the exemption list names. */
enum ld_catalog_exempt_scope {
    LD_CATALOG_EXEMPT_CODES = 1,    /* one or more codes joined by ';' */
    LD_CATALOG_EXEMPT_CATEGORY = 2, /* a whole category "HWNN" */
    LD_CATALOG_EXEMPT_ORIGIN = 3    /* a label naming where the waste comes from
                                       (生活垃圾中的危险废物, 突发环境事件..., 历史遗留...,
                                       "-" for 点对点 utilisation), any code */
};

/* One row of the exemption list (an entry has one row per exempted stage). */
struct ld_catalog_exemption {
    const char *edition;    /* the catalogue edition it belongs to */
    int seq;                /* entry number 1..32 in the 2021 list */
    const char *waste_code; /* cell verbatim: "900-200-08;900-006-09", "HW34", a label */
    const char *waste;      /* the exempted waste as described */
    const char *stage;      /* "运输", "全部环节", "利用、处置", ... */
    const char *condition;  /* 豁免条件 */
    const char *exemption;  /* 豁免内容 */
    enum ld_catalog_exempt_scope scope; /* how waste_code is matched */
};

/* Whether an exemption entry applies to a code at a stage. */
enum ld_catalog_cover {
    LD_CATALOG_COVER_NO = 0,    /* no row of the entry names this code at this stage */
    LD_CATALOG_COVER_CODE = 1,  /* a row names the code or its category at this stage */
    LD_CATALOG_COVER_ORIGIN = 2 /* a row at this stage names an origin, not codes: it applies
                                   when the waste has that origin, which the code cannot show */
};

enum ld_catalog_method_kind {
    LD_CATALOG_UTILISATION = 1, /* 利用: R*, C2, C3 */
    LD_CATALOG_DISPOSAL = 2     /* 处置: D*, C1, Y* */
};

/* A utilisation/disposal method code (HJ 1033-2019 annex F; R/D after Basel annex IV). */
struct ld_catalog_method {
    const char *code;                 /* "R9", "D10", "C1", "Y10" */
    enum ld_catalog_method_kind kind; /* utilisation or disposal */
    const char *kind_name;            /* "utilisation" or "disposal", as in the file */
    const char *name_zh;              /* "焚烧" */
    const char *name_en;              /* "Incineration" */
};

/* A GB/T 2260 division: province (2 digits) or city/district (6 digits). */
struct ld_catalog_place {
    const char *code;    /* "21", "210213" */
    const char *name_zh; /* "辽宁省", "金州区" */
    const char *name_en; /* "Liaoning", "Jinzhou District" */
};

/*
 * Build the catalogue from the data embedded in the binary: every embedded
 * hw-catalogue-EDITION.csv becomes edition EDITION (with hw-exemptions-
 * EDITION.csv if embedded), plus disposal-methods.csv, gb2260-provinces.csv
 * and dalian-districts.csv.
 * [out] out: set only on LD_OK. Returns a new object; caller frees with ld_catalog_free().
 * [out] err: may be NULL; names the file and line of a bad row.
 * Returns LD_OK; LD_NOTFOUND if an embedded file is missing; LD_PARSE or
 * LD_INVALID if one does not load (a build defect).
 * Thread safety: may run in any thread; builds a private object.
 */
enum ld_rc ld_catalog_new(struct ld_catalog **out, struct ld_err *err);

/*
 * Add an edition from CSV texts (for a new catalogue such as the 2025 one).
 * All or nothing: on failure cat is unchanged.
 * [in,out] cat: must not be read by another thread during the call.
 * [in] edition: "2025": 1-15 characters from [0-9A-Za-z._-]; copied.
 * [in] catalogue, len: CSV with header category,category_name,industry,code,
 *      description,hazard (see the checks below); borrowed for the call.
 * [in] exemptions, exlen: CSV with header seq,waste_code,waste,stage,condition,
 *      exemption, or NULL for none; borrowed for the call.
 * [out] err: may be NULL; err->field is "FILE:LINE" for a bad row.
 * Rows are checked: category HWNN with one name throughout, code NNN-NNN-NN
 * ending in NN, unique, not 900-000-NN, non-empty texts, a hazard cell in the
 * grammar above; exemption seq > 0, waste_code as in enum ld_catalog_exempt_scope
 * naming listed codes or existing categories, stage 全部环节 or stages from
 * 收集/运输/利用/处置 joined by '、'.
 * Returns LD_OK; LD_INVALID for a bad edition name; LD_CONFLICT if the edition
 * exists; LD_PARSE for malformed CSV or a bad header; LD_INVALID for a bad row.
 */
enum ld_rc ld_catalog_add_edition(struct ld_catalog *cat, const char *edition,
                                  const char *catalogue, size_t len, const char *exemptions,
                                  size_t exlen, struct ld_err *err);

/* Free the catalogue and everything it handed out. NULL is a no-op. */
void ld_catalog_free(struct ld_catalog *cat);

/*
 * The editions loaded, oldest first as loaded.
 * [out] n: number of editions. Returns an array of n borrowed strings.
 */
const char *const *ld_catalog_editions(const struct ld_catalog *cat, size_t *n);

/*
 * Look up a waste code in an edition.
 * [in] edition: "2021"; borrowed.  [in] code: "900-214-08"; borrowed.
 * [in] field: name for err->field ("body.lines[0].code"); may be NULL.
 * [out] out: the entry (borrowed from cat), set only on LD_OK.
 * [out] err: may be NULL.
 * Returns LD_OK; LD_INVALID if code is not NNN-NNN-NN; LD_NOTFOUND if the
 * edition is unknown, or the code is neither listed nor 900-000-NN of an
 * existing category.
 */
enum ld_rc ld_catalog_waste(const struct ld_catalog *cat, const char *edition, const char *code,
                            const char *field, const struct ld_catalog_waste **out,
                            struct ld_err *err);

/*
 * The listed codes of an edition, in file order (900-000-NN not included).
 * [out] n: count (0 for an unknown edition). Returns the array, borrowed, or NULL.
 */
const struct ld_catalog_waste *ld_catalog_wastes(const struct ld_catalog *cat, const char *edition,
                                                 size_t *n);

/*
 * Look up a category "HWNN" in an edition.
 * Returns LD_OK; LD_INVALID if code is not HW followed by two digits;
 * LD_NOTFOUND for an unknown edition or category. *out is set only on LD_OK.
 */
enum ld_rc ld_catalog_category(const struct ld_catalog *cat, const char *edition, const char *code,
                               const char *field, const struct ld_catalog_category **out,
                               struct ld_err *err);

/* The categories of an edition in file order; *n = 0 and NULL if unknown. */
const struct ld_catalog_category *ld_catalog_categories(const struct ld_catalog *cat,
                                                        const char *edition, size_t *n);

/*
 * The LD_HAZ_* bit of one characteristic spelled "T", "C", "I", "R" or "In",
 * or 0 for anything else (no case folding, no spaces).
 */
unsigned ld_catalog_hazard_bit(const char *s);

/*
 * Check a line's declared hazard characteristics against its code (the rule
 * in the table at the top of this header).
 * [in] w: from ld_catalog_waste().
 * [in] declared, n: the characteristics as strings; borrowed.
 * [in] field: name of the array for err->field ("body.lines[0].hazard"); an
 *      element is reported as "FIELD[i]". May be NULL.
 * [out] err: may be NULL; the message names the code and its catalogue cell.
 * Returns LD_OK, or LD_INVALID: empty, unknown or repeated characteristic,
 * one the catalogue does not allow, or the required one missing.
 */
enum ld_rc ld_catalog_hazard_check(const struct ld_catalog_waste *w, const char *const *declared,
                                   size_t n, const char *field, struct ld_err *err);

/*
 * Does exemption entry seq of an edition's list exempt code at stage?
 * Rows of entry seq whose stage is 全部环节, equals stage, or lists it
 * ("利用、处置") are considered; such a row covers the code when its
 * waste_code names the code (CODES), the code's category (CATEGORY), or an
 * origin (ORIGIN, reported as LD_CATALOG_COVER_ORIGIN). A CODE match wins over
 * an ORIGIN one. Conditions (豁免条件) are not judged: they are the filer's
 * claim, shown through *row.
 * [in] edition: "2021". [in] seq: entry number. [in] code: a waste code valid
 *      in the edition. [in] stage: one of 收集, 运输, 利用, 处置 (UTF-8).
 * [out] cover: set only on LD_OK.
 * [out] row: may be NULL; on LD_OK the first matching row, or NULL with
 *       LD_CATALOG_COVER_NO.
 * [out] err: may be NULL; err->field is "seq", "code" or "stage".
 * Returns LD_OK; LD_INVALID for a malformed code or an unknown stage;
 * LD_NOTFOUND for an unknown edition, entry or code.
 */
enum ld_rc ld_catalog_exemption(const struct ld_catalog *cat, const char *edition, int seq,
                                const char *code, const char *stage, enum ld_catalog_cover *cover,
                                const struct ld_catalog_exemption **row, struct ld_err *err);

/* The exemption rows of an edition in file order; *n = 0 and NULL if none. */
const struct ld_catalog_exemption *ld_catalog_exemptions(const struct ld_catalog *cat,
                                                         const char *edition, size_t *n);

/*
 * Look up a method code: R, D, C or Y followed by 1-2 digits, no leading zero.
 * Returns LD_OK; LD_INVALID if malformed; LD_NOTFOUND if not in the table.
 * *out is set only on LD_OK.
 */
enum ld_rc ld_catalog_method(const struct ld_catalog *cat, const char *code, const char *field,
                             const struct ld_catalog_method **out, struct ld_err *err);

/* All method codes in file order. */
const struct ld_catalog_method *ld_catalog_methods(const struct ld_catalog *cat, size_t *n);

/*
 * Look up a province by its two-digit code ("21").
 * Returns LD_OK; LD_INVALID unless exactly two ASCII digits; LD_NOTFOUND.
 */
enum ld_rc ld_catalog_province(const struct ld_catalog *cat, const char *code, const char *field,
                               const struct ld_catalog_place **out, struct ld_err *err);

/* All provinces in file order (31). */
const struct ld_catalog_place *ld_catalog_provinces(const struct ld_catalog *cat, size_t *n);

/*
 * Look up a Dalian city or county-level division by its six-digit code
 * ("210213"); the table holds Dalian only (210200 and its 10 divisions).
 * Returns LD_OK; LD_INVALID unless exactly six ASCII digits; LD_NOTFOUND.
 */
enum ld_rc ld_catalog_district(const struct ld_catalog *cat, const char *code, const char *field,
                               const struct ld_catalog_place **out, struct ld_err *err);

/* All districts in file order (11). */
const struct ld_catalog_place *ld_catalog_districts(const struct ld_catalog *cat, size_t *n);

/*
 * The province of any six-digit GB/T 2260 code (its first two digits), which
 * need not be in the district table: "370202" gives 山东省.
 * Returns LD_OK; LD_INVALID unless exactly six ASCII digits; LD_NOTFOUND if
 * the first two digits are no province.
 */
enum ld_rc ld_catalog_province_of(const struct ld_catalog *cat, const char *code6,
                                  const char *field, const struct ld_catalog_place **out,
                                  struct ld_err *err);

#endif
