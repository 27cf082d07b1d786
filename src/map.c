/*
 * map.c - string-keyed hash map (include/liandan/map.h): FNV-1a hashing,
 * open addressing with linear probing, load factor kept under 1/2.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "liandan/map.h"
#include "liandan/mem.h"
#include "liandan/banned.h"

struct slot {
    char *key;   /* owned; NULL for an empty slot */
    void *value; /* borrowed */
};

struct ld_map {
    struct slot *slots; /* cap entries */
    size_t cap;         /* power of two */
    size_t count;       /* keys stored */
};

static uint64_t
hash(const char *s)
{
    uint64_t h = 1469598103934665603ULL;

    while (*s) {
        h ^= (unsigned char)*s++;
        h *= 1099511628211ULL;
    }
    return h;
}

struct ld_map *
ld_map_new(void)
{
    struct ld_map *m = ld_xcalloc(1, sizeof *m);

    m->cap = 16;
    m->slots = ld_xcalloc(m->cap, sizeof *m->slots);
    return m;
}

void
ld_map_free(struct ld_map *m, void (*free_value)(void *))
{
    size_t i;

    if (m == NULL)
        return;
    for (i = 0; i < m->cap; i++) {
        if (m->slots[i].key == NULL)
            continue;
        free(m->slots[i].key);
        if (free_value)
            free_value(m->slots[i].value);
    }
    free(m->slots);
    free(m);
}

static struct slot *
find(const struct ld_map *m, const char *key)
{
    size_t i = (size_t)hash(key) & (m->cap - 1);

    while (m->slots[i].key && strcmp(m->slots[i].key, key) != 0)
        i = (i + 1) & (m->cap - 1);
    return &m->slots[i];
}

void *
ld_map_get(const struct ld_map *m, const char *key)
{
    struct slot *s = find(m, key);

    return s->key ? s->value : NULL;
}

static void
grow(struct ld_map *m)
{
    struct slot *old = m->slots;
    size_t i, oldcap = m->cap;

    m->cap *= 2;
    m->slots = ld_xcalloc(m->cap, sizeof *m->slots);
    for (i = 0; i < oldcap; i++)
        if (old[i].key)
            *find(m, old[i].key) = old[i];
    free(old);
}

void *
ld_map_put(struct ld_map *m, const char *key, void *value)
{
    struct slot *s;
    void *prev;

    if (2 * (m->count + 1) > m->cap)
        grow(m);
    s = find(m, key);
    if (s->key) {
        prev = s->value;
        s->value = value;
        return prev;
    }
    s->key = ld_xstrdup(key);
    s->value = value;
    m->count++;
    return NULL;
}

size_t
ld_map_count(const struct ld_map *m)
{
    return m->count;
}
