/*
 * event.c - the signed event envelope of DESIGN.md §4.3: shape checks on
 * untrusted input, the canonical signed message and entry (RFC 8785), the
 * event id (RFC 6962 leaf hash), and signing for clients (CLI, tools, tests).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "liandan/canon.h"
#include "liandan/enc.h"
#include "liandan/event.h"
#include "liandan/mem.h"
#include "liandan/tm.h"
#include "liandan/uscc.h"
#include "liandan/banned.h"

static const char *const event_members[] = {"v", "type", "manifest", "prev", "at",
                                            "actor", "key", "body"};

int
ld_event_type_ok(const char *type)
{
    size_t i, n = strlen(type);
    int dots = 0, run = 0;

    if (n == 0 || n >= LD_EVENT_TYPE_MAX)
        return 0;
    for (i = 0; i < n; i++) {
        char c = type[i];
        if (c == '.') {
            if (run == 0)
                return 0;
            dots++;
            run = 0;
        } else if ((c >= 'a' && c <= 'z') || (c == '_' && dots > 0)) {
            run++;
        } else {
            return 0;
        }
    }
    return dots > 0 && run > 0;
}

static int
is_lower_hex(const char *s, size_t n)
{
    size_t i;

    if (strlen(s) != n)
        return 0;
    for (i = 0; i < n; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
            return 0;
    return 1;
}

/* Refuse members other than the allowed ones (an unknown member would be
 * signed but ignored, which is how confusion attacks start). */
static enum ld_rc
only_members(const cJSON *obj, const char *const *names, size_t n, const char *where,
             struct ld_err *err)
{
    const cJSON *it;
    size_t i;

    cJSON_ArrayForEach(it, obj)
    {
        for (i = 0; i < n; i++)
            if (strcmp(it->string, names[i]) == 0)
                break;
        if (i == n)
            return ld_err_set(err, LD_PARSE, where, "unknown member '%s'", it->string);
    }
    for (i = 0; i < n; i++)
        if (!cJSON_HasObjectItem(obj, names[i]))
            return ld_err_set(err, LD_PARSE, where, "missing member '%s'", names[i]);
    return LD_OK;
}

static enum ld_rc
check_event(const cJSON *e, struct ld_event *ev, struct ld_err *err)
{
    const cJSON *v, *type, *man, *prev, *at, *actor, *key;
    enum ld_rc rc;

    if (!cJSON_IsObject(e))
        return ld_err_set(err, LD_PARSE, "event", "event must be an object");
    rc = only_members(e, event_members, sizeof event_members / sizeof *event_members, "event",
                      err);
    if (rc != LD_OK)
        return rc;
    v = cJSON_GetObjectItemCaseSensitive(e, "v");
    if (!cJSON_IsNumber(v) || v->valuedouble != 1)
        return ld_err_set(err, LD_INVALID, "event.v", "unsupported envelope version (want 1)");

    type = cJSON_GetObjectItemCaseSensitive(e, "type");
    if (!cJSON_IsString(type) || !ld_event_type_ok(type->valuestring))
        return ld_err_set(err, LD_INVALID, "event.type", "type must look like 'namespace.verb'");
    snprintf(ev->type, sizeof ev->type, "%s", type->valuestring);

    man = cJSON_GetObjectItemCaseSensitive(e, "manifest");
    if (cJSON_IsNull(man)) {
        ev->manifest = 0;
    } else if (cJSON_IsNumber(man) && man->valuedouble >= 1 &&
               man->valuedouble <= (double)LD_EVENT_MANIFEST_MAX) {
        ev->manifest = (int64_t)man->valuedouble;
    } else {
        return ld_err_set(err, LD_INVALID, "event.manifest",
                          "manifest must be null or a number of at most 14 digits");
    }

    prev = cJSON_GetObjectItemCaseSensitive(e, "prev");
    if (cJSON_IsNull(prev)) {
        ev->has_prev = 0;
    } else if (cJSON_IsString(prev) && is_lower_hex(prev->valuestring, 64)) {
        ld_enc_unhex(prev->valuestring, 64, ev->prev, sizeof ev->prev);
        ev->has_prev = 1;
    } else {
        return ld_err_set(err, LD_INVALID, "event.prev",
                          "prev must be null or an event id (64 lowercase hex digits)");
    }

    at = cJSON_GetObjectItemCaseSensitive(e, "at");
    if (!cJSON_IsString(at) || strlen(at->valuestring) >= sizeof ev->at_text ||
        ld_tm_parse(at->valuestring, &ev->at) != LD_OK)
        return ld_err_set(err, LD_INVALID, "event.at",
                          "at must be a UTC time written YYYY-MM-DDTHH:MM:SSZ");
    snprintf(ev->at_text, sizeof ev->at_text, "%s", at->valuestring);

    actor = cJSON_GetObjectItemCaseSensitive(e, "actor");
    if (!cJSON_IsString(actor))
        return ld_err_set(err, LD_INVALID, "event.actor", "actor must be a string");
    if (strcmp(actor->valuestring, LD_EVENT_REGULATOR) != 0) {
        rc = ld_uscc_check(actor->valuestring, "event.actor", err);
        if (rc != LD_OK)
            return rc;
    }
    snprintf(ev->actor, sizeof ev->actor, "%s", actor->valuestring);

    key = cJSON_GetObjectItemCaseSensitive(e, "key");
    if (!cJSON_IsString(key) || !is_lower_hex(key->valuestring, 32))
        return ld_err_set(err, LD_INVALID, "event.key",
                          "key must be a key id (32 lowercase hex digits)");
    memcpy(ev->key, key->valuestring, 33);

    ev->body = cJSON_GetObjectItemCaseSensitive(e, "body");
    if (!cJSON_IsObject(ev->body))
        return ld_err_set(err, LD_PARSE, "event.body", "body must be an object");
    return LD_OK;
}

/* msg = purpose || JCS(event). */
static enum ld_rc
build_msg(const cJSON *event, char **msg, size_t *msg_len, struct ld_err *err)
{
    struct ld_buf b = LD_BUF_INIT;
    enum ld_rc rc;

    ld_buf_adds(&b, LD_SIG_PURPOSE_EVENT);
    rc = ld_canon_write(event, LD_CANON_SIGNED, &b, err);
    if (rc != LD_OK) {
        ld_buf_release(&b);
        return rc;
    }
    *msg = ld_buf_detach(&b, msg_len);
    return LD_OK;
}

enum ld_rc
ld_event_parse(const char *text, size_t len, struct ld_event *out, struct ld_err *err)
{
    static const char *const signed_members[] = {"event", "sig"};
    struct ld_event ev;
    const cJSON *sig;
    size_t n = 0;
    enum ld_rc rc;

    memset(&ev, 0, sizeof ev);
    rc = ld_canon_parse(text, len, LD_CANON_SIGNED, &ev.root, err);
    if (rc != LD_OK) {
        /* canon.c names fields as JSONPath ("$.event.manifest"); the envelope,
         * the ledger and the rules name them without the root ("event.manifest"). */
        if (err && err->field[0] == '$')
            memmove(err->field, err->field + (err->field[1] == '.' ? 2 : 1),
                    strlen(err->field) - (err->field[1] == '.' ? 1 : 0));
        goto out;
    }
    if (!cJSON_IsObject(ev.root)) {
        rc = ld_err_set(err, LD_PARSE, "", "a signed event must be a JSON object");
        goto out;
    }
    rc = only_members(ev.root, signed_members, 2, "", err);
    if (rc != LD_OK)
        goto out;
    ev.event = cJSON_GetObjectItemCaseSensitive(ev.root, "event");
    rc = check_event(ev.event, &ev, err);
    if (rc != LD_OK)
        goto out;
    sig = cJSON_GetObjectItemCaseSensitive(ev.root, "sig");
    if (!cJSON_IsString(sig) ||
        ld_enc_unb64(sig->valuestring, strlen(sig->valuestring), ev.sig, sizeof ev.sig, &n) !=
            LD_OK ||
        n != LD_SIG_SIG) {
        rc = ld_err_set(err, LD_INVALID, "sig", "sig must be the base64 of 64 bytes");
        goto out;
    }
    rc = build_msg(ev.event, &ev.msg, &ev.msg_len, err);
    if (rc != LD_OK)
        goto out;
    {
        /* JCS(signed) without a second walk: its members sort as "event" <
         * "sig", and sig is strict base64 (checked above), which JCS writes
         * as it is. SPEC: RFC 8785 §3.2.3 */
        const size_t plen = sizeof LD_SIG_PURPOSE_EVENT - 1;
        const char *b64 = sig->valuestring;
        struct ld_buf b = LD_BUF_INIT;

        ld_buf_add(&b, "{\"event\":", 9);
        ld_buf_add(&b, ev.msg + plen, ev.msg_len - plen);
        ld_buf_add(&b, ",\"sig\":\"", 8);
        ld_buf_adds(&b, b64);
        ld_buf_add(&b, "\"}", 2);
        ev.entry = ld_buf_detach(&b, &ev.entry_len);
    }
    ld_merkle_leaf_hash(ev.entry, ev.entry_len, ev.id);
    ld_enc_hex(ev.id, sizeof ev.id, ev.id_hex);
out:
    if (rc != LD_OK)
        ld_event_release(&ev);
    else
        *out = ev;
    return rc;
}

void
ld_event_release(struct ld_event *ev)
{
    cJSON_Delete(ev->root);
    free(ev->msg);
    free(ev->entry);
    memset(ev, 0, sizeof *ev);
}

void
ld_event_trim(struct ld_event *ev)
{
    cJSON_Delete(ev->root);
    ev->root = NULL;
    ev->event = NULL;
    ev->body = NULL;
    free(ev->entry);
    ev->entry = NULL;
    ev->entry_len = 0;
}

enum ld_rc
ld_event_verify(const struct ld_event *ev, const uint8_t pk[LD_SIG_PUB])
{
    /* msg already starts with the purpose tag. */
    return ld_sig_verify(pk, NULL, ev->msg, ev->msg_len, ev->sig);
}

enum ld_rc
ld_event_sign(const cJSON *event, const struct ld_sig_secret *s, char **out, size_t *out_len,
              struct ld_err *err)
{
    struct ld_sig_pub pub;
    cJSON *copy = NULL, *wrapper = NULL;
    char *msg = NULL, *b64 = NULL;
    size_t msg_len = 0;
    uint8_t sig[LD_SIG_SIG];
    struct ld_buf b = LD_BUF_INIT;
    enum ld_rc rc = LD_OK;

    if (!cJSON_IsObject(event)) {
        rc = ld_err_set(err, LD_INVALID, "event", "event must be an object");
        goto out;
    }
    copy = cJSON_Duplicate(event, 1);
    if (copy == NULL)
        abort();
    ld_sig_secret_pub(s, &pub);
    if (!cJSON_HasObjectItem(copy, "key"))
        cJSON_AddStringToObject(copy, "key", pub.keyid);
    rc = build_msg(copy, &msg, &msg_len, err);
    if (rc != LD_OK)
        goto out;
    ld_sig_sign(s, NULL, msg, msg_len, sig);
    b64 = ld_enc_b64_dup(sig, sizeof sig);
    wrapper = cJSON_CreateObject();
    cJSON_AddItemToObject(wrapper, "event", copy);
    copy = NULL;
    cJSON_AddStringToObject(wrapper, "sig", b64);
    rc = ld_canon_write(wrapper, LD_CANON_SIGNED, &b, err);
    if (rc != LD_OK)
        goto out;
    *out = ld_buf_detach(&b, out_len);
out:
    ld_buf_release(&b);
    cJSON_Delete(wrapper);
    cJSON_Delete(copy);
    free(msg);
    free(b64);
    return rc;
}
