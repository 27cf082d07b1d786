/*
 * bare-mhd.c - the ceiling for the GET figures of `make bench` (issue 4,
 * "Performance"; run by tools/bench-http.sh): a bare libmicrohttpd daemon with
 * the flags `liandan serve` uses (internal polling thread, epoll, a thread
 * pool) answering every request with a constant 2-byte body. It answers on the
 * second handler call, as a real handler does: a reply queued on the first call
 * makes libmicrohttpd close the connection after it.
 *
 * Usage: bare-mhd [--listen ADDR:PORT] [--threads N] [--port-file F]
 * Port 0 (the default, on 127.0.0.1) picks a free port; the bound one is
 * printed as "listening on http://ADDR:PORT". Runs until SIGTERM or SIGINT.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <pthread.h>

#include <microhttpd.h>

#include "liandan/banned.h"

static const char usage[] =
    "usage: bare-mhd [--listen ADDR:PORT] [--threads N] [--port-file F]\n"
    "\nA bare libmicrohttpd server answering \"ok\" to everything: the ceiling\n"
    "that bench-http.sh compares liandan serve with. Defaults: 127.0.0.1:0, one\n"
    "thread per core. Prints the bound port; stops on SIGTERM or SIGINT.\n";

static struct MHD_Response *ok;

static void
die(const char *what)
{
    fprintf(stderr, "bare-mhd: %s\n", what);
    exit(2);
}

static enum MHD_Result
handler(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
        const char *version, const char *upload_data, size_t *upload_data_size, void **req_cls)
{
    static int started; /* any non-NULL marker: "the first call has been seen" */

    (void)cls, (void)url, (void)method, (void)version, (void)upload_data;
    if (*req_cls == NULL) {
        *req_cls = &started;
        return MHD_YES;
    }
    if (*upload_data_size != 0) {
        *upload_data_size = 0; /* drain a body, if any */
        return MHD_YES;
    }
    return MHD_queue_response(conn, MHD_HTTP_OK, ok);
}

int
main(int argc, char **argv)
{
    const char *listen = "127.0.0.1:0", *port_file = NULL, *colon;
    long cores = sysconf(_SC_NPROCESSORS_ONLN), threads = 0;
    struct sockaddr_in sa;
    struct MHD_Daemon *d;
    const union MHD_DaemonInfo *info;
    char host[64];
    sigset_t set;
    int i, sig;

    for (i = 1; i < argc; i++) {
        char *end = NULL;
        if (strcmp(argv[i], "--listen") == 0 && i + 1 < argc) {
            listen = argv[++i];
        } else if (strcmp(argv[i], "--port-file") == 0 && i + 1 < argc) {
            port_file = argv[++i];
        } else if (strcmp(argv[i], "--threads") == 0 && i + 1 < argc) {
            threads = strtol(argv[++i], &end, 10);
            if (end == argv[i] || *end != '\0' || threads < 1 || threads > 256) {
                fprintf(stderr, "bare-mhd: '%s' is not a valid number for --threads\n", argv[i]);
                return 2;
            }
        } else if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            fputs(usage, stdout);
            return 0;
        } else {
            fputs(usage, stderr);
            return 2;
        }
    }
    if (threads == 0)
        threads = cores > 0 ? cores : 1;
    colon = strrchr(listen, ':');
    if (colon == NULL || (size_t)(colon - listen) >= sizeof host) {
        fprintf(stderr, "bare-mhd: '%s' is not ADDR:PORT\n", listen);
        return 2;
    }
    memcpy(host, listen, (size_t)(colon - listen));
    host[colon - listen] = '\0';
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)strtoul(colon + 1, NULL, 10));
    if (inet_pton(AF_INET, host, &sa.sin_addr) != 1) {
        fprintf(stderr, "bare-mhd: '%s' is not an IPv4 address\n", host);
        return 2;
    }

    /* Block the stop signals before MHD starts its threads, so they inherit
     * the mask and sigwait() below receives them. */
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    pthread_sigmask(SIG_BLOCK, &set, NULL);

    ok = MHD_create_response_from_buffer(2, (void *)"ok", MHD_RESPMEM_PERSISTENT);
    if (ok == NULL || MHD_add_response_header(ok, MHD_HTTP_HEADER_CONTENT_TYPE, "text/plain") !=
                          MHD_YES)
        die("cannot create the response");
    /* The flags and limits of src/http.c (ld_http_start), TLS aside. */
    d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL |
                             MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG,
                         0, NULL, NULL, handler, NULL, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
                         MHD_OPTION_THREAD_POOL_SIZE, (unsigned int)threads,
                         MHD_OPTION_CONNECTION_LIMIT, 1024u, MHD_OPTION_PER_IP_CONNECTION_LIMIT,
                         256u, MHD_OPTION_CONNECTION_TIMEOUT, 30u,
                         MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(16 * 1024),
                         MHD_OPTION_LISTEN_BACKLOG_SIZE, 511u, MHD_OPTION_END);
    if (d == NULL)
        die("cannot start the daemon");
    info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
    if (info == NULL || info->port == 0)
        die("cannot read the bound port");
    printf("listening on http://%s:%u\n", host, (unsigned)info->port);
    fflush(stdout);
    if (port_file) {
        FILE *f = fopen(port_file, "w");
        if (f == NULL || fprintf(f, "%u\n", (unsigned)info->port) < 0 || fclose(f) != 0) {
            fprintf(stderr, "bare-mhd: cannot write '%s': %s\n", port_file, strerror(errno));
            MHD_stop_daemon(d);
            return 2;
        }
    }
    sigwait(&set, &sig);
    MHD_stop_daemon(d);
    MHD_destroy_response(ok);
    return 0;
}
