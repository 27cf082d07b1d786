/*
 * enc.c - base64 and hex (include/liandan/enc.h), on libsodium's constant-time
 * codecs. Strictness (padding, no ignored characters, canonical trailing bits)
 * matters: a signature or hash must have exactly one textual form.
 */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "liandan/enc.h"
#include "liandan/mem.h"
#include "liandan/banned.h"

char *
ld_enc_b64(const void *bin, size_t len, char *out)
{
    return sodium_bin2base64(out, LD_ENC_B64_LEN(len), bin, len, sodium_base64_VARIANT_ORIGINAL);
}

char *
ld_enc_b64_dup(const void *bin, size_t len)
{
    return ld_enc_b64(bin, len, ld_xmalloc(LD_ENC_B64_LEN(len)));
}

enum ld_rc
ld_enc_unb64(const char *text, size_t len, uint8_t *out, size_t cap, size_t *out_len)
{
    const char *end = NULL;
    size_t n = 0;
    char check[LD_ENC_B64_LEN(96)];

    if (len % 4 != 0)
        return LD_PARSE;
    if (sodium_base642bin(out, cap, text, len, NULL, &n, &end, sodium_base64_VARIANT_ORIGINAL) != 0)
        return LD_PARSE;
    if (end != text + len)
        return LD_PARSE;
    /* libsodium accepts non-zero padding bits; re-encode to refuse them. */
    if (n <= 96) {
        ld_enc_b64(out, n, check);
        if (strlen(check) != len || memcmp(check, text, len) != 0)
            return LD_PARSE;
    } else {
        char *again = ld_enc_b64_dup(out, n);
        int same = strlen(again) == len && memcmp(again, text, len) == 0;
        free(again);
        if (!same)
            return LD_PARSE;
    }
    *out_len = n;
    return LD_OK;
}

char *
ld_enc_hex(const void *bin, size_t len, char *out)
{
    return sodium_bin2hex(out, 2 * len + 1, bin, len);
}

enum ld_rc
ld_enc_unhex(const char *text, size_t len, uint8_t *out, size_t outlen)
{
    size_t n = 0;
    const char *end = NULL;

    if (len != 2 * outlen)
        return LD_PARSE;
    if (sodium_hex2bin(out, outlen, text, len, NULL, &n, &end) != 0 || n != outlen ||
        end != text + len)
        return LD_PARSE;
    return LD_OK;
}
