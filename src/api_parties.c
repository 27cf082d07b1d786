/*
 * api_parties.c - GET /v1/parties (regulator) and GET /v1/parties/{uscc}
 * (the regulator, or that party itself): the registry with keys and
 * licences (include/liandan/view.h has the shapes).
 */
#include <stdlib.h>
#include <string.h>

#include "http_api.h"
#include "liandan/domain.h"
#include "liandan/tm.h"
#include "liandan/view.h"
#include "liandan/banned.h"

/* 200 {"items": items} when rc is LD_OK (items taken over), else rc's error. */
static void
reply_items(struct ld_http_req *r, enum ld_rc rc, cJSON *items)
{
    cJSON *out;

    if (rc != LD_OK) {
        ld_http_fail(r, rc, NULL);
        return;
    }
    out = cJSON_CreateObject();
    cJSON_AddItemToObject(out, "items", items);
    ld_http_reply_json(r, 200, out);
}

void
ld_api_parties_list(struct ld_http_req *r)
{
    struct ld_ledger *l = ld_http_reader(r);
    cJSON *items = NULL;
    enum ld_rc rc;

    if (l == NULL)
        return;
    rc = ld_view_parties(ld_ledger_store(l), &items);
    reply_items(r, rc, items);
}

void
ld_api_party_get(struct ld_http_req *r)
{
    struct ld_ledger *l;
    cJSON *p = NULL;
    enum ld_rc rc;

    if (!r->regulator && strcmp(r->arg[0], r->party) != 0) {
        ld_http_error(r, 403, 0, "forbidden", NULL, "a party reads its own record only");
        return;
    }
    if ((l = ld_http_reader(r)) == NULL)
        return;
    rc = ld_view_party(ld_ledger_store(l), r->arg[0], &p);
    if (rc == LD_NOTFOUND) {
        ld_http_error(r, 404, LD_NOTFOUND, "notfound", NULL, "no party '%.18s'", r->arg[0]);
        return;
    }
    if (rc != LD_OK) {
        ld_http_fail(r, rc, NULL);
        return;
    }
    ld_http_reply_json(r, 200, p);
}

void
ld_api_key_get(struct ld_http_req *r)
{
    struct ld_ledger *l;
    cJSON *o = NULL;
    enum ld_rc rc;

    if (strcmp(r->arg[0], r->h->regulator.keyid) == 0) {
        char *v = ld_sig_vkey_format(&r->h->regulator);
        o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "keyid", r->arg[0]);
        cJSON_AddStringToObject(o, "party", "regulator");
        cJSON_AddStringToObject(o, "vkey", v);
        free(v);
        ld_http_reply_json(r, 200, o);
        return;
    }
    if ((l = ld_http_reader(r)) == NULL)
        return;
    rc = ld_view_key(ld_ledger_store(l), r->arg[0], &o);
    if (rc == LD_NOTFOUND) {
        ld_http_error(r, 404, LD_NOTFOUND, "notfound", NULL, "no certified key '%.32s'",
                      r->arg[0]);
        return;
    }
    if (rc != LD_OK) {
        ld_http_fail(r, rc, NULL);
        return;
    }
    ld_http_reply_json(r, 200, o);
}

struct codes {
    const char *v[16];
    size_t n;
    int too_many;
};

static enum MHD_Result
each_code(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
    struct codes *c = cls;

    (void)kind;
    if (strcmp(key, "code") != 0 || value == NULL)
        return MHD_YES;
    if (c->n == sizeof c->v / sizeof c->v[0]) {
        c->too_many = 1;
        return MHD_NO;
    }
    c->v[c->n++] = value;
    return MHD_YES;
}

void
ld_api_directory(struct ld_http_req *r)
{
    const char *role = ld_http_query(r, "role"), *on = ld_http_query(r, "on");
    struct codes c;
    struct ld_ledger *l;
    int64_t t = ld_http_now();
    cJSON *items = NULL;
    size_t i;
    enum ld_rc rc;

    memset(&c, 0, sizeof c);
    MHD_get_connection_values(r->conn, MHD_GET_ARGUMENT_KIND, each_code, &c);
    if (role == NULL) {
        ld_http_error(r, 400, 0, "bad_query", "role",
                      "role is receiver, collector, carrier or producer");
        return;
    }
    if (c.too_many) {
        ld_http_error(r, 400, 0, "bad_query", "code", "at most 16 codes");
        return;
    }
    for (i = 0; i < c.n; i++)
        if (!ld_domain_code_ok("2021", c.v[i]) && !ld_domain_category_ok(c.v[i])) {
            ld_http_error(r, 400, 0, "bad_query", "code",
                          "'%.16s' is not a waste code or a category HWxx", c.v[i]);
            return;
        }
    if (on && ld_tm_parse_lenient(on, &t) != LD_OK) {
        ld_http_error(r, 400, 0, "bad_query", "on", "on is YYYY-MM-DD");
        return;
    }
    if (on && strlen(on) == 10)
        t -= 8 * 3600; /* a date names the Beijing day */
    if ((l = ld_http_reader(r)) == NULL)
        return;
    rc = ld_view_directory(ld_ledger_store(l), role, c.v, c.n, ld_domain_day(t), &items);
    if (rc == LD_INVALID) {
        ld_http_error(r, 400, 0, "bad_query", "role",
                      "role is receiver, collector, carrier or producer");
        return;
    }
    reply_items(r, rc, items);
}
