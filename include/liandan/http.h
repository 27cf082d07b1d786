/*
 * http.h - `liandan serve`: the HTTP API of schema/api.md on libmicrohttpd
 * (epoll, a thread pool, optional TLS through MHD's GnuTLS support).
 *
 * One writer thread commits events in groups (writer.h); request threads
 * read through a pool of read-only connections to the same database. The
 * server owns everything it opens; the caller only starts and stops it, and
 * chooses what signals mean (cli/cmd_serve.c: SIGTERM stops, SIGHUP reopens
 * the log).
 *
 * Thread safety: start/stop from one thread; reopen_log from any.
 */
#ifndef LIANDAN_HTTP_H
#define LIANDAN_HTTP_H

#include <stddef.h>
#include <stdint.h>

#include "liandan/err.h"

struct ld_http;

/* Server settings. Zero means the default shown. */
struct ld_http_opts {
    const char *db;              /* ledger database (required) */
    const char *listen;          /* "ADDR:PORT" or "[V6]:PORT"; default 127.0.0.1:8080; port 0 = any */
    const char *tls_cert;        /* PEM certificate chain file: serve HTTPS (with tls_key) */
    const char *tls_key;         /* PEM private key file */
    const char *key_passphrase;  /* of the ledger key file, if encrypted */
    const char *web_dir;         /* static pages; NULL: none (404) */
    const char *log_path;        /* request log; NULL: stderr */
    unsigned threads;            /* MHD thread pool; default: number of cores */
    size_t max_body;             /* JSON body cap, bytes; default 1 MiB */
    unsigned token_ttl;          /* bearer token lifetime, s; default 900 */
    double rate;                 /* requests/s per address; default 200; < 0: no limit */
    double burst;                /* bucket size; default 5 x rate */
    unsigned timeout;            /* idle / slow client timeout, s; default 30 */
    unsigned max_conns;          /* connections at once; default 1024 */
    unsigned max_conns_per_ip;   /* default 256 */
    double checkpoint_interval;  /* s between checkpoints while events arrive; default 1 */
};

/*
 * Open the ledger, start the writer and the daemon.
 * [out] out: the running server; stop it with ld_http_stop().
 * [out] err: may be NULL; says what failed (never a secret).
 * Returns LD_OK, LD_NOTFOUND (no ledger at db), LD_INVALID (a bad option,
 * e.g. listen address), LD_IO (cannot bind, read TLS files or the ledger
 * key), LD_WRONGKEY, LD_DB, LD_BUSY.
 */
enum ld_rc ld_http_start(const struct ld_http_opts *o, struct ld_http **out, struct ld_err *err);

/* The TCP port actually bound (useful after listening on port 0). */
uint16_t ld_http_port(const struct ld_http *h);

/* 1 when the server speaks TLS. */
int ld_http_tls(const struct ld_http *h);

/* Reopen the request log file (after rotation). Returns LD_OK or LD_IO;
 * logging to stderr is always LD_OK. */
enum ld_rc ld_http_reopen_log(struct ld_http *h);

/*
 * Stop: refuse new connections, let requests in flight finish (at most
 * `grace` seconds), commit what the writer holds, sign a final checkpoint,
 * close everything and free h. Returns the final checkpoint's result.
 */
enum ld_rc ld_http_stop(struct ld_http *h, double grace);

#endif
