/*
 * test_auth.c - sign-in challenges and bearer tokens (src/auth.c): a nonce
 * works once, only for its key and only before it expires; a token carries
 * its key and expiry, and a flipped byte, a wrong MAC key or the passing of
 * its expiry each make it fail; the message a client signs is exactly the
 * JCS text of {"key","nonce","origin"}.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "liandan/auth.h"

static const uint8_t key1[32] = {1, 2, 3};
static const uint8_t key2[32] = {3, 2, 1};
#define KID "0123456789abcdef0123456789abcdef"
#define KID2 "fedcba9876543210fedcba9876543210"

static void
test_nonce_once(void **state)
{
    struct ld_auth *a = ld_auth_new(key1);
    char n[LD_AUTH_NONCE_HEX], n2[LD_AUTH_NONCE_HEX];
    int64_t exp = 0;

    (void)state;
    assert_int_equal(ld_auth_challenge(a, KID, 1000, n, &exp), LD_OK);
    assert_int_equal(exp, 1000 + LD_AUTH_NONCE_TTL);
    assert_int_equal(strlen(n), 64);
    assert_int_equal(ld_auth_challenge(a, KID, 1000, n2, &exp), LD_OK);
    assert_string_not_equal(n, n2);
    /* Another key cannot use it, and that attempt does not spend it. */
    assert_int_equal(ld_auth_consume(a, KID2, n, 1001), LD_NOTFOUND);
    assert_int_equal(ld_auth_consume(a, KID, n, 1001), LD_OK);
    assert_int_equal(ld_auth_consume(a, KID, n, 1001), LD_NOTFOUND); /* replay */
    /* Expired. */
    assert_int_equal(ld_auth_consume(a, KID, n2, 1000 + LD_AUTH_NONCE_TTL), LD_NOTFOUND);
    /* Garbage. */
    assert_int_equal(ld_auth_consume(a, KID, "zz", 1001), LD_NOTFOUND);
    ld_auth_free(a);
}

static void
test_token(void **state)
{
    struct ld_auth *a = ld_auth_new(key1), *b = ld_auth_new(key2);
    char t[LD_AUTH_TOKEN_MAX], bad[LD_AUTH_TOKEN_MAX], kid[33];
    int64_t exp = 0;
    size_t i;

    (void)state;
    ld_auth_token(a, KID, 5000, t);
    assert_int_equal(ld_auth_token_check(a, t, 4999, kid, &exp), LD_OK);
    assert_string_equal(kid, KID);
    assert_int_equal(exp, 5000);
    /* Survives a "restart": a new object with the same key accepts it. */
    {
        struct ld_auth *a2 = ld_auth_new(key1);
        assert_int_equal(ld_auth_token_check(a2, t, 4999, kid, &exp), LD_OK);
        ld_auth_free(a2);
    }
    assert_int_equal(ld_auth_token_check(a, t, 5000, kid, &exp), LD_INVALID);
    assert_int_equal(ld_auth_token_check(b, t, 4999, kid, &exp), LD_BADSIG);
    /* Every single-character change is refused. */
    for (i = 0; i < strlen(t); i++) {
        memcpy(bad, t, sizeof bad);
        bad[i] = bad[i] == '1' ? '2' : '1';
        assert_int_not_equal(ld_auth_token_check(a, bad, 4999, kid, &exp), LD_OK);
    }
    /* A later expiry cannot be written in. */
    snprintf(bad, sizeof bad, KID ".9999%s", strchr(t + 33, '.'));
    assert_int_equal(ld_auth_token_check(a, bad, 4999, kid, &exp), LD_BADSIG);
    assert_int_equal(ld_auth_token_check(a, "", 0, kid, &exp), LD_PARSE);
    assert_int_equal(ld_auth_token_check(a, KID "..", 0, kid, &exp), LD_PARSE);
    ld_auth_free(a);
    ld_auth_free(b);
}

static void
test_message(void **state)
{
    size_t len = 0;
    char *m = ld_auth_message(KID, "ab", "example.org/log", &len);

    (void)state;
    assert_string_equal(m, "{\"key\":\"" KID "\",\"nonce\":\"ab\",\"origin\":\"example.org/log\"}");
    assert_int_equal(len, strlen(m));
    free(m);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_nonce_once),
        cmocka_unit_test(test_token),
        cmocka_unit_test(test_message),
    };
    return cmocka_run_group_tests_name("auth", tests, NULL, NULL);
}
