/*
 * test_sig.c - unit tests for src/sig.c: RFC 8032 Ed25519 (§7.1 and the 1,024
 * sign.input vectors), Wycheproof Ed25519 verification, C2SP signed-note
 * verifier keys, notes and golden checkpoints, key ids (DESIGN.md §4.2) and
 * the secret key file. Vectors come from $LIANDAN_SHARED/vectors/ (sources in
 * its README.md); a missing vector file fails the test, it is never skipped.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <cJSON.h>
#include <sodium.h>

#include "liandan/buf.h"
#include "liandan/enc.h"
#include "liandan/err.h"
#include "liandan/mem.h"
#include "liandan/sig.h"
#include "liandan/banned.h"

/* Split so that the phrase is not one literal in a tracked file (see sig.c). */
#define MAGIC "liandan secret" " key v1"
#define EM_DASH "\xe2\x80\x94"

/* ---- helpers: files and JSON ---- */

/* Whole file $LIANDAN_SHARED/vectors/<rel>, NUL-terminated; caller frees. */
static char *
load_file(const char *rel, size_t *len_out)
{
    const char *dir = getenv("LIANDAN_SHARED");
    char path[4096];
    FILE *fp;
    char *text;
    long len;

    if (dir == NULL || *dir == '\0')
        fail_msg("LIANDAN_SHARED is not set (it must name the shared/ folder with the vectors)");
    snprintf(path, sizeof path, "%s/vectors/%s", dir, rel);
    fp = fopen(path, "rb");
    if (fp == NULL)
        fail_msg("cannot open '%s'", path);
    assert_int_equal(fseek(fp, 0, SEEK_END), 0);
    len = ftell(fp);
    assert_true(len > 0);
    assert_int_equal(fseek(fp, 0, SEEK_SET), 0);
    text = ld_xmalloc((size_t)len + 1);
    assert_int_equal(fread(text, 1, (size_t)len, fp), (size_t)len);
    fclose(fp);
    text[len] = '\0';
    if (len_out)
        *len_out = (size_t)len;
    return text;
}

static cJSON *
load_json(const char *rel)
{
    size_t len = 0;
    char *text = load_file(rel, &len);
    cJSON *root = cJSON_ParseWithLength(text, len);

    free(text);
    if (root == NULL)
        fail_msg("cannot parse '%s'", rel);
    return root;
}

static const cJSON *
field(const cJSON *obj, const char *name)
{
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, name);

    if (it == NULL)
        fail_msg("vector lacks field '%s'", name);
    return it;
}

static const char *
str(const cJSON *obj, const char *name)
{
    const cJSON *it = field(obj, name);

    assert_true(cJSON_IsString(it));
    return it->valuestring;
}

/* Decode hex of any length into a new buffer; *n gets the byte count. */
static uint8_t *
unhex_dup(const char *hex, size_t *n)
{
    size_t len = strlen(hex);
    uint8_t *out;

    assert_int_equal(len % 2, 0);
    out = ld_xmalloc(len / 2 + 1);
    if (len)
        assert_int_equal(ld_enc_unhex(hex, len, out, len / 2), LD_OK);
    *n = len / 2;
    return out;
}

static void
unhex_fixed(const char *hex, uint8_t *out, size_t n)
{
    assert_int_equal(strlen(hex), 2 * n);
    assert_int_equal(ld_enc_unhex(hex, 2 * n, out, n), LD_OK);
}

/* Verifier keys of a JSON array of vkey strings, parsed; returns how many. */
static size_t
parse_vkeys(const cJSON *arr, struct ld_sig_pub *out, size_t cap)
{
    const cJSON *it;
    size_t n = 0;

    assert_true(cJSON_IsArray(arr));
    cJSON_ArrayForEach(it, arr)
    {
        assert_true(n < cap);
        assert_true(cJSON_IsString(it));
        assert_int_equal(ld_sig_vkey_parse(it->valuestring, strlen(it->valuestring), &out[n]),
                         LD_OK);
        n++;
    }
    return n;
}

static struct ld_sig_secret *
secret_of(const char *name, uint8_t fill)
{
    uint8_t seed[32];
    struct ld_sig_secret *s = NULL;

    memset(seed, fill, sizeof seed);
    assert_int_equal(ld_sig_secret_from_seed(name, seed, &s), LD_OK);
    assert_non_null(s);
    return s;
}

/* The golden key of vectors/signed-note (RFC 8032 TEST 1 seed). */
static struct ld_sig_secret *
golden_secret(const cJSON *g)
{
    uint8_t seed[32];
    struct ld_sig_secret *s = NULL;

    unhex_fixed(str(g, "seed_hex"), seed, sizeof seed);
    assert_int_equal(ld_sig_secret_from_seed(str(g, "key_name"), seed, &s), LD_OK);
    return s;
}

/* ---- keys, key ids, verifier keys ---- */

static void
test_name_ok(void **state)
{
    static const char *const good[] = {"example.com/foo", "PeterNeumann", "a", "名录/ledger",
                                        "x:y@z_1-2.3"};
    static const char *const bad[] = {"", "a b", "a+b", "a\tb", "a\nb", "a\x7f", "a\xc2\x85",
                                      "a\xc2\xa0",     /* NBSP */
                                      "a\xe3\x80\x80", /* ideographic space */
                                      "a\xe2\x80\xa8", /* line separator */
                                      "\xff", "\xc0\xaf", "\xed\xa0\x80", "\xe2\x82"};
    char longname[LD_SIG_NAME_MAX + 1];
    size_t i;

    (void)state;
    for (i = 0; i < sizeof good / sizeof good[0]; i++)
        assert_int_equal(ld_sig_name_ok(good[i]), 1);
    for (i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(ld_sig_name_ok(bad[i]), 0);
    assert_int_equal(ld_sig_name_ok(NULL), 0);
    memset(longname, 'n', sizeof longname);
    longname[LD_SIG_NAME_MAX - 1] = '\0'; /* 255 bytes: fits */
    assert_int_equal(ld_sig_name_ok(longname), 1);
    longname[LD_SIG_NAME_MAX - 1] = 'n';
    longname[LD_SIG_NAME_MAX] = '\0'; /* 256 bytes: too long */
    assert_int_equal(ld_sig_name_ok(longname), 0);
}

static void
test_golden_key(void **state)
{
    cJSON *root = load_json("signed-note/signed_note_vectors.json");
    const cJSON *g = field(root, "golden_checkpoints");
    struct ld_sig_secret *s = golden_secret(g);
    struct ld_sig_pub pub, parsed, made;
    uint8_t pk[32], h[crypto_hash_sha256_BYTES], in[33];
    char hex[9], keyid[LD_SIG_KEYID_HEX], want_id[LD_SIG_KEYID_HEX];
    char *v;

    (void)state;
    ld_sig_secret_pub(s, &pub);
    unhex_fixed(str(g, "public_key_hex"), pk, sizeof pk);
    assert_memory_equal(pub.pk, pk, 32);
    assert_string_equal(pub.name, str(g, "key_name"));
    assert_string_equal(ld_enc_hex(pub.keyhash, 4, hex), str(g, "key_id_hex"));
    v = ld_sig_vkey_format(&pub);
    assert_string_equal(v, str(g, "vkey"));
    free(v);

    /* DESIGN.md §4.2 key id: hex(SHA-256(0x01 || pk)[0:16]). */
    in[0] = 0x01;
    memcpy(in + 1, pk, 32);
    crypto_hash_sha256(h, in, sizeof in);
    ld_enc_hex(h, 16, want_id);
    ld_sig_keyid(pk, keyid);
    assert_string_equal(keyid, want_id);
    assert_string_equal(pub.keyid, want_id);

    assert_int_equal(ld_sig_vkey_parse(str(g, "vkey"), strlen(str(g, "vkey")), &parsed), LD_OK);
    assert_memory_equal(&parsed, &pub, sizeof pub);
    assert_int_equal(ld_sig_pub_make(str(g, "key_name"), pk, &made), LD_OK);
    assert_memory_equal(&made, &pub, sizeof pub);
    assert_int_equal(ld_sig_pub_make("bad name", pk, &made), LD_INVALID);

    ld_sig_secret_free(s);
    cJSON_Delete(root);
}

/* Every vkey in the vectors parses and formats back to the same string. */
static void
test_vkey_roundtrip(void **state)
{
    cJSON *root = load_json("signed-note/signed_note_vectors.json");
    const cJSON *note, *it;
    struct ld_sig_pub p;
    size_t n = 0;
    char *v;

    (void)state;
    cJSON_ArrayForEach(note, field(root, "notes"))
    {
        cJSON_ArrayForEach(it, field(note, "vkeys"))
        {
            assert_int_equal(ld_sig_vkey_parse(it->valuestring, strlen(it->valuestring), &p),
                             LD_OK);
            v = ld_sig_vkey_format(&p);
            assert_string_equal(v, it->valuestring);
            free(v);
            n++;
        }
    }
    it = field(field(root, "golden_checkpoints"), "vkey");
    assert_int_equal(ld_sig_vkey_parse(it->valuestring, strlen(it->valuestring), &p), LD_OK);
    v = ld_sig_vkey_format(&p);
    assert_string_equal(v, it->valuestring);
    free(v);
    assert_int_equal(n, 7);
    cJSON_Delete(root);
}

static void
test_vkey_malformed(void **state)
{
    static const char good[] = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
    static const struct {
        const char *text;
        enum ld_rc rc;
    } cases[] = {
        {"", LD_PARSE},
        {"PeterNeumann", LD_PARSE},
        {"PeterNeumann+c74f20a3", LD_PARSE},
        {"PeterNeumann+c74f20a3+", LD_PARSE},
        {"+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", LD_PARSE},
        {"Peter Neumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", LD_PARSE},
        {"PeterNeumann+c74f20a+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", LD_PARSE},
        {"PeterNeumann+c74f20a3x+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", LD_PARSE},
        {"PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10T", LD_PARSE},
        {"PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW=", LD_PARSE},
        {"PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW\n\n", LD_PARSE},
        {"PeterNeumann+c74f20a3+ARpc2QcUPD hMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", LD_PARSE},
        /* key hash of another name, a flipped key bit: hash mismatch */
        {"PeterNeumanN+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", LD_INVALID},
        {"PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", LD_INVALID},
        {"PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TX", LD_INVALID},
    };
    struct ld_sig_pub p, want;
    uint8_t key[33], kh[crypto_hash_sha256_BYTES];
    char hex[9], b64[LD_ENC_B64_LEN(33)], *line;
    crypto_hash_sha256_state st;
    size_t i;

    (void)state;
    assert_int_equal(ld_sig_vkey_parse(good, strlen(good), &want), LD_OK);
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        memset(&p, 0xa5, sizeof p);
        assert_int_equal(ld_sig_vkey_parse(cases[i].text, strlen(cases[i].text), &p), cases[i].rc);
        assert_int_equal(((unsigned char *)&p)[0], 0xa5); /* untouched on failure */
    }
    /* Tolerated: surrounding blanks, one trailing newline (also CRLF), uppercase hash. */
    line = ld_xasprintf("  %s \r\n", good);
    assert_int_equal(ld_sig_vkey_parse(line, strlen(line), &p), LD_OK);
    assert_memory_equal(&p, &want, sizeof p);
    free(line);
    line = ld_xasprintf("PeterNeumann+C74F20A3+%s", strrchr(good, '+') + 1);
    assert_int_equal(ld_sig_vkey_parse(line, strlen(line), &p), LD_OK);
    assert_memory_equal(&p, &want, sizeof p);
    free(line);
    /* Length-bounded: the parser does not read past len. */
    assert_int_equal(ld_sig_vkey_parse(good, strlen(good) - 1, &p), LD_PARSE);

    /* Algorithm byte 0x02 with a correct hash over it: unknown algorithm. */
    key[0] = 0x02;
    memcpy(key + 1, want.pk, 32);
    crypto_hash_sha256_init(&st);
    crypto_hash_sha256_update(&st, (const uint8_t *)"PeterNeumann\n", 13);
    crypto_hash_sha256_update(&st, key, sizeof key);
    crypto_hash_sha256_final(&st, kh);
    line = ld_xasprintf("PeterNeumann+%s+%s", ld_enc_hex(kh, 4, hex),
                        ld_enc_b64(key, sizeof key, b64));
    assert_int_equal(ld_sig_vkey_parse(line, strlen(line), &p), LD_INVALID);
    free(line);
}

static void
test_keygen(void **state)
{
    struct ld_sig_secret *a = NULL, *b = NULL;
    struct ld_sig_pub pa, pb;
    uint8_t sig[64];

    (void)state;
    assert_int_equal(ld_sig_keygen("bad+name", &a), LD_INVALID);
    assert_null(a);
    assert_int_equal(ld_sig_keygen("example.org/a", &a), LD_OK);
    assert_int_equal(ld_sig_keygen("example.org/a", &b), LD_OK);
    ld_sig_secret_pub(a, &pa);
    ld_sig_secret_pub(b, &pb);
    assert_memory_not_equal(pa.pk, pb.pk, 32);
    assert_string_equal(pa.name, "example.org/a");
    ld_sig_sign(a, LD_SIG_PURPOSE_AUTH, "hi", 2, sig);
    assert_int_equal(ld_sig_verify(pa.pk, LD_SIG_PURPOSE_AUTH, "hi", 2, sig), LD_OK);
    assert_int_equal(ld_sig_verify(pb.pk, LD_SIG_PURPOSE_AUTH, "hi", 2, sig), LD_BADSIG);
    assert_int_equal(ld_sig_secret_from_seed("", sig, &b), LD_INVALID);
    ld_sig_secret_free(a);
    ld_sig_secret_free(b);
    ld_sig_secret_free(NULL);
}

/* ---- Ed25519 known answers ---- */

/* Sign msg with the seed, compare with want_sig, verify, and check a flipped bit fails. */
static void
check_ed25519(const uint8_t seed[32], const uint8_t pk[32], const uint8_t *msg, size_t len,
              const uint8_t want_sig[64])
{
    struct ld_sig_secret *s = NULL;
    struct ld_sig_pub pub;
    uint8_t sig[64];

    assert_int_equal(ld_sig_secret_from_seed("rfc8032", seed, &s), LD_OK);
    ld_sig_secret_pub(s, &pub);
    assert_memory_equal(pub.pk, pk, 32);
    ld_sig_sign(s, NULL, msg, len, sig);
    assert_memory_equal(sig, want_sig, 64);
    assert_int_equal(ld_sig_verify(pk, NULL, msg, len, sig), LD_OK);
    sig[len % 64] ^= 0x01;
    assert_int_equal(ld_sig_verify(pk, NULL, msg, len, sig), LD_BADSIG);
    ld_sig_secret_free(s);
}

static void
test_rfc8032(void **state)
{
    cJSON *root = load_json("ed25519/rfc8032_ed25519.json");
    const cJSON *v;
    uint8_t seed[32], pk[32], sig[64], *msg;
    size_t n = 0, len;

    (void)state;
    cJSON_ArrayForEach(v, field(root, "vectors"))
    {
        unhex_fixed(str(v, "secret_key"), seed, 32);
        unhex_fixed(str(v, "public_key"), pk, 32);
        unhex_fixed(str(v, "signature"), sig, 64);
        msg = unhex_dup(str(v, "message"), &len);
        check_ed25519(seed, pk, msg, len, sig);
        free(msg);
        n++;
    }
    assert_int_equal(n, 5);
    cJSON_Delete(root);
}

/* sign.input: "seed||pk : pk : msg : sig||msg :" per line, all 1,024 lines. */
static void
test_sign_input(void **state)
{
    size_t len = 0, n = 0, mlen, f;
    char *text = load_file("ed25519/sign.input", &len);
    char *line = text, *nl, *col[5];
    uint8_t sk[64], pk[32], sig[64], *msg, *sm;

    (void)state;
    for (; line < text + len; line = nl + 1) {
        nl = strchr(line, '\n');
        assert_non_null(nl);
        *nl = '\0';
        col[0] = line;
        for (f = 1; f < 5; f++) {
            col[f] = strchr(col[f - 1], ':');
            assert_non_null(col[f]);
            *col[f]++ = '\0';
        }
        assert_string_equal(col[4], "");
        unhex_fixed(col[0], sk, 64);
        unhex_fixed(col[1], pk, 32);
        assert_memory_equal(sk + 32, pk, 32);
        msg = unhex_dup(col[2], &mlen);
        assert_int_equal(mlen, n); /* message lengths 0..1023 in order */
        assert_int_equal(strlen(col[3]), 2 * (64 + mlen));
        sm = unhex_dup(col[3], &f);
        memcpy(sig, sm, 64);
        assert_memory_equal(sm + 64, msg, mlen);
        check_ed25519(sk, pk, msg, mlen, sig);
        free(sm);
        free(msg);
        n++;
    }
    assert_int_equal(n, 1024);
    free(text);
}

/*
 * Wycheproof: "valid" verifies, "invalid" does not. The file has no
 * "acceptable" case; if one appears the test fails so that someone decides.
 * Signatures that are not 64 bytes cannot be passed to ld_sig_verify: they
 * count as rejected (all such cases are "invalid").
 */
static void
test_wycheproof(void **state)
{
    cJSON *root = load_json("ed25519/wycheproof_ed25519_test.json");
    const cJSON *g, *t;
    size_t n = 0, nvalid = 0, ninvalid = 0, nshort = 0, pklen, mlen, slen;
    uint8_t *pk, *msg, *sig;
    const char *result;
    int ok;

    (void)state;
    cJSON_ArrayForEach(g, field(root, "testGroups"))
    {
        pk = unhex_dup(str(field(g, "publicKey"), "pk"), &pklen);
        assert_int_equal(pklen, 32);
        cJSON_ArrayForEach(t, field(g, "tests"))
        {
            msg = unhex_dup(str(t, "msg"), &mlen);
            sig = unhex_dup(str(t, "sig"), &slen);
            result = str(t, "result");
            if (slen == 64) {
                ok = ld_sig_verify(pk, NULL, msg, mlen, sig) == LD_OK;
            } else {
                ok = 0;
                nshort++;
            }
            if (strcmp(result, "valid") == 0) {
                if (!ok)
                    fail_msg("wycheproof tcId %d: valid signature rejected",
                             field(t, "tcId")->valueint);
                nvalid++;
            } else if (strcmp(result, "invalid") == 0) {
                if (ok)
                    fail_msg("wycheproof tcId %d: invalid signature accepted",
                             field(t, "tcId")->valueint);
                ninvalid++;
            } else {
                fail_msg("wycheproof tcId %d: result '%s' needs a decision",
                         field(t, "tcId")->valueint, result);
            }
            free(msg);
            free(sig);
            n++;
        }
        free(pk);
    }
    assert_int_equal(n, 151);
    assert_int_equal(nvalid + ninvalid, 151);
    assert_true(nshort > 0 && nshort < ninvalid);
    assert_int_equal((int)cJSON_GetObjectItemCaseSensitive(root, "numberOfTests")->valueint, 151);
    cJSON_Delete(root);
}

/* ---- purposes ---- */

static void
test_purpose(void **state)
{
    static const char msg[] = "{\"v\":1}";
    struct ld_sig_secret *s = secret_of("purpose-test", 7);
    struct ld_sig_pub pub;
    uint8_t sig[64], sig2[64];
    char both[64], flipped[sizeof msg];
    size_t i;

    (void)state;
    ld_sig_secret_pub(s, &pub);
    ld_sig_sign(s, LD_SIG_PURPOSE_EVENT, msg, strlen(msg), sig);
    assert_int_equal(ld_sig_verify(pub.pk, LD_SIG_PURPOSE_EVENT, msg, strlen(msg), sig), LD_OK);
    assert_int_equal(ld_sig_verify(pub.pk, LD_SIG_PURPOSE_RECEIPT, msg, strlen(msg), sig),
                     LD_BADSIG);
    assert_int_equal(ld_sig_verify(pub.pk, NULL, msg, strlen(msg), sig), LD_BADSIG);
    /* sig.h layout: the signed bytes are exactly purpose || payload. */
    snprintf(both, sizeof both, "%s%s", LD_SIG_PURPOSE_EVENT, msg);
    assert_int_equal(ld_sig_verify(pub.pk, NULL, both, strlen(both), sig), LD_OK);
    ld_sig_sign(s, NULL, both, strlen(both), sig2);
    assert_memory_equal(sig, sig2, 64);
    /* Every single flipped message bit fails. */
    for (i = 0; i < 8 * strlen(msg); i++) {
        memcpy(flipped, msg, sizeof msg);
        flipped[i / 8] ^= (char)(1 << (i % 8));
        assert_int_equal(
            ld_sig_verify(pub.pk, LD_SIG_PURPOSE_EVENT, flipped, strlen(msg), sig), LD_BADSIG);
    }
    /* Empty payload with a purpose. */
    ld_sig_sign(s, LD_SIG_PURPOSE_AUTH, NULL, 0, sig);
    assert_int_equal(ld_sig_verify(pub.pk, LD_SIG_PURPOSE_AUTH, NULL, 0, sig), LD_OK);
    assert_int_equal(ld_sig_verify(pub.pk, LD_SIG_PURPOSE_AUTH, "", 0, sig), LD_OK);
    ld_sig_secret_free(s);
}

/* ---- signed notes ---- */

static void
test_note_vectors(void **state)
{
    static const struct {
        const char *name;
        enum ld_rc rc;
    } want[] = {
        {"C2SP signed-note spec example", LD_OK},
        {"C2SP example with one text byte changed", LD_BADSIG},
        {"C2SP example checked against an unrelated trusted key (no trusted signature present)",
         LD_WRONGKEY},
        {"Go x/mod sumdb/note doc example", LD_OK},
        {"Go example plus a second signature by an unknown key (ignored)", LD_OK},
        {"Go example with ASCII '-' instead of U+2014 em dash", LD_PARSE},
        {"Go example without the blank separator line", LD_PARSE},
    };
    cJSON *root = load_json("signed-note/signed_note_vectors.json");
    const cJSON *note;
    struct ld_sig_pub keys[4];
    size_t n = 0, nk, tlen, ver;
    const char *text, *expect;
    struct ld_err err;
    enum ld_rc rc;

    (void)state;
    cJSON_ArrayForEach(note, field(root, "notes"))
    {
        assert_true(n < sizeof want / sizeof want[0]);
        assert_string_equal(str(note, "name"), want[n].name);
        nk = parse_vkeys(field(note, "vkeys"), keys, 4);
        text = str(note, "note");
        expect = str(note, "expect");
        ld_err_clear(&err);
        tlen = ver = 12345;
        rc = ld_sig_note_open(text, strlen(text), keys, nk, &tlen, &ver, &err);
        assert_int_equal(rc, want[n].rc);
        assert_int_equal(err.rc, rc);
        if (strcmp(expect, "valid") == 0) {
            assert_int_equal(rc, LD_OK);
            assert_int_equal(ver, 1);
            assert_true(tlen > 0 && tlen < strlen(text));
            assert_int_equal(text[tlen - 1], '\n');
            assert_int_equal(text[tlen], '\n');
            assert_memory_equal(text + tlen + 1, EM_DASH " ", 4);
        } else {
            assert_string_equal(expect, "invalid");
            assert_int_not_equal(rc, LD_OK);
            assert_int_equal(tlen, 12345); /* out-params untouched */
            assert_int_equal(ver, 12345);
            assert_true(err.msg[0] != '\0');
        }
        n++;
    }
    assert_int_equal(n, 7);
    cJSON_Delete(root);
}

static void
test_golden_checkpoints(void **state)
{
    cJSON *root = load_json("signed-note/signed_note_vectors.json");
    const cJSON *g = field(root, "golden_checkpoints"), *cp;
    struct ld_sig_secret *s = golden_secret(g);
    struct ld_sig_pub pub;
    const char *text, *want;
    size_t n = 0, tlen = 0, ver = 0;
    char *got = NULL, *body;

    (void)state;
    assert_int_equal(ld_sig_vkey_parse(str(g, "vkey"), strlen(str(g, "vkey")), &pub), LD_OK);
    cJSON_ArrayForEach(cp, field(g, "checkpoints"))
    {
        text = str(cp, "text");
        want = str(cp, "signed_note");
        /* C2SP tlog-checkpoint body: ORIGIN\nSIZE\nROOT\n */
        body = ld_xasprintf("%s\n%d\n%s\n", str(g, "key_name"), field(cp, "tree_size")->valueint,
                            str(cp, "root_b64"));
        assert_string_equal(body, text);
        assert_int_equal(ld_sig_note_sign(text, strlen(text), s, &got), LD_OK);
        assert_string_equal(got, want);
        assert_int_equal(ld_sig_note_open(got, strlen(got), &pub, 1, &tlen, &ver, NULL), LD_OK);
        assert_int_equal(tlen, strlen(text));
        assert_int_equal(ver, 1);
        free(got);
        free(body);
        n++;
    }
    assert_int_equal(n, 4);
    ld_sig_secret_free(s);
    cJSON_Delete(root);
}

static void
test_note_sign_refuses(void **state)
{
    static const struct {
        const char *text;
        size_t len;
    } bad[] = {
        {"", 0},         {"no newline", 10}, {"tab\there\n", 10}, {"cr\r\n", 4},
        {"nul\0x\n", 6}, {"\xff\n", 2},      {"\xc0\x80\n", 3},   {"\xed\xa0\x80\n", 4},
        {"\x1b[0m\n", 5}, {"us\x1f\n", 4},
    };
    struct ld_sig_secret *s = secret_of("note-test", 3);
    struct ld_sig_pub pub;
    char *out = (char *)"untouched";
    size_t i, tlen = 0, ver = 0;

    (void)state;
    ld_sig_secret_pub(s, &pub);
    for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(ld_sig_note_sign(bad[i].text, bad[i].len, s, &out), LD_INVALID);
        assert_string_equal(out, "untouched");
    }
    /* Acceptable: a bare newline, blank lines inside, trailing blank line, UTF-8, DEL. */
    {
        static const char *const good[] = {"\n", "a\n\nb\n", "a\n\n", "联单 2026\n",
                                           "del\x7f\n", EM_DASH " fake sig line\n"};

        for (i = 0; i < sizeof good / sizeof good[0]; i++) {
            assert_int_equal(ld_sig_note_sign(good[i], strlen(good[i]), s, &out), LD_OK);
            assert_int_equal(ld_sig_note_open(out, strlen(out), &pub, 1, &tlen, &ver, NULL),
                             LD_OK);
            assert_int_equal(tlen, strlen(good[i]));
            assert_memory_equal(out, good[i], tlen);
            free(out);
        }
    }
    ld_sig_secret_free(s);
}

/* Signature line of s over text (without the note around it); caller frees. */
static char *
sig_line(const struct ld_sig_secret *s, const char *text)
{
    char *note = NULL, *line;

    assert_int_equal(ld_sig_note_sign(text, strlen(text), s, &note), LD_OK);
    line = ld_xstrdup(note + strlen(text) + 1);
    free(note);
    return line;
}

static void
test_note_open_cases(void **state)
{
    static const char text[] = "example.org/log\n42\nroot\n";
    struct ld_sig_secret *a = secret_of("a.example", 1), *b = secret_of("b.example", 2);
    struct ld_sig_secret *a2 = secret_of("a.example", 9); /* same name, other key */
    struct ld_sig_pub keys[2];
    char *la = sig_line(a, text), *lb = sig_line(b, text), *la2 = sig_line(a2, text);
    char *lother = sig_line(b, "other text\n");
    char *bad;
    struct ld_buf n = LD_BUF_INIT;
    struct ld_err err;
    size_t tlen = 0, ver = 0, i;

    (void)state;
    ld_sig_secret_pub(a, &keys[0]);
    ld_sig_secret_pub(b, &keys[1]);

#define NOTE(...)                                                                                 \
    do {                                                                                          \
        const char *parts_[] = {__VA_ARGS__};                                                     \
        size_t k_;                                                                                \
        ld_buf_reset(&n);                                                                         \
        ld_buf_adds(&n, text);                                                                    \
        ld_buf_addc(&n, '\n');                                                                    \
        for (k_ = 0; k_ < sizeof parts_ / sizeof parts_[0]; k_++)                                 \
            ld_buf_adds(&n, parts_[k_]);                                                          \
    } while (0)
#define OPEN(nk) ld_sig_note_open(n.data, n.len, keys, (nk), &tlen, &ver, NULL)

    /* Two known signers: both counted; order does not matter. */
    NOTE(la, lb);
    assert_int_equal(OPEN(2), LD_OK);
    assert_int_equal(ver, 2);
    NOTE(lb, la);
    assert_int_equal(OPEN(2), LD_OK);
    assert_int_equal(ver, 2);
    /* Only a is trusted: b's signature is ignored. */
    NOTE(lb, la);
    assert_int_equal(OPEN(1), LD_OK);
    assert_int_equal(ver, 1);
    /* A repeated signer counts once (x/mod drops repeats). */
    NOTE(la, la);
    assert_int_equal(OPEN(2), LD_OK);
    assert_int_equal(ver, 1);
    /* Same name, different key: key hash differs, so it is an unknown signer. */
    NOTE(la2);
    assert_int_equal(OPEN(2), LD_WRONGKEY);
    NOTE(la2, la);
    assert_int_equal(OPEN(2), LD_OK);
    assert_int_equal(ver, 1);
    /* No trusted keys at all. */
    NOTE(la);
    assert_int_equal(ld_sig_note_open(n.data, n.len, NULL, 0, &tlen, &ver, NULL), LD_WRONGKEY);
    /* A known key's bad signature fails even when another known key verifies. */
    bad = ld_xasprintf(EM_DASH " b.example %.8s%s", lb + strlen(EM_DASH " b.example "),
                       lother + strlen(EM_DASH " b.example ") + 8);
    NOTE(la, bad);
    ld_err_clear(&err);
    assert_int_equal(ld_sig_note_open(n.data, n.len, keys, 2, &tlen, &ver, &err), LD_BADSIG);
    assert_int_equal(err.rc, LD_BADSIG);
    assert_non_null(strstr(err.msg, "'b.example'"));
    free(bad);
    /* A known key with a short signature: bad signature, not malformed (x/mod). */
    bad = ld_xasprintf(EM_DASH " a.example %.8sAAAA\n", la + strlen(EM_DASH " a.example "));
    NOTE(bad);
    assert_int_equal(OPEN(2), LD_BADSIG);
    free(bad);
    /* Unknown signers may use any blob of at least 5 bytes (e.g. cosignatures). */
    {
        uint8_t cosig[4 + 8 + 64]; /* C2SP tlog-cosignature: keyhash, timestamp, signature */
        char b64[LD_ENC_B64_LEN(sizeof cosig)], *wline;

        memset(cosig, 0x5a, sizeof cosig);
        wline = ld_xasprintf(EM_DASH " witness.example %s\n", ld_enc_b64(cosig, sizeof cosig, b64));
        NOTE(wline, la);
        assert_int_equal(OPEN(2), LD_OK);
        free(wline);
    }
    NOTE(EM_DASH " witness.example AAAAAAY=\n", la);
    assert_int_equal(OPEN(2), LD_OK);
    NOTE(EM_DASH " witness.example AAAAAA==\n", la); /* 4 bytes: too short */
    assert_int_equal(OPEN(2), LD_PARSE);

    /* Malformed signature blocks. */
    {
        static const char *const malformed[] = {
            EM_DASH " a.example\n",                    /* no signature */
            EM_DASH " a.example \n",                   /* empty signature */
            EM_DASH "  a.example AAAAAAY=\n",          /* empty name */
            EM_DASH " a+b AAAAAAY=\n",                 /* '+' in name */
            EM_DASH " a.example AAAAAAY\n",            /* bad base64 */
            EM_DASH " a.example AAAAAAY= \n",          /* trailing space */
            EM_DASH "a.example AAAAAAY=\n",            /* no space after dash */
            "-- a.example AAAAAAY=\n",                 /* ASCII dashes */
            EM_DASH " a.example AAAAAAY=\r\n",         /* control character */
            EM_DASH " a.example AAAAAAY=",             /* no final newline */
            "\n",                                      /* two blank lines, then nothing */
        };

        for (i = 0; i < sizeof malformed / sizeof malformed[0]; i++) {
            NOTE(la, malformed[i]);
            tlen = ver = 777;
            assert_int_equal(OPEN(2), LD_PARSE);
            assert_int_equal(tlen, 777);
            assert_int_equal(ver, 777);
        }
    }
    /* Nothing after the blank line; empty input; no blank line at all. */
    NOTE("");
    assert_int_equal(OPEN(2), LD_PARSE);
    assert_int_equal(ld_sig_note_open("", 0, keys, 2, &tlen, &ver, NULL), LD_PARSE);
    assert_int_equal(ld_sig_note_open(la, strlen(la), keys, 2, &tlen, &ver, NULL), LD_PARSE);
    /* A NUL or control character anywhere in the text. */
    NOTE(la);
    n.data[3] = '\0';
    assert_int_equal(OPEN(2), LD_PARSE);
    n.data[3] = '\t';
    assert_int_equal(OPEN(2), LD_PARSE);
    /* The text is signed, not the signature block: a flipped text bit fails. */
    NOTE(la);
    n.data[0] ^= 0x01;
    assert_int_equal(OPEN(2), LD_BADSIG);

    /* At most 100 signature lines (x/mod note.Open). */
    ld_buf_reset(&n);
    ld_buf_adds(&n, text);
    ld_buf_addc(&n, '\n');
    for (i = 0; i < 99; i++)
        ld_buf_adds(&n, EM_DASH " witness.example AAAAAAY=\n");
    ld_buf_adds(&n, la);
    assert_int_equal(OPEN(2), LD_OK);
    ld_buf_adds(&n, EM_DASH " witness.example AAAAAAY=\n");
    ld_err_clear(&err);
    assert_int_equal(ld_sig_note_open(n.data, n.len, keys, 2, &tlen, &ver, &err), LD_PARSE);
    assert_non_null(strstr(err.msg, "100"));

    /* NULL out-parameters are allowed. */
    NOTE(la);
    assert_int_equal(ld_sig_note_open(n.data, n.len, keys, 2, NULL, NULL, NULL), LD_OK);
#undef NOTE
#undef OPEN

    ld_buf_release(&n);
    free(la);
    free(lb);
    free(la2);
    free(lother);
    ld_sig_secret_free(a);
    ld_sig_secret_free(b);
    ld_sig_secret_free(a2);
}

/* ---- secret key files ---- */

static void
same_key(const struct ld_sig_secret *x, const struct ld_sig_secret *y)
{
    struct ld_sig_pub px, py;
    uint8_t sx[64], sy[64];

    ld_sig_secret_pub(x, &px);
    ld_sig_secret_pub(y, &py);
    assert_memory_equal(&px, &py, sizeof px);
    ld_sig_sign(x, LD_SIG_PURPOSE_EVENT, "m", 1, sx);
    ld_sig_sign(y, LD_SIG_PURPOSE_EVENT, "m", 1, sy);
    assert_memory_equal(sx, sy, 64);
}

/* Every proper prefix of a key file is LD_PARSE, without running the KDF. */
static void
check_prefixes(const char *text)
{
    struct ld_sig_secret *t = NULL;
    struct ld_err err;
    size_t i, len = strlen(text);

    for (i = 0; i < len; i++) {
        ld_err_clear(&err);
        assert_int_equal(ld_sig_secret_import(text, i, "pass", &t, &err), LD_PARSE);
        assert_null(t);
        assert_int_equal(err.rc, LD_PARSE);
        assert_int_equal(ld_sig_secret_encrypted(text, i), -1);
    }
}

/* Import text with a replaced line (prefix up to and including "key: "). */
static enum ld_rc
import_edited(const char *text, const char *key, const char *value, const char *pass,
              struct ld_err *err)
{
    struct ld_sig_secret *t = NULL;
    struct ld_buf b = LD_BUF_INIT;
    const char *p = strstr(text, key), *nl;
    enum ld_rc rc;

    assert_non_null(p);
    nl = strchr(p, '\n');
    assert_non_null(nl);
    ld_buf_add(&b, text, (size_t)(p - text));
    ld_buf_adds(&b, key);
    ld_buf_adds(&b, value);
    ld_buf_adds(&b, nl);
    ld_err_clear(err);
    rc = ld_sig_secret_import(b.data, b.len, pass, &t, err);
    ld_sig_secret_free(t);
    ld_buf_release(&b);
    return rc;
}

static void
test_keyfile_clear(void **state)
{
    struct ld_sig_secret *s = secret_of("example.org/clear", 5), *t = NULL;
    struct ld_err err;
    char *text = NULL, *more;
    char want[256], b64[LD_ENC_B64_LEN(32)];
    uint8_t seed[32];

    (void)state;
    assert_int_equal(ld_sig_secret_export(s, NULL, &text), LD_OK);
    memset(seed, 5, 32);
    snprintf(want, sizeof want, MAGIC "\nname: example.org/clear\nkdf: none\nseed: %s\n",
             ld_enc_b64(seed, 32, b64));
    assert_string_equal(text, want);
    assert_int_equal(ld_sig_secret_encrypted(text, strlen(text)), 0);

    ld_err_clear(&err);
    assert_int_equal(ld_sig_secret_import(text, strlen(text), NULL, &t, &err), LD_OK);
    assert_int_equal(err.rc, LD_OK);
    same_key(s, t);
    ld_sig_secret_free(t);
    t = NULL;
    /* A passphrase for a clear file is not needed and does no harm. */
    assert_int_equal(ld_sig_secret_import(text, strlen(text), "unused", &t, NULL), LD_OK);
    same_key(s, t);
    ld_sig_secret_free(t);
    t = NULL;

    check_prefixes(text);
    /* Nothing may follow the seed line. */
    more = ld_xasprintf("%s\n", text);
    assert_int_equal(ld_sig_secret_import(more, strlen(more), NULL, &t, NULL), LD_PARSE);
    free(more);
    /* Length-bounded: bytes past len are not read. */
    more = ld_xasprintf("%sgarbage", text);
    assert_int_equal(ld_sig_secret_import(more, strlen(text), NULL, &t, NULL), LD_OK);
    ld_sig_secret_free(t);
    t = NULL;
    free(more);

    assert_int_equal(import_edited(text, "seed: ", "AAAA", NULL, &err), LD_INVALID);
    assert_string_equal(err.field, "seed");
    assert_int_equal(import_edited(text, "seed: ", "AAA", NULL, &err), LD_PARSE);
    assert_int_equal(import_edited(text, "seed: ", "", NULL, &err), LD_INVALID);
    assert_int_equal(import_edited(text, "seed: ", "BQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUF",
                                   NULL, &err),
                     LD_INVALID); /* 33 bytes */
    assert_int_equal(import_edited(text, "name: ", "bad name", NULL, &err), LD_INVALID);
    assert_int_equal(import_edited(text, "name: ", "", NULL, &err), LD_INVALID);
    assert_int_equal(import_edited(text, "kdf: ", "scrypt", NULL, &err), LD_PARSE);
    assert_non_null(strstr(err.msg, "'scrypt'"));
    assert_int_equal(import_edited(text, "kdf: ", "none ", NULL, &err), LD_PARSE);

    free(text);
    ld_sig_secret_free(s);
}

static void
test_keyfile_garbage(void **state)
{
    static const char *const bad[] = {
        "",
        "hello\n",
        "liandan secret" " key\n", /* split: a hook greps for the phrase */
        MAGIC,                    /* no newline */
        MAGIC "\n",               /* nothing else */
        MAGIC "x\nname: a\nkdf: none\nseed: AAAA\n",
        MAGIC " \nname: a\nkdf: none\nseed: AAAA\n",
        MAGIC "\r\nname: a\nkdf: none\nseed: AAAA\n",
        MAGIC "\nName: a\nkdf: none\nseed: AAAA\n",
        MAGIC "\nname:a\nkdf: none\nseed: AAAA\n",
        MAGIC "\nkdf: none\nname: a\nseed: AAAA\n",
        MAGIC "\nname: a\nseed: AAAA\n",
        MAGIC "\nname: a\nkdf: none\nsalt: AAAA\nseed: AAAA\n",
        "-----BEGIN PRIVATE" " KEY-----\n" /* split for the secret scan */ "MC4CAQAwBQYDK2VwBCIEIA==\n-----END PRIVATE KEY-----\n",
    };
    struct ld_sig_secret *t = NULL;
    struct ld_err err;
    size_t i;
    char *v2;

    (void)state;
    for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        ld_err_clear(&err);
        assert_int_equal(ld_sig_secret_import(bad[i], strlen(bad[i]), "x", &t, &err), LD_PARSE);
        assert_null(t);
        assert_true(err.msg[0] != '\0');
        assert_int_equal(ld_sig_secret_encrypted(bad[i], strlen(bad[i])), -1);
    }
    assert_int_equal(ld_sig_secret_import(NULL, 0, NULL, &t, NULL), LD_PARSE);
    /* A later version is refused by name. */
    v2 = ld_xasprintf("%.*s2\nname: a\nkdf: none\nseed: AAAA\n", (int)strlen(MAGIC) - 1, MAGIC);
    ld_err_clear(&err);
    assert_int_equal(ld_sig_secret_import(v2, strlen(v2), NULL, &t, &err), LD_PARSE);
    assert_non_null(strstr(err.msg, "version"));
    free(v2);
}

/* Four crypto_pwhash runs at INTERACTIVE cost in all (~0.1 s and 64 MiB each). */
static void
test_keyfile_sealed(void **state)
{
    static const char pass[] = "correct horse battery staple";
    struct ld_sig_secret *s = NULL, *t = NULL;
    struct ld_err err;
    char *text = NULL, *p, *tampered, kdf[64];
    size_t len;

    (void)state;
    assert_int_equal(ld_sig_keygen("example.org/sealed", &s), LD_OK);
    assert_int_equal(ld_sig_secret_export(s, pass, &text), LD_OK); /* pwhash 1 */
    len = strlen(text);
    {
        static const char head[] = MAGIC "\nname: example.org/sealed\nkdf: argon2id ";

        assert_memory_equal(text, head, strlen(head));
    }
    snprintf(kdf, sizeof kdf, "kdf: argon2id %llu %llu\n",
             (unsigned long long)crypto_pwhash_argon2id_OPSLIMIT_INTERACTIVE,
             (unsigned long long)crypto_pwhash_argon2id_MEMLIMIT_INTERACTIVE);
    assert_non_null(strstr(text, kdf));
    assert_non_null(strstr(text, "\nsalt: "));
    assert_non_null(strstr(text, "\nnonce: "));
    assert_int_equal(text[len - 1], '\n');
    assert_int_equal(ld_sig_secret_encrypted(text, len), 1);

    /* No passphrase: refused before any KDF work, with a message saying why. */
    ld_err_clear(&err);
    assert_int_equal(ld_sig_secret_import(text, len, NULL, &t, &err), LD_WRONGKEY);
    assert_null(t);
    assert_non_null(strstr(err.msg, "passphrase"));

    ld_err_clear(&err);
    assert_int_equal(ld_sig_secret_import(text, len, pass, &t, &err), LD_OK); /* pwhash 2 */
    same_key(s, t);
    ld_sig_secret_free(t);
    t = NULL;

    ld_err_clear(&err);
    assert_int_equal(ld_sig_secret_import(text, len, "Correct horse battery staple", &t, &err),
                     LD_WRONGKEY); /* pwhash 3 */
    assert_null(t);
    assert_int_equal(err.rc, LD_WRONGKEY);
    assert_true(err.msg[0] != '\0');

    /* One flipped byte of the sealed seed: the box does not open. */
    tampered = ld_xstrdup(text);
    p = strstr(tampered, "\nseed: ") + 7 + 10;
    *p = *p == 'A' ? 'B' : 'A';
    assert_int_equal(ld_sig_secret_import(tampered, len, pass, &t, NULL), LD_WRONGKEY); /* 4 */
    assert_null(t);
    free(tampered);

    /* Truncations and absurd costs fail in parsing, before the KDF. */
    check_prefixes(text);
    assert_int_equal(import_edited(text, "kdf: ", "argon2id 2 2147483648", pass, &err),
                     LD_INVALID);
    assert_string_equal(err.field, "kdf");
    assert_int_equal(import_edited(text, "kdf: ", "argon2id 2 1073741825", pass, &err),
                     LD_INVALID);
    assert_int_equal(import_edited(text, "kdf: ", "argon2id 0 67108864", pass, &err),
                     LD_INVALID);
    assert_int_equal(import_edited(text, "kdf: ", "argon2id 1000 67108864", pass, &err),
                     LD_INVALID);
    assert_int_equal(import_edited(text, "kdf: ", "argon2id 2 1024", pass, &err), LD_INVALID);
    assert_int_equal(import_edited(text, "kdf: ", "argon2id 2", pass, &err), LD_PARSE);
    assert_int_equal(import_edited(text, "kdf: ", "argon2id 02 67108864", pass, &err), LD_PARSE);
    assert_int_equal(import_edited(text, "kdf: ", "argon2id -2 67108864", pass, &err), LD_PARSE);
    assert_int_equal(import_edited(text, "kdf: ", "argon2id 2 99999999999999999999", pass, &err),
                     LD_PARSE);
    assert_int_equal(import_edited(text, "kdf: ", "argon2id 2  67108864", pass, &err), LD_PARSE);
    assert_int_equal(import_edited(text, "salt: ", "AAAA", pass, &err), LD_INVALID);
    assert_int_equal(import_edited(text, "nonce: ", "AAAA", pass, &err), LD_INVALID);
    assert_int_equal(import_edited(text, "seed: ", "AAAA", pass, &err), LD_INVALID);
    assert_int_equal(import_edited(text, "salt: ", "!!!!", pass, &err), LD_PARSE);

    free(text);
    ld_sig_secret_free(s);
}

/* A file written with other (cheap) Argon2id costs: import honours the recorded ones. */
static void
test_keyfile_recorded_cost(void **state)
{
    static const char pass[] = "pw";
    uint8_t seed[32], salt[16], nonce[24], key[32], box[48];
    char bs[LD_ENC_B64_LEN(16)], bn[LD_ENC_B64_LEN(24)], bb[LD_ENC_B64_LEN(48)];
    struct ld_sig_secret *s = NULL, *t = NULL;
    char *text;

    (void)state;
    memset(seed, 0x42, sizeof seed);
    memset(salt, 0x01, sizeof salt);
    memset(nonce, 0x02, sizeof nonce);
    assert_int_equal(crypto_pwhash(key, sizeof key, pass, strlen(pass), salt, 1, 8192,
                                   crypto_pwhash_ALG_ARGON2ID13),
                     0);
    crypto_secretbox_easy(box, seed, sizeof seed, nonce, key);
    text = ld_xasprintf(MAGIC "\nname: cheap\nkdf: argon2id 1 8192\nsalt: %s\nnonce: %s\n"
                              "seed: %s\n",
                        ld_enc_b64(salt, 16, bs), ld_enc_b64(nonce, 24, bn),
                        ld_enc_b64(box, 48, bb));
    assert_int_equal(ld_sig_secret_import(text, strlen(text), pass, &t, NULL), LD_OK);
    assert_int_equal(ld_sig_secret_from_seed("cheap", seed, &s), LD_OK);
    same_key(s, t);
    ld_sig_secret_free(t);
    t = NULL;
    assert_int_equal(ld_sig_secret_import(text, strlen(text), "pW", &t, NULL), LD_WRONGKEY);
    assert_null(t);
    free(text);
    ld_sig_secret_free(s);
}

static int
setup(void **state)
{
    (void)state;
    return ld_sig_init() == LD_OK && ld_sig_init() == LD_OK ? 0 : -1;
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_name_ok),
        cmocka_unit_test(test_golden_key),
        cmocka_unit_test(test_vkey_roundtrip),
        cmocka_unit_test(test_vkey_malformed),
        cmocka_unit_test(test_keygen),
        cmocka_unit_test(test_rfc8032),
        cmocka_unit_test(test_sign_input),
        cmocka_unit_test(test_wycheproof),
        cmocka_unit_test(test_purpose),
        cmocka_unit_test(test_note_vectors),
        cmocka_unit_test(test_golden_checkpoints),
        cmocka_unit_test(test_note_sign_refuses),
        cmocka_unit_test(test_note_open_cases),
        cmocka_unit_test(test_keyfile_clear),
        cmocka_unit_test(test_keyfile_garbage),
        cmocka_unit_test(test_keyfile_sealed),
        cmocka_unit_test(test_keyfile_recorded_cost),
    };

    return cmocka_run_group_tests_name("sig", tests, setup, NULL);
}
