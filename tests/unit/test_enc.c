/*
 * test_enc.c - base64 (RFC 4648 §4, padded, strict) and hex (src/enc.c):
 * the RFC 4648 §10 test vectors both ways, and every strictness rule of
 * ld_enc_unb64 (padding, non-zero unused bits, whitespace, length, alphabet)
 * on both of its re-encoding paths (up to 96 bytes on the stack, longer on
 * the heap). Hex is written lowercase and read in either case.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "liandan/enc.h"

/* SPEC: RFC 4648 §10 test vectors. */
static const struct {
    const char *bin, *b64, *b16;
} rfc4648[] = {
    {"", "", ""},
    {"f", "Zg==", "66"},
    {"fo", "Zm8=", "666F"},
    {"foo", "Zm9v", "666F6F"},
    {"foob", "Zm9vYg==", "666F6F62"},
    {"fooba", "Zm9vYmE=", "666F6F6261"},
    {"foobar", "Zm9vYmFy", "666F6F626172"},
};
#define NVEC (sizeof rfc4648 / sizeof *rfc4648)

static enum ld_rc
unb64(const char *text, uint8_t *out, size_t cap, size_t *n)
{
    return ld_enc_unb64(text, strlen(text), out, cap, n);
}

static void
test_b64_len_macro(void **state)
{
    (void)state;
    assert_int_equal(LD_ENC_B64_LEN(0), 1);
    assert_int_equal(LD_ENC_B64_LEN(1), 5);
    assert_int_equal(LD_ENC_B64_LEN(2), 5);
    assert_int_equal(LD_ENC_B64_LEN(3), 5);
    assert_int_equal(LD_ENC_B64_LEN(4), 9);
    assert_int_equal(LD_ENC_B64_LEN(32), 45);
    assert_int_equal(LD_ENC_B64_LEN(64), 89);
}

static void
test_b64_vectors_encode(void **state)
{
    char out[16], *dup;
    size_t i;

    (void)state;
    for (i = 0; i < NVEC; i++) {
        size_t n = strlen(rfc4648[i].bin);
        memset(out, 'x', sizeof out);
        assert_ptr_equal(ld_enc_b64(rfc4648[i].bin, n, out), out);
        assert_string_equal(out, rfc4648[i].b64);
        assert_int_equal(strlen(out) + 1, LD_ENC_B64_LEN(n));
        dup = ld_enc_b64_dup(rfc4648[i].bin, n);
        assert_string_equal(dup, rfc4648[i].b64);
        free(dup);
    }
}

static void
test_b64_vectors_decode(void **state)
{
    uint8_t out[16];
    size_t i, n;

    (void)state;
    for (i = 0; i < NVEC; i++) {
        n = 999;
        memset(out, 0xee, sizeof out);
        assert_int_equal(unb64(rfc4648[i].b64, out, sizeof out, &n), LD_OK);
        assert_int_equal(n, strlen(rfc4648[i].bin));
        if (n)
            assert_memory_equal(out, rfc4648[i].bin, n);
        /* Capacity exactly the decoded size is enough. */
        assert_int_equal(unb64(rfc4648[i].b64, out, strlen(rfc4648[i].bin), &n), LD_OK);
    }
}

/* Padding is required, and only at the end, and only as much as needed. */
static void
test_b64_padding(void **state)
{
    static const char *const bad[] = {
        "Zg",       /* missing padding */
        "Zg=",      /* short padding */
        "Zm8",      /* missing padding */
        "Zg===",    /* too much padding */
        "Zm9v====", /* a whole block of padding */
        "Zm9v=",    /* padding after a full block */
        "Zg==Zg==", /* padding in the middle */
        "Z===",     /* one character cannot make a byte */
        "====",     /* padding only */
        "=Zg=",     /* padding first */
        "Zm=v",     /* padding inside a block */
    };
    uint8_t out[16];
    size_t i, n;

    (void)state;
    for (i = 0; i < sizeof bad / sizeof *bad; i++) {
        n = 12345;
        assert_int_equal(unb64(bad[i], out, sizeof out, &n), LD_PARSE);
        assert_int_equal(n, 12345); /* out_len untouched on failure */
    }
}

/* Each byte string has exactly one base64 form: unused bits must be zero. */
static void
test_b64_trailing_bits(void **state)
{
    static const char *const bad[] = {
        "Zh==",             /* 'f' with the low bits of 'h' set (canonical "Zg==") */
        "Zv==",     "Zm9=", /* "fo" is "Zm8=" */
        "Zm9vYh==", "Zm9vYmF=", "XX==", "AB==", "AAB=",
    };
    uint8_t out[16];
    size_t i, n;

    (void)state;
    for (i = 0; i < sizeof bad / sizeof *bad; i++)
        assert_int_equal(unb64(bad[i], out, sizeof out, &n), LD_PARSE);
    /* The canonical neighbours decode. */
    assert_int_equal(unb64("AA==", out, sizeof out, &n), LD_OK);
    assert_int_equal(n, 1);
    assert_int_equal(out[0], 0);
    assert_int_equal(unb64("AAA=", out, sizeof out, &n), LD_OK);
    assert_int_equal(n, 2);
}

static void
test_b64_whitespace_and_alphabet(void **state)
{
    static const char *const bad[] = {
        " Zm9v",    "Zm9v ",  "Zm 9v",       "Zm9v\n", "Zm\n9v",
        "Zm9v\r\n", "\tZm9v", "Zm-v",        "Zm_v", /* URL-safe alphabet */
        "Zm9*",     "Zm9.",   "Zm9\xc3\xa9",
    };
    uint8_t out[16];
    size_t i, n;

    (void)state;
    for (i = 0; i < sizeof bad / sizeof *bad; i++)
        assert_int_equal(unb64(bad[i], out, sizeof out, &n), LD_PARSE);
    /* A NUL inside the counted length is garbage too. */
    assert_int_equal(ld_enc_unb64("Zm9v\0\0\0\0", 8, out, sizeof out, &n), LD_PARSE);
    assert_int_equal(ld_enc_unb64("Zm\0v", 4, out, sizeof out, &n), LD_PARSE);
}

/* Exactly len characters are decoded; len must be a multiple of 4; the
 * result must fit in cap. */
static void
test_b64_length(void **state)
{
    uint8_t out[16];
    size_t n = 0;

    (void)state;
    /* Only the first len characters count. */
    assert_int_equal(ld_enc_unb64("Zm9vYmFy", 4, out, sizeof out, &n), LD_OK);
    assert_int_equal(n, 3);
    assert_memory_equal(out, "foo", 3);
    /* Not a multiple of 4: trailing garbage after a complete block. */
    assert_int_equal(ld_enc_unb64("Zm9vY", 5, out, sizeof out, &n), LD_PARSE);
    assert_int_equal(ld_enc_unb64("Zm9vYm", 6, out, sizeof out, &n), LD_PARSE);
    assert_int_equal(ld_enc_unb64("Zm9vYmF", 7, out, sizeof out, &n), LD_PARSE);
    /* Empty input is the empty string. */
    n = 7;
    assert_int_equal(ld_enc_unb64("", 0, out, sizeof out, &n), LD_OK);
    assert_int_equal(n, 0);
    /* Longer than cap. */
    assert_int_equal(ld_enc_unb64("Zm9vYmFy", 8, out, 5, &n), LD_PARSE);
    assert_int_equal(ld_enc_unb64("Zm9vYg==", 8, out, 3, &n), LD_PARSE);
    assert_int_equal(ld_enc_unb64("Zm9vYg==", 8, out, 4, &n), LD_OK);
    assert_int_equal(n, 4);
}

/* Round trips at every length around the 96-byte stack/heap switch, and the
 * strictness of the heap path. */
static void
test_b64_roundtrip_long(void **state)
{
    uint8_t bin[300], out[300];
    char *text;
    size_t len, n, tl, i;

    (void)state;
    for (i = 0; i < sizeof bin; i++)
        bin[i] = (uint8_t)(i * 37 + 11);
    for (len = 0; len <= sizeof bin; len++) {
        text = ld_enc_b64_dup(bin, len);
        tl = strlen(text);
        assert_int_equal(tl, 4 * ((len + 2) / 3));
        n = 9999;
        assert_int_equal(ld_enc_unb64(text, tl, out, sizeof out, &n), LD_OK);
        assert_int_equal(n, len);
        if (len)
            assert_memory_equal(out, bin, len);
        if (len % 3 != 0) {
            /* Set an unused bit in the last data character. */
            char *p = strchr(text, '=') - 1;
            const char *alpha = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
            size_t v = (size_t)(strchr(alpha, *p) - alpha);
            *p = alpha[v | 1];
            assert_int_equal(ld_enc_unb64(text, tl, out, sizeof out, &n), LD_PARSE);
        }
        if (tl) {
            /* Whitespace inserted anywhere is refused at every length. */
            char *sp = malloc(tl + 5);
            memcpy(sp, text, tl / 2);
            memcpy(sp + tl / 2, "\n   ", 4);
            memcpy(sp + tl / 2 + 4, text + tl / 2, tl - tl / 2);
            assert_int_equal(ld_enc_unb64(sp, tl + 4, out, sizeof out, &n), LD_PARSE);
            free(sp);
        }
        free(text);
    }
}

static void
test_hex_encode(void **state)
{
    char out[64];
    size_t i;

    (void)state;
    for (i = 0; i < NVEC; i++) {
        size_t n = strlen(rfc4648[i].bin), j;
        char lower[16];
        assert_ptr_equal(ld_enc_hex(rfc4648[i].bin, n, out), out);
        for (j = 0; rfc4648[i].b16[j]; j++)
            lower[j] =
                (char)(rfc4648[i].b16[j] >= 'A' ? rfc4648[i].b16[j] + 32 : rfc4648[i].b16[j]);
        lower[j] = '\0';
        assert_string_equal(out, lower);
    }
    {
        const uint8_t all[] = {0x00, 0x01, 0x9f, 0xa0, 0xab, 0xcd, 0xef, 0xff};
        assert_string_equal(ld_enc_hex(all, sizeof all, out), "00019fa0abcdefff");
    }
}

static void
test_hex_decode(void **state)
{
    uint8_t out[8];
    size_t i;

    (void)state;
    /* RFC 4648 §10 base16 is uppercase; lowercase and mixed case read too. */
    for (i = 1; i < NVEC; i++) {
        size_t n = strlen(rfc4648[i].bin);
        memset(out, 0, sizeof out);
        assert_int_equal(ld_enc_unhex(rfc4648[i].b16, 2 * n, out, n), LD_OK);
        assert_memory_equal(out, rfc4648[i].bin, n);
    }
    assert_int_equal(ld_enc_unhex("deadBEEF", 8, out, 4), LD_OK);
    assert_memory_equal(out, "\xde\xad\xbe\xef", 4);
    assert_int_equal(ld_enc_unhex("DeAdBeEf", 8, out, 4), LD_OK);
    assert_memory_equal(out, "\xde\xad\xbe\xef", 4);
    assert_int_equal(ld_enc_unhex("", 0, out, 0), LD_OK);
}

static void
test_hex_strict(void **state)
{
    uint8_t out[8];

    (void)state;
    /* Length must be exactly 2 * outlen. */
    assert_int_equal(ld_enc_unhex("abc", 3, out, 2), LD_PARSE);
    assert_int_equal(ld_enc_unhex("abcd", 4, out, 1), LD_PARSE);
    assert_int_equal(ld_enc_unhex("ab", 2, out, 2), LD_PARSE);
    assert_int_equal(ld_enc_unhex("abcdef", 6, out, 2), LD_PARSE);
    /* Non-hex characters, whitespace, separators, prefixes. */
    assert_int_equal(ld_enc_unhex("abcg", 4, out, 2), LD_PARSE);
    assert_int_equal(ld_enc_unhex("ab c", 4, out, 2), LD_PARSE);
    assert_int_equal(ld_enc_unhex(" abc", 4, out, 2), LD_PARSE);
    assert_int_equal(ld_enc_unhex("ab:c", 4, out, 2), LD_PARSE);
    assert_int_equal(ld_enc_unhex("0xab", 4, out, 2), LD_PARSE);
    assert_int_equal(ld_enc_unhex("ab\n\n", 4, out, 2), LD_PARSE);
    assert_int_equal(ld_enc_unhex("ab\0c", 4, out, 2), LD_PARSE);
    assert_int_equal(ld_enc_unhex("-1ab", 4, out, 2), LD_PARSE);
}

static void
test_hex_roundtrip(void **state)
{
    uint8_t bin[256], out[256];
    char text[513];
    size_t i;

    (void)state;
    for (i = 0; i < sizeof bin; i++)
        bin[i] = (uint8_t)i;
    ld_enc_hex(bin, sizeof bin, text);
    assert_int_equal(strlen(text), 512);
    for (i = 0; i < 512; i++)
        assert_true((text[i] >= '0' && text[i] <= '9') || (text[i] >= 'a' && text[i] <= 'f'));
    assert_int_equal(ld_enc_unhex(text, 512, out, sizeof out), LD_OK);
    assert_memory_equal(out, bin, sizeof bin);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_b64_len_macro),
        cmocka_unit_test(test_b64_vectors_encode),
        cmocka_unit_test(test_b64_vectors_decode),
        cmocka_unit_test(test_b64_padding),
        cmocka_unit_test(test_b64_trailing_bits),
        cmocka_unit_test(test_b64_whitespace_and_alphabet),
        cmocka_unit_test(test_b64_length),
        cmocka_unit_test(test_b64_roundtrip_long),
        cmocka_unit_test(test_hex_encode),
        cmocka_unit_test(test_hex_decode),
        cmocka_unit_test(test_hex_strict),
        cmocka_unit_test(test_hex_roundtrip),
    };
    return cmocka_run_group_tests_name("enc", tests, NULL, NULL);
}
