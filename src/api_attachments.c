/*
 * api_attachments.c - POST /v1/attachments (a signed-in party stores bytes,
 * e.g. a GPS track, and cites the hash in an event) and GET
 * /v1/attachments/{hash}. An attachment is addressed by the SHA-256 of its
 * bytes, which only those who can read the citing event learn; the hash is
 * the capability (schema/api.md).
 */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "http_api.h"
#include "liandan/enc.h"
#include "liandan/store.h"
#include "liandan/banned.h"

static const char *const media_types[] = {"application/geo+json", "application/json",
                                          "application/pdf", "image/jpeg", "image/png",
                                          "text/plain", NULL};

struct put {
    struct ld_http_req *r;
    char hash[65];
    int existed;
};

static enum ld_rc
put_fn(struct ld_ledger *l, void *ctx)
{
    struct put *p = ctx;
    struct ld_http_req *r = p->r;
    char *old = NULL, media[64];
    size_t n;

    /* Known already? (Storing again is harmless, but the client likes 200.) */
    {
        uint8_t h[32];
        char hex[65];
        crypto_hash_sha256(h, (const unsigned char *)r->body, r->len);
        ld_enc_hex(h, 32, hex);
        if (ld_store_attachment_get(ld_ledger_store(l), hex, &old, &n, media) == LD_OK) {
            free(old);
            memcpy(p->hash, hex, sizeof hex);
            p->existed = 1;
            return LD_OK;
        }
    }
    return ld_store_attachment_put(ld_ledger_store(l), r->body, r->len, r->media, ld_http_now(),
                                   p->hash);
}

static void
put_done(struct ld_writer_job *job)
{
    struct put *p = job->ctx;
    struct ld_http_req *r = p->r;

    if (job->rc == LD_OK) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "hash", p->hash);
        cJSON_AddNumberToObject(o, "size", (double)r->len);
        cJSON_AddStringToObject(o, "media_type", r->media);
        ld_http_reply_json(r, p->existed ? 200 : 201, o);
    } else {
        ld_http_fail(r, job->rc, NULL);
    }
    free(p);
    ld_http_resume(r);
}

void
ld_api_attachment_post(struct ld_http_req *r)
{
    struct put *p;
    size_t i;

    for (i = 0; media_types[i] && strcmp(media_types[i], r->media) != 0; i++)
        ;
    if (media_types[i] == NULL) {
        ld_http_error(r, 415, 0, "media_type", NULL,
                      "attachments are GeoJSON, JSON, PDF, JPEG, PNG or plain text");
        return;
    }
    if (r->len == 0) {
        ld_http_error(r, 400, LD_PARSE, "parse", NULL, "the attachment is empty");
        return;
    }
    p = calloc(1, sizeof *p);
    if (p == NULL)
        abort();
    p->r = r;
    r->job.n = 0;
    r->job.fn = put_fn;
    r->job.ctx = p;
    r->job.done = put_done;
    ld_http_suspend(r);
    if (ld_writer_submit(r->h->w, &r->job) != LD_OK) {
        free(p);
        ld_http_error(r, 503, 0, "draining", NULL, "the server is shutting down");
        ld_http_header_add(r, "Retry-After", "1");
        ld_http_resume(r);
    }
}

void
ld_api_attachment_get(struct ld_http_req *r)
{
    struct ld_ledger *l;
    char *data = NULL, media[64];
    size_t len = 0, i;
    enum ld_rc rc;

    for (i = 0; r->arg[0][i]; i++)
        if (!((r->arg[0][i] >= '0' && r->arg[0][i] <= '9') ||
              (r->arg[0][i] >= 'a' && r->arg[0][i] <= 'f')))
            break;
    if (i != 64 || r->arg[0][i] != '\0') {
        ld_http_error(r, 404, LD_NOTFOUND, "notfound", NULL,
                      "an attachment is named by the lowercase hex SHA-256 of its bytes");
        return;
    }
    if ((l = ld_http_reader(r)) == NULL)
        return;
    rc = ld_store_attachment_get(ld_ledger_store(l), r->arg[0], &data, &len, media);
    if (rc == LD_NOTFOUND) {
        ld_http_error(r, 404, LD_NOTFOUND, "notfound", NULL, "no such attachment");
        return;
    }
    if (rc != LD_OK) {
        ld_http_fail(r, rc, NULL);
        return;
    }
    ld_http_reply(r, 200, media, data, len);
}
