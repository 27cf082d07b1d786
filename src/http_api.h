/*
 * http_api.h - what src/http.c shares with the endpoint files src/api_*.c
 * (STYLE.md rule 10): the server and request structs, the reply helpers and
 * each endpoint's handler. Not installed; clients use include/liandan/http.h.
 *
 * A handler runs on the final call of a request (body complete, caller
 * authenticated as its route demands) and must either reply exactly once with
 * one of the ld_http_reply* helpers, or call ld_http_suspend() and arrange
 * for a reply from another thread followed by ld_http_resume().
 */
#ifndef LIANDAN_HTTP_API_H
#define LIANDAN_HTTP_API_H

#include <cjson/cJSON.h>
#include <microhttpd.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "liandan/auth.h"
#include "liandan/err.h"
#include "liandan/event.h"
#include "liandan/http.h"
#include "liandan/ledger.h"
#include "liandan/metrics.h"
#include "liandan/ratelimit.h"
#include "liandan/sig.h"
#include "liandan/vcache.h"
#include "liandan/writer.h"

/* Who may call a route. */
enum ld_http_access {
    LD_HTTP_PUBLIC,    /* anyone */
    LD_HTTP_TOKEN,     /* a bearer token of any party or the regulator */
    LD_HTTP_REGULATOR  /* the regulator's token */
};

/* How a route takes a body. */
enum ld_http_body {
    LD_HTTP_NOBODY, /* GET */
    LD_HTTP_JSON,   /* application/json, capped at opts.max_body (or the route's cap) */
    LD_HTTP_RAW     /* any media type, capped at the route's cap */
};

struct ld_http_req;

struct ld_http_route {
    const char *method;  /* "GET" or "POST" */
    const char *path;    /* "/v1/manifests/{number}": {x} matches one segment */
    void (*fn)(struct ld_http_req *r);
    enum ld_http_access access;
    enum ld_http_body body;
    size_t cap;          /* body cap in bytes; 0: opts.max_body */
};

/* A pooled read-only ledger connection. */
struct ld_http_reader {
    struct ld_ledger *l;
    struct ld_http_reader *next;
};

struct ld_http {
    struct ld_http_opts o;          /* with defaults filled in; strings owned below */
    char *db, *log_path, *web_dir;  /* owned copies */
    struct MHD_Daemon *d;
    uint16_t port;
    int tls;
    char *tls_cert, *tls_key;       /* owned PEM text (key wiped on free) */
    char *origin;                   /* owned: checkpoint origin */
    struct ld_sig_pub regulator;    /* pinned regulator key */
    struct ld_sig_pub ledger_pub;   /* ledger key */
    struct ld_writer *w;
    struct ld_auth *auth;
    struct ld_ratelimit *rl;
    struct ld_metrics *m;
    struct ld_vcache *vc;
    pthread_mutex_t pool_mu;
    struct ld_http_reader *pool;    /* idle readers */
    atomic_int draining;            /* 1 once stop has begun */
    atomic_int inflight;            /* requests between first call and completion */
    atomic_int log_fd;              /* request log */
    struct ld_http_mcache *mcache;  /* manifest replies by (number, head, state): api_manifests.c */
    /* The latest checkpoint, kept by the writer's callback (GET needs no SQL). */
    pthread_mutex_t cp_mu;
    char *cp_note;                  /* owned; NULL before the first */
    uint64_t cp_size;
    /* Slow-client guard (http_guard.c). */
    pthread_mutex_t guard_mu;
    struct ld_http_conn *conns;     /* open connections */
    pthread_t guard_thread;
    int guard_started;
    atomic_int guard_stop;
};

/* One request: allocated on the first call, freed when MHD reports completion. */
struct ld_http_req {
    struct ld_http *h;
    struct MHD_Connection *conn;
    const struct ld_http_route *route;
    size_t route_idx;               /* index in the route table (metrics) */
    const char *method;
    char path[256];                 /* the path as routed (for the log when no route) */
    char arg[2][160];               /* {x} segments of the route, in order */
    char *body;                     /* owned, NUL-terminated */
    size_t len, cap, alloc;         /* bytes received, the route's cap, allocated */
    size_t declared;                /* Content-Length when sent (<= cap), else 0 */
    int too_large;
    char media[64];                 /* Content-Type of a RAW body, lowercased, no parameters */
    struct ld_http_reader *rd;      /* borrowed from the pool, returned on completion */
    /* Caller, when authenticated. */
    int authed, regulator;
    char party[19];                 /* USCC, or "regulator" */
    char key[33];
    /* Reply. */
    struct MHD_Response *resp;
    unsigned status;
    size_t bytes;
    int suspended;
    void (*finish)(struct ld_http_req *r); /* builds the reply after a resume, if not set yet */
    int counted;                    /* metrics and log written (at queue time) */
    double t0;
    /* Writer jobs of POST /v1/events and :batch. */
    struct ld_writer_job job;
    struct ld_ledger_item *items;
    size_t nitems;
    struct ld_event *pre;           /* owned: events parsed on this thread (api_events.c) */
    size_t npre;
    cJSON *batch;                   /* owned: the parsed batch array */
};

/* The route table (src/http.c) and its size, for metrics names. */
extern const struct ld_http_route ld_http_routes[];
extern const size_t ld_http_nroutes;

/* ---- helpers for handlers ---------------------------------------------- */

/* A query argument (decoded), or NULL. Borrowed until the request completes. */
const char *ld_http_query(struct ld_http_req *r, const char *name);

/* A request header, or NULL. */
const char *ld_http_header(struct ld_http_req *r, const char *name);

/* A read-only ledger for this request (from the pool; opened when the pool is
 * empty). Returns NULL after replying 503 when none can be opened. */
struct ld_ledger *ld_http_reader(struct ld_http_req *r);

/* Reply with body (takes ownership; freed with free()) of len bytes. */
void ld_http_reply(struct ld_http_req *r, unsigned status, const char *ctype, char *body,
                   size_t len);

/* Reply with root printed compactly as application/json; takes ownership of root. */
void ld_http_reply_json(struct ld_http_req *r, unsigned status, cJSON *root);

/* Reply with the error body {"code","error","hint","field"} (schema/api.md). */
void ld_http_error(struct ld_http_req *r, unsigned status, int code, const char *name,
                   const char *field, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 6, 7)))
#endif
    ;

/* Map a library result to the status and error body a client should see,
 * with err's field and message (never SQL text or a path: for LD_DB, LD_IO
 * and others of ours only a generic hint). */
void ld_http_fail(struct ld_http_req *r, enum ld_rc rc, const struct ld_err *err);

/* The HTTP status a library result maps to (as ld_http_fail). */
unsigned ld_http_status(enum ld_rc rc);

/* Error object for rc/err, as ld_http_fail would send (new; cJSON_Delete). */
cJSON *ld_http_error_json(enum ld_rc rc, const struct ld_err *err);

/* The request body parsed as a JSON object; NULL after replying 400 when it
 * is not one. Returns a new object (cJSON_Delete). */
cJSON *ld_http_body_object(struct ld_http_req *r);

/* A string member of o, or NULL after replying 400 naming it (when required). */
const char *ld_http_member(struct ld_http_req *r, const cJSON *o, const char *name);

/* Add a header to the reply already set. */
void ld_http_header_add(struct ld_http_req *r, const char *name, const char *value);

/* Suspend the connection until ld_http_resume. By then either the reply is
 * set, or r->finish is, and builds it on the request's own thread. */
void ld_http_suspend(struct ld_http_req *r);
void ld_http_resume(struct ld_http_req *r);

/* Authorisation of a party's token for a manifest: 1 when it may read it
 * (regulator, or named on it); otherwise replies 403/404/5xx and returns 0. */
int ld_http_may_read_manifest(struct ld_http_req *r, int64_t number);

/* Parse a manifest number (1..10^14-1) from text. Returns 1 and sets *out. */
int ld_http_number(const char *text, int64_t *out);

/* The latest checkpoint: [out] *note (new string, free()) and *size.
 * Returns 0 when there is none yet. */
int ld_http_checkpoint(struct ld_http *h, char **note, uint64_t *size);

/* Now, seconds since the epoch (honours LIANDAN_NOW as the CLI does). */
int64_t ld_http_now(void);

/* ---- http_guard.c -------------------------------------------------------- */
struct ld_http_conn;
/* MHD_OPTION_NOTIFY_CONNECTION callback (cls = the server). */
void ld_http_guard_notify(void *cls, struct MHD_Connection *c, void **socket_context,
                          enum MHD_ConnectionNotificationCode toe);
/* A request on c has begun (1: headers complete) or ended (0). */
void ld_http_guard_mark(struct ld_http *h, struct MHD_Connection *c, int in_request);
/* Start / stop the thread that shuts down connections whose request headers
 * take longer than opts.timeout. start returns 1 on success. */
int ld_http_guard_start(struct ld_http *h);
void ld_http_guard_stop(struct ld_http *h);
/* MHD_OPTION_UNESCAPE_CALLBACK: %XX decoding that keeps "%00" as it is. */
size_t ld_http_unescape(void *cls, struct MHD_Connection *c, char *s);

/* ---- api_manifests.c: the manifest reply memo ---------------------------- */
struct ld_http_mcache;
struct ld_http_mcache *ld_http_mcache_new(void);
void ld_http_mcache_free(struct ld_http_mcache *mc);

/* ---- endpoints ---------------------------------------------------------- */
void ld_api_healthz(struct ld_http_req *r);
void ld_api_metrics(struct ld_http_req *r);
void ld_api_events_post(struct ld_http_req *r);
void ld_api_events_batch(struct ld_http_req *r);
void ld_api_auth_challenge(struct ld_http_req *r);
void ld_api_auth_token(struct ld_http_req *r);
void ld_api_manifests_list(struct ld_http_req *r);
void ld_api_manifests_next(struct ld_http_req *r);
void ld_api_manifest_get(struct ld_http_req *r);
void ld_api_head_get(struct ld_http_req *r);
void ld_api_trace(struct ld_http_req *r);
void ld_api_trace_bundle(struct ld_http_req *r);
void ld_api_anomalies(struct ld_http_req *r);
void ld_api_stats(struct ld_http_req *r);
void ld_api_parties_list(struct ld_http_req *r);
void ld_api_party_get(struct ld_http_req *r);
void ld_api_key_get(struct ld_http_req *r);
void ld_api_directory(struct ld_http_req *r);
void ld_api_capacity(struct ld_http_req *r);
void ld_api_attachment_post(struct ld_http_req *r);
void ld_api_attachment_get(struct ld_http_req *r);
void ld_api_log_keys(struct ld_http_req *r);
void ld_api_log_checkpoint(struct ld_http_req *r);
void ld_api_log_inclusion(struct ld_http_req *r);
void ld_api_log_consistency(struct ld_http_req *r);
void ld_api_log_entry(struct ld_http_req *r);
void ld_api_static(struct ld_http_req *r);
void ld_api_data(struct ld_http_req *r);

#endif
