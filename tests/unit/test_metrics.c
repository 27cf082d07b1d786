/*
 * test_metrics.c - the Prometheus text of src/metrics.c: counters by route
 * and status, cumulative latency buckets with sum and count, the commit
 * batch histogram and the gauges; and the verified-signature memo
 * (src/vcache.c) that the same server keeps.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "liandan/metrics.h"
#include "liandan/vcache.h"

static void
test_text(void **state)
{
    static const char *const names[] = {"/a", "/b/{x}"};
    struct ld_metrics *m = ld_metrics_new(names, 2);
    struct ld_buf b = LD_BUF_INIT;

    (void)state;
    ld_metrics_request(m, 0, 200, 100);     /* 0.1 ms */
    ld_metrics_request(m, 0, 200, 3000);    /* 3 ms */
    ld_metrics_request(m, 1, 404, 10);
    ld_metrics_request(m, 2, 418, 10);      /* no route, odd status */
    ld_metrics_commit(m, 100, 98);
    ld_metrics_commit(m, 1, 1);
    ld_metrics_text(m, 12345, &b);
    assert_non_null(strstr(b.data, "liandan_http_requests_total{route=\"/a\",status=\"200\"} 2\n"));
    assert_non_null(strstr(b.data, "liandan_http_requests_total{route=\"/b/{x}\",status=\"404\"} 1\n"));
    assert_non_null(strstr(b.data, "liandan_http_requests_total{route=\"none\",status=\"other\"} 1\n"));
    assert_non_null(strstr(b.data, "liandan_http_request_seconds_bucket{route=\"/a\",le=\"0.00025\"} 1\n"));
    assert_non_null(strstr(b.data, "liandan_http_request_seconds_bucket{route=\"/a\",le=\"0.005\"} 2\n"));
    assert_non_null(strstr(b.data, "liandan_http_request_seconds_bucket{route=\"/a\",le=\"+Inf\"} 2\n"));
    assert_non_null(strstr(b.data, "liandan_http_request_seconds_sum{route=\"/a\"} 0.003100\n"));
    assert_non_null(strstr(b.data, "liandan_http_request_seconds_count{route=\"/a\"} 2\n"));
    assert_non_null(strstr(b.data, "liandan_events_appended_total 99\n"));
    assert_non_null(strstr(b.data, "liandan_log_size 12345\n"));
    assert_non_null(strstr(b.data, "liandan_commit_batch_size_bucket{le=\"1\"} 1\n"));
    assert_non_null(strstr(b.data, "liandan_commit_batch_size_bucket{le=\"64\"} 1\n"));
    assert_non_null(strstr(b.data, "liandan_commit_batch_size_bucket{le=\"128\"} 2\n"));
    assert_non_null(strstr(b.data, "liandan_commit_batch_size_sum 101\n"));
    assert_non_null(strstr(b.data, "liandan_commit_batch_size_count 2\n"));
    ld_buf_release(&b);
    ld_metrics_free(m);
}

static void
test_vcache(void **state)
{
    struct ld_vcache *vc = ld_vcache_new(4);
    uint8_t id[32] = {7}, other[32] = {7, 1};

    (void)state;
    assert_false(ld_vcache_has(vc, id, "k1"));
    ld_vcache_put(vc, id, "k1");
    assert_true(ld_vcache_has(vc, id, "k1"));
    assert_false(ld_vcache_has(vc, id, "k2"));    /* same event, other key */
    assert_false(ld_vcache_has(vc, other, "k1")); /* other event */
    assert_false(ld_vcache_has(NULL, id, "k1"));
    ld_vcache_free(vc);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_text),
        cmocka_unit_test(test_vcache),
    };
    return cmocka_run_group_tests_name("metrics", tests, NULL, NULL);
}
