/*
 * merkle.h - RFC 6962 / RFC 9162 Merkle tree hashing and proofs.
 *
 * SPEC: RFC 6962 §2.1 (MTH, leaf = SHA-256(0x00 || d), node = SHA-256(0x01 || l || r),
 * empty tree = SHA-256("")), §2.1.1 PATH (inclusion), §2.1.2 PROOF/SUBPROOF
 * (consistency); verification algorithms of RFC 9162 §2.1.3.2 and §2.1.4.2.
 *
 * Storage model. The tree is kept as the hashes of its *complete* subtrees:
 * node (level L, index i) covers leaves [i*2^L, (i+1)*2^L) and exists once all
 * of them are appended; level 0 holds the leaf hashes. Proof generation and
 * roots read O(log n) such nodes through a callback and never rehash leaves.
 * Appending keeps an O(log n) frontier in memory and emits each new complete
 * node exactly once, so a store can persist it.
 *
 * Hash arrays are uint8_t[][32], ordered bottom-up (sibling of the leaf first),
 * as RFC 6962 PATH/PROOF produce them. Note for callers of the verifiers: C11
 * does not convert uint8_t (*)[32] to const uint8_t (*)[32] implicitly (GCC
 * -Wpedantic warns), so pass a non-const array as
 * (const uint8_t (*)[LD_MERKLE_HASH])proof.
 *
 * Out-parameters are written only when a function returns LD_OK.
 * Thread safety: reentrant; the only global state is a flag, set once atomically,
 * telling whether the CPU has SHA instructions. Callbacks run on the caller's thread.
 */
#ifndef LIANDAN_MERKLE_H
#define LIANDAN_MERKLE_H

#include <stddef.h>
#include <stdint.h>

#include "liandan/err.h"

#define LD_MERKLE_HASH 32
/* Room enough for any proof: for a tree of n leaves (any uint64_t n) an inclusion
 * proof has at most ceil(log2 n) <= 64 hashes, a consistency proof at most
 * ceil(log2 n) + 1 <= 65. */
#define LD_MERKLE_MAX_PROOF 128

/* leaf hash = SHA-256(0x00 || data). */
void ld_merkle_leaf_hash(const void *data, size_t len, uint8_t out[LD_MERKLE_HASH]);
/* node hash = SHA-256(0x01 || left || right). out may alias left or right. */
void ld_merkle_node_hash(const uint8_t left[LD_MERKLE_HASH], const uint8_t right[LD_MERKLE_HASH],
                         uint8_t out[LD_MERKLE_HASH]);

/*
 * Reads the stored hash of complete node (level, index) into out.
 * Must return LD_OK, or an error (LD_NOTFOUND, LD_DB...) that is passed up unchanged.
 * Only nodes that lie wholly inside the tree size asked about are requested
 * (index < size >> level); out is ignored unless LD_OK is returned.
 */
typedef enum ld_rc (*ld_merkle_get_fn)(void *ctx, unsigned level, uint64_t index,
                                       uint8_t out[LD_MERKLE_HASH]);

/*
 * Root hash of the first `size` leaves (size 0: SHA-256 of the empty string).
 * Reads at most popcount(size) nodes. Returns LD_OK or the callback's error.
 */
enum ld_rc ld_merkle_root(ld_merkle_get_fn get, void *ctx, uint64_t size,
                          uint8_t root[LD_MERKLE_HASH]);

/*
 * Inclusion proof (RFC 6962 PATH) for leaf `index` in the tree of `size` leaves.
 * [out] proof: room for LD_MERKLE_MAX_PROOF hashes. [out] n: hashes written.
 * Returns LD_OK, LD_INVALID if index >= size, or the callback's error.
 * Reads at most 2 * ceil(log2 size) stored nodes and never rehashes leaves.
 */
enum ld_rc ld_merkle_prove_inclusion(ld_merkle_get_fn get, void *ctx, uint64_t index,
                                     uint64_t size, uint8_t proof[][LD_MERKLE_HASH], size_t *n);

/*
 * Consistency proof (RFC 6962 PROOF) between tree sizes old_size and new_size.
 * [out] proof: room for LD_MERKLE_MAX_PROOF hashes. [out] n: hashes written.
 * Returns LD_OK (old_size == new_size gives an empty proof), LD_INVALID if
 * old_size == 0 or old_size > new_size, or the callback's error.
 * Reads at most 2 * ceil(log2 new_size) stored nodes and never rehashes leaves.
 */
enum ld_rc ld_merkle_prove_consistency(ld_merkle_get_fn get, void *ctx, uint64_t old_size,
                                       uint64_t new_size, uint8_t proof[][LD_MERKLE_HASH],
                                       size_t *n);

/*
 * Verify that leaf_hash is leaf `index` of the tree of `size` with `root`.
 * proof may be NULL when n == 0. Hashes are exactly LD_MERKLE_HASH bytes: a
 * caller decoding untrusted text must reject any other length before calling.
 * Returns LD_OK, or LD_INVALID (index >= size, wrong proof length, mismatch).
 */
enum ld_rc ld_merkle_verify_inclusion(uint64_t index, uint64_t size,
                                      const uint8_t leaf_hash[LD_MERKLE_HASH],
                                      const uint8_t proof[][LD_MERKLE_HASH], size_t n,
                                      const uint8_t root[LD_MERKLE_HASH]);

/*
 * Verify that the tree (old_size, old_root) is a prefix of (new_size, new_root).
 * proof may be NULL when n == 0; hashes must be exactly LD_MERKLE_HASH bytes.
 * Returns LD_OK, or LD_INVALID (old_size == 0, old_size > new_size, equal sizes
 * with a non-empty proof or different roots, wrong length, mismatch).
 */
enum ld_rc ld_merkle_verify_consistency(uint64_t old_size, uint64_t new_size,
                                        const uint8_t old_root[LD_MERKLE_HASH],
                                        const uint8_t new_root[LD_MERKLE_HASH],
                                        const uint8_t proof[][LD_MERKLE_HASH], size_t n);

/*
 * The right edge of the tree: one hash per set bit of `size` (the complete
 * subtrees that make up the tree, largest first). Enough to append leaves and
 * compute the root without reading anything.
 */
struct ld_merkle_frontier {
    uint64_t size;                     /* leaves appended so far */
    unsigned n;                        /* hashes in use == popcount(size) */
    uint8_t hash[64][LD_MERKLE_HASH];  /* hash[0] is the largest (leftmost) subtree */
    unsigned level[64];                /* level of hash[k]: the subtree has 2^level leaves */
};

/* Receives every complete node created by an append (level 0 = the leaf itself). */
typedef enum ld_rc (*ld_merkle_put_fn)(void *ctx, unsigned level, uint64_t index,
                                       const uint8_t hash[LD_MERKLE_HASH]);

/* Empty frontier (size 0). */
void ld_merkle_frontier_init(struct ld_merkle_frontier *f);

/*
 * Rebuild the frontier of a stored tree of `size` leaves (reads popcount(size)
 * nodes). Returns LD_OK or the callback's error; f is unchanged on error.
 */
enum ld_rc ld_merkle_frontier_load(struct ld_merkle_frontier *f, ld_merkle_get_fn get, void *ctx,
                                   uint64_t size);

/*
 * Append one leaf hash: calls put for the leaf (level 0) and for every node it
 * completes, in increasing level. put may be NULL. If put fails, f is left
 * unchanged and its error is returned; the puts that succeeded before it are
 * not undone, and a retry emits them again, so the store should either roll
 * back with its transaction or accept an identical re-put of the same node.
 * Returns LD_INVALID (f unchanged, put not called) if f->size == UINT64_MAX.
 */
enum ld_rc ld_merkle_frontier_push(struct ld_merkle_frontier *f,
                                   const uint8_t leaf_hash[LD_MERKLE_HASH], ld_merkle_put_fn put,
                                   void *ctx);

/* Root of the tree the frontier describes (empty-tree hash for size 0). */
void ld_merkle_frontier_root(const struct ld_merkle_frontier *f, uint8_t root[LD_MERKLE_HASH]);

/*
 * The right edge's ranges of the tree f describes: edge[k] = MTH of the
 * leaves from where f->hash[k] starts to f->size, so edge[0] is the root and
 * edge[f->n - 1] is f->hash[f->n - 1]. [out] edge: f->n hashes; costs
 * f->n - 1 node hashes. Nothing is written for size 0.
 */
void ld_merkle_frontier_edges(const struct ld_merkle_frontier *f,
                              uint8_t edge[][LD_MERKLE_HASH]);

/*
 * ld_merkle_prove_inclusion for the tree f describes (size f->size), with
 * edge from ld_merkle_frontier_edges(f): the siblings on the right edge come
 * from f and edge, so the proof reads only the complete nodes under the
 * frontier subtree that holds the leaf (at most log2(size) of them) and
 * hashes nothing. Same result and return codes as ld_merkle_prove_inclusion.
 */
enum ld_rc ld_merkle_prove_inclusion_edge(ld_merkle_get_fn get, void *ctx, uint64_t index,
                                          const struct ld_merkle_frontier *f,
                                          const uint8_t edge[][LD_MERKLE_HASH],
                                          uint8_t proof[][LD_MERKLE_HASH], size_t *n);

#endif
