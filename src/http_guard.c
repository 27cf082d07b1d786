/*
 * http_guard.c - two defences of the HTTP server that libmicrohttpd leaves to
 * its user (src/http_api.h):
 *
 * - Slow clients. MHD's connection timeout counts inactivity, so a client
 *   that drips its request headers a byte at a time never times out and
 *   holds a connection for ever (slowloris). The guard notes when each
 *   connection started waiting for a request and shuts down any that has not
 *   delivered whole headers within the timeout.
 * - URL decoding. MHD decodes %XX before we see the path, so "%00" would cut
 *   the path short ("/index.html%00/../x" would read as "/index.html"). Our
 *   decoder leaves "%00" undecoded; no route or file name contains '%'.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "http_api.h"
#include "liandan/mem.h"
#include "liandan/tm.h"
#include "liandan/banned.h"

struct ld_http_conn {
    int fd;
    double since;   /* when it began waiting for a request's headers */
    int in_request; /* 1 from the first call of a request until its completion */
    struct ld_http_conn *prev, *next;
};

void
ld_http_guard_notify(void *cls, struct MHD_Connection *c, void **socket_context,
                     enum MHD_ConnectionNotificationCode toe)
{
    struct ld_http *h = cls;
    struct ld_http_conn *w = *socket_context;

    if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
        const union MHD_ConnectionInfo *ci =
            MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
        w = ld_xcalloc(1, sizeof *w);
        w->fd = ci ? ci->connect_fd : -1;
        w->since = ld_tm_mono();
        pthread_mutex_lock(&h->guard_mu);
        w->next = h->conns;
        if (h->conns)
            h->conns->prev = w;
        h->conns = w;
        pthread_mutex_unlock(&h->guard_mu);
        *socket_context = w;
        return;
    }
    if (w == NULL)
        return;
    pthread_mutex_lock(&h->guard_mu);
    if (w->prev)
        w->prev->next = w->next;
    else
        h->conns = w->next;
    if (w->next)
        w->next->prev = w->prev;
    pthread_mutex_unlock(&h->guard_mu);
    free(w);
    *socket_context = NULL;
}

void
ld_http_guard_mark(struct ld_http *h, struct MHD_Connection *c, int in_request)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    struct ld_http_conn *w = ci ? ci->socket_context : NULL;

    if (w == NULL)
        return;
    pthread_mutex_lock(&h->guard_mu);
    w->in_request = in_request;
    w->since = ld_tm_mono();
    pthread_mutex_unlock(&h->guard_mu);
}

static void *
guard(void *arg)
{
    struct ld_http *h = arg;
    struct timespec tick = {0, 250 * 1000 * 1000};

    while (!atomic_load(&h->guard_stop)) {
        struct ld_http_conn *w;
        double now = ld_tm_mono();

        pthread_mutex_lock(&h->guard_mu);
        for (w = h->conns; w; w = w->next)
            if (!w->in_request && w->fd >= 0 && now - w->since > (double)h->o.timeout) {
                /* MHD sees the end of the stream and closes it in its own thread. */
                shutdown(w->fd, SHUT_RDWR);
                w->fd = -1;
            }
        pthread_mutex_unlock(&h->guard_mu);
        nanosleep(&tick, NULL);
    }
    return NULL;
}

int
ld_http_guard_start(struct ld_http *h)
{
    atomic_init(&h->guard_stop, 0);
    h->guard_started = pthread_create(&h->guard_thread, NULL, guard, h) == 0;
    return h->guard_started;
}

void
ld_http_guard_stop(struct ld_http *h)
{
    if (!h->guard_started)
        return;
    atomic_store(&h->guard_stop, 1);
    pthread_join(h->guard_thread, NULL);
    h->guard_started = 0;
}

static int
hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

size_t
ld_http_unescape(void *cls, struct MHD_Connection *c, char *s)
{
    char *r = s, *w = s;

    (void)cls, (void)c;
    while (*r) {
        int hi, lo;
        if (*r == '%' && (hi = hexval(r[1])) >= 0 && (lo = hexval(r[2])) >= 0 &&
            (hi | lo) != 0) {
            *w++ = (char)(hi * 16 + lo);
            r += 3;
        } else {
            *w++ = *r++;
        }
    }
    *w = '\0';
    return (size_t)(w - s);
}
