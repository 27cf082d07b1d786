/*
 * buf.c - growable NUL-terminated byte buffer (include/liandan/buf.h).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "liandan/buf.h"
#include "liandan/mem.h"
#include "liandan/banned.h"

static void
grow(struct ld_buf *b, size_t extra)
{
    size_t need = b->len + extra + 1;
    size_t cap = b->cap ? b->cap : 64;

    if (need <= b->cap)
        return;
    while (cap < need)
        cap *= 2;
    b->data = ld_xrealloc(b->data, cap);
    b->cap = cap;
}

void
ld_buf_add(struct ld_buf *b, const void *p, size_t n)
{
    grow(b, n);
    if (n)
        memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
}

void
ld_buf_adds(struct ld_buf *b, const char *s)
{
    ld_buf_add(b, s, strlen(s));
}

void
ld_buf_addc(struct ld_buf *b, char c)
{
    ld_buf_add(b, &c, 1);
}

void
ld_buf_addf(struct ld_buf *b, const char *fmt, ...)
{
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    grow(b, (size_t)n);
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

void
ld_buf_reset(struct ld_buf *b)
{
    b->len = 0;
    if (b->data)
        b->data[0] = '\0';
}

void
ld_buf_release(struct ld_buf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

char *
ld_buf_detach(struct ld_buf *b, size_t *len_out)
{
    char *d;

    if (b->data == NULL)
        ld_buf_add(b, "", 0);
    d = b->data;
    if (len_out)
        *len_out = b->len;
    b->data = NULL;
    b->len = b->cap = 0;
    return d;
}

enum ld_rc
ld_buf_read_stream(struct ld_buf *b, FILE *f)
{
    char chunk[8192];
    size_t n;

    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        ld_buf_add(b, chunk, n);
    return ferror(f) ? LD_IO : LD_OK;
}

enum ld_rc
ld_buf_read_file(struct ld_buf *b, const char *path)
{
    FILE *f = fopen(path, "rb");
    enum ld_rc rc;

    if (f == NULL)
        return LD_IO;
    rc = ld_buf_read_stream(b, f);
    fclose(f);
    return rc;
}
