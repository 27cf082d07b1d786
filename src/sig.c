/*
 * sig.c - Ed25519 keys and signatures on libsodium (include/liandan/sig.h):
 * RFC 8032 Ed25519; C2SP signed-note v1.0.0 verifier keys, key hashes and
 * signed notes, with golang.org/x/mod/sumdb/note semantics for Open;
 * DESIGN.md §4.2 key ids and the passphrase-sealed secret key file
 * (Argon2id + XSalsa20-Poly1305), whose format is documented at export below.
 */
#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "liandan/buf.h"
#include "liandan/enc.h"
#include "liandan/err.h"
#include "liandan/mem.h"
#include "liandan/sig.h"
#include "liandan/banned.h"

/*
 * The first line of a secret key file. Built by concatenation so that the
 * phrase never appears as one literal in a tracked file: a repository hook
 * greps for it to catch committed secret keys.
 */
#define MAGIC "liandan secret" " key v1"
#define MAGIC_PREFIX "liandan secret" " key v" /* any version, for "unsupported" */

#define ALG_ED25519 0x01           /* SPEC: C2SP signed-note §Verifier keys, Ed25519 */
#define EM_DASH "\xe2\x80\x94"     /* U+2014, SPEC: C2SP signed-note §Signatures */
#define MAX_NOTE_SIGS 100          /* x/mod note.Open refuses notes with more */
#define SEED_BYTES crypto_sign_SEEDBYTES
#define BOX_BYTES (crypto_secretbox_MACBYTES + SEED_BYTES)
#define SCRATCH_SEED (BOX_BYTES + 3) /* decode room for a seed field, one group spare */
#define KDF_OPS_MAX 32ULL          /* refuse key files that would run for minutes */
#define KDF_MEM_MAX (1ULL << 30)   /* refuse key files asking for more than 1 GiB */

struct ld_sig_secret {
    char name[LD_SIG_NAME_MAX];              /* signed-note key name, checked */
    uint8_t sk[crypto_sign_SECRETKEYBYTES];  /* libsodium sk: seed32 || pk32 */
    uint8_t pk[crypto_sign_PUBLICKEYBYTES];  /* public key */
};

/* ---- helpers: UTF-8 and names ------------------------------------------- */

/*
 * Decode one strictly valid UTF-8 sequence (RFC 3629 §4: no overlong forms, no
 * surrogates, nothing above U+10FFFF) from p[0..n). Returns its length and sets
 * *cp, or returns 0 if the bytes are not valid UTF-8.
 */
static size_t
utf8_next(const uint8_t *p, size_t n, uint32_t *cp)
{
    uint32_t c;
    size_t k, i;

    if (n == 0)
        return 0;
    if (p[0] < 0x80) {
        *cp = p[0];
        return 1;
    }
    if (p[0] >= 0xc2 && p[0] <= 0xdf) {
        k = 2;
        c = p[0] & 0x1f;
    } else if (p[0] >= 0xe0 && p[0] <= 0xef) {
        k = 3;
        c = p[0] & 0x0f;
    } else if (p[0] >= 0xf0 && p[0] <= 0xf4) {
        k = 4;
        c = p[0] & 0x07;
    } else {
        return 0;
    }
    if (n < k)
        return 0;
    for (i = 1; i < k; i++) {
        if ((p[i] & 0xc0) != 0x80)
            return 0;
        c = (c << 6) | (p[i] & 0x3f);
    }
    if ((k == 3 && c < 0x800) || (k == 4 && (c < 0x10000 || c > 0x10ffff)) ||
        (c >= 0xd800 && c <= 0xdfff))
        return 0;
    *cp = c;
    return k;
}

/* Go unicode.IsSpace: ASCII and Latin-1 spaces plus the White_Space property. */
static int
is_space(uint32_t c)
{
    return c == ' ' || (c >= '\t' && c <= '\r') || c == 0x85 || c == 0xa0 || c == 0x1680 ||
           (c >= 0x2000 && c <= 0x200a) || c == 0x2028 || c == 0x2029 || c == 0x202f ||
           c == 0x205f || c == 0x3000;
}

/*
 * Name check of x/mod note isValidName (SPEC: C2SP signed-note §Signatures,
 * "key names MUST be non-empty, well-formed UTF-8 and contain neither
 * whitespace nor '+'"). printable additionally refuses control characters
 * (C0, DEL, C1), as ld_sig_name_ok promises.
 */
static int
name_valid(const char *s, size_t n, int printable)
{
    const uint8_t *p = (const uint8_t *)s;
    uint32_t c = 0;
    size_t i = 0, k;

    if (n == 0)
        return 0;
    while (i < n) {
        k = utf8_next(p + i, n - i, &c);
        if (k == 0 || is_space(c) || c == '+')
            return 0;
        if (printable && (c < 0x20 || (c >= 0x7f && c <= 0x9f)))
            return 0;
        i += k;
    }
    return 1;
}

/*
 * SPEC: C2SP signed-note §Verifier keys: key hash = SHA-256(name || 0x0A ||
 * key)[0:4], where key is the algorithm byte followed by the public key.
 */
static void
keyhash(const char *name, size_t name_len, const uint8_t *key, size_t key_len,
        uint8_t out[LD_SIG_KEYHASH])
{
    crypto_hash_sha256_state st;
    uint8_t h[crypto_hash_sha256_BYTES];

    crypto_hash_sha256_init(&st);
    crypto_hash_sha256_update(&st, (const uint8_t *)name, name_len);
    crypto_hash_sha256_update(&st, (const uint8_t *)"\n", 1);
    crypto_hash_sha256_update(&st, key, key_len);
    crypto_hash_sha256_final(&st, h);
    memcpy(out, h, LD_SIG_KEYHASH);
}

/* Key hash of an Ed25519 key: hashes 0x01 || pk. */
static void
keyhash_ed25519(const char *name, size_t name_len, const uint8_t pk[LD_SIG_PUB],
                uint8_t out[LD_SIG_KEYHASH])
{
    uint8_t key[1 + LD_SIG_PUB];

    key[0] = ALG_ED25519;
    memcpy(key + 1, pk, LD_SIG_PUB);
    keyhash(name, name_len, key, sizeof key, out);
}

/* ---- init, key ids, public keys ------------------------------------------ */

enum ld_rc
ld_sig_init(void)
{
    return sodium_init() < 0 ? LD_IO : LD_OK;
}

void
ld_sig_keyid(const uint8_t pk[LD_SIG_PUB], char out[LD_SIG_KEYID_HEX])
{
    /* DESIGN.md §4.2: lowercase hex of SHA-256(0x01 || pub32)[0:16]. */
    crypto_hash_sha256_state st;
    uint8_t h[crypto_hash_sha256_BYTES];
    const uint8_t alg = ALG_ED25519;

    crypto_hash_sha256_init(&st);
    crypto_hash_sha256_update(&st, &alg, 1);
    crypto_hash_sha256_update(&st, pk, LD_SIG_PUB);
    crypto_hash_sha256_final(&st, h);
    ld_enc_hex(h, (LD_SIG_KEYID_HEX - 1) / 2, out);
}

int
ld_sig_name_ok(const char *name)
{
    size_t n;

    if (name == NULL)
        return 0;
    n = strnlen(name, LD_SIG_NAME_MAX);
    return n < LD_SIG_NAME_MAX && name_valid(name, n, 1);
}

enum ld_rc
ld_sig_pub_make(const char *name, const uint8_t pk[LD_SIG_PUB], struct ld_sig_pub *out)
{
    size_t n;

    if (!ld_sig_name_ok(name))
        return LD_INVALID;
    n = strlen(name);
    memset(out, 0, sizeof *out);
    memcpy(out->name, name, n + 1);
    memcpy(out->pk, pk, LD_SIG_PUB);
    keyhash_ed25519(name, n, pk, out->keyhash);
    ld_sig_keyid(pk, out->keyid);
    return LD_OK;
}

/* ASCII blanks allowed around a verifier key line. */
static int
is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r';
}

enum ld_rc
ld_sig_vkey_parse(const char *text, size_t len, struct ld_sig_pub *out)
{
    /* SPEC: C2SP signed-note §Verifier keys: NAME "+" hex(keyhash4) "+" BASE64(alg || key);
     * fields split as x/mod note.NewVerifier does, at the first two '+'. */
    const char *s = text, *e = text + len, *p1, *p2;
    uint8_t key[1 + LD_SIG_PUB + 64]; /* room to hash an unknown algorithm's longer key */
    uint8_t hash[LD_SIG_KEYHASH], want[LD_SIG_KEYHASH];
    size_t klen = 0, nlen;
    struct ld_sig_pub p;

    if (text == NULL)
        return LD_PARSE;
    while (e > s && is_blank(e[-1]))
        e--;
    if (e > s && e[-1] == '\n')
        e--;
    while (e > s && is_blank(e[-1]))
        e--;
    while (s < e && is_blank(*s))
        s++;
    p1 = memchr(s, '+', (size_t)(e - s));
    if (p1 == NULL)
        return LD_PARSE;
    p2 = memchr(p1 + 1, '+', (size_t)(e - p1 - 1));
    if (p2 == NULL)
        return LD_PARSE;
    nlen = (size_t)(p1 - s);
    if (nlen >= LD_SIG_NAME_MAX || !name_valid(s, nlen, 1))
        return LD_PARSE;
    if (ld_enc_unhex(p1 + 1, (size_t)(p2 - p1 - 1), hash, sizeof hash) != LD_OK)
        return LD_PARSE;
    if (ld_enc_unb64(p2 + 1, (size_t)(e - p2 - 1), key, sizeof key, &klen) != LD_OK || klen == 0)
        return LD_PARSE;
    /* The hash covers whatever algorithm byte and key are there (x/mod keyHash). */
    keyhash(s, nlen, key, klen, want);
    if (memcmp(hash, want, sizeof want) != 0)
        return LD_INVALID;
    if (key[0] != ALG_ED25519)
        return LD_INVALID;
    if (klen != 1 + LD_SIG_PUB)
        return LD_PARSE;
    memset(&p, 0, sizeof p);
    memcpy(p.name, s, nlen);
    p.name[nlen] = '\0';
    memcpy(p.pk, key + 1, LD_SIG_PUB);
    memcpy(p.keyhash, hash, sizeof hash);
    ld_sig_keyid(p.pk, p.keyid);
    *out = p;
    return LD_OK;
}

char *
ld_sig_vkey_format(const struct ld_sig_pub *p)
{
    uint8_t key[1 + LD_SIG_PUB];
    char hash[2 * LD_SIG_KEYHASH + 1];
    char b64[LD_ENC_B64_LEN(sizeof key)];

    key[0] = ALG_ED25519;
    memcpy(key + 1, p->pk, LD_SIG_PUB);
    ld_enc_hex(p->keyhash, LD_SIG_KEYHASH, hash);
    ld_enc_b64(key, sizeof key, b64);
    return ld_xasprintf("%s+%s+%s", p->name, hash, b64);
}

/* ---- secrets ------------------------------------------------------------- */

/* A zeroed secret in sodium_malloc memory, or NULL when that fails. */
static struct ld_sig_secret *
secret_alloc(void)
{
    struct ld_sig_secret *s = sodium_malloc(sizeof *s);

    if (s != NULL)
        sodium_memzero(s, sizeof *s);
    return s;
}

enum ld_rc
ld_sig_keygen(const char *name, struct ld_sig_secret **out)
{
    struct ld_sig_secret *s = NULL;
    enum ld_rc rc = LD_OK;

    if (!ld_sig_name_ok(name)) {
        rc = LD_INVALID;
        goto out;
    }
    s = secret_alloc();
    if (s == NULL) {
        rc = LD_NOMEM;
        goto out;
    }
    memcpy(s->name, name, strlen(name) + 1);
    crypto_sign_keypair(s->pk, s->sk);
    *out = s;
    s = NULL;
out:
    ld_sig_secret_free(s);
    return rc;
}

enum ld_rc
ld_sig_secret_from_seed(const char *name, const uint8_t seed[32], struct ld_sig_secret **out)
{
    struct ld_sig_secret *s = NULL;
    enum ld_rc rc = LD_OK;

    if (!ld_sig_name_ok(name)) {
        rc = LD_INVALID;
        goto out;
    }
    s = secret_alloc();
    if (s == NULL) {
        rc = LD_NOMEM;
        goto out;
    }
    memcpy(s->name, name, strlen(name) + 1);
    /* RFC 8032 §5.1.5: the 32-byte secret key is libsodium's seed. */
    crypto_sign_seed_keypair(s->pk, s->sk, seed);
    *out = s;
    s = NULL;
out:
    ld_sig_secret_free(s);
    return rc;
}

void
ld_sig_secret_free(struct ld_sig_secret *s)
{
    if (s == NULL)
        return;
    sodium_memzero(s, sizeof *s);
    sodium_free(s);
}

void
ld_sig_secret_pub(const struct ld_sig_secret *s, struct ld_sig_pub *out)
{
    enum ld_rc rc = ld_sig_pub_make(s->name, s->pk, out);

    assert(rc == LD_OK); /* the name was checked when s was made */
    (void)rc;
}

/* ---- secret key file -----------------------------------------------------
 *
 * Version 1, text, every line ends in '\n', lines in exactly this order:
 *
 *   LINE    CONTENT                                   NOTE
 *   1       MAGIC (see the #define above)             version in its last word
 *   2       "name: " NAME                             ld_sig_name_ok
 *   3       "kdf: argon2id " OPS " " MEM | "kdf: none"  decimal, no sign or leading 0
 *   4       "salt: " BASE64(16 bytes)                 argon2id only
 *   5       "nonce: " BASE64(24 bytes)                argon2id only
 *   6       "seed: " BASE64(secretbox(seed32))        48 bytes; BASE64(seed32) with none
 *
 * The box key is crypto_pwhash(32, passphrase, salt, OPS, MEM, ARGON2ID13);
 * the box is crypto_secretbox_easy (XSalsa20-Poly1305) over the RFC 8032 seed.
 * Nothing may follow the seed line, so every proper prefix of a file is
 * LD_PARSE.
 */

struct keyfile {
    const char *name;                    /* into the text, not NUL-terminated */
    size_t name_len;
    int sealed;                          /* 1: argon2id + secretbox, 0: kdf none */
    unsigned long long ops;              /* argon2id opslimit */
    unsigned long long mem;              /* argon2id memlimit, bytes */
    uint8_t salt[crypto_pwhash_SALTBYTES];
    uint8_t nonce[crypto_secretbox_NONCEBYTES];
    uint8_t box[BOX_BYTES];              /* sealed seed (sealed only) */
    const char *seed;                    /* base64 of the clear seed (kdf none only) */
    size_t seed_len;
};

/* Cursor over the lines of a key file. */
struct lines {
    const char *p;   /* next unread byte */
    const char *end; /* end of the text */
};

/*
 * Next line, which must be terminated by '\n' and start with key ": "
 * (key NULL: any content). Sets *v and *n to the rest of the line.
 */
static enum ld_rc
next_line(struct lines *l, const char *key, const char **v, size_t *n, struct ld_err *err)
{
    const char *nl = memchr(l->p, '\n', (size_t)(l->end - l->p));
    size_t klen = key ? strlen(key) : 0;
    size_t len;

    if (nl == NULL)
        return ld_err_set(err, LD_PARSE, key, "secret key file is truncated%s%s%s",
                          key ? " before '" : "", key ? key : "", key ? "'" : "");
    len = (size_t)(nl - l->p);
    if (key != NULL && (len < klen + 2 || memcmp(l->p, key, klen) != 0 ||
                        memcmp(l->p + klen, ": ", 2) != 0))
        return ld_err_set(err, LD_PARSE, key, "secret key file: expected '%s: ' line", key);
    *v = l->p + (key ? klen + 2 : 0);
    *n = len - (key ? klen + 2 : 0);
    l->p = nl + 1;
    return LD_OK;
}

/* Strict decimal without sign or leading zero, at most 12 digits. */
static int
parse_ull(const char *s, size_t n, unsigned long long *out)
{
    unsigned long long v = 0;
    size_t i;

    if (n == 0 || n > 12 || (n > 1 && s[0] == '0'))
        return 0;
    for (i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return 0;
        v = v * 10 + (unsigned long long)(s[i] - '0');
    }
    *out = v;
    return 1;
}

static enum ld_rc
b64_exact(const char *v, size_t n, uint8_t *out, size_t want, const char *field,
          struct ld_err *err)
{
    size_t got = 0;
    uint8_t tmp[BOX_BYTES + 3]; /* one more group than the largest field */

    if (want > BOX_BYTES)
        return ld_err_set(err, LD_INVALID, field, "'%s' field too large", field);
    if (ld_enc_unb64(v, n, tmp, sizeof tmp, &got) != LD_OK)
        return ld_err_set(err, LD_PARSE, field, "'%s' is not valid base64", field);
    if (got != want) {
        sodium_memzero(tmp, sizeof tmp);
        return ld_err_set(err, LD_INVALID, field, "'%s' holds %zu bytes, want %zu", field, got,
                          want);
    }
    memcpy(out, tmp, want);
    sodium_memzero(tmp, sizeof tmp);
    return LD_OK;
}

/* Parse everything but the secret: the clear seed stays base64 in the text. */
static enum ld_rc
parse_keyfile(const char *text, size_t len, struct keyfile *kf, struct ld_err *err)
{
    struct lines l = {text, text + len};
    const char *v = NULL, *sp;
    size_t n = 0;
    enum ld_rc rc;

    memset(kf, 0, sizeof *kf);
    if (text == NULL)
        return ld_err_set(err, LD_PARSE, NULL, "not a secret key file");
    rc = next_line(&l, NULL, &v, &n, err);
    if (rc != LD_OK)
        return rc;
    if (n != strlen(MAGIC) || memcmp(v, MAGIC, n) != 0) {
        if (n >= strlen(MAGIC_PREFIX) && memcmp(v, MAGIC_PREFIX, strlen(MAGIC_PREFIX)) == 0)
            return ld_err_set(err, LD_PARSE, NULL, "unsupported secret key file version '%.*s'",
                              (int)(n - strlen(MAGIC_PREFIX) > 16 ? 16 : n - strlen(MAGIC_PREFIX)),
                              v + strlen(MAGIC_PREFIX));
        return ld_err_set(err, LD_PARSE, NULL, "not a secret key file");
    }
    rc = next_line(&l, "name", &kf->name, &kf->name_len, err);
    if (rc != LD_OK)
        return rc;
    if (kf->name_len >= LD_SIG_NAME_MAX || !name_valid(kf->name, kf->name_len, 1))
        return ld_err_set(err, LD_INVALID, "name", "invalid key name in secret key file");
    rc = next_line(&l, "kdf", &v, &n, err);
    if (rc != LD_OK)
        return rc;
    if (n == 4 && memcmp(v, "none", 4) == 0) {
        kf->sealed = 0;
    } else if (n > 9 && memcmp(v, "argon2id ", 9) == 0) {
        const char *a = v + 9, *e = v + n;

        sp = memchr(a, ' ', (size_t)(e - a));
        if (sp == NULL || !parse_ull(a, (size_t)(sp - a), &kf->ops) ||
            !parse_ull(sp + 1, (size_t)(e - sp - 1), &kf->mem))
            return ld_err_set(err, LD_PARSE, "kdf", "malformed 'kdf' line, want "
                              "'argon2id OPSLIMIT MEMLIMIT'");
        /* Honour the file's cost, within what libsodium allows and a sane cap. */
        if (kf->ops < crypto_pwhash_argon2id_OPSLIMIT_MIN || kf->ops > KDF_OPS_MAX)
            return ld_err_set(err, LD_INVALID, "kdf", "argon2id opslimit %llu out of range "
                              "[%llu, %llu]", kf->ops,
                              (unsigned long long)crypto_pwhash_argon2id_OPSLIMIT_MIN,
                              KDF_OPS_MAX);
        if (kf->mem < crypto_pwhash_argon2id_MEMLIMIT_MIN || kf->mem > KDF_MEM_MAX)
            return ld_err_set(err, LD_INVALID, "kdf", "argon2id memlimit %llu out of range "
                              "[%llu, %llu]", kf->mem,
                              (unsigned long long)crypto_pwhash_argon2id_MEMLIMIT_MIN,
                              KDF_MEM_MAX);
        kf->sealed = 1;
    } else {
        return ld_err_set(err, LD_PARSE, "kdf", "unsupported kdf '%.*s'", (int)(n > 32 ? 32 : n),
                          v);
    }
    if (kf->sealed) {
        rc = next_line(&l, "salt", &v, &n, err);
        if (rc == LD_OK)
            rc = b64_exact(v, n, kf->salt, sizeof kf->salt, "salt", err);
        if (rc == LD_OK)
            rc = next_line(&l, "nonce", &v, &n, err);
        if (rc == LD_OK)
            rc = b64_exact(v, n, kf->nonce, sizeof kf->nonce, "nonce", err);
        if (rc == LD_OK)
            rc = next_line(&l, "seed", &v, &n, err);
        if (rc == LD_OK)
            rc = b64_exact(v, n, kf->box, sizeof kf->box, "seed", err);
        if (rc != LD_OK)
            return rc;
    } else {
        rc = next_line(&l, "seed", &kf->seed, &kf->seed_len, err);
        if (rc != LD_OK)
            return rc;
    }
    if (l.p != l.end)
        return ld_err_set(err, LD_PARSE, NULL, "unexpected content after the 'seed' line");
    return LD_OK;
}

enum ld_rc
ld_sig_secret_export(const struct ld_sig_secret *s, const char *passphrase, char **out)
{
    struct ld_buf b = LD_BUF_INIT;
    uint8_t *key = NULL;
    uint8_t salt[crypto_pwhash_SALTBYTES];
    uint8_t nonce[crypto_secretbox_NONCEBYTES];
    uint8_t box[BOX_BYTES];
    char b64[LD_ENC_B64_LEN(BOX_BYTES)];
    const char *seed_tag = "seed: ";
    size_t seed_b64 = 0;
    char *text = NULL;
    enum ld_rc rc = LD_OK;

    ld_buf_adds(&b, MAGIC "\n");
    ld_buf_addf(&b, "name: %s\n", s->name);
    if (passphrase == NULL) {
        ld_buf_adds(&b, "kdf: none\n");
        seed_b64 = LD_ENC_B64_LEN(SEED_BYTES) - 1;
    } else {
        key = sodium_malloc(crypto_secretbox_KEYBYTES);
        if (key == NULL) {
            rc = LD_NOMEM;
            goto out;
        }
        randombytes_buf(salt, sizeof salt);
        randombytes_buf(nonce, sizeof nonce);
        if (crypto_pwhash(key, crypto_secretbox_KEYBYTES, passphrase, strlen(passphrase), salt,
                          crypto_pwhash_argon2id_OPSLIMIT_INTERACTIVE,
                          crypto_pwhash_argon2id_MEMLIMIT_INTERACTIVE,
                          crypto_pwhash_ALG_ARGON2ID13) != 0) {
            rc = LD_NOMEM; /* Argon2 fails only when it cannot get its memory */
            goto out;
        }
        /* The seed is the first half of libsodium's sk (RFC 8032 secret key). */
        crypto_secretbox_easy(box, s->sk, SEED_BYTES, nonce, key);
        ld_buf_addf(&b, "kdf: argon2id %llu %llu\n",
                    (unsigned long long)crypto_pwhash_argon2id_OPSLIMIT_INTERACTIVE,
                    (unsigned long long)crypto_pwhash_argon2id_MEMLIMIT_INTERACTIVE);
        ld_buf_addf(&b, "salt: %s\n", ld_enc_b64(salt, sizeof salt, b64));
        ld_buf_addf(&b, "nonce: %s\n", ld_enc_b64(nonce, sizeof nonce, b64));
        seed_b64 = LD_ENC_B64_LEN(BOX_BYTES) - 1;
    }
    /* Allocate the result once and encode the seed straight into it, so that
     * no realloc leaves an unwiped copy of a clear seed in freed memory. */
    text = ld_xmalloc(b.len + strlen(seed_tag) + seed_b64 + 2);
    memcpy(text, b.data, b.len);
    memcpy(text + b.len, seed_tag, strlen(seed_tag));
    if (passphrase == NULL)
        ld_enc_b64(s->sk, SEED_BYTES, text + b.len + strlen(seed_tag));
    else
        ld_enc_b64(box, sizeof box, text + b.len + strlen(seed_tag));
    memcpy(text + b.len + strlen(seed_tag) + seed_b64, "\n", 2);
    *out = text;
out:
    if (key != NULL)
        sodium_free(key); /* sodium_free wipes */
    ld_buf_release(&b);
    return rc;
}

enum ld_rc
ld_sig_secret_import(const char *text, size_t len, const char *passphrase,
                     struct ld_sig_secret **out, struct ld_err *err)
{
    struct keyfile kf;
    uint8_t *scratch = NULL; /* sodium memory: box key || seed (and room) */
    uint8_t *key, *seed;
    char name[LD_SIG_NAME_MAX];
    struct ld_sig_secret *s = NULL;
    enum ld_rc rc;

    rc = parse_keyfile(text, len, &kf, err);
    if (rc != LD_OK)
        goto out;
    if (kf.sealed && passphrase == NULL) {
        rc = ld_err_set(err, LD_WRONGKEY, "kdf", "secret key file is encrypted: a passphrase "
                        "is needed");
        goto out;
    }
    scratch = sodium_malloc(crypto_secretbox_KEYBYTES + SCRATCH_SEED);
    if (scratch == NULL) {
        rc = ld_err_set(err, LD_NOMEM, NULL, "cannot allocate secure memory");
        goto out;
    }
    key = scratch;
    seed = scratch + crypto_secretbox_KEYBYTES;
    if (kf.sealed) {
        if (crypto_pwhash(key, crypto_secretbox_KEYBYTES, passphrase, strlen(passphrase), kf.salt,
                          kf.ops, (size_t)kf.mem, crypto_pwhash_ALG_ARGON2ID13) != 0) {
            rc = ld_err_set(err, LD_NOMEM, "kdf", "argon2id could not get %llu bytes", kf.mem);
            goto out;
        }
        if (crypto_secretbox_open_easy(seed, kf.box, sizeof kf.box, kf.nonce, key) != 0) {
            rc = ld_err_set(err, LD_WRONGKEY, "seed", "wrong passphrase or damaged secret key "
                            "file");
            goto out;
        }
    } else {
        size_t got = 0;

        /* Decode into secure memory, with room to tell "too long" from "not base64". */
        if (ld_enc_unb64(kf.seed, kf.seed_len, seed, SCRATCH_SEED, &got) != LD_OK) {
            rc = ld_err_set(err, LD_PARSE, "seed", "'seed' is not valid base64");
            goto out;
        }
        if (got != SEED_BYTES) {
            rc = ld_err_set(err, LD_INVALID, "seed", "'seed' holds %zu bytes, want %u", got,
                            (unsigned)SEED_BYTES);
            goto out;
        }
    }
    memcpy(name, kf.name, kf.name_len);
    name[kf.name_len] = '\0';
    rc = ld_sig_secret_from_seed(name, seed, &s);
    if (rc != LD_OK) {
        ld_err_set(err, rc, "name", "cannot make a key named '%s'", name);
        goto out;
    }
    *out = s;
    s = NULL;
out:
    if (scratch != NULL)
        sodium_free(scratch);
    sodium_memzero(&kf, sizeof kf);
    ld_sig_secret_free(s);
    return rc;
}

int
ld_sig_secret_encrypted(const char *text, size_t len)
{
    struct keyfile kf;
    int r;

    if (parse_keyfile(text, len, &kf, NULL) != LD_OK)
        return -1;
    r = kf.sealed;
    sodium_memzero(&kf, sizeof kf);
    return r;
}

/* ---- signatures ---------------------------------------------------------- */

void
ld_sig_sign(const struct ld_sig_secret *s, const char *purpose, const void *msg, size_t len,
            uint8_t sig[LD_SIG_SIG])
{
    /* sig.h layout: purpose tag || payload, signed as one RFC 8032 message. */
    size_t plen = purpose ? strlen(purpose) : 0;
    uint8_t *m;

    if (plen == 0) {
        crypto_sign_detached(sig, NULL, msg, len, s->sk);
        return;
    }
    m = ld_xmalloc(plen + len);
    memcpy(m, purpose, plen);
    if (len)
        memcpy(m + plen, msg, len);
    crypto_sign_detached(sig, NULL, m, plen + len, s->sk);
    free(m);
}

enum ld_rc
ld_sig_verify(const uint8_t pk[LD_SIG_PUB], const char *purpose, const void *msg, size_t len,
              const uint8_t sig[LD_SIG_SIG])
{
    size_t plen = purpose ? strlen(purpose) : 0;
    uint8_t *m;
    int bad;

    if (plen == 0)
        return crypto_sign_verify_detached(sig, msg, len, pk) == 0 ? LD_OK : LD_BADSIG;
    m = ld_xmalloc(plen + len);
    memcpy(m, purpose, plen);
    if (len)
        memcpy(m + plen, msg, len);
    bad = crypto_sign_verify_detached(sig, m, plen + len, pk) != 0;
    free(m);
    return bad ? LD_BADSIG : LD_OK;
}

/* ---- signed notes -------------------------------------------------------- */

/*
 * SPEC: C2SP signed-note §Note text: non-empty, well-formed UTF-8, no ASCII
 * control character other than newline (x/mod note.Open refuses any rune
 * below U+0020 but '\n'). Returns 1 if p[0..n) passes.
 */
static int
note_chars_ok(const char *s, size_t n)
{
    const uint8_t *p = (const uint8_t *)s;
    uint32_t c = 0;
    size_t i = 0, k;

    while (i < n) {
        k = utf8_next(p + i, n - i, &c);
        if (k == 0 || (c < 0x20 && c != '\n'))
            return 0;
        i += k;
    }
    return 1;
}

enum ld_rc
ld_sig_note_sign(const char *text, size_t len, const struct ld_sig_secret *s, char **out)
{
    /* SPEC: C2SP signed-note §Signatures: text || "\n" || "— NAME BASE64(keyhash4 || sig)\n". */
    struct ld_buf b = LD_BUF_INIT;
    uint8_t blob[LD_SIG_KEYHASH + LD_SIG_SIG];
    char b64[LD_ENC_B64_LEN(sizeof blob)];

    if (text == NULL || len == 0 || text[len - 1] != '\n' || !note_chars_ok(text, len))
        return LD_INVALID;
    keyhash_ed25519(s->name, strlen(s->name), s->pk, blob);
    ld_sig_sign(s, NULL, text, len, blob + LD_SIG_KEYHASH);
    ld_buf_add(&b, text, len);
    ld_buf_adds(&b, "\n" EM_DASH " ");
    ld_buf_adds(&b, s->name);
    ld_buf_addc(&b, ' ');
    ld_buf_adds(&b, ld_enc_b64(blob, sizeof blob, b64));
    ld_buf_addc(&b, '\n');
    *out = ld_buf_detach(&b, NULL);
    return LD_OK;
}

/* Last occurrence of "\n\n" in p[0..n), or NULL. */
static const char *
last_blank_line(const char *p, size_t n)
{
    size_t i;

    for (i = n; i >= 2; i--)
        if (p[i - 1] == '\n' && p[i - 2] == '\n')
            return p + i - 2;
    return NULL;
}

/* Index in known[] of the key named name[0..n) with hash h, or nknown. */
static size_t
find_known(const struct ld_sig_pub *known, size_t nknown, const char *name, size_t n,
           const uint8_t h[LD_SIG_KEYHASH])
{
    size_t i;

    for (i = 0; i < nknown; i++)
        if (strnlen(known[i].name, LD_SIG_NAME_MAX) == n && memcmp(known[i].name, name, n) == 0 &&
            memcmp(known[i].keyhash, h, LD_SIG_KEYHASH) == 0)
            return i;
    return nknown;
}

enum ld_rc
ld_sig_note_open(const char *note, size_t len, const struct ld_sig_pub *known, size_t nknown,
                 size_t *text_len, size_t *verified, struct ld_err *err)
{
    /* SPEC: C2SP signed-note §Signed note format; control flow of x/mod note.Open. */
    static const char prefix[] = EM_DASH " ";
    const char *split, *sigs, *end = note + len, *line, *nl, *sp;
    size_t tlen, nsig = 0, nseen = 0, i, k, blen, got = 0;
    size_t seen[MAX_NOTE_SIGS];
    uint8_t *blob = NULL;
    enum ld_rc rc = LD_OK;

    if (note == NULL || !note_chars_ok(note, len)) {
        rc = ld_err_set(err, LD_PARSE, NULL, "note is not UTF-8 text without control characters");
        goto out;
    }
    split = last_blank_line(note, len);
    if (split == NULL) {
        rc = ld_err_set(err, LD_PARSE, NULL, "note has no blank line before its signatures");
        goto out;
    }
    tlen = (size_t)(split - note) + 1;
    sigs = split + 2;
    if (sigs == end || end[-1] != '\n') {
        rc = ld_err_set(err, LD_PARSE, NULL, "note has no signature lines after its blank line");
        goto out;
    }
    for (line = sigs; line < end; line = nl + 1) {
        size_t n, nlen;
        const char *b64;

        nl = memchr(line, '\n', (size_t)(end - line));
        n = (size_t)(nl - line);
        if (n < sizeof prefix - 1 || memcmp(line, prefix, sizeof prefix - 1) != 0) {
            rc = ld_err_set(err, LD_PARSE, NULL, "signature line %zu does not start with "
                            "'\\u2014 '", nsig + 1);
            goto out;
        }
        line += sizeof prefix - 1;
        n -= sizeof prefix - 1;
        sp = memchr(line, ' ', n);
        nlen = sp ? (size_t)(sp - line) : n;
        b64 = sp ? sp + 1 : line + n;
        blen = sp ? n - nlen - 1 : 0;
        free(blob);
        blob = ld_xmalloc(blen / 4 * 3 + 3);
        if (!name_valid(line, nlen, 0) || blen == 0 ||
            ld_enc_unb64(b64, blen, blob, blen / 4 * 3 + 3, &got) != LD_OK ||
            got < LD_SIG_KEYHASH + 1) {
            rc = ld_err_set(err, LD_PARSE, NULL, "signature line %zu is malformed", nsig + 1);
            goto out;
        }
        if (++nsig > MAX_NOTE_SIGS) {
            rc = ld_err_set(err, LD_PARSE, NULL, "note has more than %d signatures",
                            MAX_NOTE_SIGS);
            goto out;
        }
        k = find_known(known, nknown, line, nlen, blob);
        if (k == nknown)
            continue; /* signed-note: signatures by unknown keys are ignored */
        for (i = 0; i < nseen && seen[i] != k; i++)
            ;
        if (i < nseen)
            continue; /* x/mod: a repeated signer is not checked again */
        seen[nseen++] = k;
        if (got != LD_SIG_KEYHASH + LD_SIG_SIG ||
            ld_sig_verify(known[k].pk, NULL, note, tlen, blob + LD_SIG_KEYHASH) != LD_OK) {
            rc = ld_err_set(err, LD_BADSIG, NULL, "signature by '%s' does not verify",
                            known[k].name);
            goto out;
        }
    }
    if (nseen == 0) {
        rc = ld_err_set(err, LD_WRONGKEY, NULL, "note has no signature by a known key");
        goto out;
    }
    if (text_len != NULL)
        *text_len = tlen;
    if (verified != NULL)
        *verified = nseen;
out:
    free(blob);
    return rc;
}

void
ld_sig_secret_derive(const struct ld_sig_secret *s, const char *context, uint8_t out[32])
{
    static const char tag[] = "liandan/derive/v1\n";
    crypto_generichash_state st;

    /* sk holds seed32 || pk32: the seed alone keys the hash. */
    crypto_generichash_init(&st, s->sk, 32, 32);
    crypto_generichash_update(&st, (const unsigned char *)tag, sizeof tag - 1);
    crypto_generichash_update(&st, (const unsigned char *)context, strlen(context));
    crypto_generichash_final(&st, out, 32);
    sodium_memzero(&st, sizeof st);
}
