/*
 * test_ratelimit.c - per-address token buckets (src/ratelimit.c): a burst is
 * allowed, the next request waits, tokens come back at the rate, addresses
 * are counted apart, and rate 0 never limits.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "liandan/ratelimit.h"

static void
test_bucket(void **state)
{
    struct ld_ratelimit *rl = ld_ratelimit_new(10, 20);
    const uint8_t a[4] = {10, 0, 0, 1}, b[4] = {10, 0, 0, 2};
    int i;

    (void)state;
    for (i = 0; i < 20; i++)
        assert_int_equal(ld_ratelimit_take(rl, a, 4, 100.0), 0);
    assert_int_equal(ld_ratelimit_take(rl, a, 4, 100.0), 1); /* Retry-After: 1 s */
    assert_int_equal(ld_ratelimit_take(rl, b, 4, 100.0), 0); /* another address */
    /* 0.5 s later: 5 tokens back. */
    for (i = 0; i < 5; i++)
        assert_int_equal(ld_ratelimit_take(rl, a, 4, 100.5), 0);
    assert_int_not_equal(ld_ratelimit_take(rl, a, 4, 100.5), 0);
    /* Never more than the burst, however long the pause. */
    for (i = 0; i < 20; i++)
        assert_int_equal(ld_ratelimit_take(rl, a, 4, 1000.0), 0);
    assert_int_not_equal(ld_ratelimit_take(rl, a, 4, 1000.0), 0);
    ld_ratelimit_free(rl);
}

static void
test_slow_rate_wait(void **state)
{
    struct ld_ratelimit *rl = ld_ratelimit_new(0.1, 1);
    const uint8_t a[16] = {0x20, 0x01};

    (void)state;
    assert_int_equal(ld_ratelimit_take(rl, a, 16, 5.0), 0);
    assert_int_equal(ld_ratelimit_take(rl, a, 16, 5.0), 10); /* one token per 10 s */
    ld_ratelimit_free(rl);
}

static void
test_unlimited(void **state)
{
    struct ld_ratelimit *rl = ld_ratelimit_new(0, 1);
    const uint8_t a[4] = {1, 2, 3, 4};
    int i;

    (void)state;
    for (i = 0; i < 10000; i++)
        assert_int_equal(ld_ratelimit_take(rl, a, 4, 1.0), 0);
    ld_ratelimit_free(rl);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bucket),
        cmocka_unit_test(test_slow_rate_wait),
        cmocka_unit_test(test_unlimited),
    };
    return cmocka_run_group_tests_name("ratelimit", tests, NULL, NULL);
}
