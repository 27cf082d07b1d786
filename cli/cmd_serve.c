/*
 * cmd_serve.c - `liandan serve`: run the HTTP API (include/liandan/http.h,
 * schema/api.md) until SIGTERM or SIGINT; SIGHUP reopens the request log.
 * Signals are taken synchronously with sigwait in this thread, so no handler
 * runs inside the server's threads.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "liandan/http.h"
#include "liandan/banned.h"

#ifndef LIANDAN_WEB_DIR
#define LIANDAN_WEB_DIR "/usr/local/share/liandan/web"
#endif

static const char usage[] =
    "usage: liandan serve [--db DB] [--listen ADDR:PORT] [--tls-cert FILE --tls-key FILE]\n"
    "                     [--threads N] [--web DIR] [--log FILE] [--port-file FILE]\n"
    "                     [--max-body BYTES] [--token-ttl S] [--rate N] [--burst N]\n"
    "                     [--timeout S] [--max-conns N] [--max-conns-per-ip N]\n"
    "                     [--checkpoint-interval S] [--grace S]\n"
    "\nServes the HTTP API of schema/api.md. --listen defaults to 127.0.0.1:8080; port 0\n"
    "takes a free port. Prints 'listening on URL' once ready. SIGTERM or SIGINT: finish\n"
    "requests in flight (at most --grace seconds, default 10), commit, sign a final\n"
    "checkpoint, exit 0. SIGHUP: reopen --log. --rate is requests/s per client address\n"
    "(default 200, 0 for no limit). --web defaults to the installed pages, if any.\n"
    "The ledger key's passphrase, if any, is read from\n"
    "LIANDAN_LEDGER_PASSPHRASE.\n";

static int
num(const char *name, const char *s, double lo, double hi, double *out)
{
    char *end;
    double v;

    errno = 0;
    v = strtod(s, &end);
    if (errno || *end || s == end || v < lo || v > hi) {
        cli_err("serve", "--%s '%s' must be a number from %g to %g", name, s, lo, hi);
        return 0;
    }
    *out = v;
    return 1;
}

int
cmd_serve(int argc, char **argv)
{
    static const struct option opts[] = {
        {"db", required_argument, NULL, 'd'},
        {"listen", required_argument, NULL, 'l'},
        {"tls-cert", required_argument, NULL, 'C'},
        {"tls-key", required_argument, NULL, 'K'},
        {"threads", required_argument, NULL, 't'},
        {"web", required_argument, NULL, 'w'},
        {"log", required_argument, NULL, 'L'},
        {"port-file", required_argument, NULL, 'P'},
        {"max-body", required_argument, NULL, 'b'},
        {"token-ttl", required_argument, NULL, 'T'},
        {"rate", required_argument, NULL, 'r'},
        {"burst", required_argument, NULL, 'B'},
        {"timeout", required_argument, NULL, 'o'},
        {"max-conns", required_argument, NULL, 'm'},
        {"max-conns-per-ip", required_argument, NULL, 'M'},
        {"checkpoint-interval", required_argument, NULL, 'c'},
        {"grace", required_argument, NULL, 'g'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    struct ld_http_opts o;
    struct ld_http *h = NULL;
    struct ld_err err;
    const char *db = NULL, *port_file = NULL, *s_listen = NULL, *s_web = NULL, *s_log = NULL;
    const char *s_cert = NULL, *s_key = NULL;
    double v, grace = 10;
    sigset_t set;
    int c, sig;
    enum ld_rc rc;

    memset(&o, 0, sizeof o);
    optind = 0;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        int ok = 1;
        switch (c) {
        case 'd': ok = cli_once("serve", &db, optarg, "db"); break;
        case 'l': ok = cli_once("serve", &s_listen, optarg, "listen"); break;
        case 'C': ok = cli_once("serve", &s_cert, optarg, "tls-cert"); break;
        case 'K': ok = cli_once("serve", &s_key, optarg, "tls-key"); break;
        case 'w': ok = cli_once("serve", &s_web, optarg, "web"); break;
        case 'L': ok = cli_once("serve", &s_log, optarg, "log"); break;
        case 'P': ok = cli_once("serve", &port_file, optarg, "port-file"); break;
        case 't': ok = num("threads", optarg, 1, 256, &v), o.threads = (unsigned)v; break;
        case 'b': ok = num("max-body", optarg, 1024, 1 << 30, &v), o.max_body = (size_t)v; break;
        case 'T': ok = num("token-ttl", optarg, 1, 86400, &v), o.token_ttl = (unsigned)v; break;
        case 'r': ok = num("rate", optarg, 0, 1e9, &v), o.rate = v > 0 ? v : -1; break;
        case 'B': ok = num("burst", optarg, 1, 1e9, &v), o.burst = v; break;
        case 'o': ok = num("timeout", optarg, 1, 3600, &v), o.timeout = (unsigned)v; break;
        case 'm': ok = num("max-conns", optarg, 1, 1e6, &v), o.max_conns = (unsigned)v; break;
        case 'M':
            ok = num("max-conns-per-ip", optarg, 1, 1e6, &v), o.max_conns_per_ip = (unsigned)v;
            break;
        case 'c':
            ok = num("checkpoint-interval", optarg, 0.01, 86400, &v), o.checkpoint_interval = v;
            break;
        case 'g': ok = num("grace", optarg, 0, 3600, &grace); break;
        case 'h': return cli_usage(usage, 1);
        default: return cli_usage(usage, 0);
        }
        if (!ok)
            return cli_usage(usage, 0);
    }
    if (optind != argc)
        return cli_usage(usage, 0);
    if ((s_cert != NULL) != (s_key != NULL)) {
        cli_err("serve", "HTTPS needs both a certificate and a key (--tls-cert and --tls-key)");
        return cli_usage(usage, 0);
    }
    o.db = cli_db(db);
    o.listen = s_listen;
    o.tls_cert = s_cert;
    o.tls_key = s_key;
    /* The pages: --web, else where `make install` put them (if it did). */
    if (s_web == NULL && access(LIANDAN_WEB_DIR "/index.html", R_OK) == 0)
        s_web = LIANDAN_WEB_DIR;
    o.web_dir = s_web;
    o.log_path = s_log;
    o.key_passphrase = getenv("LIANDAN_LEDGER_PASSPHRASE");

    /* Block the signals we wait for before any thread starts, so that every
     * thread inherits the mask and only sigwait below sees them. */
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);

    ld_err_clear(&err);
    rc = ld_http_start(&o, &h, &err);
    if (rc != LD_OK)
        return cli_fail("serve", o.db, rc, &err);
    if (port_file) {
        FILE *f = fopen(port_file, "w");
        if (f == NULL || fprintf(f, "%u\n", ld_http_port(h)) < 0 || fclose(f) != 0) {
            cli_err("serve", "cannot write '%s'", port_file);
            ld_http_stop(h, 0);
            return EXIT_USAGE;
        }
    }
    {
        const char *l = s_listen ? s_listen : "127.0.0.1:8080";
        const char *colon = strrchr(l, ':');
        printf("listening on %s://%.*s:%u\n", ld_http_tls(h) ? "https" : "http",
               (int)(colon - l), l, ld_http_port(h));
        fflush(stdout);
    }
    for (;;) {
        if (sigwait(&set, &sig) != 0)
            continue;
        if (sig == SIGHUP) {
            if (ld_http_reopen_log(h) != LD_OK)
                cli_err("serve", "cannot reopen the log '%s'", s_log);
            continue;
        }
        break;
    }
    rc = ld_http_stop(h, grace);
    if (rc != LD_OK) {
        cli_err("serve", "the final checkpoint failed (%s)", ld_rc_str(rc));
        return EXIT_USAGE;
    }
    return EXIT_OK;
}
