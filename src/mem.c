/*
 * mem.c - aborting allocators (include/liandan/mem.h). The only place in the
 * library that may end the process, and only because memory ran out.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "liandan/mem.h"
#include "liandan/banned.h"

static void *
check(void *p)
{
    if (p == NULL) {
        fputs("liandan: out of memory\n", stderr);
        abort();
    }
    return p;
}

void *
ld_xmalloc(size_t n)
{
    return check(malloc(n ? n : 1));
}

void *
ld_xcalloc(size_t count, size_t size)
{
    return check(calloc(count ? count : 1, size ? size : 1));
}

void *
ld_xrealloc(void *p, size_t n)
{
    return check(realloc(p, n ? n : 1));
}

char *
ld_xstrdup(const char *s)
{
    return check(strdup(s));
}

char *
ld_xstrndup(const char *s, size_t n)
{
    return check(strndup(s, n));
}

char *
ld_xasprintf(const char *fmt, ...)
{
    va_list ap;
    int n;
    char *s;

    va_start(ap, fmt);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        abort();
    s = ld_xmalloc((size_t)n + 1);
    va_start(ap, fmt);
    vsnprintf(s, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return s;
}
