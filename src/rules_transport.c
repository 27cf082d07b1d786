/*
 * rules_transport.c - the carrier part (DESIGN.md §5; Art. 17-18 of the 2021
 * Measures): pickup by the planned carrier, hand-over to the next leg's
 * carrier (multimodal transport), arrival at the receiver.
 *
 *   transport.pickup   {"vehicle","trailer","driver":{"name","licence"},
 *                       "escort":{"name","licence"},"start","route","packages":[N..],
 *                       "track":SHA256HEX}
 *   transport.handover {"from":USCC,"place","vehicle","trailer","driver","escort"}
 *   transport.arrive   {"place","track":SHA256HEX}
 *
 * A vehicle outside the carrier's permitted fleet is accepted (fleets change
 * faster than permits are re-recorded) and reported by `liandan audit`; the
 * carrier must hold a transport permit valid on the day.
 */
#include <stdio.h>
#include <string.h>

#include "liandan/body.h"
#include "liandan/domain.h"

#include "liandan/banned.h"

#define B "event.body"

static enum ld_rc
person(const cJSON *body, const char *name, unsigned flags, struct ld_err *err)
{
    static const char *const names[] = {"name", "licence"};
    char base[LD_BODY_PATH_MAX];
    const cJSON *o = NULL;
    const char *v;
    enum ld_rc rc = ld_body_obj(body, B, name, flags, &o, err);

    if (rc != LD_OK || o == NULL)
        return rc;
    ld_body_path(base, B, name);
    rc = ld_body_only(o, base, names, 2, err);
    if (rc == LD_OK)
        rc = ld_body_str(o, base, "name", 50, 0, &v, err);
    if (rc == LD_OK)
        rc = ld_body_str(o, base, "licence", 50, 0, &v, err);
    return rc;
}

static enum ld_rc
plate(const cJSON *body, const char *name, unsigned flags, const char **out, struct ld_err *err)
{
    char path[LD_BODY_PATH_MAX];
    enum ld_rc rc = ld_body_str(body, B, name, 32, flags, out, err);

    if (rc != LD_OK || *out == NULL)
        return rc;
    ld_body_path(path, B, name);
    if (!ld_domain_plate_ok(*out))
        return ld_err_set(err, LD_INVALID, path, "'%s' is not a vehicle plate", *out);
    return LD_OK;
}

static enum ld_rc
track(const cJSON *body, struct ld_err *err)
{
    const char *t = NULL;
    size_t i;
    enum ld_rc rc = ld_body_str(body, B, "track", 64, LD_BODY_OPTIONAL, &t, err);

    if (rc != LD_OK || t == NULL)
        return rc;
    for (i = 0; t[i]; i++)
        if (!((t[i] >= '0' && t[i] <= '9') || (t[i] >= 'a' && t[i] <= 'f')))
            break;
    if (i != 64 || t[i])
        return ld_err_set(err, LD_INVALID, B ".track",
                          "track is the SHA-256 (64 lowercase hex) of the attached GPS track");
    return LD_OK;
}

struct leg {
    const char *vehicle, *trailer, *from;
};

/* The first failure of two checks that both ran (a 422 lists every violation:
 * ld_err_set keeps the later ones in err->more). */
static enum ld_rc
both(enum ld_rc a, enum ld_rc b)
{
    return a != LD_OK ? a : b;
}

static enum ld_rc
packages(const cJSON *body, struct ld_err *err)
{
    const cJSON *pk, *it;
    enum ld_rc rc = ld_body_array(body, B, "packages", 99, 0, &pk, err);

    if (rc != LD_OK)
        return rc;
    cJSON_ArrayForEach(it, pk)
    {
        if (!cJSON_IsNumber(it) || it->valuedouble < 0)
            return ld_err_set(err, LD_INVALID, B ".packages", "packages are counts, one per line");
    }
    return LD_OK;
}

/* Every field is checked, each failure reported (the first returned). */
static enum ld_rc
leg_shape(const cJSON *body, int pickup, struct leg *lg, struct ld_err *err)
{
    static const char *const pnames[] = {"vehicle", "trailer", "driver", "escort", "start",
                                         "route", "packages", "track"};
    static const char *const hnames[] = {"from", "place", "vehicle", "trailer", "driver",
                                         "escort"};
    const char *v;
    enum ld_rc rc;

    memset(lg, 0, sizeof *lg);
    rc = pickup ? ld_body_only(body, B, pnames, 8, err) : ld_body_only(body, B, hnames, 6, err);
    rc = both(rc, plate(body, "vehicle", 0, &lg->vehicle, err));
    rc = both(rc, plate(body, "trailer", LD_BODY_OPTIONAL, &lg->trailer, err));
    rc = both(rc, person(body, "driver", 0, err));
    rc = both(rc, person(body, "escort", 0, err));
    if (pickup) {
        rc = both(rc, ld_body_str(body, B, "start", 200, 0, &v, err));
        rc = both(rc, ld_body_str(body, B, "route", 500, LD_BODY_OPTIONAL, &v, err));
        rc = both(rc, packages(body, err));
        rc = both(rc, track(body, err));
    } else {
        rc = both(rc, ld_body_uscc(body, B, "from", 0, &lg->from, err));
        rc = both(rc, ld_body_str(body, B, "place", 200, 0, &v, err));
    }
    return rc;
}

static enum ld_rc
manifest_of(struct ld_store *s, const struct ld_event *ev, struct ld_domain_manifest *m,
            struct ld_err *err)
{
    enum ld_rc rc = ld_domain_manifest_get(s, ev->manifest, m);

    if (rc == LD_NOTFOUND)
        return ld_err_set(err, LD_RULE, "event.manifest", "no manifest %lld",
                          (long long)ev->manifest);
    if (rc != LD_OK)
        return ld_err_set(err, rc, "", "cannot read manifests");
    return LD_OK;
}

/* Shape first; then every rule of the manifest's state, each reported. */
static enum ld_rc
pickup_check(struct ld_store *s, const struct ld_event *ev, struct ld_err *err)
{
    struct ld_domain_manifest m;
    struct leg lg;
    const cJSON *pk;
    enum ld_rc rc = leg_shape(ev->body, 1, &lg, err);

    if (rc == LD_OK)
        rc = manifest_of(s, ev, &m, err);
    if (rc != LD_OK)
        return rc;
    if (strcmp(m.state, "filed") != 0)
        rc = ld_err_set(err, LD_RULE, "event.manifest", "pickup needs a filed manifest (it is %s)",
                        m.state);
    if (strcmp(m.carrier, ev->actor) != 0)
        rc = both(rc, ld_err_set(err, LD_RULE, "event.actor", "the manifest names carrier %s",
                                 m.carrier));
    pk = cJSON_GetObjectItemCaseSensitive(ev->body, "packages");
    if (cJSON_GetArraySize(pk) != m.nlines)
        rc = both(rc, ld_err_set(err, LD_INVALID, B ".packages",
                                 "packages must give one count per line (%d)", m.nlines));
    if (strcmp(m.carrier, ev->actor) == 0) /* the permit of the carrier named */
        rc = both(rc, ld_domain_licence(s, ev->actor, "transport", ld_domain_day(ev->at),
                                        "event.actor", err));
    return rc;
}

static const char q_fleet[] = "SELECT 1 FROM vehicles WHERE party = ?1 AND plate = ?2";
static const char q_leg_put[] =
    "INSERT INTO legs(manifest, leg, carrier, vehicle, trailer, in_fleet, started_at) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";
static const char q_leg_move[] =
    "UPDATE manifests SET leg = ?2, leg_carrier = ?3 WHERE number = ?1";

static int
in_fleet(struct ld_store *s, const char *carrier, const char *plate_)
{
    struct ld_store_q *q = NULL;
    int found;

    if (plate_ == NULL)
        return 1;
    if (ld_store_q(s, q_fleet, &q) != LD_OK)
        return 0;
    ld_store_q_text(q, 1, carrier);
    ld_store_q_text(q, 2, plate_);
    found = ld_store_q_step(q) == LD_OK;
    ld_store_q_done(q);
    return found;
}

static enum ld_rc
add_leg(struct ld_store *s, const struct ld_event *ev, int64_t leg, const struct leg *lg)
{
    struct ld_store_q *q = NULL;
    enum ld_rc rc = ld_store_q(s, q_leg_put, &q);

    if (rc != LD_OK)
        return rc;
    ld_store_q_int(q, 1, ev->manifest);
    ld_store_q_int(q, 2, leg);
    ld_store_q_text(q, 3, ev->actor);
    ld_store_q_text(q, 4, lg->vehicle);
    ld_store_q_text(q, 5, lg->trailer);
    ld_store_q_int(q, 6, in_fleet(s, ev->actor, lg->vehicle) && in_fleet(s, ev->actor, lg->trailer));
    ld_store_q_int(q, 7, ev->at);
    rc = ld_store_q_exec(q);
    if (rc == LD_OK)
        rc = ld_store_q(s, q_leg_move, &q);
    if (rc == LD_OK) {
        ld_store_q_int(q, 1, ev->manifest);
        ld_store_q_int(q, 2, leg);
        ld_store_q_text(q, 3, ev->actor);
        rc = ld_store_q_exec(q);
    }
    return rc;
}

static enum ld_rc
pickup_apply(struct ld_store *s, const struct ld_event *ev, uint64_t idx)
{
    struct leg lg;
    enum ld_rc rc;

    (void)idx;
    if (leg_shape(ev->body, 1, &lg, NULL) != LD_OK)
        return LD_TAMPERED;
    rc = add_leg(s, ev, 1, &lg);
    if (rc == LD_OK)
        rc = ld_domain_manifest_state(s, ev->manifest, "in_transit", "picked_at", ev->at);
    return rc;
}

static enum ld_rc
handover_check(struct ld_store *s, const struct ld_event *ev, struct ld_err *err)
{
    struct ld_domain_manifest m;
    struct leg lg;
    enum ld_rc rc = leg_shape(ev->body, 0, &lg, err), who;

    if (rc == LD_OK)
        rc = manifest_of(s, ev, &m, err);
    if (rc != LD_OK)
        return rc;
    if (strcmp(m.state, "in_transit") != 0) /* then no carrier holds it */
        return ld_err_set(err, LD_RULE, "event.manifest",
                          "hand-over needs a manifest in transit (it is %s)", m.state);
    if (strcmp(lg.from, m.leg_carrier) != 0)
        rc = ld_err_set(err, LD_RULE, B ".from", "the waste is with %s, not %s", m.leg_carrier,
                        lg.from);
    if (strcmp(ev->actor, m.leg_carrier) == 0)
        return both(rc, ld_err_set(err, LD_RULE, "event.actor",
                                   "the next leg's carrier signs the hand-over, not the current one"));
    who = ld_domain_role(s, ev->actor, "carrier", "event.actor", err);
    if (who == LD_OK)
        who = ld_domain_licence(s, ev->actor, "transport", ld_domain_day(ev->at), "event.actor",
                                err);
    return both(rc, who);
}

static enum ld_rc
handover_apply(struct ld_store *s, const struct ld_event *ev, uint64_t idx)
{
    struct ld_domain_manifest m;
    struct leg lg;

    (void)idx;
    if (leg_shape(ev->body, 0, &lg, NULL) != LD_OK ||
        ld_domain_manifest_get(s, ev->manifest, &m) != LD_OK)
        return LD_TAMPERED;
    return add_leg(s, ev, m.leg + 1, &lg);
}

static enum ld_rc
arrive_shape(const cJSON *body, struct ld_err *err)
{
    static const char *const names[] = {"place", "track"};
    const char *v;
    enum ld_rc rc = ld_body_only(body, B, names, 2, err);

    rc = both(rc, ld_body_str(body, B, "place", 200, 0, &v, err));
    return both(rc, track(body, err));
}

static enum ld_rc
arrive_check(struct ld_store *s, const struct ld_event *ev, struct ld_err *err)
{
    struct ld_domain_manifest m;
    enum ld_rc rc = arrive_shape(ev->body, err);

    if (rc == LD_OK)
        rc = manifest_of(s, ev, &m, err);
    if (rc != LD_OK)
        return rc;
    if (strcmp(m.state, "in_transit") != 0) /* then no carrier holds it */
        return ld_err_set(err, LD_RULE, "event.manifest",
                          "arrival needs a manifest in transit (it is %s)", m.state);
    if (strcmp(ev->actor, m.leg_carrier) != 0)
        return ld_err_set(err, LD_RULE, "event.actor", "the waste is with carrier %s",
                          m.leg_carrier);
    return LD_OK;
}

static enum ld_rc
arrive_apply(struct ld_store *s, const struct ld_event *ev, uint64_t idx)
{
    (void)idx;
    return ld_domain_manifest_state(s, ev->manifest, "arrived", "arrived_at", ev->at);
}

const struct ld_rule ld_rules_transport[] = {
    {"transport.pickup", LD_RULE_MANIFEST, NULL, pickup_check, pickup_apply},
    {"transport.handover", LD_RULE_MANIFEST, NULL, handover_check, handover_apply},
    {"transport.arrive", LD_RULE_MANIFEST, NULL, arrive_check, arrive_apply},
};
const size_t ld_rules_transport_count = sizeof ld_rules_transport / sizeof *ld_rules_transport;
