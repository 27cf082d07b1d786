/*
 * test_merkle.c - unit tests for src/merkle.c (RFC 6962 §2.1, RFC 9162 §2.1.3-2.1.4).
 * Known answers come from $LIANDAN_SHARED/vectors/rfc6962/ (sources in its
 * README.md); proofs over larger trees are checked against an in-memory node
 * store built through the frontier, a naive RFC recursion, and a uniform
 * "virtual" store of up to 2^64 - 1 leaves.
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

#include "liandan/enc.h"
#include "liandan/err.h"
#include "liandan/mem.h"
#include "liandan/merkle.h"
#include "liandan/banned.h"

#define HLEN LD_MERKLE_HASH
#define MAXP LD_MERKLE_MAX_PROOF

/* C11 does not convert uint8_t (*)[32] to const uint8_t (*)[32] implicitly. */
#define CP(p) ((const uint8_t(*)[HLEN])(p))

/* ---- helpers: bits ---- */

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

static unsigned
popcount(uint64_t x)
{
    unsigned n = 0;

    for (; x; x &= x - 1)
        n++;
    return n;
}

/* ceil(log2(n)) for n >= 1. */
static unsigned
ceil_log2(uint64_t n)
{
    return bit_len(n - 1);
}

static uint64_t
split_point(uint64_t n)
{
    return (uint64_t)1 << (bit_len(n - 1) - 1);
}

/* Deterministic xorshift64*: the same trees and indexes on every run. */
static uint64_t rng_state = 0x9e3779b97f4a7c15u;

static uint64_t
rnd(void)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 0x2545f4914f6cdd1du;
}

/* ---- helpers: vectors ---- */

static cJSON *
load_vectors(const char *name)
{
    const char *dir = getenv("LIANDAN_SHARED");
    char path[4096];
    FILE *fp;
    char *text;
    long len;
    cJSON *root;

    if (dir == NULL || *dir == '\0')
        fail_msg("LIANDAN_SHARED is not set (it must name the shared/ folder with the vectors)");
    snprintf(path, sizeof(path), "%s/vectors/rfc6962/%s", dir, name);
    fp = fopen(path, "rb");
    if (fp == NULL)
        fail_msg("cannot open '%s'", path);
    assert_int_equal(fseek(fp, 0, SEEK_END), 0);
    len = ftell(fp);
    assert_true(len > 0);
    assert_int_equal(fseek(fp, 0, SEEK_SET), 0);
    text = ld_xmalloc((size_t)len);
    assert_int_equal(fread(text, 1, (size_t)len, fp), (size_t)len);
    fclose(fp);
    root = cJSON_ParseWithLength(text, (size_t)len);
    free(text);
    if (root == NULL)
        fail_msg("cannot parse '%s'", path);
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

/*
 * A non-negative JSON integer. cJSON keeps numbers as doubles: exact below
 * 2^53, and the probes' 2^64 - 1 ("index minus one" from 0) rounds up to 2^64,
 * so values past the uint64 range saturate to UINT64_MAX, which is what it was.
 */
static uint64_t
json_u64(const cJSON *it)
{
    double d;

    assert_true(cJSON_IsNumber(it));
    d = it->valuedouble;
    assert_true(d >= 0);
    if (d >= 18446744073709551616.0)
        return UINT64_MAX;
    assert_true(d < 9007199254740992.0 && (double)(uint64_t)d == d);
    return (uint64_t)d;
}

static void
hex32(const cJSON *it, uint8_t out[HLEN])
{
    assert_true(cJSON_IsString(it));
    assert_int_equal(ld_enc_unhex(it->valuestring, strlen(it->valuestring), out, HLEN), LD_OK);
}

/* A JSON array of hex hashes; returns how many. */
static size_t
hex_list(const cJSON *arr, uint8_t out[][HLEN])
{
    const cJSON *it;
    size_t n = 0;

    assert_true(cJSON_IsArray(arr));
    cJSON_ArrayForEach(it, arr)
    {
        assert_true(n < MAXP);
        hex32(it, out[n++]);
    }
    return n;
}

/* Strict: 1 if `it` is base64 of exactly 32 bytes, else 0 (the probe must then fail). */
static int
b64_32(const cJSON *it, uint8_t out[HLEN])
{
    uint8_t buf[3 * HLEN];
    size_t len = 0;

    if (!cJSON_IsString(it))
        return 0;
    if (ld_enc_unb64(it->valuestring, strlen(it->valuestring), buf, sizeof(buf), &len) != LD_OK)
        return 0;
    if (len != HLEN)
        return 0;
    memcpy(out, buf, HLEN);
    return 1;
}

/* Strict base64 proof (null = empty); 1 if every entry is 32 bytes. */
static int
b64_list(const cJSON *arr, uint8_t out[][HLEN], size_t *n)
{
    const cJSON *it;
    int ok = 1;

    *n = 0;
    if (cJSON_IsNull(arr))
        return 1;
    assert_true(cJSON_IsArray(arr));
    cJSON_ArrayForEach(it, arr)
    {
        assert_true(*n < MAXP);
        ok &= b64_32(it, out[(*n)++]);
    }
    return ok;
}

/* The 8 leaf hashes of the reference tree, from the data, checked against the file. */
static void
leaves_8(const cJSON *v, uint8_t leaf[8][HLEN])
{
    const cJSON *it;
    size_t i = 0;

    cJSON_ArrayForEach(it, field(v, "leaves"))
    {
        const char *hex = field(it, "data")->valuestring;
        uint8_t data[64], want[HLEN];
        size_t len = strlen(hex) / 2;

        assert_true(i < 8);
        assert_int_equal(json_u64(field(it, "index")), i);
        assert_true(len <= sizeof(data));
        assert_int_equal(ld_enc_unhex(hex, strlen(hex), data, len), LD_OK);
        ld_merkle_leaf_hash(data, len, leaf[i]);
        hex32(field(it, "leaf_hash"), want);
        assert_memory_equal(leaf[i], want, HLEN);
        i++;
    }
    assert_int_equal(i, 8);
}

/* ---- the in-memory node store: one growable array per level ---- */

struct store {
    uint8_t (*node[64])[HLEN]; /* node[level][index] */
    uint64_t count[64];        /* nodes stored per level */
    uint64_t limit;            /* get refuses nodes outside the first `limit` leaves */
    unsigned gets, puts;       /* callback calls */
    unsigned fail_get_at;      /* if non-zero, that get (1-based) returns LD_DB */
    unsigned fail_put_at;      /* if non-zero, that put (1-based) returns LD_IO */
};

static enum ld_rc
store_get(void *ctx, unsigned level, uint64_t index, uint8_t out[HLEN])
{
    struct store *s = ctx;

    s->gets++;
    if (s->fail_get_at != 0 && s->gets == s->fail_get_at)
        return LD_DB;
    /* node (level, index) is complete within `limit` leaves iff index < limit >> level */
    if (level >= 64 || index >= (s->limit >> level) || index >= s->count[level])
        return LD_NOTFOUND;
    memcpy(out, s->node[level][index], HLEN);
    return LD_OK;
}

static enum ld_rc
store_put(void *ctx, unsigned level, uint64_t index, const uint8_t hash[HLEN])
{
    struct store *s = ctx;

    s->puts++;
    if (s->fail_put_at != 0 && s->puts == s->fail_put_at)
        return LD_IO;
    assert_true(level < 64);
    /* every node is emitted exactly once, left to right within its level */
    assert_int_equal(index, s->count[level]);
    s->node[level] = ld_xrealloc(s->node[level], (size_t)(index + 1) * HLEN);
    memcpy(s->node[level][index], hash, HLEN);
    s->count[level]++;
    return LD_OK;
}

static void
store_release(struct store *s)
{
    unsigned l;

    for (l = 0; l < 64; l++)
        free(s->node[l]);
    memset(s, 0, sizeof(*s));
}

/* Leaf i of the synthetic trees: the leaf hash of its 8-byte little-endian index. */
static void
synth_leaf(uint64_t i, uint8_t out[HLEN])
{
    uint8_t le[8];
    unsigned b;

    for (b = 0; b < 8; b++)
        le[b] = (uint8_t)(i >> (8 * b));
    ld_merkle_leaf_hash(le, sizeof(le), out);
}

/* ---- naive RFC 6962 §2.1 recursion over a leaf array (test-only reference) ---- */

static void
ref_mth(uint8_t (*leaf)[HLEN], uint64_t b, uint64_t e, uint8_t out[HLEN])
{
    uint8_t l[HLEN], r[HLEN];
    uint64_t k;

    if (e - b == 1) {
        memcpy(out, leaf[b], HLEN);
        return;
    }
    k = split_point(e - b);
    ref_mth(leaf, b, b + k, l);
    ref_mth(leaf, b + k, e, r);
    ld_merkle_node_hash(l, r, out);
}

/* SPEC: RFC 6962 §2.1.1 PATH(m, D[b:e]), m absolute. */
static size_t
ref_path(uint8_t (*leaf)[HLEN], uint64_t m, uint64_t b, uint64_t e, uint8_t out[][HLEN])
{
    uint64_t k;
    size_t c;

    if (e - b == 1)
        return 0;
    k = split_point(e - b);
    if (m < b + k) {
        c = ref_path(leaf, m, b, b + k, out);
        ref_mth(leaf, b + k, e, out[c]);
    } else {
        c = ref_path(leaf, m, b + k, e, out);
        ref_mth(leaf, b, b + k, out[c]);
    }
    return c + 1;
}

/* SPEC: RFC 6962 §2.1.2 SUBPROOF(m, D[b:e], complete), m absolute. */
static size_t
ref_subproof(uint8_t (*leaf)[HLEN], uint64_t m, uint64_t b, uint64_t e, int complete,
             uint8_t out[][HLEN])
{
    uint64_t k;
    size_t c;

    if (m == e) {
        if (complete)
            return 0;
        ref_mth(leaf, b, e, out[0]);
        return 1;
    }
    k = split_point(e - b);
    if (m <= b + k) {
        c = ref_subproof(leaf, m, b, b + k, complete, out);
        ref_mth(leaf, b + k, e, out[c]);
    } else {
        c = ref_subproof(leaf, m, b + k, e, 0, out);
        ref_mth(leaf, b, b + k, out[c]);
    }
    return c + 1;
}

/* ---- fixture for the vector tests: the 8-leaf reference tree in a store ---- */

struct tree8 {
    struct store s;
    uint8_t leaf[8][HLEN];
    uint8_t froot[9][HLEN]; /* frontier root after each size 0..8 */
};

static void
build_tree8(const cJSON *v, struct tree8 *t)
{
    struct ld_merkle_frontier f;
    unsigned i;

    memset(t, 0, sizeof(*t));
    leaves_8(v, t->leaf);
    ld_merkle_frontier_init(&f);
    ld_merkle_frontier_root(&f, t->froot[0]);
    for (i = 0; i < 8; i++) {
        assert_int_equal(ld_merkle_frontier_push(&f, t->leaf[i], store_put, &t->s), LD_OK);
        ld_merkle_frontier_root(&f, t->froot[i + 1]);
    }
    t->s.limit = 8;
}

/* ---- tests: the 8-leaf reference tree ---- */

static void
test_8leaf_hashes_and_roots(void **state)
{
    cJSON *v = load_vectors("merkle_8leaf.json");
    struct tree8 t;
    uint8_t want[HLEN], got[HLEN];
    const cJSON *it;
    unsigned level, nroots = 0, nnodes = 0;

    (void)state;
    build_tree8(v, &t);
    /* SPEC: RFC 6962 §2.1: the empty tree */
    hex32(field(v, "empty_tree_root"), want);
    assert_int_equal(ld_merkle_root(store_get, &t.s, 0, got), LD_OK);
    assert_memory_equal(got, want, HLEN);
    /* complete interior nodes, as the frontier emitted them */
    for (level = 1; level <= 3; level++) {
        char name[16];

        snprintf(name, sizeof(name), "level%u", level);
        cJSON_ArrayForEach(it, field(field(v, "interior_nodes"), name))
        {
            uint64_t b = json_u64(cJSON_GetArrayItem(field(it, "range"), 0));
            uint64_t e = json_u64(cJSON_GetArrayItem(field(it, "range"), 1));

            assert_int_equal(e - b, (uint64_t)1 << level);
            hex32(field(it, "hash"), want);
            assert_true((b >> level) < t.s.count[level]);
            assert_memory_equal(t.s.node[level][b >> level], want, HLEN);
            ld_merkle_node_hash(t.s.node[level - 1][2 * (b >> level)],
                                t.s.node[level - 1][2 * (b >> level) + 1], got);
            assert_memory_equal(got, want, HLEN);
            nnodes++;
        }
    }
    assert_int_equal(nnodes, 4 + 2 + 1);
    assert_int_equal(t.s.count[0], 8);
    /* roots 0..8 from the store (popcount reads) and from the frontier */
    cJSON_ArrayForEach(it, field(v, "roots"))
    {
        uint64_t size = json_u64(field(it, "tree_size"));

        hex32(field(it, "root"), want);
        t.s.limit = size;
        t.s.gets = 0;
        assert_int_equal(ld_merkle_root(store_get, &t.s, size, got), LD_OK);
        assert_memory_equal(got, want, HLEN);
        assert_int_equal(t.s.gets, popcount(size));
        assert_memory_equal(t.froot[size], want, HLEN);
        nroots++;
    }
    assert_int_equal(nroots, 9);
    store_release(&t.s);
    cJSON_Delete(v);
}

/* Look up an RFC figure node by name ("j" also matches "j(=d6 leaf)"). */
static void
rfc_node(const cJSON *nodes, const char *name, uint8_t out[HLEN])
{
    const cJSON *it;
    size_t len = strlen(name);

    cJSON_ArrayForEach(it, nodes)
    {
        if (strcmp(it->string, name) == 0 ||
            (strncmp(it->string, name, len) == 0 && it->string[len] == '(')) {
            hex32(it, out);
            return;
        }
    }
    fail_msg("no node '%s' in the RFC example", name);
}

/* A list of RFC figure node names, as hashes. */
static size_t
rfc_list(const cJSON *nodes, const cJSON *names, uint8_t out[][HLEN])
{
    const cJSON *it;
    size_t n = 0;

    cJSON_ArrayForEach(it, names)
    {
        assert_true(cJSON_IsString(it));
        rfc_node(nodes, it->valuestring, out[n++]);
    }
    return n;
}

static void
test_8leaf_rfc_example(void **state)
{
    cJSON *v = load_vectors("merkle_8leaf.json");
    const cJSON *ex = field(v, "rfc6962_section_2_1_3_example");
    const cJSON *nodes = field(ex, "nodes"), *it;
    struct tree8 t;
    uint8_t a[HLEN], b[HLEN], x[HLEN], y[HLEN], root7[HLEN], got[HLEN];
    uint8_t want[MAXP][HLEN], proof[MAXP][HLEN];
    size_t n, wn;
    unsigned paths = 0, proofs = 0;

    (void)state;
    build_tree8(v, &t);
    t.s.limit = 7;
    /* SPEC: RFC 6962 §2.1.3 figure: g = (a,b), h = (c,d), i = (e,f), k = (g,h), l = (i,j) */
    rfc_node(nodes, "a", a);
    rfc_node(nodes, "b", b);
    ld_merkle_node_hash(a, b, got);
    rfc_node(nodes, "g", x);
    assert_memory_equal(got, x, HLEN);
    rfc_node(nodes, "h", y);
    ld_merkle_node_hash(x, y, got);
    rfc_node(nodes, "k", x);
    assert_memory_equal(got, x, HLEN);
    rfc_node(nodes, "i", a);
    rfc_node(nodes, "j", b);
    ld_merkle_node_hash(a, b, got);
    rfc_node(nodes, "l", y);
    assert_memory_equal(got, y, HLEN);
    ld_merkle_node_hash(x, y, got);
    rfc_node(nodes, "hash(root,7)", root7);
    assert_memory_equal(got, root7, HLEN);
    assert_int_equal(ld_merkle_root(store_get, &t.s, 7, got), LD_OK);
    assert_memory_equal(got, root7, HLEN);

    /* SPEC: RFC 6962 §2.1.3: audit paths for d0, d3, d4, d6 in the 7-leaf tree */
    cJSON_ArrayForEach(it, field(ex, "audit_paths"))
    {
        uint64_t m = strtoull(it->string + 1, NULL, 10);

        assert_true(it->string[0] == 'd' && m < 7);
        wn = rfc_list(nodes, it, want);
        assert_int_equal(ld_merkle_prove_inclusion(store_get, &t.s, m, 7, proof, &n), LD_OK);
        assert_int_equal(n, wn);
        assert_memory_equal(proof, want, n * HLEN);
        assert_int_equal(ld_merkle_verify_inclusion(m, 7, t.leaf[m], CP(proof), n, root7), LD_OK);
        paths++;
    }
    assert_int_equal(paths, 4);
    /* SPEC: RFC 6962 §2.1.3: PROOF(3, D[7]), PROOF(4, D[7]), PROOF(6, D[7]) */
    cJSON_ArrayForEach(it, field(ex, "consistency"))
    {
        unsigned m = 0, nn = 0;

        assert_int_equal(sscanf(it->string, "PROOF(%u,D[%u])", &m, &nn), 2);
        assert_int_equal(nn, 7);
        wn = rfc_list(nodes, it, want);
        assert_int_equal(ld_merkle_prove_consistency(store_get, &t.s, m, 7, proof, &n), LD_OK);
        assert_int_equal(n, wn);
        assert_memory_equal(proof, want, n * HLEN);
        assert_int_equal(ld_merkle_verify_consistency(m, 7, t.froot[m], root7, CP(proof), n),
                         LD_OK);
        proofs++;
    }
    assert_int_equal(proofs, 3);
    store_release(&t.s);
    cJSON_Delete(v);
}

/* Generate every listed proof byte for byte, verify it, and count them. */
static void
check_listed_proofs(const cJSON *v, struct tree8 *t, unsigned *ninc, unsigned *ncons)
{
    const cJSON *it;
    uint8_t want[MAXP][HLEN], proof[MAXP][HLEN], leaf[HLEN], root[HLEN], r2[HLEN];
    size_t n, wn;

    *ninc = *ncons = 0;
    cJSON_ArrayForEach(it, field(v, "inclusion"))
    {
        uint64_t m = json_u64(field(it, "leaf_index"));
        uint64_t size = json_u64(field(it, "tree_size"));

        hex32(field(it, "leaf_hash"), leaf);
        hex32(field(it, "root"), root);
        wn = hex_list(field(it, "path"), want);
        assert_true(m < size && size <= 8);
        assert_memory_equal(leaf, t->leaf[m], HLEN);
        assert_memory_equal(root, t->froot[size], HLEN);
        t->s.limit = size;
        assert_int_equal(ld_merkle_prove_inclusion(store_get, &t->s, m, size, proof, &n), LD_OK);
        assert_int_equal(n, wn);
        assert_memory_equal(proof, want, n * HLEN);
        assert_int_equal(ld_merkle_verify_inclusion(m, size, leaf, CP(want), wn, root), LD_OK);
        (*ninc)++;
    }
    cJSON_ArrayForEach(it, field(v, "consistency"))
    {
        uint64_t m = json_u64(field(it, "old_size"));
        uint64_t size = json_u64(field(it, "new_size"));

        hex32(field(it, "old_root"), root);
        hex32(field(it, "new_root"), r2);
        wn = hex_list(field(it, "proof"), want);
        assert_true(m >= 1 && m <= size && size <= 8);
        assert_memory_equal(root, t->froot[m], HLEN);
        assert_memory_equal(r2, t->froot[size], HLEN);
        t->s.limit = size;
        assert_int_equal(ld_merkle_prove_consistency(store_get, &t->s, m, size, proof, &n),
                         LD_OK);
        assert_int_equal(n, wn);
        assert_memory_equal(proof, want, n * HLEN);
        assert_int_equal(ld_merkle_verify_consistency(m, size, root, r2, CP(want), wn), LD_OK);
        (*ncons)++;
    }
}

static void
test_8leaf_listed_proofs(void **state)
{
    cJSON *v = load_vectors("merkle_8leaf.json");
    struct tree8 t;
    unsigned ninc, ncons;

    (void)state;
    build_tree8(v, &t);
    check_listed_proofs(v, &t, &ninc, &ncons);
    assert_int_equal(ninc, 7);
    assert_int_equal(ncons, 5);
    store_release(&t.s);
    cJSON_Delete(v);
}

static void
test_8leaf_all_proofs(void **state)
{
    cJSON *ref = load_vectors("merkle_8leaf.json");
    cJSON *v = load_vectors("merkle_8leaf_all_proofs.json");
    const cJSON *it;
    struct tree8 t;
    unsigned ninc, ncons, i = 0;

    (void)state;
    build_tree8(ref, &t);
    /* same leaf inputs as merkle_8leaf.json */
    cJSON_ArrayForEach(it, field(v, "leaf_inputs"))
    {
        uint8_t data[64], h[HLEN];
        size_t len = strlen(it->valuestring) / 2;

        assert_true(i < 8 && len <= sizeof(data));
        assert_int_equal(ld_enc_unhex(it->valuestring, strlen(it->valuestring), data, len), LD_OK);
        ld_merkle_leaf_hash(data, len, h);
        assert_memory_equal(h, t.leaf[i], HLEN);
        i++;
    }
    assert_int_equal(i, 8);
    for (i = 0; i <= 8; i++) {
        char key[4];
        uint8_t want[HLEN];

        snprintf(key, sizeof(key), "%u", i);
        hex32(field(field(v, "roots"), key), want);
        assert_memory_equal(t.froot[i], want, HLEN);
    }
    check_listed_proofs(v, &t, &ninc, &ncons);
    assert_int_equal(ninc, 36);
    assert_int_equal(ncons, 36);
    store_release(&t.s);
    cJSON_Delete(v);
    cJSON_Delete(ref);
}

/* ---- tests: transparency-dev probes, strict 32-byte hashes ---- */

static void
test_inclusion_probes(void **state)
{
    cJSON *v = load_vectors("transparency-dev-inclusion-probes.json");
    const cJSON *it;
    unsigned total = 0, accepted = 0, rejected = 0, malformed = 0;

    (void)state;
    cJSON_ArrayForEach(it, field(v, "probes"))
    {
        const char *file = field(it, "file")->valuestring;
        int want_err = cJSON_IsTrue(field(it, "wantErr"));
        uint8_t root[HLEN], leaf[HLEN], proof[MAXP][HLEN];
        size_t n;
        int ok, wellformed;

        assert_true(cJSON_IsBool(field(it, "wantErr")));
        wellformed = b64_32(field(it, "root"), root);
        wellformed &= b64_32(field(it, "leafHash"), leaf);
        wellformed &= b64_list(field(it, "proof"), proof, &n);
        ok = wellformed && ld_merkle_verify_inclusion(json_u64(field(it, "leafIdx")),
                                                      json_u64(field(it, "treeSize")), leaf,
                                                      CP(proof), n, root) == LD_OK;
        if (ok == want_err)
            fail_msg("inclusion probe '%s': %s, want %s", file, ok ? "accepted" : "rejected",
                     want_err ? "reject" : "accept");
        malformed += !wellformed;
        accepted += ok;
        rejected += !ok;
        total++;
    }
    assert_int_equal(total, 98);
    assert_int_equal(accepted, 6);
    assert_int_equal(rejected, 92);
    assert_true(malformed > 0);
    cJSON_Delete(v);
}

static void
test_consistency_probes(void **state)
{
    static const char loose[] =
        "testdata/consistency/additional/sizes-are-equal-one-and-proof-is-empty.json";
    cJSON *v = load_vectors("transparency-dev-consistency-probes.json");
    const cJSON *it;
    unsigned total = 0, accepted = 0, rejected = 0, loose_seen = 0;

    (void)state;
    cJSON_ArrayForEach(it, field(v, "probes"))
    {
        const char *file = field(it, "file")->valuestring;
        int want_err = cJSON_IsTrue(field(it, "wantErr"));
        uint8_t r1[HLEN], r2[HLEN], proof[MAXP][HLEN];
        size_t n;
        int ok, wellformed;

        assert_true(cJSON_IsBool(field(it, "wantErr")));
        wellformed = b64_32(field(it, "root1"), r1);
        wellformed &= b64_32(field(it, "root2"), r2);
        wellformed &= b64_list(field(it, "proof"), proof, &n);
        ok = wellformed &&
             ld_merkle_verify_consistency(json_u64(field(it, "size1")),
                                          json_u64(field(it, "size2")), r1, r2, CP(proof),
                                          n) == LD_OK;
        if (strcmp(file, loose) == 0) {
            /* Upstream accepts it; its roots are 12-byte placeholders, so we must not. */
            uint8_t buf[64];
            size_t len = 0;
            const char *t = field(it, "root1")->valuestring;

            assert_false(want_err);
            assert_int_equal(ld_enc_unb64(t, strlen(t), buf, sizeof(buf), &len), LD_OK);
            assert_int_equal(len, 12);
            assert_false(wellformed);
            assert_false(ok);
            want_err = 1;
            loose_seen++;
        }
        if (ok == want_err)
            fail_msg("consistency probe '%s': %s, want %s", file, ok ? "accepted" : "rejected",
                     want_err ? "reject" : "accept");
        accepted += ok;
        rejected += !ok;
        total++;
    }
    assert_int_equal(total, 98);
    assert_int_equal(loose_seen, 1);
    assert_int_equal(accepted, 5);
    assert_int_equal(rejected, 93);
    cJSON_Delete(v);
}

/* ---- tests: generated trees ---- */

/* A store of `size` synthetic leaves, with the frontier root after every size. */
static uint8_t (*build_store(struct store *s, uint64_t size, uint8_t (**froot)[HLEN]))[HLEN]
{
    uint8_t(*leaf)[HLEN] = ld_xcalloc((size_t)size, HLEN);
    struct ld_merkle_frontier f;
    uint64_t i;

    memset(s, 0, sizeof(*s));
    *froot = ld_xcalloc((size_t)size + 1, HLEN);
    ld_merkle_frontier_init(&f);
    ld_merkle_frontier_root(&f, (*froot)[0]);
    for (i = 0; i < size; i++) {
        synth_leaf(i, leaf[i]);
        assert_int_equal(ld_merkle_frontier_push(&f, leaf[i], store_put, s), LD_OK);
        assert_int_equal(f.size, i + 1);
        assert_int_equal(f.n, popcount(i + 1));
        ld_merkle_frontier_root(&f, (*froot)[i + 1]);
    }
    s->limit = size;
    return leaf;
}

static void
test_against_reference(void **state)
{
    enum { N = 40 };
    struct store s;
    uint8_t(*froot)[HLEN];
    uint8_t(*leaf)[HLEN] = build_store(&s, N, &froot);
    uint8_t want[MAXP][HLEN], proof[MAXP][HLEN], root[HLEN];
    uint64_t size, m;
    size_t n, wn;
    unsigned ninc = 0, ncons = 0;

    (void)state;
    for (size = 1; size <= N; size++) {
        s.limit = size;
        ref_mth(leaf, 0, size, root);
        assert_memory_equal(froot[size], root, HLEN);
        for (m = 0; m < size; m++) {
            wn = ref_path(leaf, m, 0, size, want);
            assert_int_equal(ld_merkle_prove_inclusion(store_get, &s, m, size, proof, &n), LD_OK);
            assert_int_equal(n, wn);
            assert_memory_equal(proof, want, n * HLEN);
            ninc++;
        }
        for (m = 1; m <= size; m++) {
            wn = ref_subproof(leaf, m, 0, size, 1, want);
            assert_int_equal(ld_merkle_prove_consistency(store_get, &s, m, size, proof, &n),
                             LD_OK);
            assert_int_equal(n, wn);
            assert_memory_equal(proof, want, n * HLEN);
            ncons++;
        }
    }
    assert_int_equal(ninc, N * (N + 1) / 2);
    assert_int_equal(ncons, N * (N + 1) / 2);
    free(leaf);
    free(froot);
    store_release(&s);
}

static void
test_random_store(void **state)
{
    enum { N = 1000, ROUNDS = 400 };
    struct store s;
    uint8_t(*froot)[HLEN];
    uint8_t(*leaf)[HLEN] = build_store(&s, N, &froot);
    uint8_t proof[MAXP + 1][HLEN], root[HLEN], bad[HLEN];
    unsigned r, max_inc_reads = 0, max_cons_reads = 0;
    size_t n;

    (void)state;
    for (r = 0; r < ROUNDS; r++) {
        uint64_t size = 1 + rnd() % N, m = rnd() % size, old = 1 + rnd() % size;
        unsigned bound = 2 * ceil_log2(size); /* tighter than 3 ceil(log2 n) + 2 */
        size_t bit;

        s.limit = size;
        s.gets = 0;
        assert_int_equal(ld_merkle_root(store_get, &s, size, root), LD_OK);
        assert_int_equal(s.gets, popcount(size));
        assert_memory_equal(root, froot[size], HLEN);

        /* inclusion: generate, verify, then tamper */
        s.gets = 0;
        assert_int_equal(ld_merkle_prove_inclusion(store_get, &s, m, size, proof, &n), LD_OK);
        assert_true(s.gets <= bound);
        if (s.gets > max_inc_reads)
            max_inc_reads = s.gets;
        if (size == 1)
            assert_int_equal(n, 0);
        assert_true(n <= ceil_log2(size));
        assert_int_equal(ld_merkle_verify_inclusion(m, size, leaf[m], CP(proof), n, root), LD_OK);
        assert_int_equal(ld_merkle_verify_inclusion(m, size, leaf[m], CP(proof), n, froot[size]),
                         LD_OK);
        assert_int_equal(ld_merkle_verify_inclusion(m, size, leaf[(m + 1) % N], CP(proof), n,
                                                    root),
                         LD_INVALID);
        if (size > 1)
            assert_int_equal(ld_merkle_verify_inclusion(m ^ 1, size, leaf[m], CP(proof), n, root),
                             LD_INVALID);
        memcpy(proof[n], leaf[m], HLEN); /* one hash too many */
        assert_int_equal(ld_merkle_verify_inclusion(m, size, leaf[m], CP(proof), n + 1, root),
                         LD_INVALID);
        if (n > 0) {
            assert_int_equal(ld_merkle_verify_inclusion(m, size, leaf[m], CP(proof), n - 1, root),
                             LD_INVALID);
            bit = (size_t)(rnd() % (n * HLEN * 8));
            proof[bit / (HLEN * 8)][bit / 8 % HLEN] ^= (uint8_t)(1u << (bit % 8));
            assert_int_equal(ld_merkle_verify_inclusion(m, size, leaf[m], CP(proof), n, root),
                             LD_INVALID);
        }
        memcpy(bad, root, HLEN);
        bad[rnd() % HLEN] ^= 0x80;
        assert_int_equal(ld_merkle_verify_inclusion(m, size, leaf[m], CP(proof), n, bad),
                         LD_INVALID);

        /* consistency: generate, verify against both roots, then tamper */
        s.gets = 0;
        assert_int_equal(ld_merkle_prove_consistency(store_get, &s, old, size, proof, &n), LD_OK);
        assert_true(s.gets <= bound);
        if (s.gets > max_cons_reads)
            max_cons_reads = s.gets;
        assert_true(n <= ceil_log2(size) + 1);
        assert_int_equal(
            ld_merkle_verify_consistency(old, size, froot[old], root, CP(proof), n), LD_OK);
        if (old == size) {
            assert_int_equal(n, 0);
            continue;
        }
        assert_int_equal(
            ld_merkle_verify_consistency(old, size, froot[old], bad, CP(proof), n), LD_INVALID);
        assert_int_equal(ld_merkle_verify_consistency(old, size, froot[old - 1], root, CP(proof),
                                                      n),
                         LD_INVALID);
        memcpy(proof[n], root, HLEN); /* one hash too many */
        assert_int_equal(
            ld_merkle_verify_consistency(old, size, froot[old], root, CP(proof), n + 1),
            LD_INVALID);
        assert_int_equal(
            ld_merkle_verify_consistency(old, size, froot[old], root, CP(proof), n - 1),
            LD_INVALID);
        assert_int_equal(ld_merkle_verify_consistency(old, size, root, froot[old], CP(proof), n),
                         LD_INVALID); /* swapped roots */
        bit = (size_t)(rnd() % (n * HLEN * 8));
        proof[bit / (HLEN * 8)][bit / 8 % HLEN] ^= (uint8_t)(1u << (bit % 8));
        assert_int_equal(
            ld_merkle_verify_consistency(old, size, froot[old], root, CP(proof), n), LD_INVALID);
    }
    /* the walks really are O(log n): a 1000-leaf tree has depth 10 */
    assert_true(max_inc_reads <= 2 * 10);
    assert_true(max_cons_reads <= 2 * 10);
    assert_true(max_inc_reads >= 10); /* and the counter does count */
    free(leaf);
    free(froot);
    store_release(&s);
}

/*
 * A virtual tree of up to 2^64 - 1 identical leaves: node (level, index) is
 * u[level] for every index, which is a consistent tree, so proofs for huge
 * sizes can be generated and verified without storing anything.
 */
struct uniform {
    uint8_t u[64][HLEN];
    uint64_t size;
    unsigned gets;
};

static enum ld_rc
uniform_get(void *ctx, unsigned level, uint64_t index, uint8_t out[HLEN])
{
    struct uniform *t = ctx;

    t->gets++;
    if (level >= 64 || index >= (t->size >> level))
        return LD_NOTFOUND;
    memcpy(out, t->u[level], HLEN);
    return LD_OK;
}

static void
test_huge_trees(void **state)
{
    static const uint64_t sizes[] = {
        1,
        2,
        3,
        ((uint64_t)1 << 62) + 1,
        (uint64_t)1 << 63,
        ((uint64_t)1 << 63) - 1,
        ((uint64_t)1 << 63) + 1,
        UINT64_MAX - 1,
        UINT64_MAX,
    };
    struct uniform t;
    struct ld_merkle_frontier f, g;
    uint8_t proof[MAXP][HLEN], root[HLEN], old_root[HLEN], next[HLEN], froot[HLEN];
    unsigned i, l, r;
    size_t n;

    (void)state;
    memset(&t, 0, sizeof(t));
    synth_leaf(0, t.u[0]);
    for (l = 1; l < 64; l++)
        ld_merkle_node_hash(t.u[l - 1], t.u[l - 1], t.u[l]);
    for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]) + 40; i++) {
        uint64_t size = i < sizeof(sizes) / sizeof(sizes[0]) ? sizes[i] : rnd() | 1;

        t.size = size;
        t.gets = 0;
        assert_int_equal(ld_merkle_root(uniform_get, &t, size, root), LD_OK);
        assert_int_equal(t.gets, popcount(size));
        /* the frontier of a stored tree gives the same root */
        t.gets = 0;
        assert_int_equal(ld_merkle_frontier_load(&f, uniform_get, &t, size), LD_OK);
        assert_int_equal(t.gets, popcount(size));
        assert_int_equal(f.n, popcount(size));
        ld_merkle_frontier_root(&f, froot);
        assert_memory_equal(froot, root, HLEN);
        /* pushing one more leaf agrees with the store's next root */
        if (size < UINT64_MAX) {
            t.size = size + 1;
            assert_int_equal(ld_merkle_root(uniform_get, &t, size + 1, next), LD_OK);
            assert_int_equal(ld_merkle_frontier_push(&f, t.u[0], NULL, NULL), LD_OK);
            ld_merkle_frontier_root(&f, froot);
            assert_memory_equal(froot, next, HLEN);
            t.size = size;
        } else {
            /* a full tree cannot grow */
            g = f;
            assert_int_equal(ld_merkle_frontier_push(&f, t.u[0], NULL, NULL), LD_INVALID);
            assert_memory_equal(&f, &g, sizeof(f));
        }
        for (r = 0; r < 8; r++) {
            uint64_t m = r == 0 ? 0 : r == 1 ? size - 1 : rnd() % size;
            uint64_t old = r == 0 ? 1 : r == 1 ? size : r == 2 ? size - 1 : 1 + rnd() % size;

            t.gets = 0;
            assert_int_equal(ld_merkle_prove_inclusion(uniform_get, &t, m, size, proof, &n),
                             LD_OK);
            assert_true(n <= 64 && n <= ceil_log2(size));
            assert_true(t.gets <= 2 * ceil_log2(size));
            assert_int_equal(ld_merkle_verify_inclusion(m, size, t.u[0], CP(proof), n, root),
                             LD_OK);
            if (old == 0)
                continue;
            t.size = old;
            assert_int_equal(ld_merkle_root(uniform_get, &t, old, old_root), LD_OK);
            t.size = size;
            t.gets = 0;
            assert_int_equal(ld_merkle_prove_consistency(uniform_get, &t, old, size, proof, &n),
                             LD_OK);
            assert_true(n <= MAXP && n <= ceil_log2(size) + 1);
            assert_true(t.gets <= 2 * ceil_log2(size));
            assert_int_equal(
                ld_merkle_verify_consistency(old, size, old_root, root, CP(proof), n), LD_OK);
        }
    }
}

/* ---- tests: the frontier's contract ---- */

struct put_log {
    unsigned n;
    unsigned level[70];
    uint64_t index[70];
};

static enum ld_rc
log_put(void *ctx, unsigned level, uint64_t index, const uint8_t hash[HLEN])
{
    struct put_log *p = ctx;

    (void)hash;
    assert_true(p->n < 70);
    p->level[p->n] = level;
    p->index[p->n] = index;
    p->n++;
    return LD_OK;
}

static void
test_frontier_push_order(void **state)
{
    struct ld_merkle_frontier f;
    struct put_log log;
    uint8_t h[HLEN];
    uint64_t i;
    unsigned k;

    (void)state;
    ld_merkle_frontier_init(&f);
    assert_int_equal(f.size, 0);
    assert_int_equal(f.n, 0);
    for (i = 0; i < 64; i++) {
        memset(&log, 0, sizeof(log));
        synth_leaf(i, h);
        assert_int_equal(ld_merkle_frontier_push(&f, h, log_put, &log), LD_OK);
        /* the leaf, then one node per trailing 1 bit of i, in increasing level */
        assert_int_equal(log.n, 1 + bit_len(i ^ (i + 1)) - 1);
        for (k = 0; k < log.n; k++) {
            assert_int_equal(log.level[k], k);
            assert_int_equal(log.index[k], i >> k);
        }
        /* the frontier lists complete subtrees largest first */
        assert_int_equal(f.n, popcount(i + 1));
        for (k = 0; k + 1 < f.n; k++)
            assert_true(f.level[k] > f.level[k + 1]);
    }
}

static void
test_frontier_put_failure(void **state)
{
    struct store s;
    struct ld_merkle_frontier f, before;
    uint8_t h[HLEN], root[HLEN];
    unsigned at;

    (void)state;
    /* size 7 -> 8 completes nodes at levels 1, 2 and 3: four puts in all */
    for (at = 1; at <= 4; at++) {
        uint64_t i;

        memset(&s, 0, sizeof(s));
        ld_merkle_frontier_init(&f);
        for (i = 0; i < 7; i++) {
            synth_leaf(i, h);
            assert_int_equal(ld_merkle_frontier_push(&f, h, store_put, &s), LD_OK);
        }
        before = f;
        s.puts = 0;
        s.fail_put_at = at;
        synth_leaf(7, h);
        assert_int_equal(ld_merkle_frontier_push(&f, h, store_put, &s), LD_IO);
        assert_memory_equal(&f, &before, sizeof(f));
        assert_int_equal(s.puts, at);
        store_release(&s);
    }
    /* a failed push can be retried against a store that now works */
    memset(&s, 0, sizeof(s));
    ld_merkle_frontier_init(&f);
    synth_leaf(0, h);
    s.fail_put_at = 1;
    assert_int_equal(ld_merkle_frontier_push(&f, h, store_put, &s), LD_IO);
    assert_int_equal(f.size, 0);
    s.fail_put_at = 0;
    assert_int_equal(ld_merkle_frontier_push(&f, h, store_put, &s), LD_OK);
    ld_merkle_frontier_root(&f, root);
    assert_memory_equal(root, h, HLEN);
    store_release(&s);
}

static void
test_frontier_load(void **state)
{
    enum { N = 100 };
    struct store s;
    uint8_t(*froot)[HLEN];
    uint8_t(*leaf)[HLEN] = build_store(&s, N, &froot);
    struct ld_merkle_frontier f, pushed, before;
    uint8_t root[HLEN];
    uint64_t size;
    unsigned at;

    (void)state;
    ld_merkle_frontier_init(&pushed);
    for (size = 0; size <= N; size++) {
        s.limit = size;
        s.gets = 0;
        memset(&f, 0xa5, sizeof(f));
        assert_int_equal(ld_merkle_frontier_load(&f, store_get, &s, size), LD_OK);
        assert_int_equal(s.gets, popcount(size));
        /* identical to the frontier that appending built, field for field */
        assert_int_equal(f.size, pushed.size);
        assert_int_equal(f.n, pushed.n);
        assert_memory_equal(f.hash, pushed.hash, (size_t)f.n * HLEN);
        assert_memory_equal(f.level, pushed.level, f.n * sizeof(f.level[0]));
        ld_merkle_frontier_root(&f, root);
        assert_memory_equal(root, froot[size], HLEN);
        if (size < N)
            assert_int_equal(ld_merkle_frontier_push(&pushed, leaf[size], NULL, NULL), LD_OK);
    }
    /* a failing read leaves f unchanged and passes the error up */
    s.limit = 91; /* popcount 4 */
    for (at = 1; at <= 4; at++) {
        f = pushed;
        before = f;
        s.gets = 0;
        s.fail_get_at = at;
        assert_int_equal(ld_merkle_frontier_load(&f, store_get, &s, 91), LD_DB);
        assert_memory_equal(&f, &before, sizeof(f));
    }
    s.fail_get_at = 0;
    /* a missing node (store shorter than asked) is the callback's LD_NOTFOUND */
    s.limit = N;
    assert_int_equal(ld_merkle_frontier_load(&f, store_get, &s, N + 1), LD_NOTFOUND);
    assert_memory_equal(&f, &before, sizeof(f));
    free(leaf);
    free(froot);
    store_release(&s);
}

/* ---- tests: errors and edge cases ---- */

static void
test_get_errors_pass_up(void **state)
{
    enum { N = 300 };
    struct store s;
    uint8_t(*froot)[HLEN];
    uint8_t(*leaf)[HLEN] = build_store(&s, N, &froot);
    uint8_t proof[MAXP][HLEN], sentinel[MAXP][HLEN], root[HLEN];
    unsigned reads, at;
    size_t n;

    (void)state;
    memset(sentinel, 0x5a, sizeof(sentinel));
    s.limit = 299; /* any read past the tree would come back LD_NOTFOUND */
    /* inclusion: fail each read in turn */
    s.gets = 0;
    assert_int_equal(ld_merkle_prove_inclusion(store_get, &s, 173, 299, proof, &n), LD_OK);
    reads = s.gets;
    assert_true(reads > 1);
    for (at = 1; at <= reads; at++) {
        memcpy(proof, sentinel, sizeof(proof));
        n = 777;
        s.gets = 0;
        s.fail_get_at = at;
        assert_int_equal(ld_merkle_prove_inclusion(store_get, &s, 173, 299, proof, &n), LD_DB);
        assert_int_equal(n, 777);
        assert_memory_equal(proof, sentinel, sizeof(proof));
    }
    /* consistency */
    s.fail_get_at = 0;
    s.gets = 0;
    assert_int_equal(ld_merkle_prove_consistency(store_get, &s, 103, 299, proof, &n), LD_OK);
    reads = s.gets;
    assert_true(reads > 1);
    for (at = 1; at <= reads; at++) {
        memcpy(proof, sentinel, sizeof(proof));
        n = 777;
        s.gets = 0;
        s.fail_get_at = at;
        assert_int_equal(ld_merkle_prove_consistency(store_get, &s, 103, 299, proof, &n), LD_DB);
        assert_int_equal(n, 777);
        assert_memory_equal(proof, sentinel, sizeof(proof));
    }
    /* root */
    for (at = 1; at <= popcount(299); at++) {
        memcpy(root, sentinel[0], HLEN);
        s.gets = 0;
        s.fail_get_at = at;
        assert_int_equal(ld_merkle_root(store_get, &s, 299, root), LD_DB);
        assert_memory_equal(root, sentinel[0], HLEN);
    }
    /* a node the store does not have: its LD_NOTFOUND comes back unchanged */
    s.fail_get_at = 0;
    s.limit = N;
    n = 777;
    assert_int_equal(ld_merkle_prove_inclusion(store_get, &s, 0, N + 5, proof, &n), LD_NOTFOUND);
    assert_int_equal(n, 777);
    assert_int_equal(ld_merkle_root(store_get, &s, N + 1, root), LD_NOTFOUND);
    free(leaf);
    free(froot);
    store_release(&s);
}

static void
test_invalid_arguments(void **state)
{
    struct store s;
    uint8_t(*froot)[HLEN];
    uint8_t(*leaf)[HLEN] = build_store(&s, 8, &froot);
    uint8_t proof[MAXP][HLEN], big[200][HLEN], empty[HLEN];
    size_t n = 777;

    (void)state;
    /* generation: index >= size, old_size == 0, old_size > new_size */
    assert_int_equal(ld_merkle_prove_inclusion(store_get, &s, 0, 0, proof, &n), LD_INVALID);
    assert_int_equal(ld_merkle_prove_inclusion(store_get, &s, 8, 8, proof, &n), LD_INVALID);
    assert_int_equal(ld_merkle_prove_inclusion(store_get, &s, UINT64_MAX, 8, proof, &n),
                     LD_INVALID);
    assert_int_equal(ld_merkle_prove_consistency(store_get, &s, 0, 8, proof, &n), LD_INVALID);
    assert_int_equal(ld_merkle_prove_consistency(store_get, &s, 0, 0, proof, &n), LD_INVALID);
    assert_int_equal(ld_merkle_prove_consistency(store_get, &s, 5, 4, proof, &n), LD_INVALID);
    assert_int_equal(n, 777);
    assert_int_equal(s.gets, 0);
    /* size 1: the leaf is the root, with an empty path */
    assert_int_equal(ld_merkle_prove_inclusion(store_get, &s, 0, 1, proof, &n), LD_OK);
    assert_int_equal(n, 0);
    assert_int_equal(ld_merkle_verify_inclusion(0, 1, leaf[0], CP(proof), 0, leaf[0]), LD_OK);
    /* equal sizes: empty proof and equal roots, nothing else */
    assert_int_equal(ld_merkle_prove_consistency(store_get, &s, 8, 8, proof, &n), LD_OK);
    assert_int_equal(n, 0);
    assert_int_equal(s.gets, 0);
    assert_int_equal(ld_merkle_verify_consistency(8, 8, froot[8], froot[8], CP(proof), 0), LD_OK);
    assert_int_equal(ld_merkle_verify_consistency(8, 8, froot[8], froot[7], CP(proof), 0),
                     LD_INVALID);
    memcpy(proof[0], froot[8], HLEN);
    assert_int_equal(ld_merkle_verify_consistency(8, 8, froot[8], froot[8], CP(proof), 1),
                     LD_INVALID);
    /* from the empty tree: rejected even though it is trivially a prefix */
    assert_int_equal(ld_merkle_root(store_get, &s, 0, empty), LD_OK);
    assert_memory_equal(empty, froot[0], HLEN);
    assert_int_equal(ld_merkle_verify_consistency(0, 0, empty, empty, CP(proof), 0), LD_INVALID);
    assert_int_equal(ld_merkle_verify_consistency(0, 8, empty, froot[8], CP(proof), 0),
                     LD_INVALID);
    assert_int_equal(ld_merkle_verify_consistency(5, 4, froot[5], froot[4], CP(proof), 0),
                     LD_INVALID);
    /* verification: index >= size, and an empty proof for distinct sizes */
    assert_int_equal(ld_merkle_verify_inclusion(8, 8, leaf[0], CP(proof), 0, froot[8]),
                     LD_INVALID);
    assert_int_equal(ld_merkle_verify_inclusion(0, 0, leaf[0], CP(proof), 0, froot[0]),
                     LD_INVALID);
    assert_int_equal(ld_merkle_verify_consistency(4, 8, froot[4], froot[8], CP(proof), 0),
                     LD_INVALID);
    /* n == 0 never reads the proof (RFC 9162 §2.1.4.2 step 1 comes first), so NULL is fine */
    assert_int_equal(ld_merkle_verify_consistency(3, 8, froot[3], froot[8], NULL, 0), LD_INVALID);
    assert_int_equal(ld_merkle_verify_consistency(6, 7, froot[6], froot[7], NULL, 0), LD_INVALID);
    assert_int_equal(ld_merkle_verify_consistency(7, 7, froot[7], froot[7], NULL, 0), LD_OK);
    assert_int_equal(ld_merkle_verify_inclusion(2, 3, leaf[2], NULL, 0, froot[3]), LD_INVALID);
    assert_int_equal(ld_merkle_verify_inclusion(0, 1, leaf[0], NULL, 0, leaf[0]), LD_OK);
    /* overlong proofs end in a clean failure */
    memset(big, 0x11, sizeof(big));
    assert_int_equal(ld_merkle_verify_inclusion(3, 8, leaf[3], CP(big), 200, froot[8]),
                     LD_INVALID);
    assert_int_equal(ld_merkle_verify_consistency(3, 8, froot[3], froot[8], CP(big), 200),
                     LD_INVALID);
    assert_int_equal(
        ld_merkle_verify_inclusion(0, UINT64_MAX, leaf[0], CP(big), 200, froot[8]), LD_INVALID);
    assert_int_equal(ld_merkle_verify_consistency(UINT64_MAX - 1, UINT64_MAX, froot[3], froot[8],
                                                  CP(big), 200),
                     LD_INVALID);
    free(leaf);
    free(froot);
    store_release(&s);
}

static void
test_hash_primitives(void **state)
{
    /* SPEC: RFC 6962 §2.1: leaf = SHA-256(0x00 || d), node = SHA-256(0x01 || l || r) */
    static const char empty_hex[] =
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
    static const char leaf_empty_hex[] =
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d";
    uint8_t want[HLEN], got[HLEN], a[HLEN], b[HLEN], c[HLEN], cat[2 * HLEN];
    struct ld_merkle_frontier f;

    (void)state;
    ld_merkle_frontier_init(&f);
    ld_merkle_frontier_root(&f, got);
    assert_int_equal(ld_enc_unhex(empty_hex, 64, want, HLEN), LD_OK);
    assert_memory_equal(got, want, HLEN);
    ld_merkle_leaf_hash(NULL, 0, got);
    assert_int_equal(ld_enc_unhex(leaf_empty_hex, 64, want, HLEN), LD_OK);
    assert_memory_equal(got, want, HLEN);
    /* out may alias either input */
    synth_leaf(1, a);
    synth_leaf(2, b);
    ld_merkle_node_hash(a, b, c);
    ld_merkle_node_hash(a, b, a);
    assert_memory_equal(a, c, HLEN);
    synth_leaf(1, a);
    ld_merkle_node_hash(a, b, b);
    assert_memory_equal(b, c, HLEN);
    /* domain separation: a node is not the leaf hash of its concatenation */
    synth_leaf(2, b);
    memcpy(cat, a, HLEN);
    memcpy(cat + HLEN, b, HLEN);
    ld_merkle_leaf_hash(cat, sizeof(cat), got);
    assert_memory_not_equal(got, c, HLEN);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hash_primitives),
        cmocka_unit_test(test_8leaf_hashes_and_roots),
        cmocka_unit_test(test_8leaf_rfc_example),
        cmocka_unit_test(test_8leaf_listed_proofs),
        cmocka_unit_test(test_8leaf_all_proofs),
        cmocka_unit_test(test_inclusion_probes),
        cmocka_unit_test(test_consistency_probes),
        cmocka_unit_test(test_against_reference),
        cmocka_unit_test(test_random_store),
        cmocka_unit_test(test_huge_trees),
        cmocka_unit_test(test_frontier_push_order),
        cmocka_unit_test(test_frontier_put_failure),
        cmocka_unit_test(test_frontier_load),
        cmocka_unit_test(test_get_errors_pass_up),
        cmocka_unit_test(test_invalid_arguments),
    };

    return cmocka_run_group_tests_name("merkle", tests, NULL, NULL);
}
