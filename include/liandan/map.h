/*
 * map.h - a string-keyed hash map (open addressing, linear probing) for the
 * in-memory state of the verifier and caches. Keys are copied; values are
 * borrowed pointers whose lifetime the caller manages (see ld_map_free).
 * Thread safety: none; one map per thread.
 */
#ifndef LIANDAN_MAP_H
#define LIANDAN_MAP_H

#include <stddef.h>

struct ld_map;

/* Returns a new empty map; caller frees with ld_map_free(). */
struct ld_map *ld_map_new(void);

/* Free the map; calls free_value(value) for every value when free_value is non-NULL.
 * NULL map is a no-op. */
void ld_map_free(struct ld_map *m, void (*free_value)(void *));

/* Value stored under key, or NULL. */
void *ld_map_get(const struct ld_map *m, const char *key);

/* Store value under key, replacing (and returning) any previous value, or NULL. */
void *ld_map_put(struct ld_map *m, const char *key, void *value);

/* Number of keys. */
size_t ld_map_count(const struct ld_map *m);

#endif
