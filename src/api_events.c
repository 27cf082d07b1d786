/*
 * api_events.c - POST /v1/events and POST /v1/events:batch (schema/api.md
 * "Writes"). The request thread only frames the work; the writer thread
 * (writer.h) appends it in a group commit and replies, after the commit is
 * on disk, by resuming the suspended connection.
 */
#include <stdlib.h>
#include <string.h>

#include "http_api.h"
#include "liandan/event.h"
#include "liandan/mem.h"
#include "liandan/banned.h"

#define BATCH_MAX 1000

/* Status of one item's result (schema/api.md). */
static unsigned
item_status(const struct ld_ledger_item *it)
{
    if (it->rc == LD_OK)
        return 201;
    if (it->rc == LD_EXISTS)
        return 200;
    return ld_http_status(it->rc);
}

static cJSON *
receipt_object(const struct ld_receipt *rc)
{
    char *text = ld_receipt_json(rc);
    cJSON *o = cJSON_Parse(text);

    free(text);
    return o;
}

/* The reply of POST /v1/events, built on the request thread after the
 * writer resumed it (the writer's own thread only commits). */
static void
one_finish(struct ld_http_req *r)
{
    struct ld_ledger_item *it = &r->items[0];

    if (it->rc == LD_OK || it->rc == LD_EXISTS) {
        char *text = ld_receipt_json(&it->receipt);
        ld_http_reply(r, item_status(it), "application/json", text, strlen(text));
    } else {
        ld_http_fail(r, it->rc, &it->err);
    }
}

static void
resume_done(struct ld_writer_job *job)
{
    ld_http_resume(job->ctx);
}

/* Hand the items of r to the writer, which resumes r after the commit and
 * finish then builds the reply; replies 503 itself if the writer is stopping. */
static void
submit(struct ld_http_req *r, void (*finish)(struct ld_http_req *))
{
    r->job.items = r->items;
    r->job.n = r->nitems;
    r->job.ctx = r;
    r->job.done = resume_done;
    r->finish = finish;
    ld_http_suspend(r);
    if (ld_writer_submit(r->h->w, &r->job) != LD_OK) {
        ld_http_error(r, 503, 0, "draining", NULL,
                      "the server is shutting down; retry shortly");
        ld_http_header_add(r, "Retry-After", "1");
        ld_http_resume(r);
    }
}

/*
 * Check the event's signature here, on the request thread, when its key is
 * already certified: many request threads verify in parallel while the writer
 * commits, and the writer then skips the signature (ld_ledger_set_vcache).
 * Anything unusual (not parseable, unknown key) is left to the writer, which
 * judges every event in full and answers the errors. The parsed event goes to
 * the writer too, so it is parsed once.
 */
static void
preverify(struct ld_http_req *r, const char *text, size_t len, struct ld_event *keep)
{
    struct ld_event ev;
    struct ld_store_key k;
    struct ld_ledger *l;
    const uint8_t *pk = NULL;

    if (ld_event_parse(text, len, &ev, NULL) != LD_OK)
        return;
    memset(&k, 0, sizeof k);
    if (strcmp(ev.key, r->h->regulator.keyid) == 0)
        pk = r->h->regulator.pk;
    else if ((l = ld_http_reader(r)) != NULL &&
             ld_store_key_get(ld_ledger_store(l), ev.key, &k) == LD_OK)
        pk = k.pub;
    if (pk && !ld_vcache_has(r->h->vc, ev.id, ev.key) && ld_event_verify(&ev, pk) == LD_OK)
        ld_vcache_put(r->h->vc, ev.id, ev.key);
    if (k.vkey)
        ld_store_key_release(&k);
    *keep = ev; /* the writer takes it over (ld_ledger_item.parsed) */
}

void
ld_api_events_post(struct ld_http_req *r)
{
    r->pre = ld_xcalloc(1, sizeof *r->pre);
    r->npre = 1;
    preverify(r, r->body, r->len, &r->pre[0]);
    if (r->resp) /* no reader could be opened: replied 503 */
        return;
    r->items = ld_xcalloc(1, sizeof *r->items);
    r->items[0].parsed = &r->pre[0];
    r->items[0].text = r->body;
    r->items[0].len = r->len;
    r->nitems = 1;
    submit(r, one_finish);
}

static void
batch_finish(struct ld_http_req *r)
{
    cJSON *root = cJSON_CreateObject(), *res = cJSON_AddArrayToObject(root, "results");
    size_t i;

    for (i = 0; i < r->nitems; i++) {
        struct ld_ledger_item *it = &r->items[i];
        cJSON *o = cJSON_CreateObject();
        cJSON_AddNumberToObject(o, "status", item_status(it));
        if (it->rc == LD_OK || it->rc == LD_EXISTS)
            cJSON_AddItemToObject(o, "receipt", receipt_object(&it->receipt));
        else
            cJSON_AddItemToObject(o, "error", ld_http_error_json(it->rc, &it->err));
        cJSON_AddItemToArray(res, o);
    }
    ld_http_reply_json(r, 200, root);
}

/*
 * Split the JSON array text into its elements' byte ranges, so that each
 * event reaches the ledger as the bytes the client sent (the ledger does its
 * own strict parse). The text has already parsed as an array, so only
 * strings and nesting need tracking. Returns the number of elements, or
 * (size_t)-1 past max.
 */
static size_t
split_array(const char *t, size_t len, size_t max, const char **start, size_t *lens)
{
    size_t i = 0, n = 0, depth = 0, from = 0;
    int in_str = 0, any = 0;

    while (i < len && t[i] != '[')
        i++;
    for (i++; i < len; i++) {
        char c = t[i];
        if (in_str) {
            if (c == '\\')
                i++;
            else if (c == '"')
                in_str = 0;
            continue;
        }
        if (c == '"') {
            in_str = 1;
        } else if (c == '{' || c == '[') {
            depth++;
        } else if ((c == '}' || c == ']') && depth > 0) {
            depth--;
        } else if ((c == ',' || c == ']') && depth == 0) {
            if (any) {
                if (n == max)
                    return (size_t)-1;
                start[n] = t + from;
                lens[n] = i - from;
                n++;
            }
            any = 0;
            if (c == ']')
                break;
            continue;
        } else if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
            continue;
        }
        if (!any) {
            any = 1;
            from = i;
        }
    }
    return n;
}

void
ld_api_events_batch(struct ld_http_req *r)
{
    const char *end = NULL;
    const char **starts = NULL;
    size_t *lens = NULL, n, i;

    r->batch = cJSON_ParseWithLengthOpts(r->body, r->len + 1, &end, 1);
    if (!cJSON_IsArray(r->batch)) {
        ld_http_error(r, 400, LD_PARSE, "parse", NULL, "the body is not a JSON array of events");
        return;
    }
    n = (size_t)cJSON_GetArraySize(r->batch);
    if (n == 0) {
        ld_http_error(r, 400, LD_PARSE, "parse", NULL, "the batch is empty");
        return;
    }
    if (n > BATCH_MAX) {
        ld_http_error(r, 413, 0, "too_large", NULL, "a batch holds at most %d events", BATCH_MAX);
        return;
    }
    starts = ld_xcalloc(n, sizeof *starts);
    lens = ld_xcalloc(n, sizeof *lens);
    if (split_array(r->body, r->len, n, starts, lens) != n) {
        free(starts);
        free(lens);
        ld_http_error(r, 400, LD_PARSE, "parse", NULL, "the body is not a JSON array of events");
        return;
    }
    r->items = ld_xcalloc(n, sizeof *r->items);
    r->pre = ld_xcalloc(n, sizeof *r->pre);
    r->npre = n;
    for (i = 0; i < n; i++) {
        r->items[i].text = starts[i];
        r->items[i].len = lens[i];
        r->items[i].parsed = &r->pre[i];
        preverify(r, starts[i], lens[i], &r->pre[i]);
    }
    if (r->resp) {
        free(starts);
        free(lens);
        return;
    }
    r->nitems = n;
    free(starts);
    free(lens);
    submit(r, batch_finish);
}
