/*
 * rules_manifest.c - filing and cancelling a 联单 (DESIGN.md §5; 危险废物转移
 * 管理办法 2021 Art. 15-16): the producer part, the ledger-issued number, the
 * receiver's licence, cross-province approval, catalogue codes, hazards,
 * exemptions, and lineage draws from batches the filer holds.
 *
 * manifest.file body (schema/events/manifest.file.json):
 *   {"producer":{"id","name","address","contact","phone","emergency_phone"},
 *    "consignor":"producer"|"receiver", "receiver":USCC, "carrier":USCC,
 *    "approval":S (cross-province only), "paper":{"transferred_on","completed_on"},
 *    "lines":[{"name","internal_name","catalogue":"2021","code","category",
 *              "hazard":[..],"form","constituents","packaging","packages",
 *              "containers":[..],"qty_g","emergency","exemption":SEQ,
 *              "from":[{"batch","qty_g"}]}]}
 *
 * Number (Art. 15): event.manifest = YYYY PP CC SSSSSS, where YYYY is the
 * filing year (China Standard Time), PPCC the first four digits of the
 * filer's district, and SSSSSS exactly the next serial of that city and
 * year. A client reads the next number, signs the filing with it, and gets a
 * conflict when another filing took it first: the number is covered by the
 * producer's signature and no number is skipped or issued twice.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "liandan/body.h"
#include "liandan/domain.h"
#include "liandan/mem.h"
#include "liandan/tm.h"
#include "liandan/banned.h"

#define B "event.body"
#define MAX_LINES 99

/* ---- the number --------------------------------------------------------- */

static void
number_prefix(int64_t at, const char *district, char out[9])
{
    int y, m, d;

    ld_tm_civil_from_days(ld_domain_day(at), &y, &m, &d);
    snprintf(out, 9, "%04d%.4s", y, district);
}

static const char q_serial_get[] = "SELECT last FROM serials WHERE prefix = ?1";
static const char q_serial_put[] = "INSERT OR REPLACE INTO serials(prefix, last) VALUES (?1, ?2)";

/* Last serial issued under prefix (0 if none). */
static enum ld_rc
serial_last(struct ld_store *s, const char *prefix, int64_t *last)
{
    struct ld_store_q *q = NULL;
    enum ld_rc rc = ld_store_q(s, q_serial_get, &q);

    if (rc != LD_OK)
        return rc;
    ld_store_q_text(q, 1, prefix);
    rc = ld_store_q_step(q);
    *last = rc == LD_OK ? ld_store_q_col_int(q, 0) : 0;
    ld_store_q_done(q);
    return rc == LD_NOTFOUND ? LD_OK : rc;
}

int64_t
ld_manifest_next_number(struct ld_store *s, const char *filer, int64_t at)
{
    char district[7], prefix[9];
    int64_t last = 0;

    if (ld_domain_district(s, filer, district) != LD_OK || strlen(district) != 6)
        return 0;
    number_prefix(at, district, prefix);
    if (serial_last(s, prefix, &last) != LD_OK || last >= 999999)
        return 0;
    return strtoll(prefix, NULL, 10) * 1000000 + last + 1;
}

/* ---- the body ----------------------------------------------------------- */

struct fline {
    const cJSON *obj;      /* the line object */
    const char *name, *code, *category, *form;
    int64_t qty_g, packages;
    const cJSON *from;     /* draws, or NULL */
};

struct filing {
    const cJSON *producer;
    const char *producer_id, *consignor, *receiver, *carrier, *approval;
    int paper;
    int64_t transferred, completed;
    struct fline lines[MAX_LINES];
    size_t nlines;
};

static enum ld_rc
producer_shape(const cJSON *p, const char **id, struct ld_err *err)
{
    static const char *const names[] = {"id",      "name",  "address",
                                        "contact", "phone", "emergency_phone"};
    const char *base = B ".producer", *v;
    size_t i;
    enum ld_rc rc = ld_body_only(p, base, names, 6, err);

    if (rc == LD_OK)
        rc = ld_body_uscc(p, base, "id", 0, id, err);
    for (i = 1; rc == LD_OK && i < 6; i++)
        rc = ld_body_str(p, base, names[i], 200, 0, &v, err);
    return rc;
}

static enum ld_rc
line_shape(const cJSON *o, size_t k, struct fline *ln, struct ld_err *err)
{
    static const char *const names[] = {"name", "internal_name", "catalogue", "code", "category",
                                        "hazard", "form", "constituents", "packaging",
                                        "packages", "containers", "qty_g", "emergency",
                                        "exemption", "from"};
    static const char *const forms[] = {"solid", "semi-solid", "liquid", "gas"};
    char base[LD_BODY_PATH_MAX], path[LD_BODY_PATH_MAX];
    const char *v, *edition;
    const cJSON *hz, *it, *cont;
    const char *hv[8];
    size_t i, nh = 0;
    int64_t seq = 0;
    enum ld_rc rc;

    memset(ln, 0, sizeof *ln);
    ln->obj = o;
    ld_body_index(base, B ".lines", k);
    rc = ld_body_only(o, base, names, sizeof names / sizeof *names, err);
    if (rc == LD_OK)
        rc = ld_body_str(o, base, "name", 100, 0, &ln->name, err);
    if (rc == LD_OK)
        rc = ld_body_str(o, base, "internal_name", 100, LD_BODY_OPTIONAL, &v, err);
    if (rc == LD_OK)
        rc = ld_body_str(o, base, "catalogue", 8, 0, &edition, err);
    if (rc == LD_OK)
        rc = ld_body_str(o, base, "code", 10, 0, &ln->code, err);
    if (rc == LD_OK)
        rc = ld_body_str(o, base, "category", 4, 0, &ln->category, err);
    if (rc != LD_OK)
        return rc;
    /* Paths are formatted only where a refusal names them: this runs for
     * every line of every filing, in the writer's serial loop. */
    if (!ld_domain_edition_ok(edition))
        return ld_err_set(err, LD_INVALID, ld_body_path(path, base, "catalogue"),
                          "catalogue edition '%s' is not known (2021)", edition);
    if (!ld_domain_code_ok(edition, ln->code))
        return ld_err_set(err, LD_INVALID, ld_body_path(path, base, "code"),
                          "'%s' is not a waste code of the %s catalogue", ln->code, edition);
    if (!ld_domain_code_in_category(edition, ln->code, ln->category))
        return ld_err_set(err, LD_INVALID, ld_body_path(path, base, "category"),
                          "code %s is not in category %s", ln->code, ln->category);
    rc = ld_body_array(o, base, "hazard", 5, 0, &hz, err);
    if (rc != LD_OK)
        return rc;
    cJSON_ArrayForEach(it, hz)
    {
        char hbase[LD_BODY_PATH_MAX];
        if (!cJSON_IsString(it))
            return ld_err_set(err, LD_INVALID,
                              ld_body_index(path, ld_body_path(hbase, base, "hazard"), nh),
                              "hazard must be T, C, I, R or In");
        hv[nh++] = it->valuestring;
    }
    if (!ld_domain_hazard_ok(edition, ln->code, hv, nh))
        return ld_err_set(err, LD_INVALID, ld_body_path(path, base, "hazard"),
                          "hazard characteristics do not match those of code %s", ln->code);
    rc = ld_body_str(o, base, "form", 16, 0, &ln->form, err);
    if (rc != LD_OK)
        return rc;
    for (i = 0; i < 4 && strcmp(forms[i], ln->form) != 0; i++)
        ;
    if (i == 4)
        return ld_err_set(err, LD_INVALID, ld_body_path(path, base, "form"),
                          "form must be solid, semi-solid, liquid or gas");
    rc = ld_body_str(o, base, "constituents", 200, 0, &v, err);
    if (rc == LD_OK)
        rc = ld_body_str(o, base, "packaging", 50, 0, &v, err);
    if (rc == LD_OK)
        rc = ld_body_int(o, base, "packages", 1, 100000, 0, 0, &ln->packages, err);
    if (rc == LD_OK)
        rc = ld_body_int(o, base, "qty_g", 1, 1000000000000LL, 0, 0, &ln->qty_g, err);
    if (rc == LD_OK)
        rc = ld_body_str(o, base, "emergency", 500, 0, &v, err);
    if (rc == LD_OK)
        rc = ld_body_array(o, base, "containers", 10000, LD_BODY_OPTIONAL, &cont, err);
    if (rc == LD_OK && cont) {
        char cbase[LD_BODY_PATH_MAX];
        ld_body_path(cbase, base, "containers");
        i = 0;
        cJSON_ArrayForEach(it, cont)
        {
            ld_body_index(path, cbase, i++);
            if (!cJSON_IsString(it) || !ld_domain_container_ok(it->valuestring))
                return ld_err_set(err, LD_INVALID, path,
                                  "a container code is 1-64 characters of 0-9, A-Z and '-'");
        }
    }
    if (rc == LD_OK)
        rc = ld_body_int(o, base, "exemption", 1, 1000, LD_BODY_OPTIONAL, 0, &seq, err);
    if (rc == LD_OK && seq) {
        if (!ld_domain_exemption_covers(seq, ln->code))
            return ld_err_set(err, LD_INVALID, ld_body_path(path, base, "exemption"),
                              "exemption row %lld does not exempt transport of %s",
                              (long long)seq, ln->code);
    }
    if (rc == LD_OK)
        rc = ld_body_array(o, base, "from", 100, LD_BODY_OPTIONAL, &ln->from, err);
    if (rc == LD_OK && ln->from) {
        int64_t q;
        char fbase[LD_BODY_PATH_MAX];
        ld_body_path(fbase, base, "from");
        i = 0;
        cJSON_ArrayForEach(it, ln->from)
        {
            char fb[LD_BODY_PATH_MAX];
            static const char *const fn[] = {"batch", "qty_g"};
            ld_body_index(fb, fbase, i++);
            rc = ld_body_only(it, fb, fn, 2, err);
            if (rc == LD_OK)
                rc = ld_body_str(it, fb, "batch", 24, 0, &v, err);
            if (rc == LD_OK)
                rc = ld_body_int(it, fb, "qty_g", 1, 1000000000000LL, 0, 0, &q, err);
            if (rc != LD_OK)
                return rc;
        }
    }
    return rc;
}

static enum ld_rc
filing_shape(const cJSON *body, struct filing *f, struct ld_err *err)
{
    static const char *const names[] = {"producer", "consignor", "receiver", "carrier",
                                        "approval", "paper",     "lines"};
    const cJSON *lines, *it, *paper;
    enum ld_rc rc;

    memset(f, 0, sizeof *f);
    rc = ld_body_only(body, B, names, sizeof names / sizeof *names, err);
    if (rc == LD_OK)
        rc = ld_body_obj(body, B, "producer", 0, &f->producer, err);
    if (rc == LD_OK)
        rc = producer_shape(f->producer, &f->producer_id, err);
    if (rc == LD_OK)
        rc = ld_body_str(body, B, "consignor", 16, 0, &f->consignor, err);
    if (rc == LD_OK && strcmp(f->consignor, "producer") != 0 &&
        strcmp(f->consignor, "receiver") != 0)
        rc = ld_err_set(err, LD_INVALID, B ".consignor",
                        "consignor (托运人) must be the producer or the receiver");
    if (rc == LD_OK)
        rc = ld_body_uscc(body, B, "receiver", 0, &f->receiver, err);
    if (rc == LD_OK)
        rc = ld_body_uscc(body, B, "carrier", 0, &f->carrier, err);
    if (rc == LD_OK)
        rc = ld_body_str(body, B, "approval", 64, LD_BODY_OPTIONAL, &f->approval, err);
    if (rc == LD_OK)
        rc = ld_body_obj(body, B, "paper", LD_BODY_OPTIONAL, &paper, err);
    if (rc == LD_OK && paper) {
        static const char *const pn[] = {"transferred_on", "completed_on"};
        f->paper = 1;
        rc = ld_body_only(paper, B ".paper", pn, 2, err);
        if (rc == LD_OK)
            rc = ld_body_date(paper, B ".paper", "transferred_on", 0, 0, &f->transferred, err);
        if (rc == LD_OK)
            rc = ld_body_date(paper, B ".paper", "completed_on", 0, 0, &f->completed, err);
        if (rc == LD_OK && f->completed < f->transferred)
            rc = ld_err_set(err, LD_INVALID, B ".paper.completed_on",
                            "completed_on is before transferred_on");
    }
    if (rc == LD_OK)
        rc = ld_body_array(body, B, "lines", MAX_LINES, 0, &lines, err);
    if (rc != LD_OK)
        return rc;
    /* Every line is checked, so that the filer learns of each bad line at once. */
    cJSON_ArrayForEach(it, lines)
    {
        enum ld_rc lrc = line_shape(it, f->nlines, &f->lines[f->nlines], err);
        if (rc == LD_OK)
            rc = lrc;
        f->nlines++;
    }
    return rc;
}

/* ---- holdings ----------------------------------------------------------- */

/* What a holder may still ship on: what came in, less what it already shipped
 * on, less what it disposed of (disposal is recorded on the batch's line). */
static const char q_holding[] =
    "SELECT h.qty_g - h.drawn_g - COALESCE((SELECT l.disposed_g FROM lines l "
    "WHERE l.batch = h.batch), 0) FROM holdings h WHERE h.batch = ?1 AND h.holder = ?2";
static const char q_draw[] =
    "UPDATE holdings SET drawn_g = drawn_g + ?3 WHERE batch = ?1 AND holder = ?2";
static const char q_source_put[] =
    "INSERT OR REPLACE INTO sources(batch, source, qty_g) VALUES (?1, ?2, ?3)";

/* Grams of batch still held by holder (-1 when it holds none of it). */
static enum ld_rc
holding_left(struct ld_store *s, const char *batch, const char *holder, int64_t *left)
{
    struct ld_store_q *q = NULL;
    enum ld_rc rc = ld_store_q(s, q_holding, &q);

    if (rc != LD_OK)
        return rc;
    ld_store_q_text(q, 1, batch);
    ld_store_q_text(q, 2, holder);
    rc = ld_store_q_step(q);
    *left = rc == LD_OK ? ld_store_q_col_int(q, 0) : -1;
    ld_store_q_done(q);
    return rc == LD_NOTFOUND ? LD_OK : rc;
}

enum ld_rc
ld_manifest_draw(struct ld_store *s, const char *batch, const char *holder, int64_t qty_g)
{
    struct ld_store_q *q = NULL;
    enum ld_rc rc = ld_store_q(s, q_draw, &q);

    if (rc != LD_OK)
        return rc;
    ld_store_q_text(q, 1, batch);
    ld_store_q_text(q, 2, holder);
    ld_store_q_int(q, 3, qty_g);
    return ld_store_q_exec(q);
}

/* The filer must hold every source, and a line (and the lines together) may
 * not draw more than a source holds. */
/* Remember the first refusal of a run of independent checks. */
static void
keep(enum ld_rc *first, enum ld_rc rc)
{
    if (*first == LD_OK)
        *first = rc;
}

static enum ld_rc
check_draws(struct ld_store *s, const struct filing *f, struct ld_err *err)
{
    size_t i, j, k;
    enum ld_rc rc, first = LD_OK;

    for (i = 0; i < f->nlines; i++) {
        const cJSON *d;
        k = 0;
        if (!f->lines[i].from)
            continue;
        cJSON_ArrayForEach(d, f->lines[i].from)
        {
            const char *batch = cJSON_GetObjectItemCaseSensitive(d, "batch")->valuestring;
            int64_t want = 0, left = 0;
            char path[LD_BODY_PATH_MAX];

            snprintf(path, sizeof path, B ".lines[%zu].from[%zu].qty_g", i, k++);
            /* Everything this filing draws from the same batch. */
            for (j = 0; j < f->nlines; j++) {
                const cJSON *e;
                if (!f->lines[j].from)
                    continue;
                cJSON_ArrayForEach(e, f->lines[j].from)
                if (strcmp(cJSON_GetObjectItemCaseSensitive(e, "batch")->valuestring, batch) == 0)
                    want += (int64_t)cJSON_GetObjectItemCaseSensitive(e, "qty_g")->valuedouble;
            }
            rc = holding_left(s, batch, f->producer_id, &left);
            if (rc != LD_OK)
                return ld_err_set(err, rc, "", "cannot read holdings");
            /* Go on after a refusal: every overdrawn source is reported. */
            if (left < 0)
                keep(&first, ld_err_set(err, LD_RULE, path, "%s holds no batch %s",
                                        f->producer_id, batch));
            else if (want > left)
                keep(&first, ld_err_set(err, LD_RULE, path,
                                        "draws %lld g from batch %s, which holds %lld g",
                                        (long long)want, batch, (long long)left));
        }
    }
    return first;
}

/* ---- manifest.file ------------------------------------------------------ */

/* A load refused by its receiver may go back to its producer, who needs no
 * disposal licence for it: true when every line draws only on rejected parts
 * ("NUMBER-LLR") of manifests that `receiver` filed. */
static int
returns_to_producer(struct ld_store *s, const struct filing *f)
{
    size_t i;

    for (i = 0; i < f->nlines; i++) {
        const cJSON *d;
        if (!f->lines[i].from)
            return 0;
        cJSON_ArrayForEach(d, f->lines[i].from)
        {
            const char *b = cJSON_GetObjectItemCaseSensitive(d, "batch")->valuestring;
            struct ld_domain_manifest m;
            if (b[0] == '\0' || b[strlen(b) - 1] != 'R' ||
                ld_domain_manifest_get(s, strtoll(b, NULL, 10), &m) != LD_OK ||
                strcmp(m.producer, f->receiver) != 0)
                return 0;
        }
    }
    return 1;
}

static enum ld_rc
file_check(struct ld_store *s, const struct ld_event *ev, struct ld_err *err)
{
    struct filing f;
    enum ld_rc first = LD_OK;
    char district[7], rdistrict[7], prefix[9];
    const char *rrole;
    int64_t last = 0, day = ld_domain_day(ev->at), want;
    size_t i;
    enum ld_rc rc;

    rc = filing_shape(ev->body, &f, err);
    if (rc != LD_OK)
        return rc;
    if (strcmp(f.producer_id, ev->actor) != 0)
        return ld_err_set(err, LD_RULE, B ".producer.id",
                          "the filer (%s) must sign its own manifest", f.producer_id);
    if (ld_domain_role(s, ev->actor, "producer", B ".producer.id", NULL) != LD_OK &&
        ld_domain_role(s, ev->actor, "collector", B ".producer.id", NULL) != LD_OK &&
        ld_domain_role(s, ev->actor, "receiver", B ".producer.id", NULL) != LD_OK)
        return ld_err_set(err, LD_RULE, B ".producer.id",
                          "%s may not file: it is not registered as a producer, collector or "
                          "receiver", ev->actor);
    /* The number (Art. 15). */
    rc = ld_domain_district(s, ev->actor, district);
    if (rc != LD_OK)
        return ld_err_set(err, LD_DB, "", "cannot read the filer's district");
    number_prefix(ev->at, district, prefix);
    rc = serial_last(s, prefix, &last);
    if (rc != LD_OK)
        return ld_err_set(err, rc, "", "cannot read manifest serials");
    if (last >= 999999)
        return ld_err_set(err, LD_RULE, "event.manifest",
                          "the serials of city %.4s for %.4s are used up", prefix + 4, prefix);
    want = strtoll(prefix, NULL, 10) * 1000000 + last + 1;
    if (ev->manifest != want) {
        if (ev->manifest / 1000000 == want / 1000000 && ev->manifest < want)
            return ld_err_set(err, LD_CONFLICT, "event.manifest",
                              "number %lld is taken: the next is %lld", (long long)ev->manifest,
                              (long long)want);
        return ld_err_set(err, LD_RULE, "event.manifest",
                          "the manifest number must be %lld (year, the filer's city, next serial)",
                          (long long)want);
    }
    /* Receiver: a disposal licence, or a collector's scope, covering every line;
     * or the producer taking back its own rejected load. */
    if (returns_to_producer(s, &f))
        rrole = NULL;
    else if (ld_domain_role(s, f.receiver, "receiver", B ".receiver", NULL) == LD_OK)
        rrole = "disposal";
    else if (ld_domain_role(s, f.receiver, "collector", B ".receiver", NULL) == LD_OK)
        rrole = "collection";
    else
        return ld_err_set(err, LD_RULE, B ".receiver",
                          "%s is not registered as a receiver or collector", f.receiver);
    rc = rrole ? ld_domain_licence(s, f.receiver, rrole, f.paper ? f.transferred : day,
                                   B ".receiver", err)
               : LD_OK;
    if (rc != LD_OK)
        return rc;
    /* From here each check is independent of the others: all run, and every
     * refusal is reported (ld_err keeps the first and the further ones). */
    for (i = 0; rrole && i < f.nlines; i++) {
        char path[LD_BODY_PATH_MAX];
        snprintf(path, sizeof path, B ".lines[%zu].code", i);
        if (!ld_domain_scope(s, f.receiver, rrole, f.lines[i].code, f.lines[i].category))
            keep(&first, ld_err_set(err, LD_RULE, path, "receiver %s is not licensed for %s (%s)",
                                    f.receiver, f.lines[i].code, f.lines[i].category));
    }
    rc = ld_domain_role(s, f.carrier, "carrier", B ".carrier", err);
    if (rc == LD_DB || rc == LD_BUSY)
        return rc;
    keep(&first, rc);
    /* Cross-province transfers need the approval number. */
    if (ld_domain_district(s, f.receiver, rdistrict) == LD_OK &&
        strncmp(rdistrict, district, 2) != 0 && f.approval == NULL)
        keep(&first, ld_err_set(err, LD_RULE, B ".approval",
                                "receiver is in another province (%.2s): the approval number "
                                "is required", rdistrict));
    if (f.paper && f.completed > day)
        keep(&first, ld_err_set(err, LD_INVALID, B ".paper.completed_on",
                                "a paper transfer cannot complete after it is entered"));
    rc = check_draws(s, &f, err);
    if (rc == LD_DB || rc == LD_BUSY)
        return rc;
    keep(&first, rc);
    return first;
}

static const char q_man_put[] =
    "INSERT INTO manifests(number, producer, receiver, carrier, district, state, paper, "
    "filed_at, completed_at, leg, leg_carrier, discrepancy, returned) "
    "VALUES (?1, ?2, ?3, ?4, ?5, 'filed', ?6, ?7, ?8, 0, NULL, 0, ?9)";
static const char q_line_put[] =
    "INSERT INTO lines(batch, manifest, line, code, category, name, qty_g, packages, disposed_g) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 0)";

static enum ld_rc
file_apply(struct ld_store *s, const struct ld_event *ev, uint64_t idx)
{
    struct filing f;
    struct ld_store_q *q = NULL;
    char district[7] = "", prefix[9], batch[24];
    size_t i;
    enum ld_rc rc;

    (void)idx;
    if (filing_shape(ev->body, &f, NULL) != LD_OK)
        return LD_TAMPERED;
    ld_domain_district(s, ev->actor, district);
    number_prefix(ev->at, district, prefix);
    rc = ld_store_q(s, q_serial_put, &q);
    if (rc == LD_OK) {
        ld_store_q_text(q, 1, prefix);
        ld_store_q_int(q, 2, ev->manifest % 1000000);
        rc = ld_store_q_exec(q);
    }
    if (rc == LD_OK)
        rc = ld_store_q(s, q_man_put, &q);
    if (rc == LD_OK) {
        ld_store_q_int(q, 1, ev->manifest);
        ld_store_q_text(q, 2, ev->actor);
        ld_store_q_text(q, 3, f.receiver);
        ld_store_q_text(q, 4, f.carrier);
        ld_store_q_text(q, 5, district);
        ld_store_q_int(q, 6, f.paper);
        ld_store_q_int(q, 7, ev->at);
        if (f.paper)
            ld_store_q_int(q, 8, f.completed * LD_TM_DAY);
        else
            ld_store_q_null(q, 8);
        ld_store_q_int(q, 9, returns_to_producer(s, &f));
        rc = ld_store_q_exec(q);
    }
    for (i = 0; rc == LD_OK && i < f.nlines; i++) {
        const struct fline *ln = &f.lines[i];
        const cJSON *d;

        snprintf(batch, sizeof batch, "%lld-%02zu", (long long)ev->manifest, i + 1);
        rc = ld_store_q(s, q_line_put, &q);
        if (rc != LD_OK)
            break;
        ld_store_q_text(q, 1, batch);
        ld_store_q_int(q, 2, ev->manifest);
        ld_store_q_int(q, 3, (int64_t)i + 1);
        ld_store_q_text(q, 4, ln->code);
        ld_store_q_text(q, 5, ln->category);
        ld_store_q_text(q, 6, ln->name);
        ld_store_q_int(q, 7, ln->qty_g);
        ld_store_q_int(q, 8, ln->packages);
        rc = ld_store_q_exec(q);
        if (!ln->from)
            continue;
        cJSON_ArrayForEach(d, ln->from)
        {
            const char *src = cJSON_GetObjectItemCaseSensitive(d, "batch")->valuestring;
            int64_t qty = (int64_t)cJSON_GetObjectItemCaseSensitive(d, "qty_g")->valuedouble;
            if (rc == LD_OK)
                rc = ld_manifest_draw(s, src, ev->actor, qty);
            if (rc == LD_OK)
                rc = ld_store_q(s, q_source_put, &q);
            if (rc != LD_OK)
                break;
            ld_store_q_text(q, 1, batch);
            ld_store_q_text(q, 2, src);
            ld_store_q_int(q, 3, qty);
            rc = ld_store_q_exec(q);
            /* Shipping an accepted batch on may complete its manifest. */
            if (rc == LD_OK && src[strlen(src) - 1] != 'R')
                rc = ld_manifest_maybe_close(s, strtoll(src, NULL, 10), ev->actor, ev->at);
        }
    }
    return rc;
}

/* ---- manifest.cancel ---------------------------------------------------- */

static enum ld_rc
cancel_check(struct ld_store *s, const struct ld_event *ev, struct ld_err *err)
{
    static const char *const names[] = {"reason"};
    struct ld_domain_manifest m;
    const char *reason;
    enum ld_rc rc = ld_body_only(ev->body, B, names, 1, err);

    if (rc == LD_OK)
        rc = ld_body_str(ev->body, B, "reason", 500, 0, &reason, err);
    if (rc != LD_OK)
        return rc;
    rc = ld_domain_manifest_get(s, ev->manifest, &m);
    if (rc == LD_NOTFOUND)
        return ld_err_set(err, LD_RULE, "event.manifest", "no manifest %lld",
                          (long long)ev->manifest);
    if (rc != LD_OK)
        return ld_err_set(err, rc, "", "cannot read manifests");
    if (strcmp(m.producer, ev->actor) != 0)
        return ld_err_set(err, LD_RULE, "event.actor", "only the filer %s may cancel",
                          m.producer);
    if (strcmp(m.state, "filed") != 0)
        return ld_err_set(err, LD_RULE, "event.manifest",
                          "a manifest can be cancelled only before pickup (it is %s)", m.state);
    return LD_OK;
}

static const char q_sources_of[] =
    "SELECT s.source, s.qty_g FROM sources s JOIN lines l ON l.batch = s.batch "
    "WHERE l.manifest = ?1";

static enum ld_rc
cancel_apply(struct ld_store *s, const struct ld_event *ev, uint64_t idx)
{
    struct ld_store_q *q = NULL;
    char (*src)[24] = NULL;
    int64_t *qty = NULL;
    size_t n = 0, cap = 0, i;
    enum ld_rc rc;

    (void)idx;
    /* Give back what the cancelled lines drew. */
    rc = ld_store_q(s, q_sources_of, &q);
    if (rc != LD_OK)
        return rc;
    ld_store_q_int(q, 1, ev->manifest);
    while ((rc = ld_store_q_step(q)) == LD_OK) {
        if (n == cap) {
            cap = cap ? 2 * cap : 8;
            src = ld_xrealloc(src, cap * sizeof *src);
            qty = ld_xrealloc(qty, cap * sizeof *qty);
        }
        snprintf(src[n], sizeof src[n], "%s", ld_store_q_col_text(q, 0));
        qty[n++] = ld_store_q_col_int(q, 1);
    }
    ld_store_q_done(q);
    rc = rc == LD_NOTFOUND ? LD_OK : rc;
    for (i = 0; rc == LD_OK && i < n; i++) {
        rc = ld_manifest_draw(s, src[i], ev->actor, -qty[i]);
        /* A source that the cancelled draws had closed is open again. */
        if (rc == LD_OK && src[i][strlen(src[i]) - 1] != 'R')
            rc = ld_manifest_reopen(s, strtoll(src[i], NULL, 10), ev->actor);
    }
    free(src);
    free(qty);
    if (rc == LD_OK)
        rc = ld_domain_manifest_state(s, ev->manifest, "cancelled", NULL, 0);
    return rc;
}

const struct ld_rule ld_rules_manifest[] = {
    {"manifest.file", LD_RULE_MANIFEST, NULL, file_check, file_apply},
    {"manifest.cancel", LD_RULE_MANIFEST, NULL, cancel_check, cancel_apply},
};
const size_t ld_rules_manifest_count = sizeof ld_rules_manifest / sizeof *ld_rules_manifest;
