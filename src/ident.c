/*
 * ident.c - vehicle plates (GA 36-2018) and HJ 1276-2022 container codes
 * (include/liandan/ident.h). Plates are decoded as UTF-8 one character at a
 * time, so that a position in a message is a character position and a
 * malformed byte sequence is refused rather than read past. No <ctype.h>.
 */
#include <assert.h>
#include <stdio.h>
#include <string.h>

#include "liandan/ident.h"
#include "liandan/banned.h"

#define MAX_CHARS 12                /* more characters than any plate has */
#define TRAILER_MARK "\xE6\x8C\x82" /* 挂 U+6302 */

/* One decoded character: its bytes in the input. */
struct uchar {
    const char *p; /* first byte */
    size_t len;    /* 1-4 */
};

/*
 * Length of the UTF-8 character at s (1-4), or 0 if the bytes there are not
 * a valid, shortest-form encoding of a scalar value. s is NUL-terminated, and
 * a NUL is never a continuation byte, so no read passes the end.
 */
static size_t
utf8_char(const unsigned char *s)
{
    unsigned long cp;
    size_t len, i;

    if (s[0] < 0x80)
        return 1;
    if (s[0] >= 0xC2 && s[0] <= 0xDF) {
        len = 2;
        cp = s[0] & 0x1Fu;
    } else if (s[0] >= 0xE0 && s[0] <= 0xEF) {
        len = 3;
        cp = s[0] & 0x0Fu;
    } else if (s[0] >= 0xF0 && s[0] <= 0xF4) {
        len = 4;
        cp = s[0] & 0x07u;
    } else {
        return 0;
    }
    for (i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        cp = cp << 6 | (s[i] & 0x3Fu);
    }
    if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
        (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return len;
}

static int
is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static int
is_upper(char c)
{
    return c >= 'A' && c <= 'Z';
}

/* Is the character c (one ASCII byte) a plate letter: A-Z except I and O? */
static int
plate_letter(const struct uchar *c)
{
    return c->len == 1 && is_upper(c->p[0]) && c->p[0] != 'I' && c->p[0] != 'O';
}

static int
plate_digit(const struct uchar *c)
{
    return c->len == 1 && is_digit(c->p[0]);
}

static int
is_province(const struct uchar *c)
{
    static const char provinces[] = LD_IDENT_PROVINCES;
    size_t i;

    if (c->len != 3)
        return 0;
    for (i = 0; i + 3 <= sizeof provinces - 1; i += 3)
        if (memcmp(provinces + i, c->p, 3) == 0)
            return 1;
    return 0;
}

/* Explain why character c at position pos is not what `want` says. */
static enum ld_rc
bad_char(const struct uchar *c, int pos, const char *want, const char *field, struct ld_err *err)
{
    char ch = c->p[0];

    if (c->len == 1 && ch >= 'a' && ch <= 'z')
        return ld_err_set(err, LD_INVALID, field,
                          "lowercase '%c' at position %d (letters must be uppercase)", ch, pos);
    if (c->len == 1 && (ch == 'I' || ch == 'O'))
        return ld_err_set(err, LD_INVALID, field,
                          "letter '%c' at position %d is never used on plates", ch, pos);
    if (c->len == 1 && (unsigned char)ch < 0x20)
        return ld_err_set(err, LD_INVALID, field, "control character 0x%02x at position %d",
                          (unsigned char)ch, pos);
    if (c->len == 1 && (ch == ' ' || ch == '-' || ch == '.'))
        return ld_err_set(err, LD_INVALID, field,
                          "'%c' at position %d: write the plate without separators", ch, pos);
    return ld_err_set(err, LD_INVALID, field, "'%.*s' at position %d: expected %s", (int)c->len,
                      c->p, pos, want);
}

/* Check the serial c[0..n) of a plate (positions 3..): return its kind. */
static enum ld_rc
check_serial(const struct uchar *c, size_t n, int trailer, const char *field,
             enum ld_ident_plate_kind *kind, struct ld_err *err)
{
    size_t i;

    /* Every character of a serial is an ASCII letter or digit. */
    for (i = 0; i < n; i++)
        if (!plate_letter(&c[i]) && !plate_digit(&c[i]))
            return bad_char(&c[i], (int)i + 3, "a digit or a letter A-Z other than I and O", field,
                            err);
    if (trailer) {
        if (n != 4)
            return ld_err_set(err, LD_INVALID, field,
                              "trailer serial has %zu characters before 挂, expected 4", n);
        *kind = LD_IDENT_PLATE_TRAILER;
        return LD_OK;
    }
    if (n == 5) {
        *kind = LD_IDENT_PLATE_ORDINARY;
        return LD_OK;
    }
    if (n != 6)
        return ld_err_set(err, LD_INVALID, field,
                          "serial has %zu characters, expected 5 (ordinary), 6 (new-energy) or "
                          "4 and 挂 (trailer)",
                          n);
    /* SPEC: GA 36-2018 new-energy plates. Small: D/F, a letter or digit, 4 digits. */
    if (c[0].p[0] == 'D' || c[0].p[0] == 'F') {
        for (i = 2; i < 6; i++)
            if (!plate_digit(&c[i]))
                return ld_err_set(err, LD_INVALID, field,
                                  "new-energy plate: '%c' at position %zu must be a digit "
                                  "(small vehicles: D or F, a letter or digit, then 4 digits)",
                                  c[i].p[0], i + 3);
        *kind = LD_IDENT_PLATE_NEW_ENERGY;
        return LD_OK;
    }
    /* Large: 5 digits, then D/F. */
    for (i = 0; i < 5; i++)
        if (!plate_digit(&c[i]))
            return ld_err_set(err, LD_INVALID, field,
                              "new-energy plate: '%c' at position %zu must be a digit (large "
                              "vehicles: 5 digits then D or F; small: D or F first)",
                              c[i].p[0], i + 3);
    if (c[5].p[0] != 'D' && c[5].p[0] != 'F')
        return ld_err_set(err, LD_INVALID, field,
                          "new-energy plate: '%c' at position 8 must be D or F", c[5].p[0]);
    *kind = LD_IDENT_PLATE_NEW_ENERGY;
    return LD_OK;
}

enum ld_rc
ld_ident_plate_check(const char *s, const char *field, enum ld_ident_plate_kind *kind,
                     struct ld_err *err)
{
    struct uchar c[MAX_CHARS];
    enum ld_ident_plate_kind k = LD_IDENT_PLATE_ORDINARY;
    const char *p = s;
    size_t n = 0;
    int trailer;
    enum ld_rc rc;

    assert(s != NULL);
    if (*s == '\0')
        return ld_err_set(err, LD_INVALID, field, "plate is empty");
    while (*p != '\0') {
        size_t len = utf8_char((const unsigned char *)p);

        if (len == 0)
            return ld_err_set(err, LD_INVALID, field,
                              "plate is not valid UTF-8 (byte 0x%02x at offset %zu)",
                              (unsigned char)*p, (size_t)(p - s));
        if (n == MAX_CHARS)
            return ld_err_set(err, LD_INVALID, field, "plate is longer than %d characters",
                              MAX_CHARS);
        c[n].p = p;
        c[n].len = len;
        n++;
        p += len;
    }
    if (!is_province(&c[0]))
        return ld_err_set(err, LD_INVALID, field,
                          "'%.*s' at position 1 is not a province abbreviation", (int)c[0].len,
                          c[0].p);
    if (n < 2)
        return ld_err_set(err, LD_INVALID, field, "plate has no issuing authority letter");
    if (!plate_letter(&c[1]))
        return bad_char(&c[1], 2, "the issuing authority letter A-Z", field, err);
    trailer = c[n - 1].len == 3 && memcmp(c[n - 1].p, TRAILER_MARK, 3) == 0;
    rc = check_serial(c + 2, n - 2 - (size_t)trailer, trailer, field, &k, err);
    if (rc != LD_OK)
        return rc;
    if (kind != NULL)
        *kind = k;
    return LD_OK;
}

const char *
ld_ident_plate_kind_str(enum ld_ident_plate_kind kind)
{
    switch (kind) {
    case LD_IDENT_PLATE_ORDINARY:
        return "ordinary";
    case LD_IDENT_PLATE_NEW_ENERGY:
        return "new_energy";
    case LD_IDENT_PLATE_TRAILER:
        return "trailer";
    }
    return "unknown";
}

enum ld_rc
ld_ident_container_check(const char *s, const char *field, struct ld_err *err)
{
    size_t i, n;

    assert(s != NULL);
    n = strlen(s);
    if (n == 0)
        return ld_err_set(err, LD_INVALID, field, "container code is empty");
    if (n > LD_IDENT_CONTAINER_MAX)
        return ld_err_set(err, LD_INVALID, field, "container code has %zu characters, at most %d",
                          n, LD_IDENT_CONTAINER_MAX);
    for (i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];

        if (is_digit((char)ch) || is_upper((char)ch))
            continue;
        if (ch == '-') {
            if (i == 0 || i == n - 1 || s[i + 1] == '-')
                return ld_err_set(err, LD_INVALID, field,
                                  "'-' at position %zu: only between letters and digits", i + 1);
            continue;
        }
        if (ch >= 'a' && ch <= 'z')
            return ld_err_set(err, LD_INVALID, field,
                              "lowercase '%c' at position %zu (letters must be uppercase)", ch,
                              i + 1);
        if (ch < 0x20 || ch > 0x7E)
            return ld_err_set(err, LD_INVALID, field,
                              "byte 0x%02x at position %zu: only 0-9, A-Z and '-'", ch, i + 1);
        return ld_err_set(err, LD_INVALID, field, "'%c' at position %zu: only 0-9, A-Z and '-'", ch,
                          i + 1);
    }
    return LD_OK;
}
