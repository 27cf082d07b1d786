/*
 * view.c - read models: a manifest with its verified events, the manifest
 * search, who is named on a manifest, parties (include/liandan/view.h).
 * Everything here reads derived tables and stored events; nothing writes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "liandan/domain.h"
#include "liandan/enc.h"
#include "liandan/event.h"
#include "liandan/ledger.h"
#include "liandan/mem.h"
#include "liandan/tm.h"
#include "liandan/view.h"
#include "liandan/banned.h"

static void
add_time(cJSON *o, const char *name, int64_t t)
{
    char at[LD_TM_RFC3339_LEN];

    if (ld_tm_format(t, at) == LD_OK)
        cJSON_AddStringToObject(o, name, at);
    else
        cJSON_AddNullToObject(o, name);
}

/* Column col of q's row as a time under name, or null. */
static void
add_time_col(cJSON *o, const char *name, struct ld_store_q *q, int col)
{
    if (ld_store_q_col_null(q, col))
        cJSON_AddNullToObject(o, name);
    else
        add_time(o, name, ld_store_q_col_int(q, col));
}

/* One stored event as the view shows it; *ok: its signature verifies now. */
static enum ld_rc
event_view(struct ld_store *s, const struct ld_sig_pub *regulator, struct ld_vcache *vc,
           uint64_t idx, cJSON **out, int *ok, struct ld_event *ev)
{
    struct ld_store_event row;
    struct ld_store_key k;
    const uint8_t *pk = NULL;
    enum ld_rc rc = ld_store_event_get(s, idx, &row);
    cJSON *o;

    if (rc != LD_OK)
        return rc;
    rc = ld_event_parse(row.entry, row.entry_len, ev, NULL);
    if (rc != LD_OK) {
        free(row.entry);
        return LD_TAMPERED;
    }
    memset(&k, 0, sizeof k);
    *ok = memcmp(ev->id, row.id, sizeof ev->id) == 0;
    free(row.entry);
    if (*ok && !ld_vcache_has(vc, ev->id, ev->key)) {
        if (strcmp(ev->actor, LD_EVENT_REGULATOR) == 0)
            pk = strcmp(ev->key, regulator->keyid) == 0 ? regulator->pk : NULL;
        else if (ld_store_key_get(s, ev->key, &k) == LD_OK && strcmp(k.party, ev->actor) == 0)
            pk = k.pub;
        *ok = pk && ld_event_verify(ev, pk) == LD_OK;
        if (*ok)
            ld_vcache_put(vc, ev->id, ev->key);
        if (k.vkey)
            ld_store_key_release(&k);
    }
    o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "index", (double)idx);
    cJSON_AddStringToObject(o, "id", ev->id_hex);
    cJSON_AddStringToObject(o, "type", ev->type);
    cJSON_AddStringToObject(o, "at", ev->at_text);
    cJSON_AddStringToObject(o, "actor", ev->actor);
    cJSON_AddStringToObject(o, "key", ev->key);
    if (ev->has_prev) {
        char hex[65];
        cJSON_AddStringToObject(o, "prev", ld_enc_hex(ev->prev, sizeof ev->prev, hex));
    } else {
        cJSON_AddNullToObject(o, "prev");
    }
    {
        char b64[LD_ENC_B64_LEN(LD_SIG_SIG)];
        cJSON_AddStringToObject(o, "sig", ld_enc_b64(ev->sig, sizeof ev->sig, b64));
    }
    cJSON_AddBoolToObject(o, "verified", *ok);
    cJSON_AddItemToObject(o, "body", cJSON_Duplicate(ev->body, 1));
    *out = o;
    return LD_OK;
}

static const char q_manifest[] =
    "SELECT state, producer, carrier, receiver, filed_at FROM manifests WHERE number = ?1";

enum ld_rc
ld_view_manifest(struct ld_store *s, const struct ld_sig_pub *regulator, int64_t number,
                 struct ld_vcache *vc, cJSON **out, int *all_ok)
{
    char chain[LD_CHAIN_MAX];
    uint8_t id[32];
    uint64_t idx;
    struct ld_store_q *q = NULL;
    cJSON *root = NULL, *events;
    int ok_all = 1;
    enum ld_rc rc;

    rc = ld_store_read_begin(s);
    if (rc != LD_OK)
        return rc;
    rc = ld_store_q(s, q_manifest, &q);
    if (rc != LD_OK)
        goto out;
    ld_store_q_int(q, 1, number);
    rc = ld_store_q_step(q);
    if (rc != LD_OK) {
        ld_store_q_done(q);
        goto out;
    }
    root = cJSON_CreateObject();
    cJSON_AddNumberToObject(root, "number", (double)number);
    cJSON_AddStringToObject(root, "state", ld_store_q_col_text(q, 0));
    cJSON_AddStringToObject(root, "producer", ld_store_q_col_text(q, 1));
    cJSON_AddStringToObject(root, "carrier", ld_store_q_col_text(q, 2));
    cJSON_AddStringToObject(root, "receiver", ld_store_q_col_text(q, 3));
    add_time(root, "filed_at", ld_store_q_col_int(q, 4));
    ld_store_q_done(q);

    snprintf(chain, sizeof chain, "m:%lld", (long long)number);
    rc = ld_store_head_get(s, chain, &idx, id, NULL);
    if (rc != LD_OK) {
        rc = rc == LD_NOTFOUND ? LD_TAMPERED : rc;
        goto out;
    }
    {
        char hex[65];
        cJSON_AddStringToObject(root, "head", ld_enc_hex(id, 32, hex));
    }
    events = cJSON_AddArrayToObject(root, "events");
    /* Walk the chain back from its head through prev links (DESIGN.md §4.3). */
    for (;;) {
        struct ld_event ev;
        cJSON *o = NULL;
        int ok = 0, more;

        rc = event_view(s, regulator, vc, idx, &o, &ok, &ev);
        if (rc != LD_OK)
            goto out;
        ok_all &= ok;
        cJSON_InsertItemInArray(events, 0, o);
        more = ev.has_prev;
        if (more)
            memcpy(id, ev.prev, sizeof id);
        ld_event_release(&ev);
        if (!more)
            break;
        rc = ld_store_event_find(s, id, &idx);
        if (rc != LD_OK) {
            rc = rc == LD_NOTFOUND ? LD_TAMPERED : rc;
            goto out;
        }
    }
    cJSON_AddBoolToObject(root, "verified", ok_all);
out:
    ld_store_read_end(s);
    if (rc != LD_OK) {
        cJSON_Delete(root);
        return rc;
    }
    *out = root;
    *all_ok = ok_all;
    return LD_OK;
}

static const char q_list[] =
    "SELECT number, state, filed_at, producer, carrier, receiver, district, leg_carrier "
    "FROM manifests m WHERE number > ?8 "
    "AND (?1 IS NULL OR (?2 IS NULL AND (producer = ?1 OR carrier = ?1 OR receiver = ?1 OR "
    "       EXISTS (SELECT 1 FROM legs g WHERE g.manifest = m.number AND g.carrier = ?1))) "
    "    OR (?2 = 'producer' AND producer = ?1) OR (?2 = 'receiver' AND receiver = ?1) "
    "    OR (?2 = 'carrier' AND (carrier = ?1 OR EXISTS (SELECT 1 FROM legs g "
    "        WHERE g.manifest = m.number AND g.carrier = ?1)))) "
    "AND (?3 IS NULL OR state = ?3) "
    "AND (?4 IS NULL OR EXISTS (SELECT 1 FROM lines l WHERE l.manifest = m.number AND "
    "     (l.code = ?4 OR l.category = ?4))) "
    "AND (?5 IS NULL OR district = ?5) AND (?6 IS NULL OR filed_at >= ?6) "
    "AND (?7 IS NULL OR filed_at < ?7) ORDER BY number LIMIT ?9";

enum ld_rc
ld_view_list(struct ld_store *s, const struct ld_view_filter *f, int64_t after, size_t limit,
             cJSON **items, int64_t *next)
{
    struct ld_store_q *q = NULL;
    cJSON *arr;
    int64_t last = 0;
    size_t n = 0;
    enum ld_rc rc = ld_store_q(s, q_list, &q);

    if (rc != LD_OK)
        return rc;
    ld_store_q_text(q, 1, f->party);
    ld_store_q_text(q, 2, f->party ? f->role : NULL);
    ld_store_q_text(q, 3, f->state);
    ld_store_q_text(q, 4, f->code);
    ld_store_q_text(q, 5, f->district);
    if (f->from)
        ld_store_q_int(q, 6, f->from);
    if (f->to)
        ld_store_q_int(q, 7, f->to);
    ld_store_q_int(q, 8, after);
    ld_store_q_int(q, 9, (int64_t)limit);
    arr = cJSON_CreateArray();
    while ((rc = ld_store_q_step(q)) == LD_OK) {
        cJSON *o = cJSON_CreateObject();
        last = ld_store_q_col_int(q, 0);
        cJSON_AddNumberToObject(o, "number", (double)last);
        cJSON_AddStringToObject(o, "state", ld_store_q_col_text(q, 1));
        add_time(o, "filed_at", ld_store_q_col_int(q, 2));
        cJSON_AddStringToObject(o, "producer", ld_store_q_col_text(q, 3));
        cJSON_AddStringToObject(o, "carrier", ld_store_q_col_text(q, 4));
        cJSON_AddStringToObject(o, "receiver", ld_store_q_col_text(q, 5));
        cJSON_AddStringToObject(o, "district", ld_store_q_col_text(q, 6));
        /* The carrier holding the load (the last leg's); null before pickup. */
        if (ld_store_q_col_null(q, 7))
            cJSON_AddNullToObject(o, "leg_carrier");
        else
            cJSON_AddStringToObject(o, "leg_carrier", ld_store_q_col_text(q, 7));
        cJSON_AddItemToArray(arr, o);
        n++;
    }
    ld_store_q_done(q);
    if (rc != LD_NOTFOUND) {
        cJSON_Delete(arr);
        return rc;
    }
    *items = arr;
    *next = n == limit ? last : 0;
    return LD_OK;
}

static const char q_named[] =
    "SELECT producer = ?2 OR carrier = ?2 OR receiver = ?2 OR EXISTS (SELECT 1 FROM legs g "
    "WHERE g.manifest = m.number AND g.carrier = ?2) FROM manifests m WHERE number = ?1";

enum ld_rc
ld_view_named(struct ld_store *s, int64_t number, const char *party)
{
    struct ld_store_q *q = NULL;
    enum ld_rc rc = ld_store_q(s, q_named, &q);

    if (rc != LD_OK)
        return rc;
    ld_store_q_int(q, 1, number);
    ld_store_q_text(q, 2, party);
    rc = ld_store_q_step(q);
    if (rc == LD_OK)
        rc = ld_store_q_col_int(q, 0) ? LD_OK : LD_INVALID;
    ld_store_q_done(q);
    return rc;
}

static cJSON *
roles_array(const char *roles)
{
    cJSON *a = cJSON_CreateArray();
    const char *p = roles, *c;

    while (*p) {
        c = strchr(p, ',');
        {
            char *r = ld_xstrndup(p, c ? (size_t)(c - p) : strlen(p));
            cJSON_AddItemToArray(a, cJSON_CreateString(r));
            free(r);
        }
        if (!c)
            break;
        p = c + 1;
    }
    return a;
}

static const char q_keys[] =
    "SELECT keyid, vkey, from_at, until_at, revoked_at FROM keys WHERE party = ?1 "
    "ORDER BY cert_idx";
static const char q_licences[] =
    "SELECT kind, number, valid_from, valid_until FROM licences WHERE party = ?1 ORDER BY kind";
static const char q_vehicles[] = "SELECT plate FROM vehicles WHERE party = ?1 ORDER BY plate";
static const char q_scope[] =
    "SELECT item, capacity_g, licensed FROM licence_scope WHERE party = ?1 AND kind = ?2 "
    "ORDER BY item";

static void
add_day(cJSON *o, const char *name, int64_t day)
{
    char d[LD_TM_DATE_LEN];

    if (ld_tm_format_date(day * LD_TM_DAY, d) == LD_OK)
        cJSON_AddStringToObject(o, name, d);
    else
        cJSON_AddNullToObject(o, name);
}

static enum ld_rc
add_keys(struct ld_store *s, const char *id, cJSON *arr)
{
    struct ld_store_q *q = NULL;
    enum ld_rc rc = ld_store_q(s, q_keys, &q);

    if (rc != LD_OK)
        return rc;
    ld_store_q_text(q, 1, id);
    while ((rc = ld_store_q_step(q)) == LD_OK) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "keyid", ld_store_q_col_text(q, 0));
        cJSON_AddStringToObject(o, "vkey", ld_store_q_col_text(q, 1));
        add_time(o, "from", ld_store_q_col_int(q, 2));
        add_time_col(o, "until", q, 3);
        add_time_col(o, "revoked_at", q, 4);
        cJSON_AddItemToArray(arr, o);
    }
    ld_store_q_done(q);
    return rc == LD_NOTFOUND ? LD_OK : rc;
}

static enum ld_rc
add_licences(struct ld_store *s, const char *id, cJSON *arr)
{
    struct ld_store_q *q = NULL, *qs = NULL, *qv = NULL;
    enum ld_rc rc = ld_store_q(s, q_licences, &q);

    if (rc == LD_OK)
        rc = ld_store_q(s, q_scope, &qs);
    if (rc != LD_OK)
        return rc;
    ld_store_q_text(q, 1, id);
    while ((rc = ld_store_q_step(q)) == LD_OK) {
        cJSON *o = cJSON_CreateObject(), *scope;
        cJSON_AddStringToObject(o, "kind", ld_store_q_col_text(q, 0));
        cJSON_AddStringToObject(o, "number", ld_store_q_col_text(q, 1));
        add_day(o, "valid_from", ld_store_q_col_int(q, 2));
        add_day(o, "valid_until", ld_store_q_col_int(q, 3));
        scope = cJSON_AddArrayToObject(o, "scope");
        ld_store_q_text(qs, 1, id);
        ld_store_q_text(qs, 2, ld_store_q_col_text(q, 0));
        while ((rc = ld_store_q_step(qs)) == LD_OK) {
            cJSON *it = cJSON_CreateObject();
            cJSON_AddStringToObject(it, "item", ld_store_q_col_text(qs, 0));
            if (ld_store_q_col_null(qs, 1))
                cJSON_AddNullToObject(it, "capacity_g");
            else
                cJSON_AddNumberToObject(it, "capacity_g", (double)ld_store_q_col_int(qs, 1));
            cJSON_AddBoolToObject(it, "licensed", ld_store_q_col_int(qs, 2) != 0);
            cJSON_AddItemToArray(scope, it);
        }
        ld_store_q_done(qs);
        if (rc == LD_NOTFOUND && strcmp(ld_store_q_col_text(q, 0), "transport") == 0) {
            cJSON *v = cJSON_AddArrayToObject(o, "vehicles");
            if ((rc = ld_store_q(s, q_vehicles, &qv)) == LD_OK) {
                ld_store_q_text(qv, 1, id);
                while ((rc = ld_store_q_step(qv)) == LD_OK)
                    cJSON_AddItemToArray(v, cJSON_CreateString(ld_store_q_col_text(qv, 0)));
                ld_store_q_done(qv);
            }
        }
        cJSON_AddItemToArray(arr, o);
        if (rc != LD_NOTFOUND)
            break;
    }
    ld_store_q_done(q);
    return rc == LD_NOTFOUND ? LD_OK : rc;
}

static cJSON *
party_json(const struct ld_store_party *p)
{
    cJSON *o = cJSON_CreateObject();

    cJSON_AddStringToObject(o, "id", p->id);
    cJSON_AddStringToObject(o, "name", p->name);
    cJSON_AddItemToObject(o, "roles", roles_array(p->roles));
    cJSON_AddStringToObject(o, "district", p->district);
    return o;
}

enum ld_rc
ld_view_party(struct ld_store *s, const char *id, cJSON **out)
{
    struct ld_store_party p;
    char chain[LD_CHAIN_MAX], hex[65];
    uint8_t head[32];
    uint64_t hidx;
    cJSON *o;
    enum ld_rc rc;

    if (strlen(id) != 18)
        return LD_NOTFOUND;
    rc = ld_store_party_get(s, id, &p);
    if (rc != LD_OK)
        return rc;
    o = party_json(&p);
    ld_store_party_release(&p);
    snprintf(chain, sizeof chain, "p:%s", id);
    rc = ld_store_head_get(s, chain, &hidx, head, NULL);
    if (rc == LD_OK)
        cJSON_AddStringToObject(o, "head", ld_enc_hex(head, 32, hex));
    else if (rc == LD_NOTFOUND)
        cJSON_AddNullToObject(o, "head");
    if (rc == LD_OK || rc == LD_NOTFOUND)
        rc = add_keys(s, id, cJSON_AddArrayToObject(o, "keys"));
    if (rc == LD_OK)
        rc = add_licences(s, id, cJSON_AddArrayToObject(o, "licences"));
    if (rc != LD_OK) {
        cJSON_Delete(o);
        return rc;
    }
    *out = o;
    return LD_OK;
}

static const char q_parties[] = "SELECT id, name, roles, district FROM parties ORDER BY id";

enum ld_rc
ld_view_parties(struct ld_store *s, cJSON **out)
{
    struct ld_store_q *q = NULL;
    cJSON *arr;
    enum ld_rc rc = ld_store_q(s, q_parties, &q);

    if (rc != LD_OK)
        return rc;
    arr = cJSON_CreateArray();
    while ((rc = ld_store_q_step(q)) == LD_OK) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "id", ld_store_q_col_text(q, 0));
        cJSON_AddStringToObject(o, "name", ld_store_q_col_text(q, 1));
        cJSON_AddItemToObject(o, "roles", roles_array(ld_store_q_col_text(q, 2)));
        cJSON_AddStringToObject(o, "district", ld_store_q_col_text(q, 3));
        cJSON_AddItemToArray(arr, o);
    }
    ld_store_q_done(q);
    if (rc != LD_NOTFOUND) {
        cJSON_Delete(arr);
        return rc;
    }
    *out = arr;
    return LD_OK;
}

static const char q_key[] =
    "SELECT keyid, party, vkey, from_at, until_at, revoked_at, cert_idx, revoked_idx FROM keys "
    "WHERE keyid = ?1";

/* The stored entry at idx as a JSON object under name in o. */
static enum ld_rc
add_entry(struct ld_store *s, cJSON *o, const char *name, uint64_t idx)
{
    struct ld_store_event row;
    cJSON *e;
    enum ld_rc rc = ld_store_event_get(s, idx, &row);

    if (rc != LD_OK)
        return rc == LD_NOTFOUND ? LD_TAMPERED : rc;
    e = cJSON_ParseWithLength(row.entry, row.entry_len);
    free(row.entry);
    if (e == NULL)
        return LD_TAMPERED;
    cJSON_AddItemToObject(o, name, e);
    return LD_OK;
}

enum ld_rc
ld_view_key(struct ld_store *s, const char *keyid, cJSON **out)
{
    struct ld_store_q *q = NULL;
    cJSON *o = NULL;
    uint64_t idx = 0, ridx = 0;
    int revoked = 0;
    enum ld_rc rc = ld_store_q(s, q_key, &q);

    if (rc != LD_OK)
        return rc;
    ld_store_q_text(q, 1, keyid);
    rc = ld_store_q_step(q);
    if (rc == LD_OK) {
        o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "keyid", ld_store_q_col_text(q, 0));
        cJSON_AddStringToObject(o, "party", ld_store_q_col_text(q, 1));
        cJSON_AddStringToObject(o, "vkey", ld_store_q_col_text(q, 2));
        add_time(o, "from", ld_store_q_col_int(q, 3));
        add_time_col(o, "until", q, 4);
        add_time_col(o, "revoked_at", q, 5);
        idx = (uint64_t)ld_store_q_col_int(q, 6);
        revoked = !ld_store_q_col_null(q, 7);
        ridx = revoked ? (uint64_t)ld_store_q_col_int(q, 7) : 0;
        /* Revocation counts by log position (DESIGN.md §4.2, party.h): an event
         * placed before the revoking event stands, whatever its time. */
        cJSON_AddNumberToObject(o, "cert_index", (double)idx);
        if (revoked)
            cJSON_AddNumberToObject(o, "revoked_index", (double)ridx);
        else
            cJSON_AddNullToObject(o, "revoked_index");
    }
    ld_store_q_done(q);
    if (rc != LD_OK)
        return rc;
    rc = add_entry(s, o, "cert", idx);
    if (rc == LD_OK && revoked)
        rc = add_entry(s, o, "revocation", ridx);
    if (rc != LD_OK) {
        cJSON_Delete(o);
        return rc;
    }
    *out = o;
    return LD_OK;
}

static const char q_role[] =
    "SELECT id FROM parties WHERE ',' || roles || ',' LIKE '%,' || ?1 || ',%' ORDER BY id";

enum ld_rc
ld_view_directory(struct ld_store *s, const char *role, const char *const *codes, size_t n,
                  int64_t day, cJSON **out)
{
    static const char *const roles[] = {"receiver", "collector", "carrier", "producer"};
    const char *kind = NULL;
    struct ld_store_q *q = NULL;
    char (*ids)[19] = NULL;
    size_t nids = 0, cap = 0, i, k;
    cJSON *arr;
    enum ld_rc rc;

    for (i = 0; i < 4 && strcmp(role, roles[i]) != 0; i++)
        ;
    if (i == 4)
        return LD_INVALID;
    kind = i == 0 ? "disposal" : i == 1 ? "collection" : i == 2 ? "transport" : NULL;
    rc = ld_store_q(s, q_role, &q);
    if (rc != LD_OK)
        return rc;
    /* Collect the ids first: the checks below use other statements. */
    ld_store_q_text(q, 1, role);
    while ((rc = ld_store_q_step(q)) == LD_OK) {
        if (nids == cap) {
            cap = cap ? 2 * cap : 64;
            ids = ld_xrealloc(ids, cap * sizeof *ids);
        }
        snprintf(ids[nids++], sizeof ids[0], "%s", ld_store_q_col_text(q, 0));
    }
    ld_store_q_done(q);
    if (rc != LD_NOTFOUND) {
        free(ids);
        return rc;
    }
    arr = cJSON_CreateArray();
    for (i = 0; i < nids; i++) {
        cJSON *o = NULL;
        int ok = 1;
        if (kind && (n > 0 || strcmp(kind, "transport") == 0)) {
            ok = ld_domain_licence(s, ids[i], kind, day, "", NULL) == LD_OK;
            for (k = 0; ok && strcmp(kind, "transport") != 0 && k < n; k++) {
                /* A code NNN-NNN-NN belongs to category HW + its last two digits;
                 * a category HWxx stands for itself. */
                char cat[8];
                size_t cl = strlen(codes[k]);
                if (codes[k][0] == 'H')
                    snprintf(cat, sizeof cat, "%s", codes[k]);
                else
                    snprintf(cat, sizeof cat, "HW%s", cl >= 2 ? codes[k] + cl - 2 : "");
                ok = ld_domain_scope(s, ids[i], kind, codes[k], cat);
            }
        }
        if (!ok)
            continue;
        rc = ld_view_party(s, ids[i], &o);
        if (rc != LD_OK) {
            cJSON_Delete(arr);
            free(ids);
            return rc;
        }
        cJSON_DeleteItemFromObjectCaseSensitive(o, "keys");
        cJSON_DeleteItemFromObjectCaseSensitive(o, "head");
        cJSON_AddItemToArray(arr, o);
    }
    free(ids);
    *out = arr;
    return LD_OK;
}

static const char q_capacity[] =
    "SELECT s.party, p.name, COALESCE(li.number, ''), s.item, MIN(s.capacity_g), "
    "  (SELECT COALESCE(SUM(l.accepted_g), 0) FROM manifests m JOIN lines l "
    "   ON l.manifest = m.number WHERE m.receiver = s.party AND l.category = s.item "
    "   AND m.received_at >= ?1 AND m.received_at < ?2 AND m.state <> 'cancelled') "
    "FROM licence_scope s JOIN parties p ON p.id = s.party "
    "LEFT JOIN licences li ON li.party = s.party AND li.kind = s.kind "
    "WHERE s.capacity_g IS NOT NULL AND s.kind IN ('disposal', 'collection') "
    "GROUP BY s.party, s.item ORDER BY s.party, s.item";

enum ld_rc
ld_view_capacity(struct ld_store *s, int year, cJSON **out)
{
    struct ld_store_q *q = NULL;
    char d[32];
    int64_t from = 0, to = 0;
    cJSON *arr;
    enum ld_rc rc;

    /* The CST year: from 00:00 on 1 January Beijing time, 16:00 UTC the day before. */
    snprintf(d, sizeof d, "%04d-01-01", year);
    if (ld_tm_parse_lenient(d, &from) != LD_OK)
        return LD_INVALID;
    snprintf(d, sizeof d, "%04d-01-01", year + 1);
    if (ld_tm_parse_lenient(d, &to) != LD_OK)
        return LD_INVALID;
    from -= 8 * 3600, to -= 8 * 3600;
    rc = ld_store_q(s, q_capacity, &q);
    if (rc != LD_OK)
        return rc;
    ld_store_q_int(q, 1, from);
    ld_store_q_int(q, 2, to);
    arr = cJSON_CreateArray();
    while ((rc = ld_store_q_step(q)) == LD_OK) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "receiver", ld_store_q_col_text(q, 0));
        cJSON_AddStringToObject(o, "name", ld_store_q_col_text(q, 1));
        cJSON_AddStringToObject(o, "licence", ld_store_q_col_text(q, 2));
        cJSON_AddStringToObject(o, "category", ld_store_q_col_text(q, 3));
        cJSON_AddNumberToObject(o, "capacity_g", (double)ld_store_q_col_int(q, 4));
        cJSON_AddNumberToObject(o, "used_g", (double)ld_store_q_col_int(q, 5));
        cJSON_AddItemToArray(arr, o);
    }
    ld_store_q_done(q);
    if (rc != LD_NOTFOUND) {
        cJSON_Delete(arr);
        return rc;
    }
    *out = arr;
    return LD_OK;
}

static const char q_states[] = "SELECT state, COUNT(*) FROM manifests GROUP BY state";

enum ld_rc
ld_view_states(struct ld_store *s, cJSON **out)
{
    static const char *const states[] = {"filed", "in_transit", "arrived", "received",
                                         "received_with_discrepancy", "rejected", "closed",
                                         "cancelled"};
    int64_t counts[8] = {0};
    struct ld_store_q *q = NULL;
    cJSON *arr;
    size_t i;
    enum ld_rc rc = ld_store_q(s, q_states, &q);

    if (rc != LD_OK)
        return rc;
    while ((rc = ld_store_q_step(q)) == LD_OK)
        for (i = 0; i < 8; i++)
            if (strcmp(ld_store_q_col_text(q, 0), states[i]) == 0)
                counts[i] = ld_store_q_col_int(q, 1);
    ld_store_q_done(q);
    if (rc != LD_NOTFOUND)
        return rc;
    arr = cJSON_CreateArray();
    for (i = 0; i < 8; i++) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "key", states[i]);
        cJSON_AddNumberToObject(o, "manifests", (double)counts[i]);
        cJSON_AddItemToArray(arr, o);
    }
    *out = arr;
    return LD_OK;
}

static const char q_legs[] =
    "SELECT g.leg, g.carrier, COALESCE(p.name, ''), g.vehicle, g.trailer, g.started_at, "
    "g.in_fleet FROM legs g LEFT JOIN parties p ON p.id = g.carrier WHERE g.manifest = ?1 "
    "ORDER BY g.leg";

enum ld_rc
ld_view_legs(struct ld_store *s, int64_t manifest, cJSON **out)
{
    struct ld_store_q *q = NULL;
    cJSON *arr;
    enum ld_rc rc = ld_store_q(s, q_legs, &q);

    if (rc != LD_OK)
        return rc;
    ld_store_q_int(q, 1, manifest);
    arr = cJSON_CreateArray();
    while ((rc = ld_store_q_step(q)) == LD_OK) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddNumberToObject(o, "leg", (double)ld_store_q_col_int(q, 0));
        cJSON_AddStringToObject(o, "carrier", ld_store_q_col_text(q, 1));
        cJSON_AddStringToObject(o, "name", ld_store_q_col_text(q, 2));
        cJSON_AddStringToObject(o, "vehicle", ld_store_q_col_text(q, 3));
        if (ld_store_q_col_null(q, 4))
            cJSON_AddNullToObject(o, "trailer");
        else
            cJSON_AddStringToObject(o, "trailer", ld_store_q_col_text(q, 4));
        add_time(o, "started_at", ld_store_q_col_int(q, 5));
        cJSON_AddBoolToObject(o, "in_fleet", ld_store_q_col_int(q, 6) != 0);
        cJSON_AddItemToArray(arr, o);
    }
    ld_store_q_done(q);
    if (rc != LD_NOTFOUND) {
        cJSON_Delete(arr);
        return rc;
    }
    *out = arr;
    return LD_OK;
}
