/*
 * mem.h - allocation that aborts on out-of-memory (STYLE.md rule 5), so that
 * no caller carries an untested NULL branch. Secrets do not use these: they
 * live in sodium_malloc memory (see sig.h).
 */
#ifndef LIANDAN_MEM_H
#define LIANDAN_MEM_H

#include <stddef.h>

/* malloc/calloc/realloc/strdup/strndup that abort() on failure; never return NULL. */
void *ld_xmalloc(size_t n);
void *ld_xcalloc(size_t count, size_t size);
void *ld_xrealloc(void *p, size_t n);
char *ld_xstrdup(const char *s);
char *ld_xstrndup(const char *s, size_t n);
/* Returns a new string built like printf; caller frees with free(). */
char *ld_xasprintf(const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 1, 2)))
#endif
    ;

#endif
