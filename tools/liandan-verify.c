/*
 * liandan-verify.c - a small offline verifier of trace bundles (DESIGN.md
 * §4.5), written apart from libliandan so that a second implementation
 * checks the same bytes: it links only libsodium (SHA-256, Ed25519) and
 * cJSON (parsing), and carries its own RFC 8785 canonical JSON, base64,
 * C2SP verifier keys and signed notes, and RFC 6962 inclusion check. The
 * checks and their order are those listed in include/liandan/bundle.h.
 *
 *   liandan-verify [-q] --regulator VKEY [--ledger-key VKEY] BUNDLE.json
 *
 * VKEY is a verifier key line or a file holding one; BUNDLE '-' is stdin.
 * Exit status: 0 the bundle verifies ("ok" line), 1 it does not (the first
 * failing item is named), 2 usage or I/O error.
 */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cJSON.h>
#include <sodium.h>

#include "liandan/banned.h"

#define HASH 32
#define PUB 32
#define SIG 64
#define MAX_PROOF 128
#define MAX_DEPTH 64
#define INT_MAX_JS 9007199254740991.0 /* 2^53 - 1: integers in signed data */
#define MANIFEST_MAX 99999999999999.0 /* 14-digit manifest numbers */
#define PURPOSE_EVENT "liandan/event/v1\n"
#define EM_DASH "\xe2\x80\x94"

static const char *prog = "liandan-verify";
static const char *subject = "-"; /* the bundle's file name, for messages */
static int quiet;

/* ---- small helpers ------------------------------------------------------ */

static void *
xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);

    if (p == NULL) {
        fprintf(stderr, "%s: out of memory\n", prog);
        exit(2);
    }
    return p;
}

static void *
xrealloc(void *p, size_t n)
{
    p = realloc(p, n ? n : 1);
    if (p == NULL) {
        fprintf(stderr, "%s: out of memory\n", prog);
        exit(2);
    }
    return p;
}

/* The verdict: print the first failing item and exit 1. */
static void fail(const char *field, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3), noreturn))
#endif
    ;

static void
fail(const char *field, const char *fmt, ...)
{
    va_list ap;

    if (!quiet) {
        fprintf(stderr, "%s: '%s': %s%s", prog, subject, field, *field ? ": " : "");
        va_start(ap, fmt);
        vfprintf(stderr, fmt, ap);
        va_end(ap);
        fputc('\n', stderr);
    }
    exit(1);
}

struct buf {
    char *p;
    size_t n, cap;
};

static void
buf_add(struct buf *b, const void *s, size_t n)
{
    if (b->n + n + 1 > b->cap) {
        b->cap = (b->n + n + 1) * 2;
        b->p = xrealloc(b->p, b->cap);
    }
    memcpy(b->p + b->n, s, n);
    b->n += n;
    b->p[b->n] = '\0';
}

static void
buf_adds(struct buf *b, const char *s)
{
    buf_add(b, s, strlen(s));
}

static void
hex(const uint8_t *p, size_t n, char *out)
{
    static const char d[] = "0123456789abcdef";
    size_t i;

    for (i = 0; i < n; i++) {
        out[2 * i] = d[p[i] >> 4];
        out[2 * i + 1] = d[p[i] & 15];
    }
    out[2 * n] = '\0';
}

static int
lower_hex(const char *s, size_t n)
{
    size_t i;

    if (strlen(s) != n)
        return 0;
    for (i = 0; i < n; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
            return 0;
    return 1;
}

static int
unhex(const char *s, size_t n, uint8_t *out)
{
    size_t i;

    for (i = 0; i < 2 * n; i++) {
        char c = s[i];
        int v = c >= '0' && c <= '9'   ? c - '0'
                : c >= 'a' && c <= 'f' ? c - 'a' + 10
                : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                       : -1;
        if (v < 0)
            return 0;
        if (i % 2 == 0)
            out[i / 2] = (uint8_t)(v << 4);
        else
            out[i / 2] |= (uint8_t)v;
    }
    return 1;
}

/* ---- base64 (RFC 4648 §4, padded, strict) ------------------------------- */

static int
b64v(unsigned char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    return c == '+' ? 62 : c == '/' ? 63 : -1;
}

/* Decode exactly n characters into out (capacity cap). Returns the byte count or -1. */
static long
unb64(const char *s, size_t n, uint8_t *out, size_t cap)
{
    size_t i, o = 0, pad = 0;
    uint32_t v = 0;

    if (n == 0 || n % 4 != 0)
        return n == 0 ? 0 : -1;
    if (s[n - 1] == '=')
        pad = s[n - 2] == '=' ? 2 : 1;
    if (n / 4 * 3 - pad > cap)
        return -1;
    for (i = 0; i < n; i++) {
        int c = i >= n - pad ? 0 : b64v((unsigned char)s[i]);
        if (c < 0)
            return -1;
        v = v << 6 | (uint32_t)c;
        if (i % 4 == 3) {
            uint8_t t[3] = {(uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v};
            size_t k, take = i == n - 1 ? 3 - pad : 3;
            /* The bits under the padding must be zero. */
            if ((pad == 1 && i == n - 1 && t[2] != 0) || (pad == 2 && i == n - 1 && t[1] != 0))
                return -1;
            for (k = 0; k < take; k++)
                out[o++] = t[k];
            v = 0;
        }
    }
    return (long)o;
}

/* ---- SHA-256, RFC 6962 -------------------------------------------------- */

static void
leaf_hash(const void *data, size_t n, uint8_t out[HASH])
{
    crypto_hash_sha256_state st;
    const uint8_t zero = 0x00;

    crypto_hash_sha256_init(&st);
    crypto_hash_sha256_update(&st, &zero, 1);
    crypto_hash_sha256_update(&st, data, n);
    crypto_hash_sha256_final(&st, out);
}

static void
node_hash(const uint8_t l[HASH], const uint8_t r[HASH], uint8_t out[HASH])
{
    crypto_hash_sha256_state st;
    const uint8_t one = 0x01;

    crypto_hash_sha256_init(&st);
    crypto_hash_sha256_update(&st, &one, 1);
    crypto_hash_sha256_update(&st, l, HASH);
    crypto_hash_sha256_update(&st, r, HASH);
    crypto_hash_sha256_final(&st, out);
}

/* SPEC: RFC 9162 §2.1.3.2, verifying an inclusion proof. Returns 1 when it holds. */
static int
inclusion_ok(uint64_t index, uint64_t size, const uint8_t leaf[HASH], uint8_t (*path)[HASH],
             size_t n, const uint8_t root[HASH])
{
    uint64_t fn = index, sn;
    uint8_t r[HASH];
    size_t i;

    if (index >= size)
        return 0;
    sn = size - 1;
    memcpy(r, leaf, HASH);
    for (i = 0; i < n; i++) {
        if (sn == 0)
            return 0;
        if ((fn & 1) || fn == sn) {
            node_hash(path[i], r, r);
            while (!(fn & 1) && fn != 0) {
                fn >>= 1;
                sn >>= 1;
            }
        } else {
            node_hash(r, path[i], r);
        }
        fn >>= 1;
        sn >>= 1;
    }
    return sn == 0 && sodium_memcmp(r, root, HASH) == 0;
}

/* ---- UTF-8 and RFC 8785 canonical JSON ---------------------------------- */

/* Decode one UTF-8 sequence at s (n bytes left): [out] cp; returns its length or 0. */
static size_t
utf8_next(const unsigned char *s, size_t n, uint32_t *cp)
{
    uint32_t c;
    size_t k, i;

    if (n == 0)
        return 0;
    if (s[0] < 0x80) {
        *cp = s[0];
        return 1;
    }
    if (s[0] >= 0xc2 && s[0] <= 0xdf)
        k = 2, c = s[0] & 0x1f;
    else if (s[0] >= 0xe0 && s[0] <= 0xef)
        k = 3, c = s[0] & 0x0f;
    else if (s[0] >= 0xf0 && s[0] <= 0xf4)
        k = 4, c = s[0] & 0x07;
    else
        return 0;
    if (n < k)
        return 0;
    for (i = 1; i < k; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        c = c << 6 | (s[i] & 0x3f);
    }
    /* No overlong forms, no surrogates, nothing past U+10FFFF. */
    if ((k == 3 && c < 0x800) || (k == 4 && (c < 0x10000 || c > 0x10ffff)) ||
        (c >= 0xd800 && c <= 0xdfff))
        return 0;
    *cp = c;
    return k;
}

/* s as UTF-16 code units (RFC 8785 §3.2.3 sorts member names by them). [out] n. */
static uint16_t *
utf16(const char *s, size_t *n)
{
    size_t len = strlen(s), i = 0, k;
    uint16_t *u = xmalloc((len + 1) * sizeof *u);
    uint32_t c = 0;

    *n = 0;
    while (i < len) {
        k = utf8_next((const unsigned char *)s + i, len - i, &c);
        if (k == 0)
            k = 1, c = 0xfffd; /* refused later, when the name is written */
        if (c >= 0x10000) {
            u[(*n)++] = (uint16_t)(0xd800 + ((c - 0x10000) >> 10));
            u[(*n)++] = (uint16_t)(0xdc00 + ((c - 0x10000) & 0x3ff));
        } else {
            u[(*n)++] = (uint16_t)c;
        }
        i += k;
    }
    return u;
}

struct member {
    const cJSON *item;
    uint16_t *u; /* owned: name in UTF-16 */
    size_t n;
};

static int
member_cmp(const void *a, const void *b)
{
    const struct member *x = a, *y = b;
    size_t i;

    for (i = 0; i < x->n && i < y->n; i++)
        if (x->u[i] != y->u[i])
            return x->u[i] < y->u[i] ? -1 : 1;
    return x->n < y->n ? -1 : x->n > y->n;
}

/* SPEC: RFC 8785 §3.2.2.2: escape '"', '\\' and U+0000..U+001F only. Returns 1 or 0. */
static int
jcs_string(struct buf *b, const char *s)
{
    static const char d[] = "0123456789abcdef";
    size_t len = strlen(s), i = 0, k;
    uint32_t c;

    buf_add(b, "\"", 1);
    while (i < len) {
        k = utf8_next((const unsigned char *)s + i, len - i, &c);
        if (k == 0)
            return 0;
        if (c == '"' || c == '\\') {
            char e[2] = {'\\', (char)c};
            buf_add(b, e, 2);
        } else if (c < 0x20) {
            const char *e = c == '\b'   ? "\\b"
                            : c == '\t' ? "\\t"
                            : c == '\n' ? "\\n"
                            : c == '\f' ? "\\f"
                            : c == '\r' ? "\\r"
                                        : NULL;
            if (e) {
                buf_adds(b, e);
            } else {
                char u[6] = {'\\', 'u', '0', '0', d[c >> 4], d[c & 15]};
                buf_add(b, u, 6);
            }
        } else {
            buf_add(b, s + i, k);
        }
        i += k;
    }
    buf_add(b, "\"", 1);
    return 1;
}

/*
 * Append JCS(v) to b. Numbers must be integers within +-(2^53-1), as in all
 * signed liandan data (DESIGN.md §4.1), so they are written as integers.
 * Returns NULL on success, else what is wrong.
 */
static const char *
jcs(struct buf *b, const cJSON *v, int depth)
{
    const cJSON *it;
    const char *bad = NULL;

    if (depth > MAX_DEPTH)
        return "nesting too deep";
    if (cJSON_IsNull(v)) {
        buf_adds(b, "null");
    } else if (cJSON_IsTrue(v)) {
        buf_adds(b, "true");
    } else if (cJSON_IsFalse(v)) {
        buf_adds(b, "false");
    } else if (cJSON_IsNumber(v)) {
        char num[32];
        double d = v->valuedouble;
        if (!(d >= -INT_MAX_JS && d <= INT_MAX_JS) || d != (double)(long long)d)
            return "a number is not an integer within 2^53";
        snprintf(num, sizeof num, "%lld", (long long)d);
        buf_adds(b, num);
    } else if (cJSON_IsString(v)) {
        if (!jcs_string(b, v->valuestring))
            return "a string is not UTF-8";
    } else if (cJSON_IsArray(v)) {
        buf_add(b, "[", 1);
        cJSON_ArrayForEach(it, v)
        {
            if (it != v->child)
                buf_add(b, ",", 1);
            if ((bad = jcs(b, it, depth + 1)) != NULL)
                return bad;
        }
        buf_add(b, "]", 1);
    } else if (cJSON_IsObject(v)) {
        struct member *m;
        size_t n = 0, i;
        cJSON_ArrayForEach(it, v) n++;
        m = xmalloc(n * sizeof *m);
        n = 0;
        cJSON_ArrayForEach(it, v)
        {
            m[n].item = it;
            m[n].u = utf16(it->string, &m[n].n);
            n++;
        }
        qsort(m, n, sizeof *m, member_cmp);
        buf_add(b, "{", 1);
        for (i = 0; i < n && bad == NULL; i++) {
            if (i && member_cmp(&m[i - 1], &m[i]) == 0)
                bad = "a member name is repeated";
            else if (i)
                buf_add(b, ",", 1);
            if (bad == NULL && !jcs_string(b, m[i].item->string))
                bad = "a member name is not UTF-8";
            if (bad == NULL) {
                buf_add(b, ":", 1);
                bad = jcs(b, m[i].item, depth + 1);
            }
        }
        for (i = 0; i < n; i++)
            free(m[i].u);
        free(m);
        if (bad)
            return bad;
        buf_add(b, "}", 1);
    } else {
        return "not a JSON value";
    }
    return NULL;
}

/* Refuse repeated member names anywhere (cJSON keeps both). Returns 1 when none. */
static int
no_dups(const cJSON *v, int depth)
{
    const cJSON *a, *b;

    if (depth > MAX_DEPTH)
        return 0;
    for (a = v->child; a; a = a->next) {
        if (cJSON_IsObject(v))
            for (b = a->next; b; b = b->next)
                if (strcmp(a->string, b->string) == 0)
                    return 0;
        if (!no_dups(a, depth + 1))
            return 0;
    }
    return 1;
}

/* ---- times (canonical RFC 3339 UTC) ------------------------------------- */

static int64_t
days_from_civil(int64_t y, int64_t m, int64_t d)
{
    int64_t era, yoe, doy, doe;

    y -= m <= 2;
    era = (y >= 0 ? y : y - 399) / 400;
    yoe = y - era * 400;
    doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

/* The n decimal digits at s. */
static int64_t
num(const char *s, size_t n)
{
    int64_t v = 0;
    size_t i;

    for (i = 0; i < n; i++)
        v = v * 10 + (s[i] - '0');
    return v;
}

/* "YYYY-MM-DDTHH:MM:SSZ" -> seconds since the epoch. Returns 1 on success. */
static int
parse_time(const char *s, int64_t *out)
{
    static const char shape[] = "dddd-dd-ddTdd:dd:ddZ";
    static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int64_t y, mo, d, h, mi, se;
    size_t i;

    if (strlen(s) != sizeof shape - 1)
        return 0;
    for (i = 0; i < sizeof shape - 1; i++)
        if (shape[i] == 'd' ? (s[i] < '0' || s[i] > '9') : s[i] != shape[i])
            return 0;
    y = num(s, 4);
    mo = num(s + 5, 2);
    d = num(s + 8, 2);
    h = num(s + 11, 2);
    mi = num(s + 14, 2);
    se = num(s + 17, 2);
    if (y < 1970 || mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || se > 59)
        return 0;
    if (d > mdays[mo - 1] + (mo == 2 && (y % 4 == 0 && (y % 100 != 0 || y % 400 == 0))))
        return 0;
    *out = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + se;
    return 1;
}

/* ---- keys and signed notes (C2SP signed-note) --------------------------- */

struct vkey {
    char name[256];
    uint8_t hash[4];
    uint8_t pk[PUB];
    char keyid[33]; /* DESIGN.md §4.2 */
};

/* SPEC: C2SP signed-note §Verifier keys: NAME "+" hex(keyhash4) "+" BASE64(0x01 || pub32). */
static int
parse_vkey(const char *text, size_t len, struct vkey *out)
{
    const char *s = text, *e = text + len, *p1, *p2;
    uint8_t key[1 + PUB + 1], want[HASH], h[HASH];
    crypto_hash_sha256_state st;
    size_t i;
    long n;

    while (e > s && (e[-1] == '\n' || e[-1] == '\r' || e[-1] == ' ' || e[-1] == '\t'))
        e--;
    while (s < e && (*s == ' ' || *s == '\t'))
        s++;
    p1 = memchr(s, '+', (size_t)(e - s));
    p2 = p1 ? memchr(p1 + 1, '+', (size_t)(e - p1 - 1)) : NULL;
    if (p2 == NULL || p1 == s || (size_t)(p1 - s) >= sizeof out->name || p2 - p1 - 1 != 8)
        return 0;
    for (i = 0; s + i < p1; i++)
        if ((unsigned char)s[i] <= 0x20 || s[i] == 0x7f)
            return 0;
    if (!unhex(p1 + 1, 4, out->hash))
        return 0;
    n = unb64(p2 + 1, (size_t)(e - p2 - 1), key, sizeof key);
    if (n != 1 + PUB || key[0] != 0x01)
        return 0;
    crypto_hash_sha256_init(&st);
    crypto_hash_sha256_update(&st, (const uint8_t *)s, (size_t)(p1 - s));
    crypto_hash_sha256_update(&st, (const uint8_t *)"\n", 1);
    crypto_hash_sha256_update(&st, key, 1 + PUB);
    crypto_hash_sha256_final(&st, want);
    if (memcmp(want, out->hash, 4) != 0)
        return 0;
    memcpy(out->name, s, (size_t)(p1 - s));
    out->name[p1 - s] = '\0';
    memcpy(out->pk, key + 1, PUB);
    crypto_hash_sha256(h, key, 1 + PUB);
    hex(h, 16, out->keyid);
    return 1;
}

/*
 * SPEC: C2SP signed-note: text up to the last blank line, then lines
 * "\u2014 NAME BASE64(keyhash4 || sig64)". At least one by key must verify and
 * none by it fail; others are ignored. Returns the text length, or 0.
 */
static size_t
open_note(const char *note, const struct vkey *key, const char **why)
{
    size_t len = strlen(note), tlen, i, good = 0;
    const char *line, *nl, *end = note + len;
    const char prefix[] = EM_DASH " ";

    for (i = len; i >= 2; i--)
        if (note[i - 1] == '\n' && note[i - 2] == '\n')
            break;
    if (i < 2 || len == 0 || note[len - 1] != '\n' || i == len) {
        *why = "not a signed note";
        return 0;
    }
    tlen = i - 1;
    for (line = note + i; line < end; line = nl + 1) {
        const char *name, *sp;
        uint8_t blob[4 + SIG + 3];
        long n;

        nl = memchr(line, '\n', (size_t)(end - line));
        if ((size_t)(nl - line) < sizeof prefix - 1 ||
            memcmp(line, prefix, sizeof prefix - 1) != 0) {
            *why = "a signature line does not start with an em dash";
            return 0;
        }
        name = line + sizeof prefix - 1;
        sp = memchr(name, ' ', (size_t)(nl - name));
        if (sp == NULL) {
            *why = "a signature line is malformed";
            return 0;
        }
        if ((size_t)(sp - name) != strlen(key->name) ||
            memcmp(name, key->name, strlen(key->name)) != 0)
            continue;
        n = unb64(sp + 1, (size_t)(nl - sp - 1), blob, sizeof blob);
        if (n < 4 || memcmp(blob, key->hash, 4) != 0)
            continue;
        if (n != 4 + SIG ||
            crypto_sign_verify_detached(blob + 4, (const uint8_t *)note, tlen, key->pk) != 0) {
            *why = "the ledger key's signature does not verify";
            return 0;
        }
        good++;
    }
    if (good == 0) {
        *why = "no signature by the bundle's ledger key";
        return 0;
    }
    return tlen;
}

/* ---- the bundle --------------------------------------------------------- */

struct key {
    char keyid[33], party[32];
    uint8_t pk[PUB];
    int64_t from, until;    /* until -1: none */
    uint64_t cert, revoked; /* leaf indexes; revoked UINT64_MAX: not revoked */
};

struct chain {
    char name[48];
    uint8_t head[HASH];
    int64_t at;
};

struct state {
    struct vkey regulator;
    uint64_t size;
    uint8_t root[HASH];
    const cJSON *proofs;
    const cJSON *next_proof; /* the proof of the next item (they come in item order) */
    struct key *keys;
    size_t nkeys;
    struct chain *chains;
    size_t nchains, manifests;
    char (*signers)[32];
    size_t nsigners;
    char (*registered)[32];
    size_t nregistered;
};

/* One signed event, read from its object. */
struct event {
    const cJSON *body;
    const char *type, *actor, *key;
    double manifest; /* 0: none */
    int has_prev;
    uint8_t prev[HASH];
    int64_t at;
    uint8_t sig[SIG];
    uint8_t id[HASH];
    char id_hex[65];
    struct buf msg; /* owned: purpose || JCS(event) */
};

static const cJSON *
get(const cJSON *o, const char *k)
{
    return cJSON_GetObjectItemCaseSensitive(o, k);
}

/* Does o have exactly the members names[0..n)? [out] extra: one it should not have. */
static int
members_are(const cJSON *o, const char *const *names, size_t n, const char **extra)
{
    const cJSON *it;
    size_t i, count = 0;

    cJSON_ArrayForEach(it, o)
    {
        for (i = 0; i < n && strcmp(it->string, names[i]) != 0; i++)
            ;
        if (i == n) {
            *extra = it->string;
            return 0;
        }
        count++;
    }
    *extra = NULL;
    return count == n;
}

static void
read_event(const cJSON *obj, const char *at, struct event *ev)
{
    static const char *const outer[] = {"event", "sig"};
    static const char *const inner[] = {"v",  "type",  "manifest", "prev",
                                        "at", "actor", "key",      "body"};
    const cJSON *e, *v, *s;
    struct buf entry = {NULL, 0, 0};
    const char *x = NULL, *bad;
    char f[96];

    memset(ev, 0, sizeof *ev);
    if (!cJSON_IsObject(obj) || !members_are(obj, outer, 2, &x))
        fail(at, "not a signed event {\"event\",\"sig\"}%s%s", x ? ": unknown member " : "",
             x ? x : "");
    e = get(obj, "event");
    snprintf(f, sizeof f, "%s.event", at);
    if (!cJSON_IsObject(e) || !members_are(e, inner, 8, &x))
        fail(f, "not an event with members v, type, manifest, prev, at, actor, key, body%s%s",
             x ? "; unknown member " : "", x ? x : "");
    v = get(e, "v");
    snprintf(f, sizeof f, "%s.event.v", at);
    if (!cJSON_IsNumber(v) || v->valuedouble != 1)
        fail(f, "version must be 1");
    v = get(e, "type");
    snprintf(f, sizeof f, "%s.event.type", at);
    if (!cJSON_IsString(v) || v->valuestring[0] == '\0')
        fail(f, "type must be a string");
    ev->type = v->valuestring;
    v = get(e, "manifest");
    snprintf(f, sizeof f, "%s.event.manifest", at);
    if (!cJSON_IsNull(v) &&
        !(cJSON_IsNumber(v) && v->valuedouble >= 1 && v->valuedouble <= MANIFEST_MAX &&
          v->valuedouble == (double)(long long)v->valuedouble))
        fail(f, "manifest must be null or a 14-digit number");
    ev->manifest = cJSON_IsNull(v) ? 0 : v->valuedouble;
    v = get(e, "prev");
    snprintf(f, sizeof f, "%s.event.prev", at);
    if (!cJSON_IsNull(v) && !(cJSON_IsString(v) && lower_hex(v->valuestring, 64)))
        fail(f, "prev must be null or an event id");
    ev->has_prev = !cJSON_IsNull(v);
    if (ev->has_prev)
        unhex(v->valuestring, HASH, ev->prev);
    v = get(e, "at");
    snprintf(f, sizeof f, "%s.event.at", at);
    if (!cJSON_IsString(v) || !parse_time(v->valuestring, &ev->at))
        fail(f, "at must be a time YYYY-MM-DDTHH:MM:SSZ");
    v = get(e, "actor");
    snprintf(f, sizeof f, "%s.event.actor", at);
    if (!cJSON_IsString(v) || v->valuestring[0] == '\0' || strlen(v->valuestring) > 18)
        fail(f, "actor must be a USCC or \"regulator\"");
    ev->actor = v->valuestring;
    v = get(e, "key");
    snprintf(f, sizeof f, "%s.event.key", at);
    if (!cJSON_IsString(v) || !lower_hex(v->valuestring, 32))
        fail(f, "key must be a key id");
    ev->key = v->valuestring;
    ev->body = get(e, "body");
    snprintf(f, sizeof f, "%s.event.body", at);
    if (!cJSON_IsObject(ev->body))
        fail(f, "body must be an object");
    s = get(obj, "sig");
    snprintf(f, sizeof f, "%s.sig", at);
    if (!cJSON_IsString(s) || unb64(s->valuestring, strlen(s->valuestring), ev->sig, SIG) != SIG)
        fail(f, "sig must be the base64 of 64 bytes");
    /* SPEC: DESIGN.md §4.3: message = purpose || JCS(event); entry = JCS(signed). */
    buf_adds(&ev->msg, PURPOSE_EVENT);
    if ((bad = jcs(&ev->msg, e, 1)) != NULL) {
        snprintf(f, sizeof f, "%s.event", at);
        fail(f, "%s", bad);
    }
    if ((bad = jcs(&entry, obj, 0)) != NULL)
        fail(at, "%s", bad);
    leaf_hash(entry.p, entry.n, ev->id);
    hex(ev->id, HASH, ev->id_hex);
    free(entry.p);
}

struct proof {
    uint64_t index, size;
    uint8_t leaf[HASH];
    uint8_t path[MAX_PROOF][HASH];
    size_t n;
};

static int
uint_of(const cJSON *v, uint64_t *out)
{
    if (!cJSON_IsNumber(v) || !(v->valuedouble >= 0 && v->valuedouble <= INT_MAX_JS) ||
        v->valuedouble != (double)(uint64_t)v->valuedouble)
        return 0;
    *out = (uint64_t)v->valuedouble;
    return 1;
}

static int
hash_of(const cJSON *v, uint8_t out[HASH])
{
    return cJSON_IsString(v) && unb64(v->valuestring, strlen(v->valuestring), out, HASH) == HASH;
}

static void
read_proof(const cJSON *o, size_t k, struct proof *p)
{
    static const char *const names[] = {"inclusion", "leaf_hash", "leaf_index", "tree_size"};
    const cJSON *inc, *h;
    const char *x = NULL;
    char f[64];

    snprintf(f, sizeof f, "proofs[%zu]", k);
    if (!cJSON_IsObject(o) || !members_are(o, names, 4, &x))
        fail(f, "not an inclusion proof {inclusion, leaf_hash, leaf_index, tree_size}%s%s",
             x ? "; unknown member " : "", x ? x : "");
    snprintf(f, sizeof f, "proofs[%zu].leaf_index", k);
    if (!uint_of(get(o, "leaf_index"), &p->index))
        fail(f, "leaf_index must be a non-negative integer");
    snprintf(f, sizeof f, "proofs[%zu].tree_size", k);
    if (!uint_of(get(o, "tree_size"), &p->size))
        fail(f, "tree_size must be a non-negative integer");
    snprintf(f, sizeof f, "proofs[%zu].leaf_hash", k);
    if (!hash_of(get(o, "leaf_hash"), p->leaf))
        fail(f, "leaf_hash must be the base64 of 32 bytes");
    inc = get(o, "inclusion");
    snprintf(f, sizeof f, "proofs[%zu].inclusion", k);
    if (!cJSON_IsArray(inc) || cJSON_GetArraySize(inc) > MAX_PROOF)
        fail(f, "inclusion must be an array of at most %d hashes", MAX_PROOF);
    p->n = 0;
    cJSON_ArrayForEach(h, inc)
    {
        if (!hash_of(h, p->path[p->n])) {
            snprintf(f, sizeof f, "proofs[%zu].inclusion[%zu]", k, p->n);
            fail(f, "a hash must be the base64 of 32 bytes");
        }
        p->n++;
    }
}

static struct chain *
find_chain(struct state *st, const char *name)
{
    size_t i;

    for (i = 0; i < st->nchains; i++)
        if (strcmp(st->chains[i].name, name) == 0)
            return &st->chains[i];
    return NULL;
}

static struct key *
find_key(struct state *st, const char *keyid)
{
    size_t i;

    for (i = 0; i < st->nkeys; i++)
        if (strcmp(st->keys[i].keyid, keyid) == 0)
            return &st->keys[i];
    return NULL;
}

static int
in_list(char (*list)[32], size_t n, const char *s)
{
    size_t i;

    for (i = 0; i < n; i++)
        if (strcmp(list[i], s) == 0)
            return 1;
    return 0;
}

static void
add_to_list(char (**list)[32], size_t *n, const char *s)
{
    if (in_list(*list, *n, s))
        return;
    *list = xrealloc(*list, (*n + 1) * sizeof **list);
    snprintf((*list)[(*n)++], 32, "%s", s);
}

/* The key an event at leaf idx must verify under. */
static const uint8_t *
event_key(struct state *st, const struct event *ev, const char *at, uint64_t idx, int party)
{
    struct key *k;
    char f[96];

    snprintf(f, sizeof f, "%s.event.key", at);
    if (party || strcmp(ev->actor, "regulator") == 0) {
        if (strcmp(ev->actor, "regulator") != 0)
            fail(f, "party event %s is signed by %s, not by the regulator", ev->id_hex, ev->actor);
        if (strcmp(ev->key, st->regulator.keyid) != 0)
            fail(f, "event %s: key %s is not the regulator's key %s", ev->id_hex, ev->key,
                 st->regulator.keyid);
        return st->regulator.pk;
    }
    k = find_key(st, ev->key);
    /* The rule of schema/001_core.sql table keys: cert < idx, from <= at < until, idx < revoked. */
    if (k == NULL)
        fail(f, "event %s: key %s is not certified by any party event of the bundle", ev->id_hex,
             ev->key);
    if (strcmp(k->party, ev->actor) != 0)
        fail(f, "event %s: key %s is certified for %s, not %s", ev->id_hex, k->keyid, k->party,
             ev->actor);
    if (k->cert >= idx)
        fail(f, "event %s: key %s was not yet certified", ev->id_hex, k->keyid);
    if (k->revoked != UINT64_MAX && k->revoked < idx)
        fail(f, "event %s: key %s was revoked at leaf %llu", ev->id_hex, k->keyid,
             (unsigned long long)k->revoked);
    if (ev->at < k->from)
        fail(f, "event %s: key %s is not yet valid at the event's time", ev->id_hex, k->keyid);
    if (k->until >= 0 && ev->at >= k->until)
        fail(f, "event %s: key %s has expired at the event's time", ev->id_hex, k->keyid);
    add_to_list(&st->signers, &st->nsigners, ev->actor);
    return k->pk;
}

static void
link_chain(struct state *st, const struct event *ev, const char *at, const char *name, int party)
{
    struct chain *c = find_chain(st, name);
    char f[96];

    if (c == NULL) {
        snprintf(f, sizeof f, "%s.event.prev", at);
        if (ev->has_prev)
            fail(f,
                 "event %s: the bundle's first event of chain '%s' has a prev (an earlier "
                 "event is missing)",
                 ev->id_hex, name);
        snprintf(f, sizeof f, "%s.event.type", at);
        if (party && strcmp(ev->type, "party.register") != 0)
            fail(f, "event %s: chain '%s' does not start with party.register", ev->id_hex, name);
        st->manifests += !party;
        st->chains = xrealloc(st->chains, (st->nchains + 1) * sizeof *st->chains);
        c = &st->chains[st->nchains++];
        snprintf(c->name, sizeof c->name, "%s", name);
    } else {
        snprintf(f, sizeof f, "%s.event.prev", at);
        if (!ev->has_prev || memcmp(ev->prev, c->head, HASH) != 0)
            fail(f,
                 "event %s: prev is not the event before it in chain '%s' (an event is "
                 "missing)",
                 ev->id_hex, name);
        snprintf(f, sizeof f, "%s.event.at", at);
        if (ev->at < c->at)
            fail(f, "event %s: at is before the previous event of chain '%s'", ev->id_hex, name);
    }
    memcpy(c->head, ev->id, HASH);
    c->at = ev->at;
}

/* A party event's effect on keys (party.key certifies, party.revoke revokes). */
static void
apply_party(struct state *st, const struct event *ev, const char *at, const char *id, uint64_t idx)
{
    char f[96];

    if (strcmp(ev->type, "party.register") == 0) {
        snprintf(f, sizeof f, "%s.event.body.id", at);
        if (in_list(st->registered, st->nregistered, id))
            fail(f, "event %s registers a party twice", ev->id_hex);
        add_to_list(&st->registered, &st->nregistered, id);
    } else if (strcmp(ev->type, "party.key") == 0) {
        const cJSON *pub = get(ev->body, "pub"), *until = get(ev->body, "until");
        struct vkey vk;
        struct key k;

        snprintf(f, sizeof f, "%s.event.body.pub", at);
        if (!cJSON_IsString(pub) || !parse_vkey(pub->valuestring, strlen(pub->valuestring), &vk))
            fail(f, "event %s: pub must be a verifier key line", ev->id_hex);
        memset(&k, 0, sizeof k);
        k.until = -1;
        snprintf(f, sizeof f, "%s.event.body.until", at);
        if (until && !cJSON_IsNull(until) &&
            (!cJSON_IsString(until) || !parse_time(until->valuestring, &k.until)))
            fail(f, "event %s: until must be null or a time", ev->id_hex);
        snprintf(f, sizeof f, "%s.event.body.pub", at);
        if (find_key(st, vk.keyid))
            fail(f, "event %s certifies key %s again", ev->id_hex, vk.keyid);
        memcpy(k.keyid, vk.keyid, sizeof k.keyid);
        snprintf(k.party, sizeof k.party, "%s", id);
        memcpy(k.pk, vk.pk, PUB);
        k.from = ev->at;
        k.cert = idx;
        k.revoked = UINT64_MAX;
        st->keys = xrealloc(st->keys, (st->nkeys + 1) * sizeof *st->keys);
        st->keys[st->nkeys++] = k;
    } else if (strcmp(ev->type, "party.revoke") == 0) {
        const cJSON *key = get(ev->body, "key");
        struct key *k = cJSON_IsString(key) ? find_key(st, key->valuestring) : NULL;
        snprintf(f, sizeof f, "%s.event.body.key", at);
        if (k == NULL || strcmp(k->party, id) != 0 || k->revoked != UINT64_MAX)
            fail(f, "event %s revokes no live key of the party", ev->id_hex);
        k->revoked = idx;
    }
}

static void
check_item(struct state *st, const char *arr, size_t i, const cJSON *obj, size_t k, int party,
           uint64_t *last, char chain[48])
{
    static struct proof p; /* one at a time; 4 KiB */
    struct event ev;
    const uint8_t *pk;
    char at[48], f[96];

    snprintf(at, sizeof at, "%s[%zu]", arr, i);
    read_event(obj, at, &ev);
    snprintf(f, sizeof f, party ? "%s.event.type" : "%s.event.manifest", at);
    if (party && (strncmp(ev.type, "party.", 6) != 0 || ev.manifest != 0))
        fail(f, "event %s (%s) is not a party event", ev.id_hex, ev.type);
    if (!party && ev.manifest == 0)
        fail(f, "event %s (%s) belongs to no manifest", ev.id_hex, ev.type);
    read_proof(st->next_proof, k, &p);
    st->next_proof = st->next_proof->next;
    pk = event_key(st, &ev, at, p.index, party);
    if (crypto_sign_verify_detached(ev.sig, (const uint8_t *)ev.msg.p, ev.msg.n, pk) != 0) {
        snprintf(f, sizeof f, "%s.sig", at);
        fail(f, "event %s: signature does not verify under key %s", ev.id_hex, ev.key);
    }
    if (memcmp(p.leaf, ev.id, HASH) != 0) {
        snprintf(f, sizeof f, "proofs[%zu].leaf_hash", k);
        fail(f, "is not the leaf hash of %s (event %s)", at, ev.id_hex);
    }
    if (p.size != st->size) {
        snprintf(f, sizeof f, "proofs[%zu].tree_size", k);
        fail(f, "proof of event %s is for tree size %llu, the checkpoint's is %llu", ev.id_hex,
             (unsigned long long)p.size, (unsigned long long)st->size);
    }
    if (!inclusion_ok(p.index, p.size, p.leaf, p.path, p.n, st->root)) {
        snprintf(f, sizeof f, "proofs[%zu].inclusion", k);
        fail(f, "event %s (leaf %llu) is not included in the checkpoint's tree", ev.id_hex,
             (unsigned long long)p.index);
    }
    if (*last != UINT64_MAX && p.index <= *last)
        fail(at, "event %s (leaf %llu) is repeated or out of leaf order", ev.id_hex,
             (unsigned long long)p.index);
    *last = p.index;
    if (party) {
        const cJSON *id = get(ev.body, "id");
        snprintf(f, sizeof f, "%s.event.body.id", at);
        if (!cJSON_IsString(id) || strlen(id->valuestring) != 18)
            fail(f, "event %s: id must be a USCC", ev.id_hex);
        snprintf(chain, 48, "p:%s", id->valuestring);
        link_chain(st, &ev, at, chain, 1);
        apply_party(st, &ev, at, id->valuestring, p.index);
    } else {
        snprintf(chain, 48, "m:%lld", (long long)ev.manifest);
        link_chain(st, &ev, at, chain, 0);
    }
    free(ev.msg.p);
}

/* ---- main --------------------------------------------------------------- */

static const char usage[] =
    "usage: liandan-verify [-q] --regulator VKEY [--ledger-key VKEY] BUNDLE.json\n"
    "\nChecks a liandan trace bundle offline with nothing but the regulator's\n"
    "verifier key (VKEY: a key line, or a file holding one): party certificates,\n"
    "event signatures, per-manifest chains, inclusion in the checkpoint and the\n"
    "checkpoint's signature; with --ledger-key the checkpoint must be signed by\n"
    "that key. BUNDLE '-' is stdin. Prints one \"ok\" line, or the first failing\n"
    "item. Exit status: 0 ok, 1 verification failed, 2 usage or I/O error.\n";

static char *
read_all(const char *path, size_t *len)
{
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    struct buf b = {NULL, 0, 0};
    char chunk[8192];
    size_t n;

    if (f == NULL)
        return NULL;
    buf_add(&b, "", 0);
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        buf_add(&b, chunk, n);
    if (ferror(f)) {
        free(b.p);
        b.p = NULL;
    }
    if (f != stdin)
        fclose(f);
    *len = b.n;
    return b.p;
}

static void
load_vkey(const char *arg, const char *opt, struct vkey *out)
{
    char *text;
    size_t len = 0;

    if (parse_vkey(arg, strlen(arg), out))
        return;
    text = read_all(arg, &len);
    if (text == NULL) {
        fprintf(stderr, "%s: --%s '%s' is not a verifier key line, and cannot be read: %s\n", prog,
                opt, arg, strerror(errno));
        exit(2);
    }
    if (strlen(text) != len || !parse_vkey(text, len, out)) {
        fprintf(stderr, "%s: '%s' is not a verifier key line\n", prog, arg);
        exit(2);
    }
    free(text);
}

int
main(int argc, char **argv)
{
    static const struct option opts[] = {{"regulator", required_argument, NULL, 'r'},
                                         {"ledger-key", required_argument, NULL, 'k'},
                                         {"quiet", no_argument, NULL, 'q'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    static const char *const names[] = {"checkpoint", "events", "ledger_key",
                                        "parties",    "proofs", "version"};
    const char *reg = NULL, *pin = NULL, *end = NULL, *x = NULL, *why = "";
    struct state st;
    struct vkey ledger, pinned;
    cJSON *root;
    const cJSON *cp, *lk, *parties, *events, *it, *ver;
    char(*pchain)[48];
    char *text, origin[256];
    size_t len = 0, np, ne, i, tlen;
    uint64_t last, v = 0;
    const char *p, *nl;
    int c;

    while ((c = getopt_long(argc, argv, "qh", opts, NULL)) != -1) {
        switch (c) {
        case 'r':
        case 'k':
            if ((c == 'r' ? reg : pin) != NULL) {
                fprintf(stderr, "%s: option '--%s' given twice\n", prog,
                        c == 'r' ? "regulator" : "ledger-key");
                return 2;
            }
            *(c == 'r' ? &reg : &pin) = optarg;
            break;
        case 'q':
            quiet = 1;
            break;
        case 'h':
            fputs(usage, stdout);
            return 0;
        default:
            fputs(usage, stderr);
            return 2;
        }
    }
    if (reg == NULL || optind != argc - 1) {
        fprintf(stderr, "%s: %s\n", prog,
                reg == NULL ? "missing --regulator" : "give one BUNDLE file");
        fputs(usage, stderr);
        return 2;
    }
    if (sodium_init() < 0) {
        fprintf(stderr, "%s: cannot initialise libsodium\n", prog);
        return 2;
    }
    memset(&st, 0, sizeof st);
    load_vkey(reg, "regulator", &st.regulator);
    if (pin)
        load_vkey(pin, "ledger-key", &pinned);
    subject = argv[optind];
    text = read_all(subject, &len);
    if (text == NULL) {
        fprintf(stderr, "%s: cannot read '%s': %s\n", prog, subject, strerror(errno));
        return 2;
    }

    /* 1. Shape. */
    root = cJSON_ParseWithLengthOpts(text, len, &end, 0);
    if (root == NULL)
        fail("", "not JSON (near byte %ld)", end ? (long)(end - text) : 0L);
    for (; end && (size_t)(end - text) < len; end++)
        if (*end != ' ' && *end != '\t' && *end != '\n' && *end != '\r')
            fail("", "text after the JSON value at byte %ld", (long)(end - text));
    if (!cJSON_IsObject(root))
        fail("", "a bundle is a JSON object");
    if (!no_dups(root, 0))
        fail("", "a member name is repeated");
    if (!members_are(root, names, 6, &x))
        fail(x ? x : "", x ? "unknown member"
                           : "a bundle has checkpoint, events, ledger_key, "
                             "parties, proofs and version");
    ver = get(root, "version");
    if (!uint_of(ver, &v) || v != 1)
        fail("version", "not a version 1 bundle");
    lk = get(root, "ledger_key");
    if (!cJSON_IsString(lk) || !parse_vkey(lk->valuestring, strlen(lk->valuestring), &ledger))
        fail("ledger_key", "ledger_key must be a verifier key line");
    if (pin && (strcmp(pinned.name, ledger.name) != 0 || memcmp(pinned.pk, ledger.pk, PUB) != 0))
        fail("ledger_key", "the bundle's ledger key %s is not the pinned ledger key %s",
             lk->valuestring, pin);
    cp = get(root, "checkpoint");
    parties = get(root, "parties");
    events = get(root, "events");
    st.proofs = get(root, "proofs");
    if (!cJSON_IsString(cp))
        fail("checkpoint", "checkpoint must be a signed note");
    if (!cJSON_IsArray(parties))
        fail("parties", "parties must be an array");
    if (!cJSON_IsArray(events))
        fail("events", "events must be an array");
    if (!cJSON_IsArray(st.proofs))
        fail("proofs", "proofs must be an array");
    np = (size_t)cJSON_GetArraySize(parties);
    ne = (size_t)cJSON_GetArraySize(events);
    if ((size_t)cJSON_GetArraySize(st.proofs) != np + ne)
        fail("proofs", "%d proofs for %zu events (%zu + %zu)", cJSON_GetArraySize(st.proofs),
             np + ne, np, ne);

    /* 2. The checkpoint. SPEC: C2SP tlog-checkpoint: ORIGIN\nSIZE\nBASE64(root)\n[ext...]. */
    tlen = open_note(cp->valuestring, &ledger, &why);
    if (tlen == 0)
        fail("checkpoint", "not signed by the bundle's ledger key %s: %s", ledger.name, why);
    p = cp->valuestring;
    nl = memchr(p, '\n', tlen);
    if (nl == NULL || nl == p || (size_t)(nl - p) >= sizeof origin)
        fail("checkpoint", "no origin line");
    memcpy(origin, p, (size_t)(nl - p));
    origin[nl - p] = '\0';
    p = nl + 1;
    nl = memchr(p, '\n', tlen - (size_t)(p - cp->valuestring));
    if (nl == NULL || nl == p || nl - p > 19 || (p[0] == '0' && nl - p > 1))
        fail("checkpoint", "no tree size line");
    for (st.size = 0; p < nl; p++) {
        if (*p < '0' || *p > '9')
            fail("checkpoint", "no tree size line");
        st.size = st.size * 10 + (uint64_t)(*p - '0');
    }
    p = nl + 1;
    nl = memchr(p, '\n', tlen - (size_t)(p - cp->valuestring));
    if (nl == NULL || unb64(p, (size_t)(nl - p), st.root, HASH) != HASH)
        fail("checkpoint", "no root hash line");

    /* 3. Party events; 4. manifest events. */
    pchain = xmalloc((np ? np : 1) * sizeof *pchain);
    st.next_proof = st.proofs->child;
    i = 0;
    last = UINT64_MAX;
    cJSON_ArrayForEach(it, parties)
    {
        check_item(&st, "parties", i, it, i, 1, &last, pchain[i]);
        i++;
    }
    i = 0;
    last = UINT64_MAX;
    cJSON_ArrayForEach(it, events)
    {
        char chain[48];
        check_item(&st, "events", i, it, np + i, 0, &last, chain);
        i++;
    }
    /* 5. Nothing extra. */
    for (i = 0; i < np; i++)
        if (!in_list(st.signers, st.nsigners, pchain[i] + 2)) {
            char f[32];
            snprintf(f, sizeof f, "parties[%zu]", i);
            fail(f, "party %s signed no event of the bundle", pchain[i] + 2);
        }
    if (!quiet)
        printf("ok %zu events of %zu manifests signed by %zu parties, %zu party events, "
               "checkpoint %s size %llu\n",
               ne, st.manifests, st.nsigners, np, origin, (unsigned long long)st.size);
    free(pchain);
    free(st.keys);
    free(st.chains);
    free(st.signers);
    free(st.registered);
    cJSON_Delete(root);
    free(text);
    return 0;
}
