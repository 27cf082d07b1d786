/*
 * data.c - lookup of the reference data embedded by tools/embed-data, and an
 * RFC 4180 CSV reader for it (include/liandan/data.h). The files themselves
 * and their sources are described in data/README.md.
 */
#include <assert.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "liandan/data.h"
#include "liandan/banned.h"

const struct ld_data_file *
ld_data_get(const char *name)
{
    size_t i;

    assert(name != NULL);
    for (i = 0; i < ld_data_file_count; i++)
        if (strcmp(ld_data_files[i].name, name) == 0)
            return &ld_data_files[i];
    return NULL;
}

void
ld_data_csv_init(struct ld_data_csv *c, const char *name, const char *text, size_t len,
                 size_t nfields)
{
    assert(c != NULL && name != NULL && (text != NULL || len == 0));
    assert(nfields >= 1 && nfields <= LD_DATA_CSV_MAX_FIELDS);
    memset(c, 0, sizeof *c);
    c->name = name;
    c->text = text;
    c->len = len;
    c->next_line = 1;
    c->line = 1;
    c->nfields = nfields;
    if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
        c->pos = 3;
}

void
ld_data_csv_release(struct ld_data_csv *c)
{
    if (c != NULL)
        ld_buf_release(&c->buf);
}

/* Record an error located at line `line` of c's source. */
static enum ld_rc
fail_at(const struct ld_data_csv *c, size_t line, struct ld_err *err, enum ld_rc rc,
        const char *fmt, va_list ap)
{
    char field[LD_ERR_FIELD_MAX];
    char msg[LD_ERR_MSG_MAX];

    snprintf(field, sizeof field, "%s:%zu", c->name, line);
    vsnprintf(msg, sizeof msg, fmt, ap);
    return ld_err_set(err, rc, field, "line %zu: %s", line, msg);
}

static enum ld_rc fail_line(const struct ld_data_csv *c, size_t line, struct ld_err *err,
                            const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;

static enum ld_rc
fail_line(const struct ld_data_csv *c, size_t line, struct ld_err *err, const char *fmt, ...)
{
    va_list ap;
    enum ld_rc rc;

    va_start(ap, fmt);
    rc = fail_at(c, line, err, LD_PARSE, fmt, ap);
    va_end(ap);
    return rc;
}

enum ld_rc
ld_data_csv_fail(const struct ld_data_csv *c, struct ld_err *err, enum ld_rc rc, const char *fmt,
                 ...)
{
    va_list ap;

    assert(c != NULL);
    va_start(ap, fmt);
    rc = fail_at(c, c->line, err, rc, fmt, ap);
    va_end(ap);
    return rc;
}

/*
 * Length of the valid UTF-8 sequence at s[0..n), or 0 if it is not one
 * (overlong forms, surrogates and code points above U+10FFFF are refused).
 */
static size_t
utf8_len(const unsigned char *s, size_t n)
{
    unsigned char c = s[0];
    size_t len, i;
    unsigned long cp;

    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF) {
        len = 2;
        cp = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
        len = 3;
        cp = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4;
        cp = c & 0x07;
    } else {
        return 0;
    }
    if (n < len)
        return 0;
    for (i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        cp = cp << 6 | (s[i] & 0x3F);
    }
    if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
        (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return len;
}

/* Check field i (len bytes at s) for UTF-8 and control characters. */
static enum ld_rc
check_field(const struct ld_data_csv *c, const char *s, size_t len, size_t i, struct ld_err *err)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t k = 0;

    while (k < len) {
        size_t n = utf8_len(u + k, len - k);

        if (n == 0)
            return fail_line(c, c->line, err, "field %zu is not valid UTF-8 (byte %zu)", i + 1,
                             k + 1);
        if (n == 1 &&
            ((u[k] < 0x20 && u[k] != '\t' && u[k] != '\r' && u[k] != '\n') || u[k] == 0x7F))
            return fail_line(c, c->line, err, "field %zu holds control character 0x%02x", i + 1,
                             u[k]);
        k += n;
    }
    return LD_OK;
}

/* At c->pos: the end of the input or of a record (LF or CRLF)? */
static int
at_record_end(const struct ld_data_csv *c)
{
    return c->pos >= c->len || c->text[c->pos] == '\n' ||
           (c->text[c->pos] == '\r' && c->pos + 1 < c->len && c->text[c->pos + 1] == '\n');
}

/* Step over a record end (LF, CRLF or the end of the input). */
static void
skip_record_end(struct ld_data_csv *c)
{
    if (c->pos >= c->len)
        return;
    if (c->text[c->pos] == '\r')
        c->pos++;
    c->pos++;
    c->next_line++;
}

/* Read one field at c->pos into c->buf (NUL-terminated). */
static enum ld_rc
read_field(struct ld_data_csv *c, struct ld_err *err)
{
    const char *t = c->text;

    if (c->pos < c->len && t[c->pos] == '"') {
        size_t open_line = c->next_line;

        c->pos++;
        for (;;) {
            if (c->pos >= c->len)
                return fail_line(c, c->line, err, "quoted field opened on line %zu never closes",
                                 open_line);
            if (t[c->pos] == '"') {
                if (c->pos + 1 < c->len && t[c->pos + 1] == '"') {
                    ld_buf_addc(&c->buf, '"');
                    c->pos += 2;
                    continue;
                }
                c->pos++;
                break;
            }
            if (t[c->pos] == '\0')
                return fail_line(c, c->line, err, "NUL byte in a field");
            if (t[c->pos] == '\n')
                c->next_line++;
            ld_buf_addc(&c->buf, t[c->pos]);
            c->pos++;
        }
        if (!at_record_end(c) && t[c->pos] != ',')
            return fail_line(c, c->line, err,
                             "'%c' after a closing quote (expected ',' or end of line)", t[c->pos]);
    } else {
        size_t start = c->pos;

        while (c->pos < c->len && t[c->pos] != ',' && t[c->pos] != '\n') {
            if (t[c->pos] == '"')
                return fail_line(c, c->line, err, "'\"' inside an unquoted field");
            if (t[c->pos] == '\r') {
                if (at_record_end(c))
                    break;
                return fail_line(c, c->line, err, "carriage return not followed by line feed");
            }
            if (t[c->pos] == '\0')
                return fail_line(c, c->line, err, "NUL byte in a field");
            c->pos++;
        }
        ld_buf_add(&c->buf, t + start, c->pos - start);
    }
    ld_buf_addc(&c->buf, '\0');
    return LD_OK;
}

enum ld_rc
ld_data_csv_next(struct ld_data_csv *c, int *got, struct ld_err *err)
{
    size_t off[LD_DATA_CSV_MAX_FIELDS + 1];
    size_t n = 0, i;
    enum ld_rc rc = LD_OK;

    assert(c != NULL && got != NULL);
    /* Skip empty lines. */
    while (c->pos < c->len && at_record_end(c))
        skip_record_end(c);
    if (c->pos >= c->len) {
        *got = 0;
        return LD_OK;
    }
    c->line = c->next_line;
    ld_buf_reset(&c->buf);
    for (;;) {
        if (n == c->nfields)
            return fail_line(c, c->line, err, "more than %zu fields", c->nfields);
        off[n] = c->buf.len;
        rc = read_field(c, err);
        if (rc != LD_OK)
            return rc;
        n++;
        if (at_record_end(c))
            break;
        c->pos++; /* the ',' */
    }
    skip_record_end(c);
    if (n != c->nfields)
        return fail_line(c, c->line, err, "%zu field%s, expected %zu", n, n == 1 ? "" : "s",
                         c->nfields);
    off[n] = c->buf.len;
    for (i = 0; i < n; i++) {
        /* Each field ends with its NUL: its length is the distance to the next, less one. */
        rc = check_field(c, c->buf.data + off[i], off[i + 1] - off[i] - 1, i, err);
        if (rc != LD_OK)
            return rc;
        c->field[i] = c->buf.data + off[i];
    }
    *got = 1;
    return LD_OK;
}

enum ld_rc
ld_data_csv_header(struct ld_data_csv *c, const char *const *names, struct ld_err *err)
{
    enum ld_rc rc;
    int got = 0;
    size_t i;

    assert(c != NULL && names != NULL);
    rc = ld_data_csv_next(c, &got, err);
    if (rc != LD_OK)
        return rc;
    if (!got)
        return fail_line(c, c->next_line, err, "no header (the input is empty)");
    for (i = 0; i < c->nfields; i++)
        if (strcmp(c->field[i], names[i]) != 0)
            return fail_line(c, c->line, err, "header column %zu is '%s', expected '%s'", i + 1,
                             c->field[i], names[i]);
    return LD_OK;
}
