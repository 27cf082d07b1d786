/*
 * api_manifests.c - GET /v1/manifests (search with a cursor), GET
 * /v1/manifests/{number}, GET /v1/manifests:next-number and GET
 * /v1/heads/{chain} (schema/api.md "Reads"). A party sees only manifests
 * that name it; the regulator sees all.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http_api.h"
#include "liandan/domain.h"
#include "liandan/mem.h"
#include "liandan/enc.h"
#include "liandan/tm.h"
#include "liandan/uscc.h"
#include "liandan/view.h"
#include "liandan/banned.h"

static int
bad_query(struct ld_http_req *r, const char *field, const char *why)
{
    ld_http_error(r, 400, 0, "bad_query", field, "%s", why);
    return 0;
}

static int
one_of(const char *v, const char *const *set)
{
    for (; *set; set++)
        if (strcmp(v, *set) == 0)
            return 1;
    return 0;
}

void
ld_api_manifests_list(struct ld_http_req *r)
{
    static const char *const roles[] = {"producer", "carrier", "receiver", NULL};
    static const char *const states[] = {"filed", "in_transit", "arrived", "received",
                                         "received_with_discrepancy", "rejected", "closed",
                                         "cancelled", NULL};
    struct ld_view_filter f;
    const char *v;
    int64_t after = 0, next = 0, limit = 100;
    cJSON *items = NULL, *out;
    struct ld_ledger *l;
    enum ld_rc rc;

    memset(&f, 0, sizeof f);
    f.party = ld_http_query(r, "party");
    f.role = ld_http_query(r, "role");
    f.state = ld_http_query(r, "state");
    f.code = ld_http_query(r, "code");
    f.district = ld_http_query(r, "district");
    if (f.role && (!f.party || !one_of(f.role, roles))) {
        bad_query(r, "role", "role needs party and is producer, carrier or receiver");
        return;
    }
    if (f.party && ld_uscc_check(f.party, "party", NULL) != LD_OK) {
        bad_query(r, "party", "party is a unified social credit code (18 characters)");
        return;
    }
    if (f.district && (strlen(f.district) != 6 || strspn(f.district, "0123456789") != 6)) {
        bad_query(r, "district", "district is a 6-digit code");
        return;
    }
    if (f.code && !ld_domain_code_ok("2021", f.code) && !ld_domain_category_ok(f.code)) {
        bad_query(r, "code", "code is a waste code NNN-NNN-NN or a category HWxx");
        return;
    }
    if (f.state && !one_of(f.state, states)) {
        bad_query(r, "state", "unknown state");
        return;
    }
    if ((v = ld_http_query(r, "from")) && ld_tm_parse_lenient(v, &f.from) != LD_OK) {
        bad_query(r, "from", "dates are YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ");
        return;
    }
    if ((v = ld_http_query(r, "to")) && ld_tm_parse_lenient(v, &f.to) != LD_OK) {
        bad_query(r, "to", "dates are YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ");
        return;
    }
    if ((v = ld_http_query(r, "limit")) && (!ld_http_number(v, &limit) || limit > 1000)) {
        bad_query(r, "limit", "limit is 1 to 1000");
        return;
    }
    if ((v = ld_http_query(r, "cursor")) && !ld_http_number(v, &after)) {
        bad_query(r, "cursor", "cursor is the next_cursor of the previous page");
        return;
    }
    if (!r->regulator) {
        /* A party's search is always of manifests naming it. */
        if (f.party && strcmp(f.party, r->party) != 0) {
            ld_http_error(r, 403, 0, "forbidden", "party", "a party searches its own manifests");
            return;
        }
        f.party = r->party;
    }
    if ((l = ld_http_reader(r)) == NULL)
        return;
    rc = ld_view_list(ld_ledger_store(l), &f, after, (size_t)limit, &items, &next);
    if (rc != LD_OK) {
        ld_http_fail(r, rc, NULL);
        return;
    }
    out = cJSON_CreateObject();
    cJSON_AddItemToObject(out, "items", items);
    if (next) {
        char c[24];
        snprintf(c, sizeof c, "%lld", (long long)next);
        cJSON_AddStringToObject(out, "next_cursor", c);
    } else {
        cJSON_AddNullToObject(out, "next_cursor");
    }
    ld_http_reply_json(r, 200, out);
}

/*
 * The manifest reply memo. What GET /v1/manifests/{n} shows changes only when
 * the manifest's chain grows (a new head) or its state changes (which another
 * manifest can cause: shipping a batch on may close it), so a reply is kept
 * under (number, head, state) and served again while those three match. The
 * signatures in it were checked when it was built; they cannot stop verifying.
 */
#define MC_SLOTS 1024
#define MC_STRIPES 16

struct mc_slot {
    int64_t number;
    uint8_t head[32];
    char state[32];
    char *json; /* owned */
    size_t len;
};

struct ld_http_mcache {
    pthread_mutex_t mu[MC_STRIPES];
    struct mc_slot slot[MC_SLOTS];
};

struct ld_http_mcache *
ld_http_mcache_new(void)
{
    struct ld_http_mcache *mc = ld_xcalloc(1, sizeof *mc);
    size_t i;

    for (i = 0; i < MC_STRIPES; i++)
        pthread_mutex_init(&mc->mu[i], NULL);
    return mc;
}

void
ld_http_mcache_free(struct ld_http_mcache *mc)
{
    size_t i;

    if (mc == NULL)
        return;
    for (i = 0; i < MC_SLOTS; i++)
        free(mc->slot[i].json);
    for (i = 0; i < MC_STRIPES; i++)
        pthread_mutex_destroy(&mc->mu[i]);
    free(mc);
}

/* A copy of the memoised reply, or NULL. */
static char *
mc_get(struct ld_http_mcache *mc, int64_t number, const uint8_t head[32], const char *state,
       size_t *len)
{
    size_t i = (size_t)(number % MC_SLOTS);
    struct mc_slot *sl = &mc->slot[i];
    char *copy = NULL;

    pthread_mutex_lock(&mc->mu[i % MC_STRIPES]);
    if (sl->json && sl->number == number && memcmp(sl->head, head, 32) == 0 &&
        strcmp(sl->state, state) == 0) {
        copy = ld_xmalloc(sl->len + 1);
        memcpy(copy, sl->json, sl->len + 1);
        *len = sl->len;
    }
    pthread_mutex_unlock(&mc->mu[i % MC_STRIPES]);
    return copy;
}

static void
mc_put(struct ld_http_mcache *mc, int64_t number, const uint8_t head[32], const char *state,
       const char *json, size_t len)
{
    size_t i = (size_t)(number % MC_SLOTS);
    struct mc_slot *sl = &mc->slot[i];
    char *copy = ld_xmalloc(len + 1), *old;

    memcpy(copy, json, len + 1);
    pthread_mutex_lock(&mc->mu[i % MC_STRIPES]);
    old = sl->json;
    sl->number = number;
    memcpy(sl->head, head, 32);
    snprintf(sl->state, sizeof sl->state, "%s", state);
    sl->json = copy;
    sl->len = len;
    pthread_mutex_unlock(&mc->mu[i % MC_STRIPES]);
    free(old);
}

static const char q_state[] = "SELECT state FROM manifests WHERE number = ?1";

/* The manifest's state and chain head, read together. LD_NOTFOUND: no manifest. */
static enum ld_rc
state_head(struct ld_store *s, int64_t number, char state[32], uint8_t head[32])
{
    struct ld_store_q *q = NULL;
    char chain[32];
    uint64_t idx;
    enum ld_rc rc = ld_store_read_begin(s);

    if (rc != LD_OK)
        return rc;
    rc = ld_store_q(s, q_state, &q);
    if (rc == LD_OK) {
        ld_store_q_int(q, 1, number);
        rc = ld_store_q_step(q);
        if (rc == LD_OK)
            snprintf(state, 32, "%s", ld_store_q_col_text(q, 0));
        ld_store_q_done(q);
    }
    if (rc == LD_OK) {
        snprintf(chain, sizeof chain, "m:%lld", (long long)number);
        rc = ld_store_head_get(s, chain, &idx, head, NULL);
        if (rc == LD_NOTFOUND)
            rc = LD_TAMPERED; /* a manifest row without its chain */
    }
    ld_store_read_end(s);
    return rc;
}

void
ld_api_manifest_get(struct ld_http_req *r)
{
    int64_t number;
    cJSON *m = NULL;
    int ok = 0;
    struct ld_ledger *l;
    char state[32], *text;
    uint8_t head[32];
    size_t len = 0;
    enum ld_rc rc;

    if (!ld_http_number(r->arg[0], &number)) {
        ld_http_error(r, 404, LD_NOTFOUND, "notfound", NULL, "a manifest number is 14 digits");
        return;
    }
    if (!ld_http_may_read_manifest(r, number))
        return;
    if ((l = ld_http_reader(r)) == NULL)
        return;
    rc = state_head(ld_ledger_store(l), number, state, head);
    if (rc == LD_OK && (text = mc_get(r->h->mcache, number, head, state, &len)) != NULL) {
        ld_http_reply(r, 200, "application/json", text, len);
        return;
    }
    if (rc == LD_OK)
        rc = ld_view_manifest(ld_ledger_store(l), &r->h->regulator, number, r->h->vc, &m, &ok);
    if (rc == LD_NOTFOUND) {
        ld_http_error(r, 404, LD_NOTFOUND, "notfound", NULL, "no manifest %lld",
                      (long long)number);
        return;
    }
    if (rc != LD_OK) {
        ld_http_fail(r, rc, NULL);
        return;
    }
    {
        /* Memoise only a reply built from the head and state read above (an
         * event may have come in between). */
        const char *vh = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(m, "head"));
        const char *vs = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(m, "state"));
        char hex[65];
        int same = vh && vs && strcmp(vh, ld_enc_hex(head, 32, hex)) == 0 &&
                   strcmp(vs, state) == 0;
        text = cJSON_PrintUnformatted(m);
        cJSON_Delete(m);
        if (text == NULL)
            abort();
        len = strlen(text);
        if (same)
            mc_put(r->h->mcache, number, head, state, text, len);
    }
    ld_http_reply(r, 200, "application/json", text, len);
}

void
ld_api_manifests_next(struct ld_http_req *r)
{
    struct ld_ledger *l;
    int64_t n;
    cJSON *out;

    if (r->regulator) {
        ld_http_error(r, 403, 0, "forbidden", NULL, "the regulator does not file manifests");
        return;
    }
    if ((l = ld_http_reader(r)) == NULL)
        return;
    n = ld_manifest_next_number(ld_ledger_store(l), r->party, ld_http_now());
    if (n == 0) {
        ld_http_error(r, 422, LD_RULE, "rule", NULL,
                      "no manifest number for %s: no district, or this year's serials are used up",
                      r->party);
        return;
    }
    out = cJSON_CreateObject();
    cJSON_AddNumberToObject(out, "number", (double)n);
    ld_http_reply_json(r, 200, out);
}

void
ld_api_head_get(struct ld_http_req *r)
{
    const char *chain = r->arg[0];
    struct ld_ledger *l;
    uint8_t id[32];
    uint64_t idx;
    char hex[65];
    int64_t number;
    cJSON *out;
    enum ld_rc rc;

    if (strncmp(chain, "m:", 2) == 0 && ld_http_number(chain + 2, &number)) {
        if (!ld_http_may_read_manifest(r, number))
            return;
    } else if (strncmp(chain, "p:", 2) == 0 && strlen(chain) == 20) {
        if (!r->regulator && strcmp(chain + 2, r->party) != 0) {
            ld_http_error(r, 403, 0, "forbidden", NULL, "a party reads its own chain only");
            return;
        }
    } else if (strcmp(chain, "c:calendar") == 0) {
        if (!r->regulator) {
            ld_http_error(r, 403, 0, "forbidden", NULL, "only the regulator may read this");
            return;
        }
    } else {
        ld_http_error(r, 404, LD_NOTFOUND, "notfound", NULL,
                      "a chain is m:NUMBER, p:USCC or c:calendar");
        return;
    }
    if ((l = ld_http_reader(r)) == NULL)
        return;
    rc = ld_store_head_get(ld_ledger_store(l), chain, &idx, id, NULL);
    if (rc == LD_NOTFOUND) {
        ld_http_error(r, 404, LD_NOTFOUND, "notfound", NULL, "chain '%s' has no event yet", chain);
        return;
    }
    if (rc != LD_OK) {
        ld_http_fail(r, rc, NULL);
        return;
    }
    out = cJSON_CreateObject();
    cJSON_AddStringToObject(out, "chain", chain);
    cJSON_AddStringToObject(out, "id", ld_enc_hex(id, 32, hex));
    cJSON_AddNumberToObject(out, "index", (double)idx);
    ld_http_reply_json(r, 200, out);
}
