/*
 * enc.h - byte encodings used by the formats: base64 (RFC 4648 §4, padded,
 * strict) and hex (lowercase out, either case in). Thread safety: reentrant.
 */
#ifndef LIANDAN_ENC_H
#define LIANDAN_ENC_H

#include <stddef.h>
#include <stdint.h>

#include "liandan/err.h"

/* Characters needed to base64 len bytes, including the NUL. */
#define LD_ENC_B64_LEN(len) ((((len) + 2) / 3) * 4 + 1)

/* Base64 of bin into out (capacity LD_ENC_B64_LEN(len)); returns out. */
char *ld_enc_b64(const void *bin, size_t len, char *out);

/* Returns a new NUL-terminated base64 string; caller frees with free(). */
char *ld_enc_b64_dup(const void *bin, size_t len);

/*
 * Strict decode of exactly len characters: padding required, no whitespace,
 * no trailing garbage, non-zero unused bits refused.
 * [out] out: capacity cap bytes. [out] out_len: bytes written.
 * Returns LD_OK, or LD_PARSE (malformed or longer than cap).
 */
enum ld_rc ld_enc_unb64(const char *text, size_t len, uint8_t *out, size_t cap, size_t *out_len);

/* Lowercase hex of bin into out (capacity 2*len+1); returns out. */
char *ld_enc_hex(const void *bin, size_t len, char *out);

/* Decode exactly 2*outlen hex digits. Returns LD_OK or LD_PARSE. */
enum ld_rc ld_enc_unhex(const char *text, size_t len, uint8_t *out, size_t outlen);

#endif
