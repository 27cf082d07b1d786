/*
 * test_event.c - the signed event envelope (src/event.c, DESIGN.md §4.3):
 * every shape refusal of ld_event_parse with the field it names, signing and
 * parsing round trips, a known-answer entry computed independently with
 * libsodium (JCS written by hand, Ed25519 over the purpose tag, SHA-256 leaf
 * hash), and one flipped byte anywhere in an entry.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

#include "liandan/canon.h"
#include "liandan/enc.h"
#include "liandan/event.h"
#include "liandan/sig.h"

#define P1 "91350100M000100Y43"     /* a valid USCC */
#define P1_BAD "91350100M000100Y44" /* the same with a wrong check character */
#define KEYID "0123456789abcdef0123456789abcdef"
#define ID64 "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"
/* base64 of 64 zero bytes */
#define SIG0                                                                                       \
    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=="

/* Members of a hand-written envelope; NULL leaves a member out. */
struct parts {
    const char *v, *type, *manifest, *prev, *at, *actor, *key, *body; /* JSON values */
    const char *extra_event;                                          /* ",\"x\":1" */
    const char *sig;                                                  /* JSON value */
    const char *extra_top;                                            /* ",\"x\":1" */
};

static const struct parts good = {
    "1",          "\"test.note\"", "20262102000001", "null", "\"2026-01-10T00:00:00Z\"",
    "\"" P1 "\"", "\"" KEYID "\"", "{\"a\":1}",      "",     "\"" SIG0 "\"",
    "",
};

/* {"event":{...},"sig":...} from p; returns a new string. */
static char *
envelope(const struct parts *p)
{
    const char *names[] = {"v", "type", "manifest", "prev", "at", "actor", "key", "body"};
    const char *vals[] = {p->v, p->type, p->manifest, p->prev, p->at, p->actor, p->key, p->body};
    char *out = malloc(4096);
    size_t i, n = 0;
    int first = 1;

    n += (size_t)snprintf(out + n, 4096 - n, "{\"event\":{");
    for (i = 0; i < 8; i++) {
        if (vals[i] == NULL)
            continue;
        n +=
            (size_t)snprintf(out + n, 4096 - n, "%s\"%s\":%s", first ? "" : ",", names[i], vals[i]);
        first = 0;
    }
    n += (size_t)snprintf(out + n, 4096 - n, "%s}", p->extra_event ? p->extra_event : "");
    if (p->sig)
        n += (size_t)snprintf(out + n, 4096 - n, ",\"sig\":%s", p->sig);
    n += (size_t)snprintf(out + n, 4096 - n, "%s}", p->extra_top ? p->extra_top : "");
    assert_true(n < 4096);
    return out;
}

/* Parse p's envelope and expect rc with err naming field (exactly). */
static void
expect_refusal(const struct parts *p, enum ld_rc want, const char *field, int line)
{
    char *text = envelope(p);
    struct ld_event ev;
    struct ld_err err;
    enum ld_rc rc;

    memset(&err, 0, sizeof err);
    memset(&ev, 0xab, sizeof ev);
    rc = ld_event_parse(text, strlen(text), &ev, &err);
    if (rc != want || strcmp(err.field, field) != 0)
        print_error("line %d: %s\n  rc %d (want %d) field '%s' (want '%s') msg '%s'\n", line, text,
                    rc, want, err.field, field, err.msg);
    assert_int_equal(rc, want);
    assert_int_equal(err.rc, want);
    assert_string_equal(err.field, field);
    assert_true(err.msg[0] != '\0');
    /* ev is untouched on failure. */
    {
        unsigned char pat[sizeof ev];
        memset(pat, 0xab, sizeof pat);
        assert_memory_equal(&ev, pat, sizeof ev);
    }
    free(text);
}
#define REFUSE(p, rc, field) expect_refusal(&(p), rc, field, __LINE__)

static void
expect_ok(const struct parts *p, int line)
{
    char *text = envelope(p);
    struct ld_event ev;
    struct ld_err err;
    enum ld_rc rc;

    memset(&err, 0, sizeof err);
    rc = ld_event_parse(text, strlen(text), &ev, &err);
    if (rc != LD_OK)
        print_error("line %d: %s\n  rc %d field '%s' msg '%s'\n", line, text, rc, err.field,
                    err.msg);
    assert_int_equal(rc, LD_OK);
    ld_event_release(&ev);
    free(text);
}
#define ACCEPT(p) expect_ok(&(p), __LINE__)

static int
setup(void **state)
{
    (void)state;
    assert_int_equal(ld_sig_init(), LD_OK);
    return 0;
}

/* ---- shape refusals ------------------------------------------------------ */

static void
test_good_envelope(void **state)
{
    struct parts p = good;

    (void)state;
    ACCEPT(p);
    p.manifest = "null";
    ACCEPT(p);
    p.prev = "\"" ID64 "\"";
    ACCEPT(p);
    p.actor = "\"regulator\"";
    ACCEPT(p);
    p.body = "{}";
    ACCEPT(p);
}

static void
test_members(void **state)
{
    struct parts p;
    const char **fields[8];
    size_t i;

    (void)state;
    fields[0] = &p.v, fields[1] = &p.type, fields[2] = &p.manifest, fields[3] = &p.prev;
    fields[4] = &p.at, fields[5] = &p.actor, fields[6] = &p.key, fields[7] = &p.body;
    /* Each missing event member. */
    for (i = 0; i < 8; i++) {
        p = good;
        *fields[i] = NULL;
        REFUSE(p, LD_PARSE, "event");
    }
    /* Unknown event members, including ones that differ only in case. */
    p = good;
    p.extra_event = ",\"x\":1";
    REFUSE(p, LD_PARSE, "event");
    p.extra_event = ",\"V\":1";
    REFUSE(p, LD_PARSE, "event");
    p.extra_event = ",\"sig\":\"" SIG0 "\"";
    REFUSE(p, LD_PARSE, "event");
    /* The envelope itself: missing sig, unknown member, event not an object. */
    p = good;
    p.sig = NULL;
    REFUSE(p, LD_PARSE, "");
    p = good;
    p.extra_top = ",\"note\":\"x\"";
    REFUSE(p, LD_PARSE, "");
    {
        const char *t1 = "{\"sig\":\"" SIG0 "\"}";
        const char *t2 = "{\"event\":[],\"sig\":\"" SIG0 "\"}";
        const char *t3 = "{\"event\":null,\"sig\":\"" SIG0 "\"}";
        const char *t4 = "[]";
        const char *t5 = "\"event\"";
        struct ld_event ev;
        struct ld_err err;

        memset(&err, 0, sizeof err);
        assert_int_equal(ld_event_parse(t1, strlen(t1), &ev, &err), LD_PARSE);
        assert_string_equal(err.field, "");
        assert_non_null(strstr(err.msg, "event"));
        memset(&err, 0, sizeof err);
        assert_int_equal(ld_event_parse(t2, strlen(t2), &ev, &err), LD_PARSE);
        assert_string_equal(err.field, "event");
        memset(&err, 0, sizeof err);
        assert_int_equal(ld_event_parse(t3, strlen(t3), &ev, &err), LD_PARSE);
        assert_string_equal(err.field, "event");
        memset(&err, 0, sizeof err);
        assert_int_equal(ld_event_parse(t4, strlen(t4), &ev, &err), LD_PARSE);
        memset(&err, 0, sizeof err);
        assert_int_equal(ld_event_parse(t5, strlen(t5), &ev, &err), LD_PARSE);
    }
}

static void
test_v(void **state)
{
    struct parts p = good;

    (void)state;
    p.v = "2";
    REFUSE(p, LD_INVALID, "event.v");
    p.v = "0";
    REFUSE(p, LD_INVALID, "event.v");
    p.v = "-1";
    REFUSE(p, LD_INVALID, "event.v");
    p.v = "\"1\"";
    REFUSE(p, LD_INVALID, "event.v");
    p.v = "true";
    REFUSE(p, LD_INVALID, "event.v");
    p.v = "null";
    REFUSE(p, LD_INVALID, "event.v");
}

static void
test_type(void **state)
{
    static const char *const bad[] = {
        "\"test\"",
        "\"Test.note\"",
        "\"test.Note\"",
        "\"test.\"",
        "\".note\"",
        "\"test..note\"",
        "\"test.note.\"",
        "\"_test.note\"",
        "\"test-x.note\"",
        "\"test.no te\"",
        "\"test.n0te\"",
        "\"\"",
        "1",
        "null",
        "[\"test.note\"]",
        /* 48 characters: one too many for LD_EVENT_TYPE_MAX */
        "\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.bb\"",
    };
    struct parts p = good;
    size_t i;

    (void)state;
    for (i = 0; i < sizeof bad / sizeof *bad; i++) {
        p.type = bad[i];
        REFUSE(p, LD_INVALID, "event.type");
    }
    /* 47 characters, underscores after the first dot, several dots. */
    p.type = "\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.bb\"";
    ACCEPT(p);
    p.type = "\"receipt.accept_part\"";
    ACCEPT(p);
    p.type = "\"a.b.c_d\"";
    ACCEPT(p);
    assert_int_equal(ld_event_type_ok("party.register"), 1);
    assert_int_equal(ld_event_type_ok("party"), 0);
    assert_int_equal(ld_event_type_ok(""), 0);
    assert_int_equal(ld_event_type_ok("a_b.c"), 0);
}

static void
test_manifest(void **state)
{
    static const char *const bad[] = {
        "0",    "-1", "-20262102000001",  "100000000000000", "\"20262102000001\"",
        "true", "{}", "[20262102000001]",
    };
    struct parts p = good;
    size_t i;

    (void)state;
    for (i = 0; i < sizeof bad / sizeof *bad; i++) {
        p.manifest = bad[i];
        REFUSE(p, LD_INVALID, "event.manifest");
    }
    p.manifest = "1";
    ACCEPT(p);
    p.manifest = "99999999999999";
    ACCEPT(p);
}

/* Numbers that are not integers, or not written as integers, or beyond 2^53,
 * are refused by the canonical parser before the envelope is looked at; the
 * refusal must still name the member. */
static void
test_manifest_not_integer(void **state)
{
    static const char *const bad[] = {"1.5", "1.0", "1e3", "2.0262102000001e13", "9007199254740992",
                                      "-0"};
    struct parts p = good;
    char *text;
    struct ld_event ev;
    struct ld_err err;
    size_t i;

    (void)state;
    for (i = 0; i < sizeof bad / sizeof *bad; i++) {
        p.manifest = bad[i];
        text = envelope(&p);
        memset(&err, 0, sizeof err);
        assert_int_equal(ld_event_parse(text, strlen(text), &ev, &err), LD_INVALID);
        assert_non_null(strstr(err.field, "event.manifest"));
        free(text);
    }
    /* The same for v. */
    p = good;
    p.v = "1.0";
    text = envelope(&p);
    memset(&err, 0, sizeof err);
    assert_int_equal(ld_event_parse(text, strlen(text), &ev, &err), LD_INVALID);
    assert_non_null(strstr(err.field, "event.v"));
    free(text);
}

/* Refusals found by the canonical parser use the envelope's field names too
 * ("event.manifest", as err.h writes them), not the parser's JSONPath
 * ("$.event.manifest"). (Found by this test; fixed in 03d207d.) */
static void
test_canon_refusal_field_names(void **state)
{
    struct parts p = good;
    char *text;
    struct ld_event ev;
    struct ld_err err;

    (void)state;
    p.manifest = "1.5";
    text = envelope(&p);
    memset(&err, 0, sizeof err);
    assert_int_equal(ld_event_parse(text, strlen(text), &ev, &err), LD_INVALID);
    free(text);
    assert_string_equal(err.field, "event.manifest");
    /* Duplicates at each level, numbers deep in the body, odd member names. */
    p = good;
    p.extra_event = ",\"v\":1";
    REFUSE(p, LD_INVALID, "event.v");
    p = good;
    p.extra_top = ",\"sig\":\"" SIG0 "\"";
    REFUSE(p, LD_INVALID, "sig");
    p = good;
    p.body = "{\"b\":{\"c\":1,\"c\":2}}";
    REFUSE(p, LD_INVALID, "event.body.b.c");
    p = good;
    p.body = "{\"lines\":[{\"qty_g\":1},{\"qty_g\":2.5}]}";
    REFUSE(p, LD_INVALID, "event.body.lines[1].qty_g");
    p = good;
    p.body = "{\"a b\":1e2}";
    REFUSE(p, LD_INVALID, "event.body[\"a b\"]");
}

static void
test_prev(void **state)
{
    static const char *const bad[] = {
        "\"00112233445566778899AABBCCDDEEFF00112233445566778899AABBCCDDEEFF\"",  /* uppercase */
        "\"00112233445566778899aabbccddeeff00112233445566778899aabbccddeeF\"",   /* 64, one upper */
        "\"00112233445566778899aabbccddeeff00112233445566778899aabbccddeef\"",   /* 63 */
        "\"00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff0\"", /* 65 */
        "\"g0112233445566778899aabbccddeeff00112233445566778899aabbccddeeff\"",  /* non-hex */
        "\" 0112233445566778899aabbccddeeff00112233445566778899aabbccddeeff\"",  /* space */
        "\"\"",
        "0",
        "true",
        "{}",
        "\"ABEiM0RVZneImaq7zN3u/wARIjNEVWZ3iJmqu8zd7v8=\"", /* base64 of the same id */
    };
    struct parts p = good;
    size_t i;

    (void)state;
    for (i = 0; i < sizeof bad / sizeof *bad; i++) {
        p.prev = bad[i];
        REFUSE(p, LD_INVALID, "event.prev");
    }
}

static void
test_at(void **state)
{
    static const char *const bad[] = {
        "\"2026-01-10T00:00:00z\"",
        "\"2026-01-10t00:00:00Z\"",
        "\"2026-01-10T00:00:00+00:00\"",
        "\"2026-01-10T08:00:00+08:00\"",
        "\"2026-01-10T00:00:00.000Z\"",
        "\"2026-01-10 00:00:00Z\"",
        "\"2026-01-10T00:00:00\"",
        "\"2026-01-10\"",
        "\"2026-1-10T00:00:00Z\"",
        "\"2026-02-30T00:00:00Z\"",
        "\"2026-13-01T00:00:00Z\"",
        "\"2026-01-10T24:00:00Z\"",
        "\"2026-01-10T00:60:00Z\"",
        "\"2026-01-10T00:00:60Z\"",
        "\"1969-12-31T23:59:59Z\"",
        "\" 2026-01-10T00:00:00Z\"",
        "\"2026-01-10T00:00:00Z \"",
        "\"2026-01-10T00:00:00ZZZZZZZZ\"",
        "\"\"",
        "1768003200",
        "null",
    };
    struct parts p = good;
    size_t i;

    (void)state;
    for (i = 0; i < sizeof bad / sizeof *bad; i++) {
        p.at = bad[i];
        REFUSE(p, LD_INVALID, "event.at");
    }
    p.at = "\"2028-02-29T23:59:59Z\"";
    ACCEPT(p);
    p.at = "\"1970-01-01T00:00:00Z\"";
    ACCEPT(p);
}

static void
test_actor(void **state)
{
    static const char *const bad[] = {
        "\"" P1_BAD "\"",          /* wrong check character */
        "\"91350100m000100y43\"",  /* lowercase */
        "\"91350100M000100Y4\"",   /* 17 characters */
        "\"91350100M000100Y433\"", /* 19 characters */
        "\"91350100M0001O0Y43\"",  /* letter O not in the alphabet */
        "\"Regulator\"",           "\"regulator \"", "\"\"", "91350100", "null", "{}",
    };
    struct parts p = good;
    size_t i;

    (void)state;
    for (i = 0; i < sizeof bad / sizeof *bad; i++) {
        p.actor = bad[i];
        REFUSE(p, LD_INVALID, "event.actor");
    }
}

static void
test_key(void **state)
{
    static const char *const bad[] = {
        "\"0123456789abcdef0123456789abcde\"",   /* 31 */
        "\"0123456789abcdef0123456789abcdef0\"", /* 33 */
        "\"0123456789ABCDEF0123456789ABCDEF\"",  /* uppercase */
        "\"0123456789abcdef0123456789abcdeg\"",  /* non-hex */
        "\"" ID64 "\"",                          /* 64: an event id, not a key id */
        "\"\"",
        "null",
        "12345",
    };
    struct parts p = good;
    size_t i;

    (void)state;
    for (i = 0; i < sizeof bad / sizeof *bad; i++) {
        p.key = bad[i];
        REFUSE(p, LD_INVALID, "event.key");
    }
}

static void
test_body(void **state)
{
    static const char *const bad[] = {"[]", "[{}]", "\"{}\"", "null", "1", "true"};
    struct parts p = good;
    size_t i;

    (void)state;
    for (i = 0; i < sizeof bad / sizeof *bad; i++) {
        p.body = bad[i];
        REFUSE(p, LD_PARSE, "event.body");
    }
}

static void
test_sig(void **state)
{
    uint8_t raw[65];
    char tmp[LD_ENC_B64_LEN(65)];
    char b63[LD_ENC_B64_LEN(63) + 2], b65[LD_ENC_B64_LEN(65) + 2], nopad[100], q[100];
    struct parts p = good;

    (void)state;
    memset(raw, 0, sizeof raw);
    snprintf(b63, sizeof b63, "\"%s\"", ld_enc_b64(raw, 63, tmp));
    snprintf(b65, sizeof b65, "\"%s\"", ld_enc_b64(raw, 65, tmp));
    p.sig = b63;
    REFUSE(p, LD_INVALID, "sig");
    p.sig = b65;
    REFUSE(p, LD_INVALID, "sig");
    /* 64 bytes without the padding. */
    snprintf(nopad, sizeof nopad, "\"%.86s\"", SIG0);
    p.sig = nopad;
    REFUSE(p, LD_INVALID, "sig");
    /* Non-zero unused bits: "AB==" instead of "AA==". */
    snprintf(q, sizeof q, "\"%.85sB==\"", SIG0);
    p.sig = q;
    REFUSE(p, LD_INVALID, "sig");
    /* URL-safe alphabet, whitespace, not a string. */
    snprintf(q, sizeof q, "\"_%.85s==\"", SIG0);
    p.sig = q;
    REFUSE(p, LD_INVALID, "sig");
    snprintf(q, sizeof q, "\"%.44s\\n%.42s==\"", SIG0, SIG0);
    p.sig = q;
    REFUSE(p, LD_INVALID, "sig");
    p.sig = "\"\"";
    REFUSE(p, LD_INVALID, "sig");
    p.sig = "null";
    REFUSE(p, LD_INVALID, "sig");
    p.sig = "[]";
    REFUSE(p, LD_INVALID, "sig");
    p.sig = "\"!!!!\"";
    REFUSE(p, LD_INVALID, "sig");
}

static void
test_duplicates_and_garbage(void **state)
{
    struct parts p = good;
    char *text, *buf;
    struct ld_event ev;
    struct ld_err err;
    size_t n;

    (void)state;
    /* Duplicate keys at every level. */
    p.extra_event = ",\"v\":1";
    text = envelope(&p);
    memset(&err, 0, sizeof err);
    assert_int_equal(ld_event_parse(text, strlen(text), &ev, &err), LD_INVALID);
    assert_non_null(strstr(err.field, "event.v"));
    assert_non_null(strstr(err.msg, "duplicate"));
    free(text);
    p = good;
    p.extra_top = ",\"sig\":\"" SIG0 "\"";
    text = envelope(&p);
    memset(&err, 0, sizeof err);
    assert_int_equal(ld_event_parse(text, strlen(text), &ev, &err), LD_INVALID);
    assert_non_null(strstr(err.field, "sig"));
    free(text);
    p = good;
    p.body = "{\"a\":1,\"b\":{\"c\":1,\"c\":1}}";
    text = envelope(&p);
    memset(&err, 0, sizeof err);
    assert_int_equal(ld_event_parse(text, strlen(text), &ev, &err), LD_INVALID);
    assert_non_null(strstr(err.field, "event.body.b.c"));
    free(text);
    /* Trailing garbage after a good envelope; trailing whitespace is allowed. */
    text = envelope(&good);
    n = strlen(text);
    buf = malloc(n + 8);
    memcpy(buf, text, n);
    memcpy(buf + n, " \n", 2);
    assert_int_equal(ld_event_parse(buf, n + 2, &ev, NULL), LD_OK);
    ld_event_release(&ev);
    memcpy(buf + n, "x", 1);
    memset(&err, 0, sizeof err);
    assert_int_equal(ld_event_parse(buf, n + 1, &ev, &err), LD_PARSE);
    assert_string_equal(err.field, "");
    memcpy(buf + n, "{}", 2);
    assert_int_equal(ld_event_parse(buf, n + 2, &ev, NULL), LD_PARSE);
    memcpy(buf + n, "\0", 1);
    assert_int_equal(ld_event_parse(buf, n + 1, &ev, NULL), LD_PARSE);
    /* Truncated at every length. */
    for (size_t k = 0; k < n; k++)
        assert_int_equal(ld_event_parse(text, k, &ev, NULL), LD_PARSE);
    free(buf);
    free(text);
    /* Not JSON at all. */
    assert_int_equal(ld_event_parse("not json", 8, &ev, NULL), LD_PARSE);
    assert_int_equal(ld_event_parse("", 0, &ev, NULL), LD_PARSE);
}

/* ---- signing, round trips, ids ------------------------------------------ */

static cJSON *
make_event(const char *prev)
{
    cJSON *e = cJSON_CreateObject(), *b = cJSON_CreateObject();

    cJSON_AddNumberToObject(e, "v", 1);
    cJSON_AddStringToObject(e, "type", "test.note");
    cJSON_AddNumberToObject(e, "manifest", 20262102000001.0);
    if (prev)
        cJSON_AddStringToObject(e, "prev", prev);
    else
        cJSON_AddNullToObject(e, "prev");
    cJSON_AddStringToObject(e, "at", "2026-01-10T00:00:00Z");
    cJSON_AddStringToObject(e, "actor", P1);
    cJSON_AddStringToObject(b, "note", "你好");
    cJSON_AddNumberToObject(b, "qty_g", 800000);
    cJSON_AddItemToObject(e, "body", b);
    return e;
}

static void
seed_of(uint8_t seed[32])
{
    size_t i;

    for (i = 0; i < 32; i++)
        seed[i] = (uint8_t)(i + 1);
}

/* The whole entry computed without liandan: JCS by hand, Ed25519 and SHA-256
 * from libsodium, key id from DESIGN.md §4.2. */
static void
test_known_answer(void **state)
{
    uint8_t seed[32], pk[32], sk[64], sig[64], h[32], leaf[32];
    char keyid[33], sigb64[LD_ENC_B64_LEN(64)], idhex[65];
    char jcs[1024], msg[1100], want[1200];
    struct ld_sig_secret *s = NULL;
    struct ld_event ev;
    cJSON *e;
    char *entry = NULL;
    size_t len = 0;
    unsigned char tagged[33];
    crypto_hash_sha256_state hs;

    (void)state;
    seed_of(seed);
    assert_int_equal(crypto_sign_seed_keypair(pk, sk, seed), 0);
    /* key id: first 16 bytes of SHA-256(0x01 || pub32), lowercase hex */
    tagged[0] = 0x01;
    memcpy(tagged + 1, pk, 32);
    crypto_hash_sha256(h, tagged, sizeof tagged);
    sodium_bin2hex(keyid, sizeof keyid, h, 16);
    snprintf(jcs, sizeof jcs,
             "{\"actor\":\"%s\",\"at\":\"2026-01-10T00:00:00Z\",\"body\":{\"note\":\"你好\","
             "\"qty_g\":800000},\"key\":\"%s\",\"manifest\":20262102000001,\"prev\":null,"
             "\"type\":\"test.note\",\"v\":1}",
             P1, keyid);
    snprintf(msg, sizeof msg, "liandan/event/v1\n%s", jcs);
    assert_int_equal(crypto_sign_detached(sig, NULL, (const unsigned char *)msg, strlen(msg), sk),
                     0);
    sodium_bin2base64(sigb64, sizeof sigb64, sig, 64, sodium_base64_VARIANT_ORIGINAL);
    snprintf(want, sizeof want, "{\"event\":%s,\"sig\":\"%s\"}", jcs, sigb64);
    /* leaf hash = SHA-256(0x00 || entry) */
    crypto_hash_sha256_init(&hs);
    crypto_hash_sha256_update(&hs, (const unsigned char *)"\0", 1);
    crypto_hash_sha256_update(&hs, (const unsigned char *)want, strlen(want));
    crypto_hash_sha256_final(&hs, leaf);
    sodium_bin2hex(idhex, sizeof idhex, leaf, 32);

    assert_int_equal(ld_sig_secret_from_seed("p1", seed, &s), LD_OK);
    e = make_event(NULL);
    assert_int_equal(ld_event_sign(e, s, &entry, &len, NULL), LD_OK);
    assert_int_equal(len, strlen(want));
    assert_string_equal(entry, want);
    assert_int_equal(ld_event_parse(entry, len, &ev, NULL), LD_OK);
    assert_int_equal(ev.entry_len, strlen(want));
    assert_memory_equal(ev.entry, want, ev.entry_len);
    assert_int_equal(ev.msg_len, strlen(msg));
    assert_memory_equal(ev.msg, msg, ev.msg_len);
    assert_memory_equal(ev.id, leaf, 32);
    assert_string_equal(ev.id_hex, idhex);
    assert_string_equal(ev.key, keyid);
    assert_memory_equal(ev.sig, sig, 64);
    assert_int_equal(ld_event_verify(&ev, pk), LD_OK);
    ld_event_release(&ev);
    free(entry);
    cJSON_Delete(e);
    ld_sig_secret_free(s);
}

static void
test_sign_parse_roundtrip(void **state)
{
    struct ld_sig_secret *s = NULL, *other = NULL;
    struct ld_sig_pub pub, opub;
    struct ld_event ev, ev2;
    char *entry = NULL, *entry2 = NULL, *canon = NULL, *msgcanon = NULL;
    size_t len = 0, len2 = 0, clen = 0, mlen = 0;
    uint8_t leaf[32], prev[32];
    cJSON *e;
    crypto_hash_sha256_state hs;

    (void)state;
    assert_int_equal(ld_sig_keygen("p1", &s), LD_OK);
    assert_int_equal(ld_sig_keygen("p2", &other), LD_OK);
    ld_sig_secret_pub(s, &pub);
    ld_sig_secret_pub(other, &opub);
    e = make_event(ID64);
    assert_int_equal(ld_event_sign(e, s, &entry, &len, NULL), LD_OK);
    /* sign borrows e: no key member was added to the caller's object */
    assert_null(cJSON_GetObjectItemCaseSensitive(e, "key"));
    assert_int_equal(strlen(entry), len);
    assert_int_equal(ld_event_parse(entry, len, &ev, NULL), LD_OK);
    assert_string_equal(ev.type, "test.note");
    assert_true(ev.manifest == 20262102000001LL);
    assert_int_equal(ev.has_prev, 1);
    assert_int_equal(ld_enc_unhex(ID64, 64, prev, 32), LD_OK);
    assert_memory_equal(ev.prev, prev, 32);
    assert_string_equal(ev.at_text, "2026-01-10T00:00:00Z");
    assert_true(ev.at == 1768003200LL);
    assert_string_equal(ev.actor, P1);
    assert_string_equal(ev.key, pub.keyid);
    assert_string_equal(cJSON_GetObjectItemCaseSensitive(ev.body, "note")->valuestring, "你好");
    /* entry is JCS(signed) and equals what sign returned */
    assert_int_equal(ev.entry_len, len);
    assert_memory_equal(ev.entry, entry, len);
    assert_int_equal(ld_canon_dup(ev.root, LD_CANON_SIGNED, &canon, &clen, NULL), LD_OK);
    assert_int_equal(clen, ev.entry_len);
    assert_memory_equal(canon, ev.entry, clen);
    /* msg is purpose || JCS(event) */
    assert_int_equal(ld_canon_dup(ev.event, LD_CANON_SIGNED, &msgcanon, &mlen, NULL), LD_OK);
    assert_int_equal(ev.msg_len, 17 + mlen);
    assert_memory_equal(ev.msg, "liandan/event/v1\n", 17);
    assert_memory_equal(ev.msg + 17, msgcanon, mlen);
    /* id = SHA-256(0x00 || entry), checked with libsodium */
    crypto_hash_sha256_init(&hs);
    crypto_hash_sha256_update(&hs, (const unsigned char *)"\x00", 1);
    crypto_hash_sha256_update(&hs, (const unsigned char *)ev.entry, ev.entry_len);
    crypto_hash_sha256_final(&hs, leaf);
    assert_memory_equal(ev.id, leaf, 32);
    {
        char hex[65];
        sodium_bin2hex(hex, sizeof hex, leaf, 32);
        assert_string_equal(ev.id_hex, hex);
    }
    /* The signature verifies under the signer's key, with libsodium directly
     * too, and not under another key. */
    assert_int_equal(ld_event_verify(&ev, pub.pk), LD_OK);
    assert_int_equal(
        crypto_sign_verify_detached(ev.sig, (const unsigned char *)ev.msg, ev.msg_len, pub.pk), 0);
    assert_int_equal(ld_event_verify(&ev, opub.pk), LD_BADSIG);
    /* Signing is deterministic (Ed25519): the same entry again. */
    assert_int_equal(ld_event_sign(e, s, &entry2, &len2, NULL), LD_OK);
    assert_int_equal(len2, len);
    assert_memory_equal(entry2, entry, len);
    /* An explicit key member is kept as given (here: another key's id). */
    cJSON_AddStringToObject(e, "key", opub.keyid);
    free(entry2);
    assert_int_equal(ld_event_sign(e, s, &entry2, &len2, NULL), LD_OK);
    assert_int_equal(ld_event_parse(entry2, len2, &ev2, NULL), LD_OK);
    assert_string_equal(ev2.key, opub.keyid);
    assert_int_equal(ld_event_verify(&ev2, pub.pk), LD_OK);
    ld_event_release(&ev2);
    ld_event_release(&ev);
    ld_event_release(&ev); /* a released event may be released again */
    cJSON_Delete(e);
    free(entry);
    free(entry2);
    free(canon);
    free(msgcanon);
    ld_sig_secret_free(s);
    ld_sig_secret_free(other);
}

/* Input need not be canonical: whitespace, member order and escapes are
 * normalised, and the id is that of the canonical entry. */
static void
test_noncanonical_input(void **state)
{
    struct ld_sig_secret *s = NULL;
    struct ld_event a, b;
    cJSON *e;
    char *entry = NULL, *loose = NULL;
    size_t len = 0;

    (void)state;
    assert_int_equal(ld_sig_keygen("p1", &s), LD_OK);
    e = make_event(NULL);
    cJSON_AddStringToObject(cJSON_GetObjectItemCaseSensitive(e, "body"), "esc", "A\n\xc3\xa9");
    assert_int_equal(ld_event_sign(e, s, &entry, &len, NULL), LD_OK);
    assert_int_equal(ld_event_parse(entry, len, &a, NULL), LD_OK);
    /* Re-write the same envelope loosely: sig first, spaces, escapes. */
    {
        const char *sig = strstr(entry, ",\"sig\":") + 7;
        size_t n = 0;
        loose = malloc(len + 512);
        n += (size_t)snprintf(loose + n, len + 512 - n, " {\r\n\t\"sig\" : %.*s ,\n \"event\" : { ",
                              (int)(strlen(sig) - 1), sig);
        n += (size_t)snprintf(
            loose + n, len + 512 - n,
            "\"body\":{ \"qty_g\":800000,\"note\":\"\\u4f60\\u597d\","
            "\"esc\":\"\\u0041\\n\\u00e9\" }, \"v\":1,\"type\":\"test.\\u006eote\","
            "\"manifest\" :20262102000001,\"prev\":null,\"at\":"
            "\"2026-01-10T00:00:00Z\",\"actor\":\"%s\",\"key\":\"%s\" } }\n",
            P1, a.key);
        assert_int_equal(ld_event_parse(loose, n, &b, NULL), LD_OK);
    }
    assert_int_equal(a.entry_len, b.entry_len);
    assert_memory_equal(a.entry, b.entry, a.entry_len);
    assert_memory_equal(a.id, b.id, 32);
    assert_int_equal(a.msg_len, b.msg_len);
    assert_memory_equal(a.msg, b.msg, a.msg_len);
    ld_event_release(&a);
    ld_event_release(&b);
    cJSON_Delete(e);
    free(entry);
    free(loose);
    ld_sig_secret_free(s);
}

static void
test_sign_refusals(void **state)
{
    struct ld_sig_secret *s = NULL;
    struct ld_err err;
    char *entry = NULL;
    size_t len = 0;
    cJSON *e;

    (void)state;
    assert_int_equal(ld_sig_keygen("p1", &s), LD_OK);
    /* Not an object. */
    e = cJSON_CreateArray();
    memset(&err, 0, sizeof err);
    assert_int_equal(ld_event_sign(e, s, &entry, &len, &err), LD_INVALID);
    assert_string_equal(err.field, "event");
    assert_null(entry);
    cJSON_Delete(e);
    /* A non-integer in signed data, named by its path. */
    e = make_event(NULL);
    cJSON_AddNumberToObject(cJSON_GetObjectItemCaseSensitive(e, "body"), "half", 0.5);
    memset(&err, 0, sizeof err);
    assert_int_equal(ld_event_sign(e, s, &entry, &len, &err), LD_INVALID);
    assert_non_null(strstr(err.field, "half"));
    assert_null(entry);
    cJSON_Delete(e);
    ld_sig_secret_free(s);
}

/* One flipped byte anywhere in an entry: the parse fails, or the event has
 * another id and its signature no longer verifies. */
static void
test_flipped_byte(void **state)
{
    static const uint8_t masks[] = {0x01, 0x02, 0x20, 0x40, 0x80};
    struct ld_sig_secret *s = NULL;
    struct ld_sig_pub pub;
    struct ld_event orig, ev;
    char *entry = NULL, *copy;
    size_t len = 0, i, m, parsed = 0, refused = 0;
    cJSON *e;

    (void)state;
    assert_int_equal(ld_sig_keygen("p1", &s), LD_OK);
    ld_sig_secret_pub(s, &pub);
    e = make_event(ID64);
    assert_int_equal(ld_event_sign(e, s, &entry, &len, NULL), LD_OK);
    assert_int_equal(ld_event_parse(entry, len, &orig, NULL), LD_OK);
    copy = malloc(len);
    for (i = 0; i < len; i++) {
        for (m = 0; m < sizeof masks; m++) {
            memcpy(copy, entry, len);
            copy[i] = (char)(copy[i] ^ masks[m]);
            if (ld_event_parse(copy, len, &ev, NULL) != LD_OK) {
                refused++;
                continue;
            }
            parsed++;
            if (memcmp(ev.id, orig.id, 32) == 0 || ld_event_verify(&ev, pub.pk) == LD_OK)
                print_error("flip 0x%02x at byte %zu (%c) kept the id or the signature\n", masks[m],
                            i, entry[i]);
            assert_memory_not_equal(ev.id, orig.id, 32);
            assert_int_equal(ld_event_verify(&ev, pub.pk), LD_BADSIG);
            ld_event_release(&ev);
        }
    }
    /* Both outcomes happen (flips inside strings parse; in syntax they don't). */
    assert_true(parsed > 0);
    assert_true(refused > 0);
    free(copy);
    ld_event_release(&orig);
    cJSON_Delete(e);
    free(entry);
    ld_sig_secret_free(s);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_good_envelope),
        cmocka_unit_test(test_members),
        cmocka_unit_test(test_v),
        cmocka_unit_test(test_type),
        cmocka_unit_test(test_manifest),
        cmocka_unit_test(test_manifest_not_integer),
        cmocka_unit_test(test_canon_refusal_field_names),
        cmocka_unit_test(test_prev),
        cmocka_unit_test(test_at),
        cmocka_unit_test(test_actor),
        cmocka_unit_test(test_key),
        cmocka_unit_test(test_body),
        cmocka_unit_test(test_sig),
        cmocka_unit_test(test_duplicates_and_garbage),
        cmocka_unit_test(test_known_answer),
        cmocka_unit_test(test_sign_parse_roundtrip),
        cmocka_unit_test(test_noncanonical_input),
        cmocka_unit_test(test_sign_refusals),
        cmocka_unit_test(test_flipped_byte),
    };
    return cmocka_run_group_tests_name("event", tests, setup, NULL);
}
