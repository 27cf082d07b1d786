/*
 * vcache.h - a bounded memo of signatures already found good: the set of
 * (event id, key id) pairs whose signature verified. An event id is the hash
 * of the whole signed entry and a key id the hash of the public key, so a
 * pair that verified once verifies forever; the memo only saves the work.
 * Readers that use it still hash the stored entry and compare it with the
 * stored id, so a tampered row is never vouched for.
 *
 * Fixed size, direct-mapped: a newer pair may push an older one out.
 * Thread safety: every function may be called from any thread.
 */
#ifndef LIANDAN_VCACHE_H
#define LIANDAN_VCACHE_H

#include <stddef.h>
#include <stdint.h>

struct ld_vcache;

/* Returns a new memo of about slots entries (64 bytes each); caller frees
 * with ld_vcache_free(). */
struct ld_vcache *ld_vcache_new(size_t slots);
void ld_vcache_free(struct ld_vcache *vc);

/* 1 if (id, keyid) was recorded as verified, else 0. vc may be NULL (0). */
int ld_vcache_has(struct ld_vcache *vc, const uint8_t id[32], const char *keyid);

/* Record that (id, keyid) verified. vc may be NULL (no-op). */
void ld_vcache_put(struct ld_vcache *vc, const uint8_t id[32], const char *keyid);

#endif
