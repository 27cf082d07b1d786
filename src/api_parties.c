/*
 * api_parties.c - GET /v1/parties (regulator) and GET /v1/parties/{uscc}
 * (the regulator, or that party itself): the registry with keys and
 * licences (include/liandan/view.h has the shapes).
 */
#include <string.h>

#include "http_api.h"
#include "liandan/view.h"
#include "liandan/banned.h"

void
ld_api_parties_list(struct ld_http_req *r)
{
    struct ld_ledger *l = ld_http_reader(r);
    cJSON *items = NULL, *out;
    enum ld_rc rc;

    if (l == NULL)
        return;
    rc = ld_view_parties(ld_ledger_store(l), &items);
    if (rc != LD_OK) {
        ld_http_fail(r, rc, NULL);
        return;
    }
    out = cJSON_CreateObject();
    cJSON_AddItemToObject(out, "items", items);
    ld_http_reply_json(r, 200, out);
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
