/*
 * buf.h - a growable byte buffer, always NUL-terminated so that text built in
 * it can be used as a C string. Used for canonical JSON, notes and replies.
 */
#ifndef LIANDAN_BUF_H
#define LIANDAN_BUF_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "liandan/err.h"

struct ld_buf {
    char *data; /* owned; NULL until the first append; data[len] == '\0' */
    size_t len; /* bytes in use, not counting the terminator */
    size_t cap; /* bytes allocated */
};

#define LD_BUF_INIT {NULL, 0, 0}

/* Append n bytes / a C string / one byte / printf output. Aborts on OOM. */
void ld_buf_add(struct ld_buf *b, const void *p, size_t n);
void ld_buf_adds(struct ld_buf *b, const char *s);
void ld_buf_addc(struct ld_buf *b, char c);
void ld_buf_addf(struct ld_buf *b, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
/* Forget the contents but keep the allocation. */
void ld_buf_reset(struct ld_buf *b);
/* Free the allocation and reset to LD_BUF_INIT. */
void ld_buf_release(struct ld_buf *b);
/* Append the whole file at path. Returns LD_OK or LD_IO (cannot open or
 * read; b then holds what was read before the error). */
enum ld_rc ld_buf_read_file(struct ld_buf *b, const char *path);

/* Append everything left to read from f (borrowed; not closed). LD_OK or
 * LD_IO on a read error (what was read stays in b). */
enum ld_rc ld_buf_read_stream(struct ld_buf *b, FILE *f);

/* Hand the data to the caller (who frees it with free()); b is left empty.
 * Never returns NULL: an empty buffer yields "". *len_out may be NULL. */
char *ld_buf_detach(struct ld_buf *b, size_t *len_out);

#endif
