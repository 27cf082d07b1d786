/*
 * sig.h - Ed25519 keys and signatures (libsodium), verifier keys in C2SP
 * signed-note form, key ids, passphrase-encrypted secret key files, and C2SP
 * signed notes (checkpoints).
 *
 * SPEC: C2SP signed-note v1.0.0 (verifier keys "NAME+KEYHASH+BASE64(0x01||pub)",
 *       key hash = SHA-256(NAME || 0x0A || 0x01 || pub)[0:4], signature lines
 *       "\u2014 NAME BASE64(keyhash4 || sig64)\n"); RFC 8032 (Ed25519).
 * DESIGN.md §4.2: key id = lowercase hex of SHA-256(0x01 || pub)[0:16].
 *
 * Signed-message layout for liandan's own signatures (events, receipts, auth):
 *
 *   OFFSET  SIZE  FIELD
 *   0       P     purpose tag, ASCII, ends in '\n' (one of LD_SIG_PURPOSE_*)
 *   P       N     payload (canonical JSON bytes, RFC 8785)
 *
 * Signed notes are signed over the note text alone, as C2SP requires.
 *
 * Secret keys live only in sodium_malloc memory and are wiped on free.
 * Thread safety: functions are reentrant once sodium_init() has run
 * (ld_sig_init does it; call it once before threads start).
 */
#ifndef LIANDAN_SIG_H
#define LIANDAN_SIG_H

#include <stddef.h>
#include <stdint.h>

#include "liandan/err.h"

/* Every purpose tag liandan signs under (STYLE.md rule 9): one registry. */
#define LD_SIG_PURPOSE_EVENT "liandan/event/v1\n"     /* DESIGN.md §4.3 event envelope */
#define LD_SIG_PURPOSE_RECEIPT "liandan/receipt/v1\n" /* DESIGN.md §4.4 receipt */
#define LD_SIG_PURPOSE_AUTH "liandan/auth/v1\n"       /* HTTP challenge-response (issue 4) */

#define LD_SIG_PUB 32
#define LD_SIG_SIG 64
#define LD_SIG_KEYHASH 4
#define LD_SIG_KEYID_HEX 33 /* 32 hex digits + NUL */
#define LD_SIG_NAME_MAX 256 /* key name bytes incl. NUL */

/* A public key with its names. */
struct ld_sig_pub {
    char name[LD_SIG_NAME_MAX];      /* signed-note key name: printable, no space or '+' */
    uint8_t pk[LD_SIG_PUB];          /* raw Ed25519 public key */
    uint8_t keyhash[LD_SIG_KEYHASH]; /* C2SP key hash of (name, pk) */
    char keyid[LD_SIG_KEYID_HEX];    /* DESIGN.md §4.2 key id, lowercase hex */
};

/* An Ed25519 secret key with its name; opaque, allocated with sodium_malloc. */
struct ld_sig_secret;

/* Initialise libsodium. Returns LD_OK or LD_IO if sodium_init() fails. Idempotent. */
enum ld_rc ld_sig_init(void);

/* Key id of pk (DESIGN.md §4.2) as 32 lowercase hex digits + NUL. */
void ld_sig_keyid(const uint8_t pk[LD_SIG_PUB], char out[LD_SIG_KEYID_HEX]);

/* Is name a valid signed-note key name (non-empty, < LD_SIG_NAME_MAX, no
 * whitespace, no '+', printable UTF-8)? Returns 1 or 0. */
int ld_sig_name_ok(const char *name);

/*
 * Fill *out from name and pk (computes keyhash and keyid).
 * Returns LD_OK or LD_INVALID if the name is not a valid key name.
 */
enum ld_rc ld_sig_pub_make(const char *name, const uint8_t pk[LD_SIG_PUB], struct ld_sig_pub *out);

/*
 * Parse a verifier key line "NAME+KEYHASH+BASE64(0x01||pub32)" (surrounding
 * blanks and one trailing newline tolerated; KEYHASH in either case, base64
 * strict). Checks the name (ld_sig_name_ok), that KEYHASH matches, the
 * algorithm byte and the key length. Reads exactly len bytes.
 * Returns LD_OK, LD_PARSE (malformed, bad name, wrong key length),
 * LD_INVALID (hash mismatch, unknown algorithm). *out is set only on LD_OK.
 */
enum ld_rc ld_sig_vkey_parse(const char *text, size_t len, struct ld_sig_pub *out);

/* Format p as a verifier key line (no newline). Returns a new string; caller frees with free(). */
char *ld_sig_vkey_format(const struct ld_sig_pub *p);

/*
 * Generate a new key pair named name.
 * [out] out: new secret; caller frees with ld_sig_secret_free().
 * Returns LD_OK, LD_INVALID (bad name) or LD_NOMEM (sodium_malloc failed).
 */
enum ld_rc ld_sig_keygen(const char *name, struct ld_sig_secret **out);

/*
 * Make a secret from a 32-byte seed (RFC 8032 secret key), for tests and vectors.
 * Returns LD_OK, LD_INVALID (bad name) or LD_NOMEM (sodium_malloc failed).
 */
enum ld_rc ld_sig_secret_from_seed(const char *name, const uint8_t seed[32],
                                   struct ld_sig_secret **out);

/* Wipe and free; NULL is a no-op. */
void ld_sig_secret_free(struct ld_sig_secret *s);

/* The public half of s, with its names. */
void ld_sig_secret_pub(const struct ld_sig_secret *s, struct ld_sig_pub *out);

/*
 * Serialise s as the text of a secret key file. With passphrase == NULL the
 * seed is stored in clear (marked "kdf: none"); otherwise it is sealed with
 * XSalsa20-Poly1305 (crypto_secretbox) under a key from Argon2id
 * (crypto_pwhash, OPSLIMIT_INTERACTIVE / MEMLIMIT_INTERACTIVE, random salt).
 * File format (version 1, text, one "key: value" per line after the first):
 *
 *   <magic line, see sig.c>
 *   name: NAME
 *   kdf: argon2id OPSLIMIT MEMLIMIT | none
 *   salt: BASE64(16 bytes)            (argon2id only)
 *   nonce: BASE64(24 bytes)           (argon2id only)
 *   seed: BASE64(secretbox(seed32))   (or BASE64(seed32) with kdf none)
 *
 * Every line ends in '\n'; nothing follows the seed line.
 * [out] out: new NUL-terminated text; caller frees with free() (it holds the
 * secret in clear when passphrase is NULL: write it to a 0600 file, then free).
 * Returns LD_OK or LD_NOMEM (secure memory or Argon2id memory unavailable).
 */
enum ld_rc ld_sig_secret_export(const struct ld_sig_secret *s, const char *passphrase, char **out);

/*
 * Parse secret key file text (exactly len bytes). passphrase may be NULL for
 * an unencrypted file; it is ignored for one. The recorded Argon2id costs are
 * used, within 1 <= OPSLIMIT <= 32 and 8 KiB <= MEMLIMIT <= 1 GiB.
 * [out] out: new secret; caller frees with ld_sig_secret_free().
 * [out] err: may be NULL; field is the offending line's key ("kdf", "seed", ...).
 * Returns LD_OK; LD_PARSE (not a key file, unknown version or kdf, malformed
 * or truncated line, bad base64); LD_WRONGKEY (wrong or missing passphrase,
 * or a damaged sealed seed: the box does not open); LD_INVALID (bad name,
 * field sizes, KDF costs out of range); LD_NOMEM (no secure or Argon2id memory).
 */
enum ld_rc ld_sig_secret_import(const char *text, size_t len, const char *passphrase,
                                struct ld_sig_secret **out, struct ld_err *err);

/* Does the key file text need a passphrase? Returns 1 (encrypted), 0 (clear) or -1 (not a key file). */
int ld_sig_secret_encrypted(const char *text, size_t len);

/*
 * Sign purpose || msg (purpose may be NULL for none) with s.
 * [out] sig: 64 bytes.
 */
void ld_sig_sign(const struct ld_sig_secret *s, const char *purpose, const void *msg, size_t len,
                 uint8_t sig[LD_SIG_SIG]);

/*
 * Derive a 32-byte secret for context (a short ASCII label, e.g. "http-token")
 * from s: BLAKE2b-256 keyed with the key's seed over
 * "liandan/derive/v1\n" || context. The same key and context always give the
 * same bytes; no two contexts share them, and they reveal nothing of the seed.
 * [out] out: the secret (the caller wipes it).
 */
void ld_sig_secret_derive(const struct ld_sig_secret *s, const char *context, uint8_t out[32]);

/*
 * Verify sig over purpose || msg under pk. Strict libsodium verification
 * (canonical S, no small-order keys). Returns LD_OK or LD_BADSIG.
 */
enum ld_rc ld_sig_verify(const uint8_t pk[LD_SIG_PUB], const char *purpose, const void *msg,
                         size_t len, const uint8_t sig[LD_SIG_SIG]);

/*
 * Sign a note text (must be non-empty UTF-8 ending in '\n', no control
 * character but '\n') with s and return the whole signed note: text, a blank
 * line, one signature line. The signature is over the text bytes alone.
 * [out] out: new string; caller frees with free().
 * Returns LD_OK or LD_INVALID (text not acceptable as a note).
 */
enum ld_rc ld_sig_note_sign(const char *text, size_t len, const struct ld_sig_secret *s,
                            char **out);

/*
 * Open a signed note: split text and signatures, verify every signature made
 * by a key in known[] (matched by name and key hash), ignore signatures by
 * unknown keys.
 * Follows golang.org/x/mod/sumdb/note Open: split at the last "\n\n"; at most
 * 100 signature lines; a repeated signature by one known key is checked once;
 * an unknown signer's blob need only be base64 of at least 5 bytes.
 * [out] text_len: if non-NULL, length of the note text (it starts at note[0]
 * and ends with '\n').
 * [out] verified: if non-NULL, set to the number of known keys that verified.
 * Out-parameters are set only on LD_OK. err may be NULL.
 * Returns LD_OK if at least one known key verified and no known key's signature
 * failed; LD_PARSE (malformed note or signature line); LD_BADSIG (a known key's
 * signature is wrong, including one of the wrong length); LD_WRONGKEY (no
 * signature by any known key).
 */
enum ld_rc ld_sig_note_open(const char *note, size_t len, const struct ld_sig_pub *known,
                            size_t nknown, size_t *text_len, size_t *verified,
                            struct ld_err *err);

#endif
