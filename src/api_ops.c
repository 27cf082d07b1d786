/*
 * api_ops.c - GET /healthz and GET /metrics (schema/api.md "Operations").
 */
#include <stdatomic.h>
#include <stdio.h>

#include "http_api.h"
#include "liandan/buf.h"
#include "liandan/banned.h"

void
ld_api_healthz(struct ld_http_req *r)
{
    cJSON *o = cJSON_CreateObject();
    int draining = atomic_load(&r->h->draining);

    cJSON_AddStringToObject(o, "status", draining ? "draining" : "ok");
    cJSON_AddNumberToObject(o, "size", (double)ld_writer_size(r->h->w));
    ld_http_reply_json(r, draining ? 503 : 200, o);
}

void
ld_api_metrics(struct ld_http_req *r)
{
    struct ld_buf b = LD_BUF_INIT;
    size_t len;
    char *text;

    ld_metrics_text(r->h->m, ld_writer_size(r->h->w), &b);
    text = ld_buf_detach(&b, &len);
    ld_http_reply(r, 200, "text/plain; version=0.0.4; charset=utf-8", text, len);
}
