/*
 * canon.c - RFC 8785 JSON Canonicalization Scheme (JCS) on top of cJSON
 * (include/liandan/canon.h; DESIGN.md §4.1).
 *
 * SPEC: RFC 8785 §3.2 (serialisation), ECMA-262 §7.1.12.1 (Number::toString),
 * RFC 8259 (the grammar ld_canon_parse enforces), RFC 3629 §4 (strict UTF-8).
 */
#include <assert.h>
#include <inttypes.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cJSON.h>

#include "liandan/buf.h"
#include "liandan/canon.h"
#include "liandan/err.h"
#include "liandan/mem.h"
#include "liandan/banned.h"

#define DEPTH_MAX 64    /* deepest nesting of arrays and objects we accept */
#define NUM_TEXT_MAX 63 /* cJSON 1.7.15 copies at most 63 bytes of a number literal */

/* ------------------------------------------------------------------------ */
/* UTF-8                                                                     */

/*
 * Decode one UTF-8 sequence from s (at most n bytes). Returns its length (1..4)
 * and sets *cp, or returns 0 if the bytes are not well-formed UTF-8: overlong
 * forms, encoded surrogates (U+D800..U+DFFF) and values above U+10FFFF are
 * refused. Bytes are checked in order, so a NUL stops the scan early.
 * SPEC: RFC 3629 §4 (UTF8-octets grammar).
 */
static size_t
utf8_next(const unsigned char *s, size_t n, uint32_t *cp)
{
    unsigned char c = s[0];
    unsigned char lo = 0x80, hi = 0xBF;
    size_t len, i;
    uint32_t v;

    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    if (c >= 0xC2 && c <= 0xDF) {
        len = 2;
        v = c & 0x1Fu;
    } else if (c >= 0xE0 && c <= 0xEF) {
        len = 3;
        v = c & 0x0Fu;
        if (c == 0xE0)
            lo = 0xA0; /* overlong */
        else if (c == 0xED)
            hi = 0x9F; /* surrogates */
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4;
        v = c & 0x07u;
        if (c == 0xF0)
            lo = 0x90; /* overlong */
        else if (c == 0xF4)
            hi = 0x8F; /* above U+10FFFF */
    } else {
        return 0; /* continuation byte, C0/C1 (overlong) or F5..FF */
    }
    if (n < len)
        return 0;
    for (i = 1; i < len; i++) {
        unsigned char t = s[i];
        if (t < lo || t > hi)
            return 0;
        lo = 0x80;
        hi = 0xBF;
        v = (v << 6) | (t & 0x3Fu);
    }
    *cp = v;
    return len;
}

/* Offset of the first byte of s[0..n) that is not valid UTF-8, or n. */
static size_t
utf8_check(const unsigned char *s, size_t n)
{
    size_t i = 0, k;
    uint32_t cp;

    while (i < n) {
        if (s[i] < 0x80) {
            i++;
            continue;
        }
        k = utf8_next(s + i, n - i, &cp);
        if (k == 0)
            return i;
        i += k;
    }
    return n;
}

/*
 * qsort comparator: member names (valid UTF-8, checked beforehand) in the
 * order of their UTF-16 code units. Code points compare as themselves except
 * that a supplementary character ranks by its lead surrogate (0xD800..0xDBFF),
 * i.e. below U+E000..U+FFFF although its UTF-8 form sorts above them.
 * SPEC: RFC 8785 §3.2.3.
 */
static int
cmp_utf16(const void *pa, const void *pb)
{
    const unsigned char *a = (const unsigned char *)(*(const cJSON *const *)pa)->string;
    const unsigned char *b = (const unsigned char *)(*(const cJSON *const *)pb)->string;
    uint32_t ca = 0, cb = 0, ua, ub;

    while (*a != '\0' && *b != '\0') {
        if (*a == *b && *a < 0x80) {
            a++;
            b++;
            continue;
        }
        a += utf8_next(a, 4, &ca);
        b += utf8_next(b, 4, &cb);
        if (ca == cb)
            continue;
        ua = ca >= 0x10000 ? 0xD800 + ((ca - 0x10000) >> 10) : ca;
        ub = cb >= 0x10000 ? 0xD800 + ((cb - 0x10000) >> 10) : cb;
        if (ua != ub)
            return ua < ub ? -1 : 1;
        /* Same lead surrogate: trail surrogates order like the code points. */
        return ca < cb ? -1 : 1;
    }
    return (*a != '\0') - (*b != '\0');
}

/* ------------------------------------------------------------------------ */
/* Numbers: SPEC: RFC 8785 §3.2.2.3 = ECMA-262 §7.1.12.1 Number::toString    */

/* The double nearest to m * 10^e (locale-independent: no decimal point). */
static double
decimal_value(uint64_t m, int e)
{
    char s[48];

    snprintf(s, sizeof s, "%" PRIu64 "e%d", m, e);
    return strtod(s, NULL);
}

/*
 * Shortest decimal m * 10^e that reads back as d (finite, > 0); among
 * shortest ones the closest to d (ECMA-262 §7.1.12.1 step 5: k as small as
 * possible, then s closest). glibc's "%.*e" is correctly rounded (ties to
 * even), so it yields the closest p-digit decimal. That one can miss d's
 * rounding interval while the p-digit neighbour on the other side of d is
 * inside it (the interval is asymmetric when d is a power of two), so the
 * neighbour is tried too before moving on to p + 1 digits.
 */
static void
shortest(double d, uint64_t *m_out, int *e_out)
{
    char s[64];
    const char *c;
    uint64_t m = 0, m2, lead;
    int e = 0, e2, p;
    double back;

    for (p = 1, lead = 1; p <= 17; p++, lead *= 10) { /* lead = 10^(p-1) */
        snprintf(s, sizeof s, "%.*e", p - 1, d);
        m = 0;
        for (c = s; *c != '\0' && *c != 'e'; c++)
            if (*c >= '0' && *c <= '9')
                m = m * 10 + (uint64_t)(*c - '0');
        assert(*c == 'e');
        e = atoi(c + 1) - (p - 1);
        back = decimal_value(m, e);
        if (back == d)
            break;
        m2 = m;
        e2 = e;
        if (back < d) {
            m2 = m + 1;
        } else if (m == lead) {
            m2 = m * 10 - 1; /* 1000e5 -> 9999e4: the grid below is finer */
            e2 = e - 1;
        } else {
            m2 = m - 1;
        }
        if (decimal_value(m2, e2) == d) {
            m = m2;
            e = e2;
            break;
        }
    }
    assert(p <= 17); /* 17 significant digits always round-trip */
    while (m % 10 == 0) {
        m /= 10;
        e++;
    }
    *m_out = m;
    *e_out = e;
}

enum ld_rc
ld_canon_number(double d, char out[LD_CANON_NUM_MAX])
{
    char digits[24];
    uint64_t m;
    int e, k, n, i;
    size_t o = 0;

    out[0] = '\0';
    if (!isfinite(d))
        return LD_INVALID; /* SPEC: RFC 8785 §3.2.2.3: NaN and Infinity are errors */
    if (d == 0) {
        out[0] = '0'; /* ECMA-262 §7.1.12.1 step 2: +0 and -0 are "0" */
        out[1] = '\0';
        return LD_OK;
    }
    /* Fast path: below 2^53 the doubles are at most 1 apart, so an integer's
     * shortest round-trip digits are its own (trailing zeros aside), and with
     * n <= 16 ECMA-262 step 6 writes it as a plain integer. */
    if (fabs(d) < 9007199254740992.0 && d == (double)(int64_t)d) {
        snprintf(out, LD_CANON_NUM_MAX, "%" PRId64, (int64_t)d);
        return LD_OK;
    }
    if (d < 0) {
        out[o++] = '-';
        d = -d;
    }
    shortest(d, &m, &e);
    k = snprintf(digits, sizeof digits, "%" PRIu64, m);
    n = k + e; /* d = 0.digits * 10^n, in the notation of ECMA-262 */

    /* SPEC: ECMA-262 §7.1.12.1 steps 6-10. */
    if (k <= n && n <= 21) {
        memcpy(out + o, digits, (size_t)k);
        o += (size_t)k;
        for (i = 0; i < n - k; i++)
            out[o++] = '0';
    } else if (0 < n && n <= 21) {
        memcpy(out + o, digits, (size_t)n);
        o += (size_t)n;
        out[o++] = '.';
        memcpy(out + o, digits + n, (size_t)(k - n));
        o += (size_t)(k - n);
    } else if (-6 < n && n <= 0) {
        out[o++] = '0';
        out[o++] = '.';
        for (i = 0; i < -n; i++)
            out[o++] = '0';
        memcpy(out + o, digits, (size_t)k);
        o += (size_t)k;
    } else {
        out[o++] = digits[0];
        if (k > 1) {
            out[o++] = '.';
            memcpy(out + o, digits + 1, (size_t)(k - 1));
            o += (size_t)(k - 1);
        }
        o += (size_t)snprintf(out + o, LD_CANON_NUM_MAX - o, "e%c%d", n - 1 < 0 ? '-' : '+',
                              abs(n - 1));
    }
    assert(o < LD_CANON_NUM_MAX);
    out[o] = '\0';
    return LD_OK;
}

/* ------------------------------------------------------------------------ */
/* Writing                                                                  */

struct writer {
    unsigned flags;     /* LD_CANON_SIGNED or 0 */
    struct ld_buf *out; /* canonical text goes here; NULL: only check */
    struct ld_buf path; /* JSON path of the value being visited ("$.a[2]") */
    struct ld_err *err; /* may be NULL */
};

static void
put(struct writer *w, const char *s, size_t n)
{
    if (w->out != NULL)
        ld_buf_add(w->out, s, n);
}

/*
 * Append s as a JSON string literal. s must be valid UTF-8.
 * SPEC: RFC 8785 §3.2.2.2: escape only '"', '\\' and U+0000..U+001F, using the
 * two-character forms \b \t \n \f \r where they exist and \u00xx (lowercase
 * hex) otherwise; everything else, U+007F and non-ASCII included, is literal.
 */
static void
add_string(struct ld_buf *b, const char *s)
{
    const char *run = s;
    const char *p;

    ld_buf_addc(b, '"');
    for (p = s; *p != '\0'; p++) {
        unsigned char c = (unsigned char)*p;
        const char *esc = NULL;

        if (c >= 0x20 && c != '"' && c != '\\')
            continue;
        ld_buf_add(b, run, (size_t)(p - run));
        run = p + 1;
        switch (c) {
        case '"':
            esc = "\\\"";
            break;
        case '\\':
            esc = "\\\\";
            break;
        case '\b':
            esc = "\\b";
            break;
        case '\t':
            esc = "\\t";
            break;
        case '\n':
            esc = "\\n";
            break;
        case '\f':
            esc = "\\f";
            break;
        case '\r':
            esc = "\\r";
            break;
        default:
            break;
        }
        if (esc != NULL)
            ld_buf_adds(b, esc);
        else
            ld_buf_addf(b, "\\u%04x", c);
    }
    ld_buf_add(b, run, (size_t)(p - run));
    ld_buf_addc(b, '"');
}

/* Append the path step for member `key`: ".key" for identifier-like names,
 * otherwise ["key"] with the key as a JSON string. */
static void
path_key(struct ld_buf *path, const char *key)
{
    const char *p = key;
    int ident = (*p == '_' || (*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z'));

    for (; ident && *p != '\0'; p++)
        ident = (*p == '_' || (*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
                 (*p >= '0' && *p <= '9'));
    if (ident) {
        ld_buf_addc(path, '.');
        ld_buf_adds(path, key);
    } else {
        ld_buf_addc(path, '[');
        add_string(path, key);
        ld_buf_addc(path, ']');
    }
}

/* Append the path step for array element i: "[i]". */
static void
path_index(struct ld_buf *path, size_t i)
{
    char step[32];
    int n = snprintf(step, sizeof step, "[%zu]", i);

    ld_buf_add(path, step, (size_t)n);
}

static void
path_cut(struct ld_buf *path, size_t len)
{
    path->len = len;
    path->data[len] = '\0';
}

/* Why d may not appear in signed data, or NULL if it may.
 * SPEC: DESIGN.md §4.1: only integers within ±(2^53-1). */
static const char *
signed_problem(double d)
{
    if (!(fabs(d) <= (double)LD_CANON_INT_MAX)) /* also NaN and infinities */
        return "is out of range";
    if (d != (double)(int64_t)d)
        return "is not an integer";
    return NULL;
}

static enum ld_rc
check_number(struct writer *w, double d)
{
    char text[LD_CANON_NUM_MAX];
    const char *why;

    /* SPEC: RFC 8785 §3.2.2.3: NaN and Infinity are errors. */
    if (!isfinite(d))
        return ld_err_set(w->err, LD_INVALID, w->path.data, "number %s is not allowed in JSON",
                          isnan(d) ? "NaN"
                          : d < 0  ? "-Infinity"
                                   : "Infinity");
    if (!(w->flags & LD_CANON_SIGNED) || (why = signed_problem(d)) == NULL)
        return LD_OK;
    ld_canon_number(d, text);
    return ld_err_set(w->err, LD_INVALID, w->path.data, "number %s %s", text, why);
}

static enum ld_rc
check_string(struct writer *w, const char *s, const char *what)
{
    size_t n = strlen(s);
    size_t bad = utf8_check((const unsigned char *)s, n);

    if (bad != n)
        return ld_err_set(w->err, LD_INVALID, w->path.data, "%s is not valid UTF-8 (byte %zu)",
                          what, bad);
    return LD_OK;
}

/*
 * The members of obj sorted for output, in a new array the caller frees.
 * Refuses members without a name (LD_PARSE), names that are not UTF-8 and
 * duplicate names (LD_INVALID); equal names sort next to each other.
 */
static enum ld_rc
sorted_members(struct writer *w, const cJSON *obj, const cJSON ***out, size_t *count)
{
    const cJSON **m = NULL;
    const cJSON *c;
    size_t n = 0, i, mark;
    enum ld_rc rc = LD_OK;

    for (c = obj->child; c != NULL; c = c->next)
        n++;
    m = ld_xmalloc(n * sizeof *m);
    for (c = obj->child, i = 0; c != NULL; c = c->next, i++) {
        if (c->string == NULL) {
            rc = ld_err_set(w->err, LD_PARSE, w->path.data, "object member has no name");
            goto out;
        }
        rc = check_string(w, c->string, "member name");
        if (rc != LD_OK)
            goto out;
        m[i] = c;
    }
    qsort(m, n, sizeof *m, cmp_utf16);
    for (i = 1; i < n; i++) {
        if (strcmp(m[i - 1]->string, m[i]->string) != 0)
            continue;
        /* SPEC: RFC 8785 §3.1 requires I-JSON (RFC 7493 §2.3: unique names). */
        mark = w->path.len;
        path_key(&w->path, m[i]->string);
        rc = ld_err_set(w->err, LD_INVALID, w->path.data, "duplicate member name");
        path_cut(&w->path, mark);
        goto out;
    }
out:
    if (rc != LD_OK) {
        free(m);
        m = NULL;
        n = 0;
    }
    *out = m;
    *count = n;
    return rc;
}

static enum ld_rc
write_value(struct writer *w, const cJSON *v, int depth)
{
    char num[LD_CANON_NUM_MAX];
    const cJSON **members = NULL;
    const cJSON *c;
    size_t n = 0, i, mark = w->path.len;
    enum ld_rc rc = LD_OK;

    switch (v->type & 0xFF) {
    case cJSON_False:
        put(w, "false", 5);
        break;
    case cJSON_True:
        put(w, "true", 4);
        break;
    case cJSON_NULL:
        put(w, "null", 4);
        break;
    case cJSON_Number:
        rc = check_number(w, v->valuedouble);
        if (rc != LD_OK)
            break;
        ld_canon_number(v->valuedouble, num);
        put(w, num, strlen(num));
        break;
    case cJSON_String:
        if (v->valuestring == NULL) {
            rc = ld_err_set(w->err, LD_PARSE, w->path.data, "string node has no value");
            break;
        }
        rc = check_string(w, v->valuestring, "string");
        if (rc == LD_OK && w->out != NULL)
            add_string(w->out, v->valuestring);
        break;
    case cJSON_Array:
        if (depth >= DEPTH_MAX) {
            rc = ld_err_set(w->err, LD_INVALID, w->path.data, "nesting deeper than %d", DEPTH_MAX);
            break;
        }
        put(w, "[", 1);
        for (c = v->child, i = 0; c != NULL && rc == LD_OK; c = c->next, i++) {
            if (i > 0)
                put(w, ",", 1);
            path_index(&w->path, i);
            rc = write_value(w, c, depth + 1);
            path_cut(&w->path, mark);
        }
        put(w, "]", 1);
        break;
    case cJSON_Object:
        if (depth >= DEPTH_MAX) {
            rc = ld_err_set(w->err, LD_INVALID, w->path.data, "nesting deeper than %d", DEPTH_MAX);
            break;
        }
        /* SPEC: RFC 8785 §3.2.3: members sorted by the UTF-16 code units of their names. */
        rc = sorted_members(w, v, &members, &n);
        if (rc != LD_OK)
            break;
        put(w, "{", 1);
        for (i = 0; i < n && rc == LD_OK; i++) {
            if (i > 0)
                put(w, ",", 1);
            if (w->out != NULL)
                add_string(w->out, members[i]->string);
            put(w, ":", 1);
            path_key(&w->path, members[i]->string);
            rc = write_value(w, members[i], depth + 1);
            path_cut(&w->path, mark);
        }
        put(w, "}", 1);
        free(members);
        break;
    default:
        /* cJSON_Raw carries unchecked text; cJSON_Invalid carries nothing. */
        rc = ld_err_set(w->err, LD_PARSE, w->path.data, "cJSON node of type %d cannot be written",
                        v->type & 0xFF);
        break;
    }
    return rc;
}

/* Walk v with a fresh writer (out may be NULL: only check). */
static enum ld_rc
walk(const cJSON *v, unsigned flags, struct ld_buf *out, struct ld_err *err)
{
    struct writer w = {flags, out, LD_BUF_INIT, err};
    enum ld_rc rc;

    ld_buf_adds(&w.path, "$");
    if (v == NULL)
        rc = ld_err_set(err, LD_PARSE, "$", "no value to write");
    else
        rc = write_value(&w, v, 0);
    ld_buf_release(&w.path);
    return rc;
}

enum ld_rc
ld_canon_write(const cJSON *v, unsigned flags, struct ld_buf *out, struct ld_err *err)
{
    assert(out != NULL);
    return walk(v, flags, out, err);
}

enum ld_rc
ld_canon_dup(const cJSON *v, unsigned flags, char **out, size_t *out_len, struct ld_err *err)
{
    struct ld_buf b = LD_BUF_INIT;
    enum ld_rc rc = walk(v, flags, &b, err);

    if (rc != LD_OK)
        goto out;
    *out = ld_buf_detach(&b, out_len);
out:
    if (rc != LD_OK) {
        ld_buf_release(&b);
        *out = NULL;
        if (out_len != NULL)
            *out_len = 0;
    }
    return rc;
}

/* ------------------------------------------------------------------------ */
/* Parsing: a strict RFC 8259 scan of the text, then cJSON builds the tree.  */
/*
 * cJSON 1.7.15 alone is too lenient for signed data: it skips a BOM, treats
 * every byte <= 0x20 as whitespace, accepts "01", "1." and "-.5", raw control
 * characters in strings, "\uZZZZ" (as U+0000), any bytes as UTF-8, and nests
 * 1000 deep. The scan below enforces the RFC 8259 grammar, strict UTF-8 and
 * our limits, and tells the byte offset of the first problem; only then is the
 * text handed to cJSON. Duplicate names and number values are checked on the
 * tree by the writer (in check-only mode), which also names the field.
 */

struct scan {
    const unsigned char *s; /* the text */
    size_t len;             /* its length */
    size_t pos;             /* next byte to read; the error offset on failure */
    unsigned flags;         /* LD_CANON_SIGNED or 0 */
    size_t nums;            /* number literals seen so far */
    size_t bad_num;         /* 1-based ordinal of the first non-integer literal, 0 if none */
    size_t bad_off;         /* its offset */
    size_t bad_len;         /* and length */
    enum ld_rc rc;          /* LD_PARSE or LD_INVALID once something failed */
    const char *why;        /* for LD_INVALID: what was refused */
};

static int
fail(struct scan *sc, enum ld_rc rc, const char *why)
{
    sc->rc = rc;
    sc->why = why;
    return -1;
}

static void
skip_ws(struct scan *sc)
{
    /* SPEC: RFC 8259 §2: ws = space, horizontal tab, line feed, carriage return. */
    while (sc->pos < sc->len && (sc->s[sc->pos] == ' ' || sc->s[sc->pos] == '\t' ||
                                 sc->s[sc->pos] == '\n' || sc->s[sc->pos] == '\r'))
        sc->pos++;
}

/* Four hex digits at s[at..at+4) as a number, or -1. */
static long
hex4(const struct scan *sc, size_t at)
{
    long v = 0;
    size_t i;

    if (at > sc->len || sc->len - at < 4)
        return -1;
    for (i = at; i < at + 4; i++) {
        unsigned char c = sc->s[i];
        v <<= 4;
        if (c >= '0' && c <= '9')
            v |= c - '0';
        else if (c >= 'a' && c <= 'f')
            v |= c - 'a' + 10;
        else if (c >= 'A' && c <= 'F')
            v |= c - 'A' + 10;
        else
            return -1;
    }
    return v;
}

/* SPEC: RFC 8259 §7 (strings), RFC 3629 (UTF-8). sc->pos is at the '"'. */
static int
scan_string(struct scan *sc)
{
    uint32_t cp;
    size_t k;
    long u, u2;

    sc->pos++;
    for (;;) {
        unsigned char c;

        if (sc->pos >= sc->len)
            return fail(sc, LD_PARSE, NULL);
        c = sc->s[sc->pos];
        if (c == '"') {
            sc->pos++;
            return 0;
        }
        if (c < 0x20)
            return fail(sc, LD_PARSE, NULL); /* control characters must be escaped */
        if (c >= 0x80) {
            k = utf8_next(sc->s + sc->pos, sc->len - sc->pos, &cp);
            if (k == 0)
                return fail(sc, LD_INVALID, "invalid UTF-8");
            sc->pos += k;
            continue;
        }
        if (c != '\\') {
            sc->pos++;
            continue;
        }
        if (sc->pos + 1 >= sc->len)
            return fail(sc, LD_PARSE, NULL);
        switch (sc->s[sc->pos + 1]) {
        case '"':
        case '\\':
        case '/':
        case 'b':
        case 'f':
        case 'n':
        case 'r':
        case 't':
            sc->pos += 2;
            continue;
        case 'u':
            break;
        default:
            return fail(sc, LD_PARSE, NULL);
        }
        u = hex4(sc, sc->pos + 2);
        if (u < 0)
            return fail(sc, LD_PARSE, NULL);
        /* cJSON strings end at NUL: "a\u0000b" would silently become "a". */
        if (u == 0)
            return fail(sc, LD_INVALID, "escaped U+0000");
        if (u >= 0xDC00 && u <= 0xDFFF)
            return fail(sc, LD_INVALID, "unpaired surrogate escape");
        if (u >= 0xD800 && u <= 0xDBFF) {
            u2 = -1;
            if (sc->len - sc->pos >= 12 && sc->s[sc->pos + 6] == '\\' && sc->s[sc->pos + 7] == 'u')
                u2 = hex4(sc, sc->pos + 8);
            if (u2 < 0xDC00 || u2 > 0xDFFF)
                return fail(sc, LD_INVALID, "unpaired surrogate escape");
            sc->pos += 6;
        }
        sc->pos += 6;
    }
}

static int
is_digit(const struct scan *sc)
{
    return sc->pos < sc->len && sc->s[sc->pos] >= '0' && sc->s[sc->pos] <= '9';
}

/* SPEC: RFC 8259 §6: -? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)? */
static int
scan_number(struct scan *sc)
{
    size_t start = sc->pos;
    int integer = 1;

    if (sc->s[sc->pos] == '-')
        sc->pos++;
    if (!is_digit(sc))
        return fail(sc, LD_PARSE, NULL);
    if (sc->s[sc->pos++] != '0')
        while (is_digit(sc))
            sc->pos++;
    if (sc->pos < sc->len && sc->s[sc->pos] == '.') {
        integer = 0;
        sc->pos++;
        if (!is_digit(sc))
            return fail(sc, LD_PARSE, NULL);
        while (is_digit(sc))
            sc->pos++;
    }
    if (sc->pos < sc->len && (sc->s[sc->pos] == 'e' || sc->s[sc->pos] == 'E')) {
        integer = 0;
        sc->pos++;
        if (sc->pos < sc->len && (sc->s[sc->pos] == '+' || sc->s[sc->pos] == '-'))
            sc->pos++;
        if (!is_digit(sc))
            return fail(sc, LD_PARSE, NULL);
        while (is_digit(sc))
            sc->pos++;
    }
    if (sc->pos - start > NUM_TEXT_MAX) {
        sc->pos = start;
        return fail(sc, LD_INVALID, "number literal longer than 63 characters");
    }
    sc->nums++;
    if (sc->pos - start == 2 && sc->s[start] == '-' && sc->s[start + 1] == '0')
        integer = 0; /* "-0" */
    if ((sc->flags & LD_CANON_SIGNED) && !integer && sc->bad_num == 0) {
        sc->bad_num = sc->nums;
        sc->bad_off = start;
        sc->bad_len = sc->pos - start;
    }
    return 0;
}

static int
scan_literal(struct scan *sc, const char *word)
{
    size_t n = strlen(word);

    if (sc->len - sc->pos < n || memcmp(sc->s + sc->pos, word, n) != 0)
        return fail(sc, LD_PARSE, NULL);
    sc->pos += n;
    return 0;
}

/* One value at sc->pos (no leading whitespace); depth = enclosing containers. */
static int
scan_value(struct scan *sc, int depth)
{
    unsigned char open, close;
    int first = 1;

    if (sc->pos >= sc->len)
        return fail(sc, LD_PARSE, NULL);
    switch (sc->s[sc->pos]) {
    case '"':
        return scan_string(sc);
    case 't':
        return scan_literal(sc, "true");
    case 'f':
        return scan_literal(sc, "false");
    case 'n':
        return scan_literal(sc, "null");
    case '[':
    case '{':
        break;
    default:
        if (sc->s[sc->pos] == '-' || (sc->s[sc->pos] >= '0' && sc->s[sc->pos] <= '9'))
            return scan_number(sc);
        return fail(sc, LD_PARSE, NULL);
    }
    if (depth >= DEPTH_MAX)
        return fail(sc, LD_INVALID, "nesting deeper than 64");
    open = sc->s[sc->pos++];
    close = open == '[' ? ']' : '}';
    for (;;) {
        skip_ws(sc);
        if (first && sc->pos < sc->len && sc->s[sc->pos] == close) {
            sc->pos++;
            return 0;
        }
        first = 0;
        if (open == '{') {
            if (sc->pos >= sc->len || sc->s[sc->pos] != '"')
                return fail(sc, LD_PARSE, NULL);
            if (scan_string(sc) != 0)
                return -1;
            skip_ws(sc);
            if (sc->pos >= sc->len || sc->s[sc->pos] != ':')
                return fail(sc, LD_PARSE, NULL);
            sc->pos++;
            skip_ws(sc);
        }
        if (scan_value(sc, depth + 1) != 0)
            return -1;
        skip_ws(sc);
        if (sc->pos < sc->len && sc->s[sc->pos] == ',') {
            sc->pos++;
            continue;
        }
        if (sc->pos < sc->len && sc->s[sc->pos] == close) {
            sc->pos++;
            return 0;
        }
        return fail(sc, LD_PARSE, NULL);
    }
}

/*
 * The n-th (1-based) number of v in document order, which is the order of the
 * literals in the text; its path is appended to *path. NULL if there is none.
 */
static const cJSON *
nth_number(const cJSON *v, size_t *n, struct ld_buf *path)
{
    const cJSON *c, *found;
    size_t i, mark = path->len;
    int type = v->type & 0xFF;

    if (type == cJSON_Number)
        return --*n == 0 ? v : NULL;
    if (type != cJSON_Array && type != cJSON_Object)
        return NULL;
    for (c = v->child, i = 0; c != NULL; c = c->next, i++) {
        if (type == cJSON_Array)
            path_index(path, i);
        else
            path_key(path, c->string);
        found = nth_number(c, n, path);
        if (found != NULL)
            return found;
        path_cut(path, mark);
    }
    return NULL;
}

enum ld_rc
ld_canon_parse(const char *text, size_t len, unsigned flags, cJSON **out, struct ld_err *err)
{
    struct scan sc = {(const unsigned char *)text, len, 0, flags, 0, 0, 0, 0, LD_OK, NULL};
    struct ld_buf path = LD_BUF_INIT;
    cJSON *root = NULL;
    const cJSON *num;
    const char *end = NULL, *why;
    size_t at, n;
    enum ld_rc rc = LD_OK;

    assert(text != NULL || len == 0);
    skip_ws(&sc);
    if (scan_value(&sc, 0) == 0) {
        skip_ws(&sc);
        if (sc.pos != sc.len) /* trailing garbage */
            fail(&sc, LD_PARSE, NULL);
    }
    if (sc.rc == LD_PARSE) {
        rc = ld_err_set(err, LD_PARSE, "", "malformed JSON at byte %zu", sc.pos);
        goto out;
    }
    if (sc.rc != LD_OK) {
        rc = ld_err_set(err, sc.rc, "", "%s at byte %zu", sc.why, sc.pos);
        goto out;
    }

    /* Never cJSON_GetErrorPtr(): the position comes back through `end`. */
    root = cJSON_ParseWithLengthOpts(text, len, &end, 0);
    at = end != NULL ? (size_t)(end - text) : 0;
    if (root == NULL) {
        rc = ld_err_set(err, LD_PARSE, "", "malformed JSON at byte %zu", at);
        goto out;
    }
    /* Without require_null_terminated cJSON stops after the value; only
     * whitespace may follow (the scan checked this; cJSON must agree). */
    sc.pos = at;
    skip_ws(&sc);
    if (sc.pos != len) {
        rc = ld_err_set(err, LD_PARSE, "", "malformed JSON at byte %zu", at);
        goto out;
    }

    if (sc.bad_num != 0) {
        /* SPEC: DESIGN.md §4.1: signed text spells integers as integers. */
        n = sc.bad_num;
        ld_buf_adds(&path, "$");
        num = nth_number(root, &n, &path);
        assert(num != NULL);
        why = num != NULL ? signed_problem(num->valuedouble) : NULL;
        rc = ld_err_set(err, LD_INVALID, path.data, "number %.*s %s",
                        (int)(sc.bad_len > 40 ? 40 : sc.bad_len), text + sc.bad_off,
                        why != NULL ? why : "is not written as an integer");
        goto out;
    }
    /* Duplicate names and (with LD_CANON_SIGNED) number values. */
    rc = walk(root, flags, NULL, err);

out:
    ld_buf_release(&path);
    if (rc != LD_OK) {
        cJSON_Delete(root);
        root = NULL;
    }
    *out = root;
    return rc;
}
