/*
 * merkle.c - RFC 6962 Merkle tree hashes, proofs and the append frontier
 * (include/liandan/merkle.h; overview in docs/DESIGN.md §4.4).
 * Hashing is RFC 6962 §2.1; generation follows PATH (§2.1.1) and PROOF/SUBPROOF
 * (§2.1.2) but reads stored complete subtrees instead of rehashing leaves;
 * verification is the bit-twiddling of RFC 9162 §2.1.3.2 and §2.1.4.2.
 * SHA-256 is libsodium's, or on x86-64 CPUs with the SHA extensions the same
 * function (FIPS 180-4) on those instructions: hashing every leaf is a
 * visible share of appending and verifying, and they are several times faster.
 */
#include <assert.h>
#include <stdint.h>
#include <string.h>

#include <sodium.h>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <cpuid.h>
#include <immintrin.h>
#include <stdatomic.h>
#define HAVE_SHANI 1
#endif

#include "liandan/merkle.h"
#include "liandan/banned.h"

#define HLEN LD_MERKLE_HASH

/* ---- SHA-256 ------------------------------------------------------------ */

#ifdef HAVE_SHANI
/* SPEC: FIPS 180-4 §4.2.2, the round constants. */
static const uint32_t sha_k[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

/* SPEC: FIPS 180-4 §6.2.2, the compression function on n 64-byte blocks,
 * with the SHA-NI instructions (state kept as ABEF/CDGH, as they want it). */
__attribute__((target("sha,sse4.1,ssse3"))) static void
sha_blocks(uint32_t h[8], const uint8_t *p, size_t n)
{
    const __m128i bswap = _mm_set_epi64x(0x0c0d0e0f08090a0bLL, 0x0405060700010203LL);
    __m128i s0, s1, t, w[4], m, abef, cdgh;
    unsigned g;

    t = _mm_shuffle_epi32(_mm_loadu_si128((const __m128i *)&h[0]), 0xB1); /* CDAB */
    s1 = _mm_shuffle_epi32(_mm_loadu_si128((const __m128i *)&h[4]), 0x1B); /* EFGH */
    s0 = _mm_alignr_epi8(t, s1, 8);                                       /* ABEF */
    s1 = _mm_blend_epi16(s1, t, 0xF0);                                    /* CDGH */
    for (; n > 0; n--, p += 64) {
        abef = s0;
        cdgh = s1;
        for (g = 0; g < 16; g++) {
            /* Four rounds on message words 4g..4g+3 (FIPS 180-4 §6.2.2 step 1). */
            if (g < 4)
                w[g] = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(p + 16 * g)), bswap);
            else
                w[g & 3] = _mm_sha256msg2_epu32(
                    _mm_add_epi32(_mm_sha256msg1_epu32(w[g & 3], w[(g + 1) & 3]),
                                  _mm_alignr_epi8(w[(g + 3) & 3], w[(g + 2) & 3], 4)),
                    w[(g + 3) & 3]);
            m = _mm_add_epi32(w[g & 3], _mm_loadu_si128((const __m128i *)&sha_k[4 * g]));
            s1 = _mm_sha256rnds2_epu32(s1, s0, m);
            s0 = _mm_sha256rnds2_epu32(s0, s1, _mm_shuffle_epi32(m, 0x0E));
        }
        s0 = _mm_add_epi32(s0, abef);
        s1 = _mm_add_epi32(s1, cdgh);
    }
    t = _mm_shuffle_epi32(s0, 0x1B);    /* FEBA */
    s1 = _mm_shuffle_epi32(s1, 0xB1);   /* DCHG */
    s0 = _mm_blend_epi16(t, s1, 0xF0);  /* DCBA */
    s1 = _mm_alignr_epi8(s1, t, 8);     /* HGFE */
    _mm_storeu_si128((__m128i *)&h[0], s0);
    _mm_storeu_si128((__m128i *)&h[4], s1);
}

/* Does this CPU have SHA-NI (and SSSE3, SSE4.1)? Asked once; -1: not yet. */
static int
have_shani(void)
{
    static atomic_int known = -1;
    unsigned a, b, c, d;
    int v = atomic_load_explicit(&known, memory_order_relaxed);

    if (v < 0) {
        v = __get_cpuid(1, &a, &b, &c, &d) && (c & bit_SSSE3) && (c & bit_SSE4_1) &&
            __get_cpuid_count(7, 0, &a, &b, &c, &d) && (b & bit_SHA);
        atomic_store_explicit(&known, v, memory_order_relaxed);
    }
    return v;
}

/* SHA-256 of one prefix byte followed by the pieces a and b, on SHA-NI. */
static void
sha_shani(uint8_t prefix, const uint8_t *a, size_t alen, const uint8_t *b, size_t blen,
          uint8_t out[HLEN])
{
    uint32_t h[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                     0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
    uint8_t buf[128];
    const uint8_t *part[2] = {a, b};
    size_t plen[2] = {alen, blen}, n = 1, k, i;
    uint64_t bits = 8 * (1 + (uint64_t)alen + blen);

    buf[0] = prefix;
    for (i = 0; i < 2; i++) {
        const uint8_t *q = part[i];
        size_t len = plen[i];
        if (n > 0) {
            k = 64 - n < len ? 64 - n : len;
            if (k)
                memcpy(buf + n, q, k);
            n += k, q += k, len -= k;
            if (n < 64)
                continue;
            sha_blocks(h, buf, 1);
            n = 0;
        }
        if (len >= 64) {
            sha_blocks(h, q, len / 64);
            q += len & ~(size_t)63;
            len &= 63;
        }
        if (len)
            memcpy(buf, q, len);
        n = len;
    }
    /* SPEC: FIPS 180-4 §5.1.1: 0x80, zeros, the length in bits (big-endian). */
    buf[n++] = 0x80;
    k = n <= 56 ? 64 : 128;
    memset(buf + n, 0, k - 8 - n);
    for (i = 0; i < 8; i++)
        buf[k - 1 - i] = (uint8_t)(bits >> (8 * i));
    sha_blocks(h, buf, k / 64);
    for (i = 0; i < 8; i++) {
        out[4 * i] = (uint8_t)(h[i] >> 24);
        out[4 * i + 1] = (uint8_t)(h[i] >> 16);
        out[4 * i + 2] = (uint8_t)(h[i] >> 8);
        out[4 * i + 3] = (uint8_t)h[i];
    }
}
#endif

/* Number of significant bits in x (0 for x == 0). */
static unsigned
bit_len(uint64_t x)
{
    unsigned n = 0;

    while (x) {
        n++;
        x >>= 1;
    }
    return n;
}

/* Index of the lowest set bit; x must not be 0. */
static unsigned
low_bit(uint64_t x)
{
    unsigned n = 0;

    assert(x != 0);
    while (!(x & 1)) {
        n++;
        x >>= 1;
    }
    return n;
}

/* SPEC: RFC 6962 §2.1: k is the largest power of two smaller than n (n > 1). */
static uint64_t
split_point(uint64_t n)
{
    assert(n > 1);
    return (uint64_t)1 << (bit_len(n - 1) - 1);
}

/* SPEC: RFC 6962 §2.1: MTH({}) = SHA-256() (of the empty string). */
static void
empty_root(uint8_t out[HLEN])
{
    static const unsigned char none[1] = {0};

    crypto_hash_sha256(out, none, 0);
}

void
ld_merkle_leaf_hash(const void *data, size_t len, uint8_t out[HLEN])
{
    static const unsigned char prefix = 0x00;
    crypto_hash_sha256_state st;

    /* SPEC: RFC 6962 §2.1: MTH({d(0)}) = SHA-256(0x00 || d(0)). */
#ifdef HAVE_SHANI
    if (have_shani()) {
        sha_shani(prefix, data, len, NULL, 0, out);
        return;
    }
#endif
    crypto_hash_sha256_init(&st);
    crypto_hash_sha256_update(&st, &prefix, 1);
    if (len > 0)
        crypto_hash_sha256_update(&st, data, len);
    crypto_hash_sha256_final(&st, out);
}

void
ld_merkle_node_hash(const uint8_t left[HLEN], const uint8_t right[HLEN], uint8_t out[HLEN])
{
    static const unsigned char prefix = 0x01;
    crypto_hash_sha256_state st;

    /* SPEC: RFC 6962 §2.1: MTH(D[n]) = SHA-256(0x01 || MTH(D[0:k]) || MTH(D[k:n])).
     * Both inputs are absorbed before out is written, so out may alias either. */
#ifdef HAVE_SHANI
    if (have_shani()) {
        sha_shani(prefix, left, HLEN, right, HLEN, out);
        return;
    }
#endif
    crypto_hash_sha256_init(&st);
    crypto_hash_sha256_update(&st, &prefix, 1);
    crypto_hash_sha256_update(&st, left, HLEN);
    crypto_hash_sha256_update(&st, right, HLEN);
    crypto_hash_sha256_final(&st, out);
}

/*
 * MTH(D[begin:end]) for a non-empty range that the RFC 6962 §2.1 recursion can
 * produce: begin is a multiple of the largest power of two <= end - begin. Such
 * a range is a run of complete subtrees of decreasing size, one per set bit of
 * end - begin, and its MTH folds them right to left (the recursion always
 * splits off the largest power of two on the left). Reads popcount(end - begin)
 * nodes, rightmost first.
 */
static enum ld_rc
range_hash(ld_merkle_get_fn get, void *ctx, uint64_t begin, uint64_t end, uint8_t out[HLEN])
{
    uint8_t acc[HLEN], node[HLEN];
    int first = 1;
    enum ld_rc rc = LD_OK;

    assert(begin < end);
    while (end > begin) {
        unsigned level = low_bit(end - begin);
        uint64_t start = end - ((uint64_t)1 << level);

        assert((start >> level) << level == start); /* a complete node boundary */
        rc = get(ctx, level, start >> level, first ? acc : node);
        if (rc != LD_OK)
            goto out;
        if (!first)
            ld_merkle_node_hash(node, acc, acc);
        first = 0;
        end = start;
    }
    memcpy(out, acc, HLEN);
out:
    return rc;
}

enum ld_rc
ld_merkle_root(ld_merkle_get_fn get, void *ctx, uint64_t size, uint8_t root[HLEN])
{
    uint8_t r[HLEN];
    enum ld_rc rc = LD_OK;

    if (size == 0) {
        empty_root(r);
    } else {
        rc = range_hash(get, ctx, 0, size, r);
        if (rc != LD_OK)
            goto out;
    }
    memcpy(root, r, HLEN);
out:
    return rc;
}

enum ld_rc
ld_merkle_prove_inclusion(ld_merkle_get_fn get, void *ctx, uint64_t index, uint64_t size,
                          uint8_t proof[][LD_MERKLE_HASH], size_t *n)
{
    uint8_t path[LD_MERKLE_MAX_PROOF][HLEN]; /* top-down; reversed on success */
    uint64_t begin = 0, end = size;
    size_t count = 0, i;
    enum ld_rc rc = LD_OK;

    if (index >= size) {
        rc = LD_INVALID;
        goto out;
    }
    /*
     * SPEC: RFC 6962 §2.1.1: PATH(m, D[n]) = PATH(m, D[0:k]) : MTH(D[k:n]) for
     * m < k, else PATH(m - k, D[k:n]) : MTH(D[0:k]). Walked from the root down,
     * each step records the half that does not hold the leaf. A left half is
     * always complete (one read); a right half is complete except possibly on
     * the right edge, where it costs popcount reads once.
     */
    while (end - begin > 1) {
        uint64_t k = split_point(end - begin);

        assert(count < LD_MERKLE_MAX_PROOF);
        if (index < begin + k) {
            rc = range_hash(get, ctx, begin + k, end, path[count]);
            end = begin + k;
        } else {
            rc = range_hash(get, ctx, begin, begin + k, path[count]);
            begin += k;
        }
        if (rc != LD_OK)
            goto out;
        count++;
    }
    /* PATH lists the leaf's sibling first. */
    for (i = 0; i < count; i++)
        memcpy(proof[i], path[count - 1 - i], HLEN);
    *n = count;
out:
    return rc;
}

enum ld_rc
ld_merkle_prove_consistency(ld_merkle_get_fn get, void *ctx, uint64_t old_size,
                            uint64_t new_size, uint8_t proof[][LD_MERKLE_HASH], size_t *n)
{
    uint8_t side[LD_MERKLE_MAX_PROOF][HLEN]; /* siblings, top-down */
    uint8_t last[HLEN];                      /* MTH of the final old subtree */
    uint64_t begin = 0, end = new_size;
    size_t count = 0, i, out_n = 0;
    int complete = 1; /* the SUBPROOF flag b: still on the old tree's left edge */
    enum ld_rc rc = LD_OK;

    if (old_size == 0 || old_size > new_size) {
        rc = LD_INVALID;
        goto out;
    }
    /*
     * SPEC: RFC 6962 §2.1.2: PROOF(m, D[n]) = SUBPROOF(m, D[n], true), with
     *   SUBPROOF(m, D[m], true) = {}, SUBPROOF(m, D[m], false) = {MTH(D[m])};
     *   m <= k: SUBPROOF(m, D[0:k], b) : MTH(D[k:n]);
     *   m > k:  SUBPROOF(m - k, D[k:n], false) : MTH(D[0:k]).
     * Iterated over absolute offsets, old_size playing m.
     */
    while (old_size != end) {
        uint64_t k = split_point(end - begin);

        assert(count < LD_MERKLE_MAX_PROOF - 1);
        if (old_size <= begin + k) {
            rc = range_hash(get, ctx, begin + k, end, side[count]);
            end = begin + k;
        } else {
            rc = range_hash(get, ctx, begin, begin + k, side[count]);
            begin += k;
            complete = 0;
        }
        if (rc != LD_OK)
            goto out;
        count++;
    }
    if (!complete) {
        /* Only a left narrowing can end the loop, so [begin, end) is one complete node. */
        rc = range_hash(get, ctx, begin, end, last);
        if (rc != LD_OK)
            goto out;
        memcpy(proof[out_n++], last, HLEN);
    }
    for (i = 0; i < count; i++)
        memcpy(proof[out_n++], side[count - 1 - i], HLEN);
    *n = out_n;
out:
    return rc;
}

enum ld_rc
ld_merkle_verify_inclusion(uint64_t index, uint64_t size, const uint8_t leaf_hash[HLEN],
                           const uint8_t proof[][LD_MERKLE_HASH], size_t n,
                           const uint8_t root[HLEN])
{
    uint8_t r[HLEN];
    uint64_t fn, sn;
    size_t i;

    /* SPEC: RFC 9162 §2.1.3.2 step 1. */
    if (index >= size)
        return LD_INVALID;
    /* Steps 2-3. */
    fn = index;
    sn = size - 1;
    memcpy(r, leaf_hash, HLEN);
    /* Step 4. */
    for (i = 0; i < n; i++) {
        if (sn == 0) /* 4a: more hashes than the path is long */
            return LD_INVALID;
        if ((fn & 1) || fn == sn) {
            /* 4b: p is a left sibling; skip levels where the node is a lone right edge */
            ld_merkle_node_hash(proof[i], r, r);
            while (!(fn & 1) && fn != 0) {
                fn >>= 1;
                sn >>= 1;
            }
        } else {
            ld_merkle_node_hash(r, proof[i], r);
        }
        /* 4c */
        fn >>= 1;
        sn >>= 1;
    }
    /* Step 5: the path must reach the root exactly, and end at root. */
    if (sn != 0 || memcmp(r, root, HLEN) != 0)
        return LD_INVALID;
    return LD_OK;
}

enum ld_rc
ld_merkle_verify_consistency(uint64_t old_size, uint64_t new_size, const uint8_t old_root[HLEN],
                             const uint8_t new_root[HLEN], const uint8_t proof[][LD_MERKLE_HASH],
                             size_t n)
{
    uint8_t fr[HLEN], sr[HLEN];
    uint64_t fn, sn;
    size_t i;

    /* SPEC: RFC 9162 §2.1.4.2 assumes 0 < first < second. An empty old tree is
     * refused (nothing to prove, and its root is not a node of the new tree). */
    if (old_size == 0 || old_size > new_size)
        return LD_INVALID;
    /* SPEC: RFC 9162 §2.1.4.1: PROOF(m, D[m]) = SUBPROOF(m, D[m], true) = {},
     * so equal sizes take an empty proof and equal roots. */
    if (old_size == new_size)
        return n == 0 && memcmp(old_root, new_root, HLEN) == 0 ? LD_OK : LD_INVALID;
    /* SPEC: RFC 9162 §2.1.4.2 step 1. */
    if (n == 0)
        return LD_INVALID;
    /* Steps 3-4. */
    fn = old_size - 1;
    sn = new_size - 1;
    while (fn & 1) {
        fn >>= 1;
        sn >>= 1;
    }
    /* Steps 2 and 5: a power-of-two old tree is itself a node of the new one,
     * so its root is the (implicit) first proof entry. */
    i = 0;
    if ((old_size & (old_size - 1)) == 0) {
        memcpy(fr, old_root, HLEN);
    } else {
        memcpy(fr, proof[0], HLEN);
        i = 1;
    }
    memcpy(sr, fr, HLEN);
    /* Step 6. */
    for (; i < n; i++) {
        if (sn == 0) /* 6a */
            return LD_INVALID;
        if ((fn & 1) || fn == sn) {
            /* 6b: c is a left sibling, part of both trees */
            ld_merkle_node_hash(proof[i], fr, fr);
            ld_merkle_node_hash(proof[i], sr, sr);
            while (!(fn & 1) && fn != 0) {
                fn >>= 1;
                sn >>= 1;
            }
        } else {
            /* c is a right sibling: only in the new tree */
            ld_merkle_node_hash(sr, proof[i], sr);
        }
        /* 6c */
        fn >>= 1;
        sn >>= 1;
    }
    /* Step 7. */
    if (sn != 0 || memcmp(fr, old_root, HLEN) != 0 || memcmp(sr, new_root, HLEN) != 0)
        return LD_INVALID;
    return LD_OK;
}

void
ld_merkle_frontier_init(struct ld_merkle_frontier *f)
{
    memset(f, 0, sizeof(*f));
}

enum ld_rc
ld_merkle_frontier_load(struct ld_merkle_frontier *f, ld_merkle_get_fn get, void *ctx,
                        uint64_t size)
{
    struct ld_merkle_frontier t; /* built aside so that f is unchanged on error */
    uint64_t offset = 0;
    unsigned level;
    enum ld_rc rc = LD_OK;

    ld_merkle_frontier_init(&t);
    /* The complete subtrees of a tree of `size` leaves, largest (leftmost) first. */
    for (level = 64; level-- > 0;) {
        uint64_t width = (uint64_t)1 << level;

        if (!(size & width))
            continue;
        rc = get(ctx, level, offset >> level, t.hash[t.n]);
        if (rc != LD_OK)
            goto out;
        t.level[t.n++] = level;
        offset += width;
    }
    t.size = size;
    *f = t;
out:
    return rc;
}

enum ld_rc
ld_merkle_frontier_push(struct ld_merkle_frontier *f, const uint8_t leaf_hash[HLEN],
                        ld_merkle_put_fn put, void *ctx)
{
    uint8_t carry[HLEN];
    uint64_t index = f->size; /* index of the new leaf */
    unsigned level = 0, top = f->n;
    enum ld_rc rc = LD_OK;

    assert(f->n <= 64);
    if (f->size == UINT64_MAX) {
        rc = LD_INVALID;
        goto out;
    }
    memcpy(carry, leaf_hash, HLEN);
    if (put != NULL && (rc = put(ctx, 0, index, carry)) != LD_OK)
        goto out;
    /*
     * Binary carry: while the rightmost subtree has the same size as the new
     * one, they merge into a complete node one level up (SPEC: RFC 6962 §2.1,
     * both halves of a power-of-two tree are complete). f is only read here and
     * is written once every put has succeeded.
     */
    while (top > 0 && f->level[top - 1] == level) {
        top--;
        ld_merkle_node_hash(f->hash[top], carry, carry);
        level++;
        if (put != NULL && (rc = put(ctx, level, index >> level, carry)) != LD_OK)
            goto out;
    }
    assert(top < 64);
    memcpy(f->hash[top], carry, HLEN);
    f->level[top] = level;
    f->n = top + 1;
    f->size++;
out:
    return rc;
}

void
ld_merkle_frontier_root(const struct ld_merkle_frontier *f, uint8_t root[HLEN])
{
    uint8_t acc[HLEN];
    unsigned k;

    if (f->n == 0) {
        empty_root(root);
        return;
    }
    /* SPEC: RFC 6962 §2.1: the tree is its complete subtrees folded right to left. */
    memcpy(acc, f->hash[f->n - 1], HLEN);
    for (k = f->n - 1; k-- > 0;)
        ld_merkle_node_hash(f->hash[k], acc, acc);
    memcpy(root, acc, HLEN);
}

void
ld_merkle_frontier_edges(const struct ld_merkle_frontier *f, uint8_t edge[][LD_MERKLE_HASH])
{
    unsigned k;

    if (f->n == 0)
        return;
    /* SPEC: RFC 6962 §2.1: a range ending at the tree's size is its complete
     * subtrees folded right to left, as in ld_merkle_frontier_root. */
    memcpy(edge[f->n - 1], f->hash[f->n - 1], HLEN);
    for (k = f->n - 1; k-- > 0;)
        ld_merkle_node_hash(f->hash[k], edge[k + 1], edge[k]);
}

enum ld_rc
ld_merkle_prove_inclusion_edge(ld_merkle_get_fn get, void *ctx, uint64_t index,
                               const struct ld_merkle_frontier *f,
                               const uint8_t edge[][LD_MERKLE_HASH],
                               uint8_t proof[][LD_MERKLE_HASH], size_t *n)
{
    uint8_t path[LD_MERKLE_MAX_PROOF][HLEN]; /* top-down; reversed on success */
    uint64_t start = 0;
    size_t count = 0, i;
    unsigned j, level;
    enum ld_rc rc = LD_OK;

    if (index >= f->size) {
        rc = LD_INVALID;
        goto out;
    }
    /*
     * SPEC: RFC 6962 §2.1.1, walked from the root as in ld_merkle_prove_inclusion.
     * Along the right edge the splits fall where f's subtrees start: while the
     * leaf lies right of a split the sibling is the whole subtree f->hash[j];
     * at the subtree j that holds the leaf, the sibling is the rest of the edge,
     * edge[j + 1] (none for the last subtree); below, subtree j is complete
     * and every sibling is a stored node.
     */
    for (j = 0;; j++) {
        assert(j < f->n);
        level = f->level[j];
        if (index < start + ((uint64_t)1 << level))
            break;
        memcpy(path[count++], f->hash[j], HLEN);
        start += (uint64_t)1 << level;
    }
    if (j + 1 < f->n)
        memcpy(path[count++], edge[j + 1], HLEN);
    while (level-- > 0) {
        assert(count < LD_MERKLE_MAX_PROOF);
        rc = get(ctx, level, (index >> level) ^ 1, path[count]);
        if (rc != LD_OK)
            goto out;
        count++;
    }
    for (i = 0; i < count; i++)
        memcpy(proof[i], path[count - 1 - i], HLEN);
    *n = count;
out:
    return rc;
}
