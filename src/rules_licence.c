/*
 * rules_licence.c - licences and permits the regulator records (DESIGN.md §5
 * "Licences"; issue 3): a receiver's 危险废物经营许可证 (codes or categories,
 * methods, annual capacity per category, validity), a collector's scope, a
 * carrier's road-transport permit with its vehicles.
 *
 *   party.licence {"id","kind":"disposal"|"collection","number","valid_from",
 *                  "valid_until","codes":[CODE|HWxx...],"methods":[M...],
 *                  "capacity_g":{"HWxx":N...}}
 *   party.permit  {"id","number","valid_from","valid_until","vehicles":[PLATE...]}
 *
 * Both are chained with the party's registry history ("p:USCC"); a new one
 * replaces the previous of the same kind in the derived tables.
 */
#include <stdio.h>
#include <string.h>

#include "liandan/body.h"
#include "liandan/domain.h"

#include "liandan/party.h"
#include "liandan/banned.h"

#define B "event.body"

struct licence {
    const char *id, *kind, *number;
    int64_t from, until;
    const cJSON *codes, *methods, *capacity, *vehicles;
};

static enum ld_rc
common(const cJSON *body, struct licence *li, struct ld_err *err)
{
    enum ld_rc rc;

    rc = ld_body_uscc(body, B, "id", 0, &li->id, err);
    if (rc == LD_OK)
        rc = ld_body_str(body, B, "number", 64, 0, &li->number, err);
    if (rc == LD_OK)
        rc = ld_body_date(body, B, "valid_from", 0, 0, &li->from, err);
    if (rc == LD_OK)
        rc = ld_body_date(body, B, "valid_until", 0, 0, &li->until, err);
    if (rc == LD_OK && li->until < li->from)
        rc = ld_err_set(err, LD_INVALID, B ".valid_until", "valid_until is before valid_from");
    return rc;
}

/* Parse a party.licence body; with s, also check it against the state. */
static enum ld_rc
licence_shape(const cJSON *body, struct licence *li, struct ld_err *err)
{
    static const char *const names[] = {"id", "kind", "number", "valid_from", "valid_until",
                                        "codes", "methods", "capacity_g"};
    const cJSON *it;
    char path[LD_BODY_PATH_MAX];
    size_t i = 0;
    enum ld_rc rc;

    memset(li, 0, sizeof *li);
    rc = ld_body_only(body, B, names, sizeof names / sizeof *names, err);
    if (rc == LD_OK)
        rc = common(body, li, err);
    if (rc == LD_OK)
        rc = ld_body_str(body, B, "kind", 16, 0, &li->kind, err);
    if (rc != LD_OK)
        return rc;
    if (strcmp(li->kind, "disposal") != 0 && strcmp(li->kind, "collection") != 0)
        return ld_err_set(err, LD_INVALID, B ".kind", "kind must be disposal or collection");
    rc = ld_body_array(body, B, "codes", 1000, 0, &li->codes, err);
    if (rc != LD_OK)
        return rc;
    cJSON_ArrayForEach(it, li->codes)
    {
        ld_body_index(path, B ".codes", i++);
        if (!cJSON_IsString(it) || (ld_domain_category_ok(it->valuestring) == 0 &&
                                    ld_domain_code_ok("2021", it->valuestring) == 0))
            return ld_err_set(err, LD_INVALID, path,
                              "must be a waste code of the catalogue or a category HWxx");
    }
    rc = ld_body_array(body, B, "methods", 64,
                       strcmp(li->kind, "disposal") == 0 ? 0 : LD_BODY_OPTIONAL, &li->methods,
                       err);
    if (rc != LD_OK)
        return rc;
    i = 0;
    if (li->methods)
        cJSON_ArrayForEach(it, li->methods)
        {
            ld_body_index(path, B ".methods", i++);
            if (!cJSON_IsString(it) || !ld_domain_method_ok(it->valuestring))
                return ld_err_set(err, LD_INVALID, path,
                                  "must be a utilisation/disposal method code (R1, D10, ...)");
        }
    rc = ld_body_obj(body, B, "capacity_g", LD_BODY_OPTIONAL, &li->capacity, err);
    if (rc != LD_OK)
        return rc;
    if (li->capacity)
        cJSON_ArrayForEach(it, li->capacity)
        {
            ld_body_path(path, B ".capacity_g", it->string);
            if (!ld_domain_category_ok(it->string) || !cJSON_IsNumber(it) ||
                it->valuedouble < 0)
                return ld_err_set(err, LD_INVALID, path,
                                  "capacity is per category HWxx, in grams per year");
        }
    return LD_OK;
}

static enum ld_rc
licence_check(struct ld_store *s, const struct ld_event *ev, struct ld_err *err)
{
    struct licence li;
    enum ld_rc rc = licence_shape(ev->body, &li, err);

    if (rc != LD_OK)
        return rc;
    return ld_domain_role(s, li.id, strcmp(li.kind, "disposal") == 0 ? "receiver" : "collector",
                          B ".id", err);
}

static const char q_lic_put[] =
    "INSERT OR REPLACE INTO licences(party, kind, number, valid_from, valid_until, idx) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
static const char q_scope_clear[] = "DELETE FROM licence_scope WHERE party = ?1 AND kind = ?2";
static const char q_scope_put[] =
    "INSERT OR REPLACE INTO licence_scope(party, kind, item, capacity_g, licensed) "
    "VALUES (?1, ?2, ?3, ?4, ?5)";
static const char q_vehicles_clear[] = "DELETE FROM vehicles WHERE party = ?1";
static const char q_vehicle_put[] = "INSERT OR REPLACE INTO vehicles(party, plate) VALUES (?1, ?2)";

static enum ld_rc
put_licence(struct ld_store *s, const struct licence *li, const char *kind, uint64_t idx)
{
    struct ld_store_q *q = NULL;
    enum ld_rc rc = ld_store_q(s, q_lic_put, &q);

    if (rc != LD_OK)
        return rc;
    ld_store_q_text(q, 1, li->id);
    ld_store_q_text(q, 2, kind);
    ld_store_q_text(q, 3, li->number);
    ld_store_q_int(q, 4, li->from);
    ld_store_q_int(q, 5, li->until);
    ld_store_q_int(q, 6, (int64_t)idx);
    rc = ld_store_q_exec(q);
    if (rc == LD_OK)
        rc = ld_store_q(s, q_scope_clear, &q);
    if (rc == LD_OK) {
        ld_store_q_text(q, 1, li->id);
        ld_store_q_text(q, 2, kind);
        rc = ld_store_q_exec(q);
    }
    return rc;
}

/* licensed: 1 when the licence covers item, 0 for a capacity figure of a
 * category the licence does not list (it must not widen the licence). */
static enum ld_rc
scope_put(struct ld_store *s, const char *id, const char *kind, const char *item, int64_t cap,
          int licensed)
{
    struct ld_store_q *q = NULL;
    enum ld_rc rc = ld_store_q(s, q_scope_put, &q);

    if (rc != LD_OK)
        return rc;
    ld_store_q_text(q, 1, id);
    ld_store_q_text(q, 2, kind);
    ld_store_q_text(q, 3, item);
    if (cap >= 0)
        ld_store_q_int(q, 4, cap);
    else
        ld_store_q_null(q, 4);
    ld_store_q_int(q, 5, licensed);
    return ld_store_q_exec(q);
}

static enum ld_rc
licence_apply(struct ld_store *s, const struct ld_event *ev, uint64_t idx)
{
    struct licence li;
    const cJSON *it, *cap;
    enum ld_rc rc;

    if (licence_shape(ev->body, &li, NULL) != LD_OK)
        return LD_TAMPERED;
    rc = put_licence(s, &li, li.kind, idx);
    cJSON_ArrayForEach(it, li.codes)
    {
        if (rc != LD_OK)
            break;
        cap = li.capacity ? cJSON_GetObjectItemCaseSensitive(li.capacity, it->valuestring) : NULL;
        rc = scope_put(s, li.id, li.kind, it->valuestring, cap ? (int64_t)cap->valuedouble : -1,
                       1);
    }
    if (li.methods)
        cJSON_ArrayForEach(it, li.methods)
        {
            if (rc != LD_OK)
                break;
            rc = scope_put(s, li.id, li.kind, it->valuestring, -1, 1);
        }
    /* Capacities of categories not listed as such (the licence names some of
     * their codes) are recorded for the audit without licensing the category. */
    if (li.capacity)
        cJSON_ArrayForEach(cap, li.capacity)
        {
            if (rc != LD_OK)
                break;
            if (!ld_domain_scope(s, li.id, li.kind, cap->string, NULL))
                rc = scope_put(s, li.id, li.kind, cap->string, (int64_t)cap->valuedouble, 0);
        }
    return rc;
}

static enum ld_rc
permit_shape(const cJSON *body, struct licence *li, struct ld_err *err)
{
    static const char *const names[] = {"id", "number", "valid_from", "valid_until", "vehicles"};
    const cJSON *it;
    char path[LD_BODY_PATH_MAX];
    size_t i = 0;
    enum ld_rc rc;

    memset(li, 0, sizeof *li);
    rc = ld_body_only(body, B, names, sizeof names / sizeof *names, err);
    if (rc == LD_OK)
        rc = common(body, li, err);
    if (rc == LD_OK)
        rc = ld_body_array(body, B, "vehicles", 500, 0, &li->vehicles, err);
    if (rc != LD_OK)
        return rc;
    cJSON_ArrayForEach(it, li->vehicles)
    {
        ld_body_index(path, B ".vehicles", i++);
        if (!cJSON_IsString(it) || !ld_domain_plate_ok(it->valuestring))
            return ld_err_set(err, LD_INVALID, path,
                              "must be a vehicle or trailer plate such as 辽B12345 or 辽B1234挂");
    }
    return LD_OK;
}

static enum ld_rc
permit_check(struct ld_store *s, const struct ld_event *ev, struct ld_err *err)
{
    struct licence li;
    enum ld_rc rc = permit_shape(ev->body, &li, err);

    if (rc != LD_OK)
        return rc;
    return ld_domain_role(s, li.id, "carrier", B ".id", err);
}

static enum ld_rc
permit_apply(struct ld_store *s, const struct ld_event *ev, uint64_t idx)
{
    struct licence li;
    struct ld_store_q *q = NULL;
    const cJSON *it;
    enum ld_rc rc;

    if (permit_shape(ev->body, &li, NULL) != LD_OK)
        return LD_TAMPERED;
    rc = put_licence(s, &li, "transport", idx);
    if (rc == LD_OK)
        rc = ld_store_q(s, q_vehicles_clear, &q);
    if (rc == LD_OK) {
        ld_store_q_text(q, 1, li.id);
        rc = ld_store_q_exec(q);
    }
    cJSON_ArrayForEach(it, li.vehicles)
    {
        if (rc == LD_OK)
            rc = ld_store_q(s, q_vehicle_put, &q);
        if (rc != LD_OK)
            break;
        ld_store_q_text(q, 1, li.id);
        ld_store_q_text(q, 2, it->valuestring);
        rc = ld_store_q_exec(q);
    }
    return rc;
}

const struct ld_rule ld_rules_licence[] = {
    {"party.licence", LD_RULE_REGULATOR | LD_RULE_NO_MANIFEST, ld_party_chain, licence_check,
     licence_apply},
    {"party.permit", LD_RULE_REGULATOR | LD_RULE_NO_MANIFEST, ld_party_chain, permit_check,
     permit_apply},
};
const size_t ld_rules_licence_count = sizeof ld_rules_licence / sizeof *ld_rules_licence;
