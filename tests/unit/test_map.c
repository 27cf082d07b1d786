/*
 * test_map.c - the string-keyed hash map (src/map.c): put, get, replace,
 * growth through many keys, copied keys, NULL values, and the free callback
 * called exactly once per stored value (and never for a replaced one).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "liandan/map.h"

#define MANY 20000

/* A value that counts how often the free callback saw it. */
struct val {
    int id;
    int freed;
};

static int free_calls;

static void
count_free(void *p)
{
    struct val *v = p;

    free_calls++;
    if (v)
        v->freed++;
}

static void
test_empty(void **state)
{
    struct ld_map *m = ld_map_new();

    (void)state;
    assert_non_null(m);
    assert_int_equal(ld_map_count(m), 0);
    assert_null(ld_map_get(m, "x"));
    assert_null(ld_map_get(m, ""));
    ld_map_free(m, NULL);
    ld_map_free(NULL, NULL);
    free_calls = 0;
    ld_map_free(NULL, count_free);
    assert_int_equal(free_calls, 0);
}

static void
test_put_get_replace(void **state)
{
    struct ld_map *m = ld_map_new();
    int a = 1, b = 2, c = 3;

    (void)state;
    assert_null(ld_map_put(m, "alpha", &a));
    assert_null(ld_map_put(m, "beta", &b));
    assert_int_equal(ld_map_count(m), 2);
    assert_ptr_equal(ld_map_get(m, "alpha"), &a);
    assert_ptr_equal(ld_map_get(m, "beta"), &b);
    assert_null(ld_map_get(m, "gamma"));
    assert_null(ld_map_get(m, "alph"));
    assert_null(ld_map_get(m, "alphaa"));
    assert_null(ld_map_get(m, "Alpha"));
    /* Replace returns the previous value and keeps the count. */
    assert_ptr_equal(ld_map_put(m, "alpha", &c), &a);
    assert_int_equal(ld_map_count(m), 2);
    assert_ptr_equal(ld_map_get(m, "alpha"), &c);
    assert_ptr_equal(ld_map_put(m, "alpha", &a), &c);
    assert_ptr_equal(ld_map_get(m, "alpha"), &a);
    /* The empty string is a key like any other. */
    assert_null(ld_map_put(m, "", &c));
    assert_ptr_equal(ld_map_get(m, ""), &c);
    assert_int_equal(ld_map_count(m), 3);
    ld_map_free(m, NULL);
}

/* A NULL value is stored (it counts) although get cannot tell it from absent. */
static void
test_null_value(void **state)
{
    struct ld_map *m = ld_map_new();
    int a = 1;

    (void)state;
    assert_null(ld_map_put(m, "k", NULL));
    assert_int_equal(ld_map_count(m), 1);
    assert_null(ld_map_get(m, "k"));
    assert_null(ld_map_put(m, "k", &a)); /* the previous value was NULL */
    assert_int_equal(ld_map_count(m), 1);
    assert_ptr_equal(ld_map_get(m, "k"), &a);
    ld_map_free(m, NULL);
}

/* Keys are copied: the caller's buffer may change or go away. */
static void
test_keys_copied(void **state)
{
    struct ld_map *m = ld_map_new();
    char key[32];
    char *heap = strdup("on-the-heap");
    int a = 1, b = 2;

    (void)state;
    snprintf(key, sizeof key, "first");
    ld_map_put(m, key, &a);
    snprintf(key, sizeof key, "second");
    ld_map_put(m, key, &b);
    assert_ptr_equal(ld_map_get(m, "first"), &a);
    assert_ptr_equal(ld_map_get(m, "second"), &b);
    ld_map_put(m, heap, &a);
    free(heap);
    assert_ptr_equal(ld_map_get(m, "on-the-heap"), &a);
    assert_int_equal(ld_map_count(m), 3);
    ld_map_free(m, NULL);
}

/* Many keys force many doublings; every key stays reachable throughout. */
static void
test_grow_many(void **state)
{
    struct ld_map *m = ld_map_new();
    static struct val vals[MANY];
    char key[48];
    size_t i;

    (void)state;
    for (i = 0; i < MANY; i++) {
        vals[i].id = (int)i;
        vals[i].freed = 0;
        /* Keys with long common prefixes and suffixes, like event ids. */
        snprintf(key, sizeof key, "m:2026210200%04zu-%02zu", i / 7, i % 7);
        assert_null(ld_map_put(m, key, &vals[i]));
        assert_int_equal(ld_map_count(m), i + 1);
        /* The first key is never lost while the table grows. */
        assert_ptr_equal(ld_map_get(m, "m:20262102000000-00"), &vals[0]);
    }
    for (i = 0; i < MANY; i++) {
        snprintf(key, sizeof key, "m:2026210200%04zu-%02zu", i / 7, i % 7);
        assert_ptr_equal(ld_map_get(m, key), &vals[i]);
    }
    /* Absent keys close to present ones. */
    assert_null(ld_map_get(m, "m:20262102000000-07"));
    assert_null(ld_map_get(m, "m:20262102009999-00"));
    assert_null(ld_map_get(m, "m:2026210200000-00"));
    /* Replace half of them with each other's values: count unchanged. */
    for (i = 0; i < MANY; i += 2) {
        snprintf(key, sizeof key, "m:2026210200%04zu-%02zu", i / 7, i % 7);
        assert_ptr_equal(ld_map_put(m, key, &vals[i + 1]), &vals[i]);
    }
    assert_int_equal(ld_map_count(m), MANY);
    for (i = 0; i < MANY; i++) {
        snprintf(key, sizeof key, "m:2026210200%04zu-%02zu", i / 7, i % 7);
        assert_ptr_equal(ld_map_get(m, key), &vals[i % 2 ? i : i + 1]);
    }
    ld_map_free(m, NULL);
}

/* The free callback sees every stored value once, and not the values that
 * were replaced (those went back to the caller through put). */
static void
test_free_callback(void **state)
{
    struct ld_map *m = ld_map_new();
    struct val *v[1000], *replaced[100];
    char key[16];
    size_t i;

    (void)state;
    for (i = 0; i < 1000; i++) {
        v[i] = calloc(1, sizeof **v);
        v[i]->id = (int)i;
        snprintf(key, sizeof key, "k%zu", i);
        ld_map_put(m, key, v[i]);
    }
    for (i = 0; i < 100; i++) {
        struct val *nv = calloc(1, sizeof *nv);
        snprintf(key, sizeof key, "k%zu", i * 10);
        replaced[i] = ld_map_put(m, key, nv);
        assert_ptr_equal(replaced[i], v[i * 10]);
        v[i * 10] = nv;
    }
    assert_int_equal(ld_map_count(m), 1000);
    free_calls = 0;
    ld_map_free(m, count_free);
    assert_int_equal(free_calls, 1000);
    for (i = 0; i < 1000; i++) {
        assert_int_equal(v[i]->freed, 1);
        free(v[i]);
    }
    for (i = 0; i < 100; i++) {
        assert_int_equal(replaced[i]->freed, 0);
        free(replaced[i]);
    }
}

/* With free() as the callback the map owns heap values (as ledger.c uses it);
 * ASan reports a double free or a leak if this is wrong. */
static void
test_free_owns_values(void **state)
{
    struct ld_map *m = ld_map_new();
    char key[16];
    size_t i;

    (void)state;
    for (i = 0; i < 5000; i++) {
        snprintf(key, sizeof key, "%zu", i % 3000);
        free(ld_map_put(m, key, malloc(32)));
    }
    assert_int_equal(ld_map_count(m), 3000);
    ld_map_free(m, free);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_empty),
        cmocka_unit_test(test_put_get_replace),
        cmocka_unit_test(test_null_value),
        cmocka_unit_test(test_keys_copied),
        cmocka_unit_test(test_grow_many),
        cmocka_unit_test(test_free_callback),
        cmocka_unit_test(test_free_owns_values),
    };
    return cmocka_run_group_tests_name("map", tests, NULL, NULL);
}
