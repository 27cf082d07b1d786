/*
 * http.c - the daemon behind `liandan serve` (include/liandan/http.h): the
 * route table, the MHD request lifecycle (STYLE.md rule 11), authentication
 * of bearer tokens, rate limits, the request log, metrics, and the reply
 * helpers the endpoint files use (src/http_api.h). The contract it serves is
 * schema/api.md.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "http_api.h"
#include "liandan/buf.h"
#include "liandan/domain.h"
#include "liandan/mem.h"
#include "liandan/party.h"
#include "liandan/store.h"
#include "liandan/tm.h"
#include "liandan/view.h"
#include "liandan/banned.h"

#define KIB 1024u
#define MIB (1024u * 1024u)

/* Page caches (KiB): the server stays small with 10^6 events and more (issue 4:
 * under 64 MiB resident); the writer keeps the hot end of the id index. */
#define WRITER_CACHE_KIB 16384u
#define READER_CACHE_KIB 4096u
/* A declared body up to this size is allocated at once (access_cb). */
#define BODY_AT_ONCE (64u * KIB)

/* SPEC: schema/api.md. Order matters only for readability: a path matches
 * at most one pattern of each method. */
const struct ld_http_route ld_http_routes[] = {
    {"GET", "/healthz", ld_api_healthz, LD_HTTP_PUBLIC, LD_HTTP_NOBODY, 0},
    {"GET", "/metrics", ld_api_metrics, LD_HTTP_PUBLIC, LD_HTTP_NOBODY, 0},
    {"POST", "/v1/events", ld_api_events_post, LD_HTTP_PUBLIC, LD_HTTP_JSON, 0},
    {"POST", "/v1/events:batch", ld_api_events_batch, LD_HTTP_PUBLIC, LD_HTTP_JSON, 16 * MIB},
    {"POST", "/v1/auth/challenge", ld_api_auth_challenge, LD_HTTP_PUBLIC, LD_HTTP_JSON, 4 * KIB},
    {"POST", "/v1/auth/token", ld_api_auth_token, LD_HTTP_PUBLIC, LD_HTTP_JSON, 4 * KIB},
    {"GET", "/v1/manifests", ld_api_manifests_list, LD_HTTP_TOKEN, LD_HTTP_NOBODY, 0},
    {"GET", "/v1/manifests:next-number", ld_api_manifests_next, LD_HTTP_TOKEN, LD_HTTP_NOBODY, 0},
    {"GET", "/v1/manifests/{number}", ld_api_manifest_get, LD_HTTP_TOKEN, LD_HTTP_NOBODY, 0},
    {"GET", "/v1/heads/{chain}", ld_api_head_get, LD_HTTP_TOKEN, LD_HTTP_NOBODY, 0},
    {"GET", "/v1/trace/{subject}", ld_api_trace, LD_HTTP_REGULATOR, LD_HTTP_NOBODY, 0},
    {"GET", "/v1/trace/{subject}/bundle", ld_api_trace_bundle, LD_HTTP_REGULATOR, LD_HTTP_NOBODY,
     0},
    {"GET", "/v1/anomalies", ld_api_anomalies, LD_HTTP_REGULATOR, LD_HTTP_NOBODY, 0},
    {"GET", "/v1/stats", ld_api_stats, LD_HTTP_REGULATOR, LD_HTTP_NOBODY, 0},
    {"GET", "/v1/parties", ld_api_parties_list, LD_HTTP_REGULATOR, LD_HTTP_NOBODY, 0},
    {"GET", "/v1/parties/{id}", ld_api_party_get, LD_HTTP_TOKEN, LD_HTTP_NOBODY, 0},
    {"GET", "/v1/keys/{keyid}", ld_api_key_get, LD_HTTP_TOKEN, LD_HTTP_NOBODY, 0},
    {"GET", "/v1/directory", ld_api_directory, LD_HTTP_TOKEN, LD_HTTP_NOBODY, 0},
    {"GET", "/v1/capacity", ld_api_capacity, LD_HTTP_REGULATOR, LD_HTTP_NOBODY, 0},
    {"POST", "/v1/attachments", ld_api_attachment_post, LD_HTTP_TOKEN, LD_HTTP_RAW,
     LD_STORE_ATTACHMENT_MAX},
    {"GET", "/v1/attachments/{hash}", ld_api_attachment_get, LD_HTTP_TOKEN, LD_HTTP_NOBODY, 0},
    {"GET", "/v1/log/keys", ld_api_log_keys, LD_HTTP_PUBLIC, LD_HTTP_NOBODY, 0},
    {"GET", "/v1/log/checkpoint", ld_api_log_checkpoint, LD_HTTP_PUBLIC, LD_HTTP_NOBODY, 0},
    {"GET", "/v1/log/proof/inclusion", ld_api_log_inclusion, LD_HTTP_PUBLIC, LD_HTTP_NOBODY, 0},
    {"GET", "/v1/log/proof/consistency", ld_api_log_consistency, LD_HTTP_PUBLIC, LD_HTTP_NOBODY,
     0},
    {"GET", "/v1/log/entries/{index}", ld_api_log_entry, LD_HTTP_TOKEN, LD_HTTP_NOBODY, 0},
    {"GET", "/data/{file}", ld_api_data, LD_HTTP_PUBLIC, LD_HTTP_NOBODY, 0},
    /* Last: any other GET outside /v1/ is a static page (api_static.c). */
    {"GET", "/{static}", ld_api_static, LD_HTTP_PUBLIC, LD_HTTP_NOBODY, 0},
};
const size_t ld_http_nroutes = sizeof ld_http_routes / sizeof ld_http_routes[0];
static const char *route_names[sizeof ld_http_routes / sizeof ld_http_routes[0]];

int64_t
ld_http_now(void)
{
    int64_t now = 0;

    if (ld_tm_now(&now) != LD_OK)
        now = (int64_t)time(NULL);
    return now;
}

/* ---- routing ------------------------------------------------------------ */

/* Does path match pattern? Fills args with the {x} segments. The static
 * pattern "/{static}" matches any path outside /v1/ (its own checks follow). */
static int
match(const char *pattern, const char *path, char args[2][160])
{
    const char *p = pattern, *u = path;
    int k = 0;

    if (strcmp(pattern, "/{static}") == 0)
        return strncmp(path, "/v1/", 4) != 0 && strcmp(path, "/v1") != 0;
    while (*p && *u) {
        if (*p == '{') {
            const char *pe = strchr(p, '}');
            size_t n = strcspn(u, "/");
            if (pe == NULL || n == 0 || n >= 160 || k >= 2)
                return 0;
            memcpy(args[k], u, n);
            args[k][n] = '\0';
            k++;
            p = pe + 1;
            u += n;
            continue;
        }
        if (*p != *u)
            return 0;
        p++, u++;
    }
    return *p == '\0' && *u == '\0';
}

/* Route for method + path: sets r->route, or returns 404 / 405 (with the
 * allowed method in allow). */
static unsigned
route(struct ld_http_req *r, const char *method, const char *path, const char **allow)
{
    size_t i;
    int other = 0;

    for (i = 0; i < ld_http_nroutes; i++) {
        char args[2][160];
        if (!match(ld_http_routes[i].path, path, args))
            continue;
        if (strcmp(ld_http_routes[i].method, method) != 0) {
            other = 1;
            *allow = strcmp(ld_http_routes[i].method, "GET") == 0 ? "GET, HEAD"
                                                                   : ld_http_routes[i].method;
            continue;
        }
        r->route = &ld_http_routes[i];
        r->route_idx = i;
        memcpy(r->arg, args, sizeof args);
        return 0;
    }
    return other ? 405 : 404;
}

/* ---- replies ------------------------------------------------------------ */

static void
set_response(struct ld_http_req *r, unsigned status, struct MHD_Response *resp, size_t len)
{
    if (r->resp) /* a handler replied twice: keep the first */
        MHD_destroy_response(r->resp);
    r->resp = resp;
    r->status = status;
    r->bytes = len;
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(resp, "Cache-Control", "no-store");
}

void
ld_http_reply(struct ld_http_req *r, unsigned status, const char *ctype, char *body, size_t len)
{
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);

    if (ctype)
        MHD_add_response_header(resp, "Content-Type", ctype);
    set_response(r, status, resp, len);
}

void
ld_http_reply_json(struct ld_http_req *r, unsigned status, cJSON *root)
{
    char *text = cJSON_PrintUnformatted(root);

    cJSON_Delete(root);
    if (text == NULL)
        abort(); /* cJSON's only failure is memory: as ld_xmalloc */
    ld_http_reply(r, status, "application/json", text, strlen(text));
}

static cJSON *
error_object(int code, const char *name, const char *field, const char *hint)
{
    cJSON *o = cJSON_CreateObject();

    cJSON_AddNumberToObject(o, "code", code);
    cJSON_AddStringToObject(o, "error", name);
    cJSON_AddStringToObject(o, "hint", hint);
    if (field && *field)
        cJSON_AddStringToObject(o, "field", field);
    else
        cJSON_AddNullToObject(o, "field");
    return o;
}

void
ld_http_error(struct ld_http_req *r, unsigned status, int code, const char *name,
              const char *field, const char *fmt, ...)
{
    char hint[512];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(hint, sizeof hint, fmt, ap);
    va_end(ap);
    ld_http_reply_json(r, status, error_object(code, name, field, hint));
}

unsigned
ld_http_status(enum ld_rc rc)
{
    switch (rc) {
    case LD_OK: return 200;
    case LD_EXISTS: return 200;
    case LD_PARSE: return 400;
    case LD_INVALID:
    case LD_BADSIG:
    case LD_WRONGKEY:
    case LD_RULE: return 422;
    case LD_NOTFOUND: return 404;
    case LD_CONFLICT: return 409;
    case LD_BUSY: return 503;
    default: return 500;
    }
}

cJSON *
ld_http_error_json(enum ld_rc rc, const struct ld_err *err)
{
    const char *field = err && err->rc != LD_OK ? err->field : NULL;
    const char *msg = err && err->rc != LD_OK && err->msg[0] ? err->msg : NULL;
    cJSON *o;
    unsigned i;

    switch (rc) {
    case LD_DB:
    case LD_IO:
    case LD_NOMEM:
    case LD_TAMPERED:
        /* Our fault: the detail (SQL, paths) stays in our log, not the reply. */
        return error_object(rc, ld_rc_str(rc), NULL,
                            rc == LD_TAMPERED ? "stored data fails verification; the operator "
                                                "must run 'liandan verify'"
                                              : "internal error; the request was not applied");
    case LD_BUSY:
        return error_object(rc, ld_rc_str(rc), NULL, "the ledger is busy; retry shortly");
    default:
        break;
    }
    o = error_object(rc, ld_rc_str(rc), field, msg ? msg : ld_rc_str(rc));
    if (ld_http_status(rc) == 422) {
        cJSON *v = cJSON_AddArrayToObject(o, "violations"), *it = cJSON_CreateObject();
        cJSON_AddStringToObject(it, "code", ld_rc_str(rc));
        if (field && *field)
            cJSON_AddStringToObject(it, "field", field);
        else
            cJSON_AddNullToObject(it, "field");
        cJSON_AddStringToObject(it, "message", msg ? msg : ld_rc_str(rc));
        cJSON_AddItemToArray(v, it);
        for (i = 0; err && err->rc != LD_OK && i < err->nmore; i++) {
            it = cJSON_CreateObject();
            cJSON_AddStringToObject(it, "code", ld_rc_str(err->more[i].rc));
            cJSON_AddStringToObject(it, "field", err->more[i].field);
            cJSON_AddStringToObject(it, "message", err->more[i].msg);
            cJSON_AddItemToArray(v, it);
        }
    }
    return o;
}

void
ld_http_fail(struct ld_http_req *r, enum ld_rc rc, const struct ld_err *err)
{
    unsigned status = ld_http_status(rc);

    ld_http_reply_json(r, status, ld_http_error_json(rc, err));
    if (status == 503)
        ld_http_header_add(r, "Retry-After", "1");
}

void
ld_http_header_add(struct ld_http_req *r, const char *name, const char *value)
{
    if (r->resp)
        MHD_add_response_header(r->resp, name, value);
}

void
ld_http_suspend(struct ld_http_req *r)
{
    r->suspended = 1;
    MHD_suspend_connection(r->conn);
}

void
ld_http_resume(struct ld_http_req *r)
{
    MHD_resume_connection(r->conn);
}

const char *
ld_http_query(struct ld_http_req *r, const char *name)
{
    return MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, name);
}

const char *
ld_http_header(struct ld_http_req *r, const char *name)
{
    return MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, name);
}

cJSON *
ld_http_body_object(struct ld_http_req *r)
{
    const char *end = NULL;
    cJSON *o = cJSON_ParseWithLengthOpts(r->body ? r->body : "", r->len + 1, &end, 1);

    if (o == NULL || !cJSON_IsObject(o)) {
        cJSON_Delete(o);
        ld_http_error(r, 400, LD_PARSE, "parse", NULL, "the body is not a JSON object");
        return NULL;
    }
    return o;
}

const char *
ld_http_member(struct ld_http_req *r, const cJSON *o, const char *name)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);

    if (!cJSON_IsString(v)) {
        ld_http_error(r, 400, LD_PARSE, "parse", name, "'%s' must be a string", name);
        return NULL;
    }
    return v->valuestring;
}

int
ld_http_number(const char *text, int64_t *out)
{
    int64_t v = 0;
    const char *p;

    if (text == NULL || *text == '\0' || strlen(text) > 14)
        return 0;
    for (p = text; *p; p++) {
        if (*p < '0' || *p > '9')
            return 0;
        v = v * 10 + (*p - '0');
    }
    if (v <= 0)
        return 0;
    *out = v;
    return 1;
}

/* ---- readers ------------------------------------------------------------ */

struct ld_ledger *
ld_http_reader(struct ld_http_req *r)
{
    struct ld_http *h = r->h;
    struct ld_http_reader *rd;
    struct ld_ledger_opts lo;

    if (r->rd)
        return r->rd->l;
    pthread_mutex_lock(&h->pool_mu);
    rd = h->pool;
    if (rd)
        h->pool = rd->next;
    pthread_mutex_unlock(&h->pool_mu);
    if (rd == NULL) {
        memset(&lo, 0, sizeof lo);
        lo.store_flags = LD_STORE_READONLY;
        lo.cache_kib = READER_CACHE_KIB;
        rd = ld_xcalloc(1, sizeof *rd);
        if (ld_ledger_open(h->db, &lo, &rd->l, NULL) != LD_OK) {
            free(rd);
            ld_http_fail(r, LD_BUSY, NULL);
            return NULL;
        }
    }
    r->rd = rd;
    return rd->l;
}

static void
reader_put(struct ld_http *h, struct ld_http_reader *rd)
{
    if (rd == NULL)
        return;
    pthread_mutex_lock(&h->pool_mu);
    rd->next = h->pool;
    h->pool = rd;
    pthread_mutex_unlock(&h->pool_mu);
}

/* ---- authentication ----------------------------------------------------- */

static void
unauthorized(struct ld_http_req *r, const char *why)
{
    ld_http_error(r, 401, 0, "unauthorized", NULL, "%s", why);
    ld_http_header_add(r, "WWW-Authenticate", "Bearer realm=\"liandan\"");
}

/* Check the bearer token of r against the route's access rule. Returns 1 to
 * go on; otherwise has replied 401/403/5xx. */
static int
authenticate(struct ld_http_req *r)
{
    const char *a = ld_http_header(r, MHD_HTTP_HEADER_AUTHORIZATION);
    char keyid[33];
    int64_t exp, now = ld_http_now();
    struct ld_store_key k;
    struct ld_ledger *l;
    enum ld_rc rc;

    if (r->route->access == LD_HTTP_PUBLIC)
        return 1;
    if (a == NULL || strncasecmp(a, "Bearer ", 7) != 0) {
        unauthorized(r, "sign in: POST /v1/auth/challenge, then /v1/auth/token");
        return 0;
    }
    a += 7;
    while (*a == ' ')
        a++;
    if (strlen(a) >= LD_AUTH_TOKEN_MAX ||
        ld_auth_token_check(r->h->auth, a, now, keyid, &exp) != LD_OK) {
        unauthorized(r, "the token is malformed, forged or expired; sign in again");
        return 0;
    }
    if (strcmp(keyid, r->h->regulator.keyid) == 0) {
        r->regulator = 1;
        snprintf(r->party, sizeof r->party, "%s", LD_EVENT_REGULATOR);
    } else {
        if ((l = ld_http_reader(r)) == NULL)
            return 0;
        memset(&k, 0, sizeof k);
        rc = ld_store_key_get(ld_ledger_store(l), keyid, &k);
        if (rc == LD_OK)
            rc = ld_party_key_check(&k, k.party, now, UINT64_MAX, NULL);
        if (rc == LD_OK)
            snprintf(r->party, sizeof r->party, "%s", k.party);
        if (k.vkey)
            ld_store_key_release(&k);
        if (rc == LD_DB || rc == LD_BUSY) {
            ld_http_fail(r, rc, NULL);
            return 0;
        }
        if (rc != LD_OK) {
            unauthorized(r, "the token's key is no longer certified; sign in again");
            return 0;
        }
    }
    snprintf(r->key, sizeof r->key, "%s", keyid);
    r->authed = 1;
    if (r->route->access == LD_HTTP_REGULATOR && !r->regulator) {
        ld_http_error(r, 403, 0, "forbidden", NULL, "only the regulator may read this");
        return 0;
    }
    return 1;
}

int
ld_http_may_read_manifest(struct ld_http_req *r, int64_t number)
{
    struct ld_ledger *l;
    enum ld_rc rc;

    if (r->regulator)
        return 1;
    if ((l = ld_http_reader(r)) == NULL)
        return 0;
    rc = ld_view_named(ld_ledger_store(l), number, r->party);
    if (rc == LD_OK)
        return 1;
    if (rc == LD_INVALID)
        ld_http_error(r, 403, 0, "forbidden", NULL, "manifest %lld does not name %s",
                      (long long)number, r->party);
    else if (rc == LD_NOTFOUND)
        ld_http_error(r, 404, LD_NOTFOUND, "notfound", NULL, "no manifest %lld",
                      (long long)number);
    else
        ld_http_fail(r, rc, NULL);
    return 0;
}

/* ---- the request log ---------------------------------------------------- */

static void
log_request(struct ld_http_req *r, uint64_t us)
{
    char line[768], at[LD_TM_RFC3339_LEN];
    int n;
    const char *routename = r->route ? r->route->path : "none";
    ssize_t w;

    if (ld_tm_format((int64_t)time(NULL), at) != LD_OK)
        snprintf(at, sizeof at, "-");
    /* Every value here is ours or checked ASCII (methods, routes, USCCs), so
     * none needs escaping. */
    n = snprintf(line, sizeof line,
                 "{\"t\":\"%s\",\"method\":\"%s\",\"route\":\"%s\",\"status\":%u,\"us\":%llu,"
                 "\"bytes\":%zu,\"party\":%s%s%s}\n",
                 at, r->method ? r->method : "-", routename, r->status, (unsigned long long)us,
                 r->bytes, r->authed ? "\"" : "", r->authed ? r->party : "null",
                 r->authed ? "\"" : "");
    if (n > 0 && (size_t)n < sizeof line) {
        w = write(atomic_load(&r->h->log_fd), line, (size_t)n);
        (void)w; /* a full disk must not take the API down */
    }
}

/* libmicrohttpd's own messages (TLS handshake failures, resource limits) as
 * JSON lines in the same log, so that the log stays one JSON object a line. */
static void
mhd_log(void *cls, const char *fmt, va_list ap)
{
    struct ld_http *h = cls;
    char msg[400], line[600], at[LD_TM_RFC3339_LEN];
    size_t i, o = 0;
    int n;
    ssize_t w;

    vsnprintf(msg, sizeof msg, fmt, ap);
    for (i = 0; msg[i] && o < sizeof msg - 2; i++) {
        unsigned char c = (unsigned char)msg[i];
        if (c == '"' || c == '\\')
            msg[o++] = '\'';
        else if (c >= 0x20 && c < 0x7f)
            msg[o++] = (char)c;
    }
    msg[o] = '\0';
    if (ld_tm_format((int64_t)time(NULL), at) != LD_OK)
        snprintf(at, sizeof at, "-");
    n = snprintf(line, sizeof line, "{\"t\":\"%s\",\"level\":\"mhd\",\"msg\":\"%s\"}\n", at, msg);
    if (n > 0 && (size_t)n < sizeof line) {
        w = write(atomic_load(&h->log_fd), line, (size_t)n);
        (void)w;
    }
}

/* ---- MHD callbacks ------------------------------------------------------ */

static void
completed(void *cls, struct MHD_Connection *c, void **req_cls, enum MHD_RequestTerminationCode t)
{
    struct ld_http *h = cls;
    struct ld_http_req *r = *req_cls;
    uint64_t us;
    size_t i;

    (void)t;
    if (r == NULL)
        return;
    ld_http_guard_mark(h, c, 0);
    if (!r->counted) {
        /* The client went away before a reply was queued. */
        us = (uint64_t)((ld_tm_mono() - r->t0) * 1e6);
        r->status = 499;
        ld_metrics_request(h->m, r->route ? r->route_idx : ld_http_nroutes, r->status, us);
        log_request(r, us);
    }
    reader_put(h, r->rd);
    if (r->resp)
        MHD_destroy_response(r->resp);
    free(r->body);
    free(r->items);
    for (i = 0; i < r->npre; i++)
        if (r->pre[i].root) /* not taken by the writer (refused early, or 503) */
            ld_event_release(&r->pre[i]);
    free(r->pre);
    cJSON_Delete(r->batch);
    free(r);
    *req_cls = NULL;
    atomic_fetch_sub(&h->inflight, 1);
}

static int
media_is(const char *ct, const char *want)
{
    size_t n = strlen(want);

    return ct && strncasecmp(ct, want, n) == 0 && (ct[n] == '\0' || ct[n] == ';' || ct[n] == ' ');
}

/* First call: route, limits, and checks that need no body. Returns 0 to go
 * on, or 1 when a reply is set (queued at once: for a too-large or unwanted
 * body MHD then closes the connection without reading it). */
static int
first_call(struct ld_http_req *r, const char *method, const char *url)
{
    const struct sockaddr *sa;
    const union MHD_ConnectionInfo *ci;
    const char *allow = NULL, *cl, *ct;
    unsigned st, wait;

    snprintf(r->path, sizeof r->path, "%s", url);
    ci = MHD_get_connection_info(r->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    sa = ci ? ci->client_addr : NULL;
    if (sa && sa->sa_family == AF_INET)
        wait = ld_ratelimit_take(r->h->rl, &((const struct sockaddr_in *)(const void *)sa)->sin_addr,
                                 4, ld_tm_mono());
    else if (sa && sa->sa_family == AF_INET6)
        wait = ld_ratelimit_take(r->h->rl,
                                 &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, 16,
                                 ld_tm_mono());
    else
        wait = 0;
    if (wait) {
        char s[16];
        snprintf(s, sizeof s, "%u", wait);
        ld_http_error(r, 429, 0, "rate_limited", NULL, "too many requests from this address; "
                      "retry after %u s", wait);
        ld_http_header_add(r, "Retry-After", s);
        return 1;
    }
    if (atomic_load(&r->h->draining)) {
        ld_http_error(r, 503, 0, "draining", NULL, "the server is shutting down; retry shortly");
        ld_http_header_add(r, "Retry-After", "1");
        ld_http_header_add(r, "Connection", "close");
        return 1;
    }
    /* HEAD is GET without the body (MHD leaves the body out). */
    st = route(r, strcmp(method, "HEAD") == 0 ? "GET" : method, url, &allow);
    if (st == 405) {
        ld_http_error(r, 405, 0, "method", NULL, "%s is not allowed here; use %s", method, allow);
        ld_http_header_add(r, "Allow", allow);
        return 1;
    }
    if (st == 404) {
        ld_http_error(r, 404, 0, "no_route", NULL, "no such endpoint (see schema/api.md)");
        return 1;
    }
    if (r->route->body == LD_HTTP_NOBODY)
        return 0;
    r->cap = r->route->cap ? r->route->cap : r->h->o.max_body;
    cl = ld_http_header(r, MHD_HTTP_HEADER_CONTENT_LENGTH);
    if (cl) {
        char *end;
        unsigned long long n;
        errno = 0;
        n = strtoull(cl, &end, 10);
        if (errno || *end || n > r->cap) {
            ld_http_error(r, 413, 0, "too_large", NULL, "the body is larger than %zu bytes",
                          r->cap);
            return 1;
        }
        r->declared = (size_t)n;
    }
    ct = ld_http_header(r, MHD_HTTP_HEADER_CONTENT_TYPE);
    if (r->route->body == LD_HTTP_JSON && !media_is(ct, "application/json")) {
        ld_http_error(r, 415, 0, "media_type", NULL, "send Content-Type: application/json");
        return 1;
    }
    if (r->route->body == LD_HTTP_RAW) {
        size_t i;
        if (ct == NULL) {
            ld_http_error(r, 415, 0, "media_type", NULL, "send a Content-Type");
            return 1;
        }
        for (i = 0; ct[i] && ct[i] != ';' && ct[i] != ' ' && i < sizeof r->media - 1; i++)
            r->media[i] = (char)((ct[i] >= 'A' && ct[i] <= 'Z') ? ct[i] + 32 : ct[i]);
        r->media[i] = '\0';
    }
    return 0;
}

static enum MHD_Result
queue(struct ld_http_req *r)
{
    enum MHD_Result ret;

    if (r->resp == NULL) /* a handler that forgot to reply is our bug */
        ld_http_error(r, 500, LD_IO, "io", NULL, "internal error; the request was not applied");
    /* Counted and logged as the reply is queued, so a client that has seen
     * the reply also sees it in /metrics. Duration: until the reply is ready. */
    if (!r->counted) {
        uint64_t us = (uint64_t)((ld_tm_mono() - r->t0) * 1e6);
        r->counted = 1;
        ld_metrics_request(r->h->m, r->route ? r->route_idx : ld_http_nroutes, r->status, us);
        log_request(r, us);
    }
    ret = MHD_queue_response(r->conn, r->status, r->resp);
    return ret;
}

static enum MHD_Result
access_cb(void *cls, struct MHD_Connection *c, const char *url, const char *method,
          const char *version, const char *upload_data, size_t *upload_data_size, void **req_cls)
{
    struct ld_http *h = cls;
    struct ld_http_req *r = *req_cls;

    (void)version;
    if (r == NULL) {
        r = ld_xcalloc(1, sizeof *r);
        r->h = h;
        r->conn = c;
        r->t0 = ld_tm_mono();
        r->method = strcmp(method, "GET") == 0 ? "GET" : strcmp(method, "POST") == 0 ? "POST"
                    : strcmp(method, "HEAD") == 0 ? "HEAD" : strcmp(method, "PUT") == 0 ? "PUT"
                    : strcmp(method, "DELETE") == 0 ? "DELETE" : "OTHER";
        *req_cls = r;
        atomic_fetch_add(&h->inflight, 1);
        ld_http_guard_mark(h, c, 1);
        if (first_call(r, method, url))
            return queue(r);
        return MHD_YES;
    }
    if (r->resp && !r->suspended)
        return queue(r); /* an early reply while a body still arrives */
    if (*upload_data_size) {
        size_t n = *upload_data_size;
        if (r->route == NULL || r->route->body == LD_HTTP_NOBODY || r->too_large ||
            r->len + n > r->cap) {
            r->too_large = r->route && r->route->body != LD_HTTP_NOBODY;
        } else {
            if (r->len + n + 1 > r->alloc) {
                /* A small declared body at once: a typical event is under
                 * 1 KiB, and one small allocation keeps malloc from
                 * consolidating its free lists on every request. Larger ones
                 * grow with what arrives, so that a client cannot make us
                 * reserve its declared length without sending it. */
                size_t want;
                if (r->declared && r->declared <= BODY_AT_ONCE && r->len + n <= r->declared) {
                    want = r->declared + 1;
                } else {
                    want = 2 * (r->len + n) + 1;
                    if (want < 4096)
                        want = 4096;
                }
                r->alloc = want > r->cap + 1 ? r->cap + 1 : want;
                r->body = ld_xrealloc(r->body, r->alloc);
            }
            memcpy(r->body + r->len, upload_data, n);
            r->len += n;
            r->body[r->len] = '\0';
        }
        *upload_data_size = 0;
        return MHD_YES;
    }
    /* Final call (or the call after a resume). */
    if (r->suspended) {
        r->suspended = 0;
        if (r->resp == NULL && r->finish)
            r->finish(r); /* the reply is built here, not on the thread that resumed us */
        return queue(r);
    }
    if (r->too_large) {
        ld_http_error(r, 413, 0, "too_large", NULL, "the body is larger than %zu bytes", r->cap);
        return queue(r);
    }
    if (r->route->body != LD_HTTP_NOBODY && r->body == NULL)
        r->body = ld_xstrdup("");
    if (r->route->body == LD_HTTP_JSON && memchr(r->body, '\0', r->len) != NULL) {
        ld_http_error(r, 400, LD_PARSE, "parse", NULL, "the body holds a NUL byte");
        return queue(r);
    }
    if (!authenticate(r))
        return queue(r);
    r->route->fn(r);
    if (r->suspended)
        return MHD_YES;
    return queue(r);
}

/* ---- the latest checkpoint ---------------------------------------------- */

static void
on_checkpoint(void *ctx, const char *note, uint64_t size)
{
    struct ld_http *h = ctx;
    char *copy = ld_xstrdup(note), *old;

    pthread_mutex_lock(&h->cp_mu);
    old = h->cp_note;
    h->cp_note = copy;
    h->cp_size = size;
    pthread_mutex_unlock(&h->cp_mu);
    free(old);
}

int
ld_http_checkpoint(struct ld_http *h, char **note, uint64_t *size)
{
    int ok;

    pthread_mutex_lock(&h->cp_mu);
    ok = h->cp_note != NULL;
    if (ok) {
        *note = ld_xstrdup(h->cp_note);
        *size = h->cp_size;
    }
    pthread_mutex_unlock(&h->cp_mu);
    return ok;
}

/* ---- start and stop ----------------------------------------------------- */

static enum ld_rc
read_file(const char *path, char **out)
{
    struct ld_buf b = LD_BUF_INIT;

    if (ld_buf_read_file(&b, path) != LD_OK) {
        ld_buf_release(&b);
        return LD_IO;
    }
    *out = ld_buf_detach(&b, NULL);
    return LD_OK;
}

/* Parse "ADDR:PORT" / "[V6]:PORT" into ss. Returns 1 on success. */
static int
parse_listen(const char *s, struct sockaddr_storage *ss, socklen_t *sl)
{
    char host[64];
    const char *colon;
    char *end;
    unsigned long port;

    memset(ss, 0, sizeof *ss);
    if (s[0] == '[') {
        const char *rb = strchr(s, ']');
        if (rb == NULL || rb[1] != ':' || (size_t)(rb - s - 1) >= sizeof host)
            return 0;
        memcpy(host, s + 1, (size_t)(rb - s - 1));
        host[rb - s - 1] = '\0';
        colon = rb + 1;
    } else {
        colon = strrchr(s, ':');
        if (colon == NULL || (size_t)(colon - s) >= sizeof host)
            return 0;
        memcpy(host, s, (size_t)(colon - s));
        host[colon - s] = '\0';
    }
    errno = 0;
    port = strtoul(colon + 1, &end, 10);
    if (errno || *end || colon[1] == '\0' || port > 65535)
        return 0;
    if (s[0] != '[') {
        struct sockaddr_in *in = (struct sockaddr_in *)ss;
        in->sin_family = AF_INET;
        in->sin_port = htons((uint16_t)port);
        if (inet_pton(AF_INET, host[0] ? host : "0.0.0.0", &in->sin_addr) != 1)
            return 0;
        *sl = sizeof *in;
    } else {
        struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;
        in6->sin6_family = AF_INET6;
        in6->sin6_port = htons((uint16_t)port);
        if (inet_pton(AF_INET6, host, &in6->sin6_addr) != 1)
            return 0;
        *sl = sizeof *in6;
    }
    return 1;
}

static void
defaults(struct ld_http_opts *o)
{
    long cores = sysconf(_SC_NPROCESSORS_ONLN);

    if (o->listen == NULL)
        o->listen = "127.0.0.1:8080";
    if (o->threads == 0)
        o->threads = cores > 0 ? (unsigned)cores : 2;
    if (o->max_body == 0)
        o->max_body = MIB;
    if (o->token_ttl == 0)
        o->token_ttl = 900;
    if (o->rate == 0)
        o->rate = 200;
    if (o->burst <= 0)
        o->burst = o->rate > 0 ? 5 * o->rate : 1;
    if (o->timeout == 0)
        o->timeout = 30;
    if (o->max_conns == 0)
        o->max_conns = 1024;
    if (o->max_conns_per_ip == 0)
        o->max_conns_per_ip = 256;
    if (o->checkpoint_interval <= 0)
        o->checkpoint_interval = 1;
}

static void
free_server(struct ld_http *h)
{
    struct ld_http_reader *rd;
    int fd;

    while ((rd = h->pool) != NULL) {
        h->pool = rd->next;
        ld_ledger_close(rd->l);
        free(rd);
    }
    ld_auth_free(h->auth);
    ld_ratelimit_free(h->rl);
    ld_metrics_free(h->m);
    ld_vcache_free(h->vc);
    ld_http_mcache_free(h->mcache);
    pthread_mutex_destroy(&h->pool_mu);
    pthread_mutex_destroy(&h->guard_mu);
    pthread_mutex_destroy(&h->cp_mu);
    free(h->cp_note);
    fd = atomic_load(&h->log_fd);
    if (fd > 2)
        close(fd);
    if (h->tls_key) {
        sodium_memzero(h->tls_key, strlen(h->tls_key));
        free(h->tls_key);
    }
    free(h->tls_cert);
    free(h->origin);
    free(h->db);
    free(h->log_path);
    free(h->web_dir);
    free(h);
}

enum ld_rc
ld_http_start(const struct ld_http_opts *opts, struct ld_http **out, struct ld_err *err)
{
    struct ld_http *h = ld_xcalloc(1, sizeof *h);
    struct ld_ledger *wl = NULL;
    struct ld_ledger_opts lo;
    struct sockaddr_storage ss;
    socklen_t sl = 0;
    uint8_t mac_key[32];
    unsigned flags;
    const union MHD_DaemonInfo *di;
    size_t i;
    enum ld_rc rc;

    h->o = *opts;
    defaults(&h->o);
    pthread_mutex_init(&h->pool_mu, NULL);
    pthread_mutex_init(&h->guard_mu, NULL);
    pthread_mutex_init(&h->cp_mu, NULL);
    atomic_init(&h->log_fd, 2);
    if (opts->db == NULL) {
        rc = ld_err_set(err, LD_INVALID, "db", "no ledger database given");
        goto fail;
    }
    h->db = ld_xstrdup(opts->db);
    h->o.db = h->db;
    if (opts->web_dir)
        h->o.web_dir = h->web_dir = ld_xstrdup(opts->web_dir);
    if (opts->log_path) {
        int fd;
        h->o.log_path = h->log_path = ld_xstrdup(opts->log_path);
        fd = open(h->log_path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
        if (fd < 0) {
            rc = ld_err_set(err, LD_IO, "log", "cannot open the log '%s'", h->log_path);
            goto fail;
        }
        atomic_store(&h->log_fd, fd);
    }
    if (!parse_listen(h->o.listen, &ss, &sl)) {
        rc = ld_err_set(err, LD_INVALID, "listen", "'%s' is not ADDR:PORT or [V6ADDR]:PORT",
                        h->o.listen);
        goto fail;
    }
    if ((opts->tls_cert != NULL) != (opts->tls_key != NULL)) {
        rc = ld_err_set(err, LD_INVALID, "tls", "HTTPS needs both a certificate and a key");
        goto fail;
    }
    if (opts->tls_cert) {
        if (read_file(opts->tls_cert, &h->tls_cert) != LD_OK) {
            rc = ld_err_set(err, LD_IO, "tls_cert", "cannot read '%s'", opts->tls_cert);
            goto fail;
        }
        if (read_file(opts->tls_key, &h->tls_key) != LD_OK) {
            rc = ld_err_set(err, LD_IO, "tls_key", "cannot read '%s'", opts->tls_key);
            goto fail;
        }
        h->tls = 1;
    }

    /* The writer's ledger: read-write, with every rule set. */
    memset(&lo, 0, sizeof lo);
    lo.key_passphrase = opts->key_passphrase;
    /* Event signatures are checked on the request threads (api_events.c).
     * No helper thread signs receipts ahead here (ledger.c): measured on a
     * quiet machine, a helper per group cost 7% of ingest (groups shrank). */
    lo.threads = 1;
    lo.cache_kib = WRITER_CACHE_KIB;
    rc = ld_ledger_open(h->db, &lo, &wl, err);
    if (rc == LD_OK)
        rc = ld_domain_register(wl);
    h->vc = ld_vcache_new(1u << 16);
    if (rc == LD_OK)
        ld_ledger_set_vcache(wl, h->vc);
    if (rc == LD_OK)
        rc = ld_ledger_derive(wl, "http-token", mac_key, err);
    if (rc != LD_OK) {
        ld_ledger_close(wl);
        goto fail;
    }
    h->origin = ld_xstrdup(ld_ledger_origin(wl));
    h->regulator = *ld_ledger_regulator(wl);
    h->ledger_pub = *ld_ledger_key(wl);
    h->auth = ld_auth_new(mac_key);
    sodium_memzero(mac_key, sizeof mac_key);
    h->rl = ld_ratelimit_new(h->o.rate > 0 ? h->o.rate : 0, h->o.burst);
    for (i = 0; i < ld_http_nroutes; i++)
        route_names[i] = ld_http_routes[i].path;
    h->m = ld_metrics_new(route_names, ld_http_nroutes);
    h->mcache = ld_http_mcache_new();
    rc = ld_writer_start(wl, h->o.checkpoint_interval, h->m, on_checkpoint, h, &h->w);
    if (rc != LD_OK) {
        rc = ld_err_set(err, rc, "", "cannot start the writer thread");
        goto fail;
    }

    if (!ld_http_guard_start(h)) {
        rc = ld_err_set(err, LD_IO, "", "cannot start the slow-client guard");
        goto fail;
    }
    flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME |
            MHD_USE_ERROR_LOG;
    if (ss.ss_family == AF_INET6)
        flags |= MHD_USE_IPv6;
    if (h->tls)
        flags |= MHD_USE_TLS;
    {
        struct MHD_OptionItem tls[] = {
            {MHD_OPTION_HTTPS_MEM_CERT, 0, h->tls_cert},
            {MHD_OPTION_HTTPS_MEM_KEY, 0, h->tls_key},
            {MHD_OPTION_END, 0, NULL},
        };
        h->d = MHD_start_daemon(
            flags, 0, NULL, NULL, access_cb, h, MHD_OPTION_EXTERNAL_LOGGER, mhd_log, h,
            MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
            MHD_OPTION_THREAD_POOL_SIZE, h->o.threads, MHD_OPTION_NOTIFY_COMPLETED, completed, h,
            MHD_OPTION_CONNECTION_LIMIT, h->o.max_conns, MHD_OPTION_PER_IP_CONNECTION_LIMIT,
            h->o.max_conns_per_ip, MHD_OPTION_CONNECTION_TIMEOUT, h->o.timeout,
            MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(16 * KIB),
            MHD_OPTION_LISTEN_BACKLOG_SIZE, 511u, MHD_OPTION_NOTIFY_CONNECTION,
            ld_http_guard_notify, h, MHD_OPTION_UNESCAPE_CALLBACK, ld_http_unescape, h,
            MHD_OPTION_ARRAY,
            h->tls ? tls : tls + 2, MHD_OPTION_END);
    }
    (void)sl;
    if (h->d == NULL) {
        rc = ld_err_set(err, LD_IO, "listen", "cannot listen on %s (in use, not permitted, "
                        "or bad TLS files)", h->o.listen);
        goto fail;
    }
    di = MHD_get_daemon_info(h->d, MHD_DAEMON_INFO_BIND_PORT);
    h->port = di ? di->port : 0;
    *out = h;
    return LD_OK;
fail:
    ld_http_guard_stop(h);
    if (h->w)
        ld_writer_stop(h->w);
    free_server(h);
    return rc;
}

uint16_t
ld_http_port(const struct ld_http *h)
{
    return h->port;
}

int
ld_http_tls(const struct ld_http *h)
{
    return h->tls;
}

enum ld_rc
ld_http_reopen_log(struct ld_http *h)
{
    int fd, old;

    if (h->log_path == NULL)
        return LD_OK;
    fd = open(h->log_path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
    if (fd < 0)
        return LD_IO;
    old = atomic_exchange(&h->log_fd, fd);
    /* A writer may still hold old for one write; a closed fd then fails
     * harmlessly. */
    if (old > 2)
        close(old);
    return LD_OK;
}

enum ld_rc
ld_http_stop(struct ld_http *h, double grace)
{
    double until = ld_tm_mono() + grace;
    enum ld_rc rc;
    int fd;

    atomic_store(&h->draining, 1);
    fd = MHD_quiesce_daemon(h->d); /* no new connections */
    while (atomic_load(&h->inflight) > 0 && ld_tm_mono() < until) {
        struct timespec ts = {0, 10 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    /* Requests still waiting for the writer get their replies from it. */
    rc = ld_writer_stop(h->w);
    h->w = NULL;
    MHD_stop_daemon(h->d);
    if (fd >= 0)
        close(fd);
    ld_http_guard_stop(h);
    free_server(h);
    return rc;
}
