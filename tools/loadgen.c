/*
 * loadgen.c - the HTTP/1.1 load generator of `make bench` (issue 4,
 * "Performance"; run by tools/bench-http.sh). Keep-alive connections with one
 * request in flight each (no pipelining), non-blocking sockets on epoll, one or
 * more threads. Unlike wrk it can POST a different pre-signed body per request:
 * --bodies FILE holds one JSON body a line, each sent exactly once. Every
 * latency is recorded; the result is one JSON line on stdout:
 *   {"requests","seconds","rps","p50_ms","p99_ms","max_ms","errors","connects","status":{...}}
 * "requests" counts complete responses; "errors" requests that got none
 * (connection closed or reset, timeout, malformed response).
 */
#include <errno.h>
#include <math.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "liandan/banned.h"

static const char usage[] =
    "usage: loadgen --url http://HOST:PORT [--conns N] [--threads N]\n"
    "               [--duration SECONDS | --requests N] [--timeout SECONDS]\n"
    "               [--method M] [--path P | --paths FILE | --bodies FILE]\n"
    "               [--content-type T] [--header 'Name: value']...\n"
    "\n"
    "  --conns N        keep-alive connections, one request in flight each (64)\n"
    "  --threads N      epoll threads sharing the connections (1)\n"
    "  --duration S     run for S seconds (default 10 unless --requests or --bodies)\n"
    "  --requests N     stop after N requests (with --bodies: the first N bodies)\n"
    "  --path P         request target (default: the URL's path, /v1/events with --bodies)\n"
    "  --paths FILE     one target a line, requested in turn (GET)\n"
    "  --bodies FILE    one body a line, each POSTed exactly once (Content-Type\n"
    "                   application/json unless --content-type)\n"
    "  --timeout S      a request without a complete response after S s is an error (30)\n"
    "Prints one JSON line: requests, seconds, rps, p50_ms, p99_ms, max_ms, errors,\n"
    "connects and the count of each status.\n";

#define RBUF_MIN 16384
#define RBUF_MAX (64u << 20) /* a response larger than this is an error */
#define HDR_MAX 65536        /* header block larger than this is an error */
#define MAX_HEADERS 16
#define MAX_THREADS 16
#define MAX_CONNS 10000
#define CONNECT_FAIL_MAX 1000 /* consecutive failed connects before a thread gives up */

static void
die(const char *fmt, ...)
{
    va_list ap;

    fputs("loadgen: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    exit(2);
}

static double
now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void *
xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);

    if (q == NULL)
        die("out of memory");
    return q;
}

/* One line of a --bodies or --paths file (points into the file's text). */
struct line {
    const char *p;
    size_t len;
};

/* What every thread reads, plus the shared request counter. */
struct shared {
    struct sockaddr_storage addr; /* resolved server address */
    socklen_t addrlen;
    char **reqs;            /* prebuilt GET/other requests without body, one per path */
    size_t *reqlens;
    size_t nreqs;
    const char *method;     /* with bodies */
    const char *path;       /* with bodies */
    const char *host;       /* Host header value */
    const char *ctype;      /* Content-Type of bodies */
    const char *headers;    /* extra header lines, each ending in CRLF */
    struct line *bodies;    /* NULL unless --bodies */
    uint64_t limit;         /* requests to issue; UINT64_MAX with --duration only */
    atomic_uint_fast64_t issued; /* next request number */
    double start, deadline; /* monotonic seconds; deadline HUGE_VAL without --duration */
    double timeout;         /* seconds a request may take */
};

enum cstate { C_CLOSED, C_CONNECTING, C_WRITING, C_READING, C_DONE };
enum chunkst { CS_SIZE, CS_DATA, CS_TRAILER };

/* One connection and its request in flight. */
struct conn {
    int fd;                /* -1 when closed */
    enum cstate state;
    uint32_t events;       /* current epoll interest */
    char *wbuf;            /* request bytes (bodies), or borrowed prebuilt request */
    const char *w;         /* what is being written */
    size_t wlen, woff, wcap;
    char *rbuf;            /* response bytes so far */
    size_t rlen, rcap;
    size_t scanned;        /* header search resumes here */
    size_t body;           /* offset of the body; 0 while headers are incomplete */
    int status;            /* status code of the response */
    long long clen;        /* Content-Length, -1 if none */
    int chunked;           /* Transfer-Encoding: chunked */
    int close_after;       /* server will close after this response */
    enum chunkst cs;       /* chunked decoder state */
    size_t cpos;           /* chunked decoder position in rbuf */
    uint64_t cremain;      /* bytes of chunk data + CRLF still to skip */
    double t0;             /* when the request (or connect) started */
};

/* One epoll thread with its share of the connections and its results. */
struct worker {
    struct shared *sh;
    int epfd;
    struct conn *c;
    size_t nc;
    uint64_t *lat; /* latencies, ns */
    size_t nlat, latcap;
    uint64_t status[600];
    uint64_t errors, connects, connfail_run;
    double last_done; /* monotonic time of the last complete response */
    pthread_t tid;
};

static void conn_open(struct worker *w, struct conn *c);
static void start_request(struct worker *w, struct conn *c);

static void
set_interest(struct worker *w, struct conn *c, uint32_t ev)
{
    struct epoll_event e;

    if (c->events == ev)
        return;
    memset(&e, 0, sizeof e);
    e.events = ev;
    e.data.ptr = c;
    if (epoll_ctl(w->epfd, EPOLL_CTL_MOD, c->fd, &e) != 0)
        die("epoll_ctl: %s", strerror(errno));
    c->events = ev;
}

static void
conn_close(struct conn *c)
{
    if (c->fd >= 0)
        close(c->fd); /* also removes it from the epoll set */
    c->fd = -1;
    c->state = C_CLOSED;
    c->rlen = 0;
}

/* A request that got no (valid) response: count it, drop the connection and
 * carry on with a new one. */
static void
fail(struct worker *w, struct conn *c)
{
    w->errors++;
    conn_close(c);
    conn_open(w, c);
}

/* Is there work left, and may a new request start? */
static int
more_work(struct worker *w)
{
    struct shared *sh = w->sh;

    return atomic_load(&sh->issued) < sh->limit && now_s() < sh->deadline;
}

static void
conn_open(struct worker *w, struct conn *c)
{
    struct epoll_event e;
    int fd, one = 1;

    if (!more_work(w)) {
        c->state = C_DONE;
        return;
    }
    fd = socket(w->sh->addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
        die("socket: %s", strerror(errno));
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (connect(fd, (struct sockaddr *)&w->sh->addr, w->sh->addrlen) != 0 &&
        errno != EINPROGRESS)
        die("connect: %s", strerror(errno));
    c->fd = fd;
    c->state = C_CONNECTING;
    c->t0 = now_s();
    c->events = EPOLLOUT;
    memset(&e, 0, sizeof e);
    e.events = EPOLLOUT;
    e.data.ptr = c;
    if (epoll_ctl(w->epfd, EPOLL_CTL_ADD, fd, &e) != 0)
        die("epoll_ctl: %s", strerror(errno));
}

static void
connected(struct worker *w, struct conn *c)
{
    int err = 0;
    socklen_t len = sizeof err;

    if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0 || err != 0) {
        if (++w->connfail_run > CONNECT_FAIL_MAX)
            die("cannot connect: %s", strerror(err ? err : errno));
        w->errors++;
        conn_close(c);
        conn_open(w, c);
        return;
    }
    w->connfail_run = 0;
    w->connects++;
    start_request(w, c);
}

/* Write what is left of the request; then wait for the response. */
static void
flush_request(struct worker *w, struct conn *c)
{
    while (c->woff < c->wlen) {
        ssize_t n = send(c->fd, c->w + c->woff, c->wlen - c->woff, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && errno == EAGAIN) {
            c->state = C_WRITING;
            set_interest(w, c, EPOLLOUT);
            return;
        }
        if (n <= 0) {
            fail(w, c);
            return;
        }
        c->woff += (size_t)n;
    }
    c->state = C_READING;
    set_interest(w, c, EPOLLIN);
}

static void
start_request(struct worker *w, struct conn *c)
{
    struct shared *sh = w->sh;
    uint64_t i;

    if (now_s() >= sh->deadline || (i = atomic_fetch_add(&sh->issued, 1)) >= sh->limit) {
        conn_close(c);
        c->state = C_DONE;
        return;
    }
    if (sh->bodies) {
        const struct line *b = &sh->bodies[i];
        int h = snprintf(c->wbuf, c->wcap,
                         "%s %s HTTP/1.1\r\nHost: %s\r\nContent-Type: %s\r\n"
                         "Content-Length: %zu\r\n%s\r\n",
                         sh->method, sh->path, sh->host, sh->ctype, b->len, sh->headers);
        if (h < 0)
            die("cannot format a request");
        if ((size_t)h + b->len + 1 > c->wcap) {
            c->wcap = (size_t)h + b->len + 1024;
            c->wbuf = xrealloc(c->wbuf, c->wcap);
            h = snprintf(c->wbuf, c->wcap,
                         "%s %s HTTP/1.1\r\nHost: %s\r\nContent-Type: %s\r\n"
                         "Content-Length: %zu\r\n%s\r\n",
                         sh->method, sh->path, sh->host, sh->ctype, b->len, sh->headers);
        }
        memcpy(c->wbuf + h, b->p, b->len);
        c->w = c->wbuf;
        c->wlen = (size_t)h + b->len;
    } else {
        c->w = sh->reqs[i % sh->nreqs];
        c->wlen = sh->reqlens[i % sh->nreqs];
    }
    c->woff = 0;
    c->rlen = c->scanned = c->body = 0;
    c->status = 0;
    c->clen = -1;
    c->chunked = c->close_after = 0;
    c->t0 = now_s();
    flush_request(w, c);
}

static int
hexval(char ch)
{
    if (ch >= '0' && ch <= '9')
        return ch - '0';
    if (ch >= 'a' && ch <= 'f')
        return ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'F')
        return ch - 'A' + 10;
    return -1;
}

/* Offset of the first CRLF in rbuf[from, rlen), or -1. */
static long
find_crlf(const struct conn *c, size_t from)
{
    size_t i;

    for (i = from; i + 1 < c->rlen; i++)
        if (c->rbuf[i] == '\r' && c->rbuf[i + 1] == '\n')
            return (long)i;
    return -1;
}

/* Advance the chunked decoder. Returns the end offset of the response when
 * complete, 0 when more bytes are needed, -1 when the framing is malformed. */
static long
chunk_step(struct conn *c)
{
    for (;;) {
        long nl;
        size_t p;
        uint64_t size = 0;
        int digits = 0, v;

        switch (c->cs) {
        case CS_SIZE:
            nl = find_crlf(c, c->cpos);
            if (nl < 0)
                return c->rlen - c->cpos > 1024 ? -1 : 0;
            for (p = c->cpos; p < (size_t)nl && (v = hexval(c->rbuf[p])) >= 0; p++, digits++) {
                if (size > (UINT64_MAX >> 4) - 16)
                    return -1;
                size = size * 16 + (uint64_t)v;
            }
            if (digits == 0 || (p < (size_t)nl && c->rbuf[p] != ';' && c->rbuf[p] != ' ' &&
                                c->rbuf[p] != '\t'))
                return -1;
            c->cpos = (size_t)nl + 2;
            if (size == 0) {
                c->cs = CS_TRAILER;
            } else {
                c->cremain = size + 2;
                c->cs = CS_DATA;
            }
            break;
        case CS_DATA:
            if (c->rlen - c->cpos < c->cremain)
                return 0;
            p = c->cpos + (size_t)c->cremain;
            if (c->rbuf[p - 2] != '\r' || c->rbuf[p - 1] != '\n')
                return -1;
            c->cpos = p;
            c->cs = CS_SIZE;
            break;
        case CS_TRAILER:
            nl = find_crlf(c, c->cpos);
            if (nl < 0)
                return c->rlen - c->cpos > HDR_MAX ? -1 : 0;
            if ((size_t)nl == c->cpos)
                return nl + 2;
            c->cpos = (size_t)nl + 2;
            break;
        }
    }
}

/* Does the header value [v, v+n) contain the token tok (case-insensitive)? */
static int
has_token(const char *v, size_t n, const char *tok)
{
    size_t t = strlen(tok), i;

    for (i = 0; i + t <= n; i++)
        if (strncasecmp(v + i, tok, t) == 0)
            return 1;
    return 0;
}

/* Parse the status line and headers of rbuf[0, end) (end is past the blank
 * line). Returns 0, or -1 if malformed. */
static int
parse_head(struct conn *c, size_t end)
{
    const char *b = c->rbuf;
    size_t p, eol;
    int minor;

    if (end < 14 || memcmp(b, "HTTP/1.", 7) != 0 || (b[7] != '0' && b[7] != '1') ||
        b[8] != ' ' || b[9] < '1' || b[9] > '5' || b[10] < '0' || b[10] > '9' || b[11] < '0' ||
        b[11] > '9')
        return -1;
    minor = b[7] - '0';
    c->status = (b[9] - '0') * 100 + (b[10] - '0') * 10 + (b[11] - '0');
    c->close_after = minor == 0;
    p = (size_t)find_crlf(c, 0) + 2;
    while (p + 2 <= end - 2) {
        const char *colon;
        size_t nlen, vs, ve;
        eol = (size_t)find_crlf(c, p);
        colon = memchr(b + p, ':', eol - p);
        if (colon == NULL)
            return -1;
        nlen = (size_t)(colon - (b + p));
        vs = (size_t)(colon - b) + 1;
        while (vs < eol && (b[vs] == ' ' || b[vs] == '\t'))
            vs++;
        ve = eol;
        while (ve > vs && (b[ve - 1] == ' ' || b[ve - 1] == '\t'))
            ve--;
        if (nlen == 14 && strncasecmp(b + p, "content-length", 14) == 0) {
            long long v = 0;
            size_t i;
            if (ve == vs)
                return -1;
            for (i = vs; i < ve; i++) {
                if (b[i] < '0' || b[i] > '9' || v > 100000000000LL)
                    return -1;
                v = v * 10 + (b[i] - '0');
            }
            if (c->clen >= 0 && c->clen != v)
                return -1;
            c->clen = v;
        } else if (nlen == 17 && strncasecmp(b + p, "transfer-encoding", 17) == 0) {
            if (has_token(b + vs, ve - vs, "chunked"))
                c->chunked = 1;
        } else if (nlen == 10 && strncasecmp(b + p, "connection", 10) == 0) {
            if (has_token(b + vs, ve - vs, "close"))
                c->close_after = 1;
            else if (has_token(b + vs, ve - vs, "keep-alive"))
                c->close_after = 0;
        }
        p = eol + 2;
    }
    return 0;
}

static void
record(struct worker *w, struct conn *c, double t)
{
    if (w->nlat == w->latcap) {
        w->latcap = w->latcap ? 2 * w->latcap : 65536;
        w->lat = xrealloc(w->lat, w->latcap * sizeof *w->lat);
    }
    w->lat[w->nlat++] = (uint64_t)((t - c->t0) * 1e9);
    w->status[c->status >= 100 && c->status < 600 ? c->status : 0]++;
    w->last_done = t;
}

/* The response is complete at `end`. eof: the peer has closed its side. */
static void
complete(struct worker *w, struct conn *c, size_t end, int eof)
{
    record(w, c, now_s());
    if (end != c->rlen) {
        /* Bytes after the response with no request outstanding: framing is off. */
        w->errors++;
        conn_close(c);
        conn_open(w, c);
        return;
    }
    if (c->close_after || eof) {
        conn_close(c);
        conn_open(w, c);
        return;
    }
    start_request(w, c);
}

/* Look at what has arrived. eof: the peer closed its side. */
static void
parse(struct worker *w, struct conn *c, int eof)
{
    long end;

    while (c->body == 0) {
        size_t i = c->scanned > 3 ? c->scanned - 3 : 0;
        for (; i + 3 < c->rlen; i++)
            if (memcmp(c->rbuf + i, "\r\n\r\n", 4) == 0)
                break;
        if (i + 3 >= c->rlen) {
            c->scanned = c->rlen;
            if (eof || c->rlen > HDR_MAX)
                fail(w, c);
            return;
        }
        if (parse_head(c, i + 4) != 0) {
            fail(w, c);
            return;
        }
        if (c->status < 200) {
            /* An interim response (100 Continue): drop it, wait for the final one. */
            memmove(c->rbuf, c->rbuf + i + 4, c->rlen - (i + 4));
            c->rlen -= i + 4;
            c->scanned = 0;
            c->clen = -1;
            c->chunked = c->close_after = 0;
            continue;
        }
        c->body = i + 4;
        c->cpos = c->body;
        c->cs = CS_SIZE;
    }
    if (c->status == 204 || c->status == 304) {
        complete(w, c, c->body, eof);
    } else if (c->chunked) {
        end = chunk_step(c);
        if (end < 0 || (end == 0 && eof))
            fail(w, c);
        else if (end > 0)
            complete(w, c, (size_t)end, eof);
    } else if (c->clen >= 0) {
        if (c->rlen - c->body >= (size_t)c->clen)
            complete(w, c, c->body + (size_t)c->clen, eof);
        else if (eof)
            fail(w, c);
    } else if (eof) {
        /* No length: the body runs to the end of the connection. */
        complete(w, c, c->rlen, eof);
    }
}

static void
readable(struct worker *w, struct conn *c)
{
    for (;;) {
        ssize_t n;
        if (c->rcap - c->rlen < 4096) {
            if (c->rcap >= RBUF_MAX) {
                fail(w, c);
                return;
            }
            c->rcap *= 2;
            c->rbuf = xrealloc(c->rbuf, c->rcap);
        }
        n = recv(c->fd, c->rbuf + c->rlen, c->rcap - c->rlen, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && errno == EAGAIN)
            break;
        if (n < 0) {
            fail(w, c);
            return;
        }
        if (n == 0) {
            parse(w, c, 1); /* completes the response or fails it: never keeps c */
            return;
        }
        c->rlen += (size_t)n;
        if ((size_t)n < c->rcap - c->rlen + (size_t)n)
            break; /* short read: drained for now */
    }
    parse(w, c, 0);
}

static void
check_timeouts(struct worker *w, double t)
{
    size_t i;

    for (i = 0; i < w->nc; i++) {
        struct conn *c = &w->c[i];
        if ((c->state == C_CONNECTING || c->state == C_WRITING || c->state == C_READING) &&
            t - c->t0 > w->sh->timeout)
            fail(w, c);
    }
}

static void *
run(void *arg)
{
    struct worker *w = arg;
    struct epoll_event ev[256];
    double last_check = now_s();
    size_t i, live;

    for (i = 0; i < w->nc; i++)
        conn_open(w, &w->c[i]);
    for (;;) {
        double t;
        int n, k;

        n = epoll_wait(w->epfd, ev, 256, 100);
        if (n < 0 && errno != EINTR)
            die("epoll_wait: %s", strerror(errno));
        for (k = 0; k < n; k++) {
            struct conn *c = ev[k].data.ptr;
            if (c->state == C_CONNECTING)
                connected(w, c);
            else if (c->state == C_WRITING)
                flush_request(w, c);
            else if (c->state == C_READING)
                readable(w, c);
        }
        t = now_s();
        if (t >= w->sh->deadline)
            break;
        if (t - last_check > 0.25) {
            check_timeouts(w, t);
            last_check = t;
        }
        for (i = 0, live = 0; i < w->nc; i++)
            live += w->c[i].state != C_DONE;
        if (live == 0)
            break;
    }
    for (i = 0; i < w->nc; i++)
        conn_close(&w->c[i]);
    return NULL;
}

/* Read a whole file; lines (without their newline, empty ones skipped) into *out. */
static char *
read_lines(const char *path, struct line **out, size_t *n)
{
    FILE *f = fopen(path, "rb");
    struct stat st;
    char *text, *p, *end;
    size_t cap = 1024;

    if (f == NULL || fstat(fileno(f), &st) != 0)
        die("cannot open '%s': %s", path, strerror(errno));
    text = xrealloc(NULL, (size_t)st.st_size + 1);
    if (fread(text, 1, (size_t)st.st_size, f) != (size_t)st.st_size)
        die("cannot read '%s'", path);
    fclose(f);
    text[st.st_size] = '\0';
    *n = 0;
    *out = xrealloc(NULL, cap * sizeof **out);
    for (p = text, end = text + st.st_size; p < end;) {
        char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);
        if (len > 0 && p[len - 1] == '\r')
            len--;
        if (len > 0) {
            if (*n == cap) {
                cap *= 2;
                *out = xrealloc(*out, cap * sizeof **out);
            }
            (*out)[*n].p = p;
            (*out)[(*n)++].len = len;
        }
        p += (nl ? (size_t)(nl - p) + 1 : len);
        if (nl == NULL)
            break;
    }
    return text;
}

/* http://HOST[:PORT][/PATH] -> address, Host header, path. */
static void
parse_url(const char *url, struct shared *sh, char **host, char **path)
{
    struct addrinfo hints, *ai = NULL;
    const char *p, *hs, *he, *slash;
    char name[256], port[16] = "80";
    int rc;

    if (strncmp(url, "http://", 7) != 0)
        die("'%s' is not an http:// URL", url);
    p = url + 7;
    slash = strchr(p, '/');
    if (slash == NULL)
        slash = p + strlen(p);
    *host = xrealloc(NULL, (size_t)(slash - p) + 1);
    memcpy(*host, p, (size_t)(slash - p));
    (*host)[slash - p] = '\0';
    *path = xrealloc(NULL, strlen(slash) + 2);
    snprintf(*path, strlen(slash) + 2, "%s", *slash ? slash : "/");
    if (*p == '[') {
        hs = p + 1;
        he = memchr(hs, ']', (size_t)(slash - hs));
        if (he == NULL)
            die("'%s': bad IPv6 address", url);
        p = he + 1;
    } else {
        hs = p;
        he = memchr(hs, ':', (size_t)(slash - hs));
        if (he == NULL)
            he = slash;
        p = he;
    }
    if ((size_t)(he - hs) >= sizeof name || he == hs)
        die("'%s': bad host", url);
    memcpy(name, hs, (size_t)(he - hs));
    name[he - hs] = '\0';
    if (*p == ':') {
        size_t n = (size_t)(slash - p - 1);
        if (n == 0 || n >= sizeof port)
            die("'%s': bad port", url);
        memcpy(port, p + 1, n);
        port[n] = '\0';
    } else if (p != slash) {
        die("'%s': bad host", url);
    }
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    rc = getaddrinfo(name, port, &hints, &ai);
    if (rc != 0)
        die("cannot resolve '%s': %s", name, gai_strerror(rc));
    memcpy(&sh->addr, ai->ai_addr, ai->ai_addrlen);
    sh->addrlen = ai->ai_addrlen;
    freeaddrinfo(ai);
}

static int
cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

    return x < y ? -1 : x > y;
}

/* Nearest-rank percentile of sorted v[n], in ms. */
static double
pct(const uint64_t *v, size_t n, double q)
{
    size_t k;

    if (n == 0)
        return 0;
    k = (size_t)ceil(q * (double)n);
    if (k < 1)
        k = 1;
    return (double)v[k - 1] / 1e6;
}

static double
number(const char *opt, const char *s, double lo, double hi)
{
    char *end = NULL;
    double v = strtod(s, &end);

    if (end == s || *end != '\0' || !(v >= lo && v <= hi)) {
        fprintf(stderr, "loadgen: '%s' is not a valid value for %s\n", s, opt);
        exit(2);
    }
    return v;
}

int
main(int argc, char **argv)
{
    static struct shared sh;
    const char *url = NULL, *method = NULL, *path = NULL, *paths = NULL, *bodies = NULL;
    const char *ctype = NULL;
    char *host = NULL, *upath = NULL, *text = NULL, hdrs[8192] = "";
    struct line *lines = NULL;
    size_t nlines = 0, i, k, hlen = 0, nheaders = 0, total_lat = 0;
    double duration = -1, timeout = -1, requests = -1, conns = -1, threads = -1, secs;
    struct worker *w;
    uint64_t *lat, status[600] = {0}, errors = 0, connects = 0, done = 0;
    double last = 0;
    int first;

    for (i = 1; i < (size_t)argc; i++) {
        const char *o = argv[i], *v = i + 1 < (size_t)argc ? argv[i + 1] : NULL;
        if (strcmp(o, "-h") == 0 || strcmp(o, "--help") == 0) {
            fputs(usage, stdout);
            return 0;
        }
        if (v == NULL || strncmp(o, "--", 2) != 0) {
            fputs(usage, stderr);
            return 2;
        }
        i++;
#define ONCE(var, val)                                                                  \
    do {                                                                                \
        if (var != NULL) {                                                              \
            fprintf(stderr, "loadgen: %s given twice\n", o);                          \
            return 2;                                                                   \
        }                                                                               \
        var = val;                                                                      \
    } while (0)
#define ONCE_N(var, lo, hi)                                                             \
    do {                                                                                \
        if (var >= 0) {                                                                 \
            fprintf(stderr, "loadgen: %s given twice\n", o);                          \
            return 2;                                                                   \
        }                                                                               \
        var = number(o, v, lo, hi);                                                     \
    } while (0)
        if (strcmp(o, "--url") == 0)
            ONCE(url, v);
        else if (strcmp(o, "--method") == 0)
            ONCE(method, v);
        else if (strcmp(o, "--path") == 0)
            ONCE(path, v);
        else if (strcmp(o, "--paths") == 0)
            ONCE(paths, v);
        else if (strcmp(o, "--bodies") == 0)
            ONCE(bodies, v);
        else if (strcmp(o, "--content-type") == 0)
            ONCE(ctype, v);
        else if (strcmp(o, "--conns") == 0)
            ONCE_N(conns, 1, MAX_CONNS);
        else if (strcmp(o, "--threads") == 0)
            ONCE_N(threads, 1, MAX_THREADS);
        else if (strcmp(o, "--duration") == 0)
            ONCE_N(duration, 0.001, 1e6);
        else if (strcmp(o, "--requests") == 0)
            ONCE_N(requests, 1, 1e15);
        else if (strcmp(o, "--timeout") == 0)
            ONCE_N(timeout, 0.001, 1e6);
        else if (strcmp(o, "--header") == 0) {
            size_t n = strlen(v);
            if (strchr(v, ':') == NULL || strpbrk(v, "\r\n") != NULL ||
                ++nheaders > MAX_HEADERS || hlen + n + 3 > sizeof hdrs) {
                fprintf(stderr, "loadgen: bad or too many --header '%s'\n", v);
                return 2;
            }
            memcpy(hdrs + hlen, v, n);
            memcpy(hdrs + hlen + n, "\r\n", 3);
            hlen += n + 2;
        } else {
            fprintf(stderr, "loadgen: unknown option '%s'\n%s", o, usage);
            return 2;
        }
    }
    if (url == NULL) {
        fputs("loadgen: --url is required\n", stderr);
        fputs(usage, stderr);
        return 2;
    }
    if ((duration >= 0 && requests >= 0 && bodies == NULL) || (paths && path) ||
        (bodies && (paths || (method && strcmp(method, "GET") == 0))) ||
        (ctype && bodies == NULL)) {
        fputs("loadgen: conflicting options\n", stderr);
        fputs(usage, stderr);
        return 2;
    }
    parse_url(url, &sh, &host, &upath);
    sh.host = host;
    sh.headers = hdrs;
    sh.timeout = timeout >= 0 ? timeout : 30;
    if (conns < 0)
        conns = 64;
    if (threads < 0)
        threads = 1;
    if (threads > conns)
        threads = conns;
    if (bodies) {
        text = read_lines(bodies, &lines, &nlines);
        if (nlines == 0)
            die("'%s' holds no bodies", bodies);
        sh.bodies = lines;
        sh.method = method ? method : "POST";
        sh.path = path ? path : strcmp(upath, "/") != 0 ? upath : "/v1/events";
        sh.ctype = ctype ? ctype : "application/json";
        sh.limit = requests >= 0 && (uint64_t)requests < nlines ? (uint64_t)requests : nlines;
    } else {
        if (paths) {
            text = read_lines(paths, &lines, &nlines);
            if (nlines == 0)
                die("'%s' holds no paths", paths);
        } else {
            lines = xrealloc(NULL, sizeof *lines);
            lines[0].p = path ? path : upath;
            lines[0].len = strlen(lines[0].p);
            nlines = 1;
        }
        sh.nreqs = nlines;
        sh.reqs = xrealloc(NULL, nlines * sizeof *sh.reqs);
        sh.reqlens = xrealloc(NULL, nlines * sizeof *sh.reqlens);
        for (k = 0; k < nlines; k++) {
            size_t cap = lines[k].len + strlen(host) + hlen + 64 + (method ? strlen(method) : 3);
            int n;
            sh.reqs[k] = xrealloc(NULL, cap);
            n = snprintf(sh.reqs[k], cap, "%s %.*s HTTP/1.1\r\nHost: %s\r\n%s\r\n",
                         method ? method : "GET", (int)lines[k].len, lines[k].p, host, hdrs);
            if (n < 0 || (size_t)n >= cap)
                die("cannot format a request");
            sh.reqlens[k] = (size_t)n;
        }
        if (requests < 0 && duration < 0)
            duration = 10;
        sh.limit = requests >= 0 ? (uint64_t)requests : UINT64_MAX;
    }
    atomic_init(&sh.issued, 0);

    w = xrealloc(NULL, (size_t)threads * sizeof *w);
    memset(w, 0, (size_t)threads * sizeof *w);
    for (k = 0; k < (size_t)threads; k++) {
        w[k].sh = &sh;
        w[k].nc = (size_t)conns / (size_t)threads + (k < (size_t)conns % (size_t)threads);
        w[k].c = xrealloc(NULL, w[k].nc * sizeof *w[k].c);
        memset(w[k].c, 0, w[k].nc * sizeof *w[k].c);
        for (i = 0; i < w[k].nc; i++) {
            w[k].c[i].fd = -1;
            w[k].c[i].rcap = RBUF_MIN;
            w[k].c[i].rbuf = xrealloc(NULL, RBUF_MIN);
            w[k].c[i].wcap = sh.bodies ? 4096 : 0;
            w[k].c[i].wbuf = sh.bodies ? xrealloc(NULL, 4096) : NULL;
        }
        w[k].epfd = epoll_create1(EPOLL_CLOEXEC);
        if (w[k].epfd < 0)
            die("epoll_create1: %s", strerror(errno));
    }
    sh.start = now_s();
    sh.deadline = duration >= 0 ? sh.start + duration : HUGE_VAL;
    for (k = 0; k < (size_t)threads; k++)
        if (pthread_create(&w[k].tid, NULL, run, &w[k]) != 0)
            die("cannot start a thread");
    for (k = 0; k < (size_t)threads; k++) {
        pthread_join(w[k].tid, NULL);
        total_lat += w[k].nlat;
        if (w[k].last_done > last)
            last = w[k].last_done;
    }
    lat = xrealloc(NULL, (total_lat ? total_lat : 1) * sizeof *lat);
    for (k = 0, i = 0; k < (size_t)threads; k++) {
        size_t s;
        if (w[k].nlat)
            memcpy(lat + i, w[k].lat, w[k].nlat * sizeof *lat);
        i += w[k].nlat;
        for (s = 0; s < 600; s++)
            status[s] += w[k].status[s];
        errors += w[k].errors;
        connects += w[k].connects;
    }
    done = total_lat;
    qsort(lat, total_lat, sizeof *lat, cmp_u64);
    /* With a duration the clock runs to the deadline; otherwise to the last response. */
    secs = duration >= 0 && sh.limit == UINT64_MAX ? duration
                                                   : (last > sh.start ? last : now_s()) - sh.start;
    printf("{\"requests\":%llu,\"seconds\":%.3f,\"rps\":%.1f,\"p50_ms\":%.3f,\"p99_ms\":%.3f,"
           "\"max_ms\":%.3f,\"errors\":%llu,\"connects\":%llu,\"status\":{",
           (unsigned long long)done, secs, secs > 0 ? (double)done / secs : 0,
           pct(lat, total_lat, 0.50), pct(lat, total_lat, 0.99),
           total_lat ? (double)lat[total_lat - 1] / 1e6 : 0, (unsigned long long)errors,
           (unsigned long long)connects);
    for (i = 0, first = 1; i < 600; i++)
        if (status[i]) {
            printf("%s\"%zu\":%llu", first ? "" : ",", i, (unsigned long long)status[i]);
            first = 0;
        }
    printf("}}\n");
    for (k = 0; k < (size_t)threads; k++) {
        for (i = 0; i < w[k].nc; i++) {
            free(w[k].c[i].rbuf);
            free(w[k].c[i].wbuf);
        }
        free(w[k].c);
        free(w[k].lat);
        close(w[k].epfd);
    }
    for (k = 0; k < sh.nreqs; k++)
        free(sh.reqs[k]);
    free(sh.reqs);
    free(sh.reqlens);
    free(w);
    free(lat);
    free(lines);
    free(text);
    free(host);
    free(upath);
    return 0; /* errors are in the summary: the caller judges them */
}
