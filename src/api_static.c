/*
 * api_static.c - the web pages: any GET outside /v1/ is a file under the
 * configured directory (--web). The path is checked before it touches the
 * file system: only [A-Za-z0-9._-] segments, none starting with '.', so
 * "..", hidden files and encoded tricks (MHD has already decoded %xx) never
 * match; the file is opened relative to the directory with O_NOFOLLOW and
 * must be a regular file.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "http_api.h"
#include "liandan/data.h"
#include "liandan/banned.h"

#define STATIC_MAX (8u << 20)

static const struct {
    const char *ext, *type;
} types[] = {
    {".html", "text/html; charset=utf-8"},   {".js", "text/javascript; charset=utf-8"},
    {".mjs", "text/javascript; charset=utf-8"}, {".css", "text/css; charset=utf-8"},
    {".json", "application/json"},            {".svg", "image/svg+xml"},
    {".png", "image/png"},                    {".ico", "image/x-icon"},
    {".csv", "text/csv; charset=utf-8"},      {".txt", "text/plain; charset=utf-8"},
    {".webmanifest", "application/manifest+json"},
};

static int
path_ok(const char *p)
{
    const char *s = p;

    if (*s != '/')
        return 0;
    while (*s == '/') {
        s++;
        if (*s == '.' || *s == '/' ) /* ".", "..", hidden, or "//" */
            return 0;
        if (*s == '\0')
            return 1; /* trailing slash: a directory's index */
        while (*s && *s != '/') {
            char c = *s++;
            if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '.' || c == '_' || c == '-'))
                return 0;
        }
    }
    return *s == '\0';
}

void
ld_api_static(struct ld_http_req *r)
{
    char rel[300], etag[48];
    const char *url = r->path, *ctype = "application/octet-stream", *inm;
    size_t n, i;
    int dir = -1, fd = -1;
    struct stat st;
    char *data = NULL;
    ssize_t got;
    size_t off = 0;

    if (r->h->o.web_dir == NULL || !path_ok(url)) {
        ld_http_error(r, 404, LD_NOTFOUND, "notfound", NULL, "no such page");
        return;
    }
    n = strlen(url);
    snprintf(rel, sizeof rel, "%s%s", url + 1, url[n - 1] == '/' ? "index.html" : "");
    if (rel[0] == '\0')
        snprintf(rel, sizeof rel, "index.html");
    for (i = 0; i < sizeof types / sizeof types[0]; i++) {
        size_t el = strlen(types[i].ext), rl = strlen(rel);
        if (rl > el && strcmp(rel + rl - el, types[i].ext) == 0)
            ctype = types[i].type;
    }
    dir = open(r->h->o.web_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir >= 0)
        fd = openat(dir, rel, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size > STATIC_MAX) {
        ld_http_error(r, 404, LD_NOTFOUND, "notfound", NULL, "no such page");
        goto out;
    }
    /* A validator, so that "no-cache" costs a 304 and no bytes. */
    snprintf(etag, sizeof etag, "\"%llx-%llx\"", (unsigned long long)st.st_size,
             (unsigned long long)st.st_mtim.tv_sec * 1000000000ull +
                 (unsigned long long)st.st_mtim.tv_nsec);
    inm = ld_http_header(r, MHD_HTTP_HEADER_IF_NONE_MATCH);
    if (inm && strcmp(inm, etag) == 0) {
        /* RFC 9110 §15.4.5: the headers a 200 would have sent. */
        ld_http_reply(r, 304, NULL, NULL, 0);
        MHD_del_response_header(r->resp, "Cache-Control", "no-store");
        ld_http_header_add(r, "Cache-Control", "no-cache");
        ld_http_header_add(r, "ETag", etag);
        goto out;
    }
    data = malloc((size_t)st.st_size + 1);
    if (data == NULL)
        abort();
    while (off < (size_t)st.st_size && (got = read(fd, data + off, (size_t)st.st_size - off)) > 0)
        off += (size_t)got;
    if (off != (size_t)st.st_size) {
        free(data);
        ld_http_fail(r, LD_IO, NULL);
        goto out;
    }
    ld_http_reply(r, 200, ctype, data, off);
    /* The pages need nothing from elsewhere (issue 5: no external network). */
    ld_http_header_add(r, "Content-Security-Policy",
                       "default-src 'self'; img-src 'self' data: blob:; style-src 'self' "
                       "'unsafe-inline'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'");
    MHD_del_response_header(r->resp, "Cache-Control", "no-store");
    ld_http_header_add(r, "Cache-Control", "no-cache");
    ld_http_header_add(r, "ETag", etag);
out:
    if (fd >= 0)
        close(fd);
    if (dir >= 0)
        close(dir);
}

/* GET /data/{file}: the reference data the ledger itself embeds (catalogue,
 * disposal methods, districts), so the pages use exactly what the rules use. */
void
ld_api_data(struct ld_http_req *r)
{
    const struct ld_data_file *f = ld_data_get(r->arg[0]);
    char *copy;

    if (f == NULL) {
        ld_http_error(r, 404, LD_NOTFOUND, "notfound", NULL, "no such data file");
        return;
    }
    copy = malloc(f->len + 1);
    if (copy == NULL)
        abort();
    memcpy(copy, f->text, f->len + 1);
    ld_http_reply(r, 200, "text/csv; charset=utf-8", copy, f->len);
    MHD_del_response_header(r->resp, "Cache-Control", "no-store");
    ld_http_header_add(r, "Cache-Control", "max-age=3600");
}
