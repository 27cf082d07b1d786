/*
 * api_log.c - the transparency endpoints (schema/api.md "Transparency"):
 * keys, the latest checkpoint (C2SP tlog-checkpoint), inclusion and
 * consistency proofs (DESIGN.md §4.4), and one raw entry for those who may
 * read it. Proofs and checkpoints carry hashes and signatures only.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http_api.h"
#include "liandan/enc.h"
#include "liandan/event.h"
#include "liandan/store.h"
#include "liandan/banned.h"

void
ld_api_log_keys(struct ld_http_req *r)
{
    cJSON *o = cJSON_CreateObject();
    char *v;

    cJSON_AddStringToObject(o, "origin", r->h->origin);
    v = ld_sig_vkey_format(&r->h->ledger_pub);
    cJSON_AddStringToObject(o, "ledger_key", v);
    free(v);
    v = ld_sig_vkey_format(&r->h->regulator);
    cJSON_AddStringToObject(o, "regulator_key", v);
    free(v);
    cJSON_AddStringToObject(o, "regulator_key_id", r->h->regulator.keyid);
    ld_http_reply_json(r, 200, o);
}

/* The latest checkpoint (kept in memory by the writer); replies 404 and
 * returns 0 when there is none yet. */
static int
latest(struct ld_http_req *r, uint64_t *size, char **note)
{
    if (ld_http_checkpoint(r->h, note, size))
        return 1;
    ld_http_error(r, 404, LD_NOTFOUND, "notfound", NULL,
                  "no checkpoint yet; one is signed within a second of the first event");
    return 0;
}

void
ld_api_log_checkpoint(struct ld_http_req *r)
{
    char *note = NULL;
    uint64_t size;

    if (!latest(r, &size, &note))
        return;
    ld_http_reply(r, 200, "text/plain; charset=utf-8", note, strlen(note));
}

static int
u64_arg(const char *s, uint64_t *out)
{
    char *end;
    unsigned long long v;

    if (s == NULL || *s < '0' || *s > '9' || strlen(s) > 20)
        return 0;
    errno = 0;
    v = strtoull(s, &end, 10);
    if (errno || *end)
        return 0;
    *out = (uint64_t)v;
    return 1;
}

/* Reply with a proof (text from the ledger) or its failure. */
static void
proof_reply(struct ld_http_req *r, enum ld_rc rc, char *json, const char *what)
{
    if (rc == LD_OK) {
        ld_http_reply(r, 200, "application/json", json, strlen(json));
        return;
    }
    free(json);
    if (rc == LD_INVALID)
        ld_http_error(r, 400, 0, "bad_query", NULL, "%s", what);
    else if (rc == LD_NOTFOUND)
        ld_http_error(r, 404, LD_NOTFOUND, "notfound", NULL, "%s", what);
    else
        ld_http_fail(r, rc, NULL);
}

void
ld_api_log_inclusion(struct ld_http_req *r)
{
    const char *id = ld_http_query(r, "id"), *index = ld_http_query(r, "index");
    const char *ts = ld_http_query(r, "tree_size");
    struct ld_ledger *l;
    uint64_t idx = 0, size = 0;
    uint8_t bin[32];
    char *note = NULL, *json = NULL;
    enum ld_rc rc;

    if ((id == NULL) == (index == NULL)) {
        ld_http_error(r, 400, 0, "bad_query", NULL, "give exactly one of id or index");
        return;
    }
    if (index && !u64_arg(index, &idx)) {
        ld_http_error(r, 400, 0, "bad_query", "index", "index is a leaf number");
        return;
    }
    if (id && (strlen(id) != 64 || ld_enc_unhex(id, 64, bin, sizeof bin) != LD_OK)) {
        ld_http_error(r, 400, 0, "bad_query", "id", "id is 64 hex digits");
        return;
    }
    if (ts && (!u64_arg(ts, &size) || size == 0)) {
        ld_http_error(r, 400, 0, "bad_query", "tree_size", "tree_size is a positive size");
        return;
    }
    if ((l = ld_http_reader(r)) == NULL)
        return;
    if (id) {
        rc = ld_store_event_find(ld_ledger_store(l), bin, &idx);
        if (rc != LD_OK) {
            proof_reply(r, rc, NULL, "no event with this id");
            return;
        }
    }
    if (ts == NULL) {
        if (!latest(r, &size, &note))
            return;
        free(note);
        if (idx >= size) {
            ld_http_error(r, 404, LD_NOTFOUND, "notfound", NULL,
                          "leaf %llu is not in a checkpoint yet; retry in a second",
                          (unsigned long long)idx);
            return;
        }
    }
    rc = ld_ledger_refresh(l);
    if (rc == LD_OK)
        rc = ld_ledger_prove_inclusion(l, idx, size, &json);
    proof_reply(r, rc, json,
                rc == LD_NOTFOUND ? "no such leaf" : "tree_size must exceed the leaf index and "
                                                     "not exceed the log");
}

void
ld_api_log_consistency(struct ld_http_req *r)
{
    struct ld_ledger *l;
    uint64_t a = 0, b = 0;
    char *json = NULL;
    enum ld_rc rc;

    if (!u64_arg(ld_http_query(r, "old"), &a) || !u64_arg(ld_http_query(r, "new"), &b)) {
        ld_http_error(r, 400, 0, "bad_query", NULL, "give old=SIZE and new=SIZE");
        return;
    }
    if ((l = ld_http_reader(r)) == NULL)
        return;
    rc = ld_ledger_refresh(l);
    if (rc == LD_OK)
        rc = ld_ledger_prove_consistency(l, a, b, &json);
    proof_reply(r, rc, json, "need 0 < old <= new <= the log's size");
}

/* May the caller read ev? The regulator: yes; a party: events of manifests
 * naming it, and its own party events. Replies 403 when not. */
static int
may_read(struct ld_http_req *r, const struct ld_event *ev)
{
    const cJSON *id;

    if (r->regulator)
        return 1;
    if (ev->manifest)
        return ld_http_may_read_manifest(r, ev->manifest);
    id = cJSON_GetObjectItemCaseSensitive(ev->body, "id");
    if (strncmp(ev->type, "party.", 6) == 0 && cJSON_IsString(id) &&
        strcmp(id->valuestring, r->party) == 0)
        return 1;
    ld_http_error(r, 403, 0, "forbidden", NULL, "this entry is not about %s", r->party);
    return 0;
}

void
ld_api_log_entry(struct ld_http_req *r)
{
    struct ld_ledger *l;
    struct ld_store_event row;
    struct ld_event ev;
    uint64_t idx;
    enum ld_rc rc;

    if (!u64_arg(r->arg[0], &idx)) {
        ld_http_error(r, 404, LD_NOTFOUND, "notfound", NULL, "an entry is named by its index");
        return;
    }
    if ((l = ld_http_reader(r)) == NULL)
        return;
    rc = ld_store_event_get(ld_ledger_store(l), idx, &row);
    if (rc != LD_OK) {
        proof_reply(r, rc, NULL, "no such entry");
        return;
    }
    if (ld_event_parse(row.entry, row.entry_len, &ev, NULL) != LD_OK) {
        free(row.entry);
        ld_http_fail(r, LD_TAMPERED, NULL);
        return;
    }
    if (may_read(r, &ev))
        ld_http_reply(r, 200, "application/json", row.entry, row.entry_len);
    else
        free(row.entry);
    ld_event_release(&ev);
}
