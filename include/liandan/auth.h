/*
 * auth.h - password-less sign-in for the HTTP API (schema/api.md
 * "Authentication"): one-use challenges, and bearer tokens authenticated
 * with a key derived from the ledger key (so they survive a restart).
 *
 * The client proves it holds a certified key by signing
 *   LD_SIG_PURPOSE_AUTH || JCS({"key":KEYID,"nonce":NONCE,"origin":ORIGIN})
 * which ld_auth_message builds. Whether the key is certified, and for whom,
 * is the caller's business (it has the store); this module keeps nonces and
 * makes and checks tokens.
 *
 * Token layout (ASCII): KEYID "." EXP "." MAC, where EXP is the expiry in
 * decimal seconds since the epoch and MAC the lowercase hex of
 * BLAKE2b-256(key = mac_key, "liandan/token/v1\n" || KEYID "." EXP).
 *
 * Thread safety: every function may be called from any thread.
 */
#ifndef LIANDAN_AUTH_H
#define LIANDAN_AUTH_H

#include <stddef.h>
#include <stdint.h>

#include "liandan/err.h"

#define LD_AUTH_NONCE_HEX 65    /* 32 random bytes in hex, with NUL */
#define LD_AUTH_NONCE_TTL 120   /* seconds a challenge stays open */
#define LD_AUTH_TOKEN_MAX 128   /* bytes of a token, with NUL */

struct ld_auth;

/* Returns a new object; mac_key is copied. Caller frees with ld_auth_free(). */
struct ld_auth *ld_auth_new(const uint8_t mac_key[32]);
void ld_auth_free(struct ld_auth *a);

/* Open a challenge for keyid (32 hex) at now. [out] nonce, *expires. Returns
 * LD_OK, or LD_BUSY when too many challenges are open (the oldest expire). */
enum ld_rc ld_auth_challenge(struct ld_auth *a, const char *keyid, int64_t now,
                             char nonce[LD_AUTH_NONCE_HEX], int64_t *expires);

/* Close the challenge nonce for keyid: LD_OK once, when it is open, was made
 * for keyid and has not expired; LD_NOTFOUND otherwise (also on a second use). */
enum ld_rc ld_auth_consume(struct ld_auth *a, const char *keyid, const char *nonce, int64_t now);

/* The bytes the client signs, without the purpose tag (see above).
 * Returns a new string; caller frees with free(). *len set. */
char *ld_auth_message(const char *keyid, const char *nonce, const char *origin, size_t *len);

/* Make a token for keyid valid until exp. [out] out (LD_AUTH_TOKEN_MAX). */
void ld_auth_token(struct ld_auth *a, const char *keyid, int64_t exp, char out[LD_AUTH_TOKEN_MAX]);

/* Check a token at now. [out] keyid (33), *exp. Returns LD_OK, LD_PARSE (not a
 * token), LD_BADSIG (wrong MAC), LD_INVALID (expired). */
enum ld_rc ld_auth_token_check(struct ld_auth *a, const char *token, int64_t now, char keyid[33],
                               int64_t *exp);

#endif
