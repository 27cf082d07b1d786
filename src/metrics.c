/*
 * metrics.c - request counters, latency and batch-size histograms, and their
 * Prometheus text form (include/liandan/metrics.h). Counters are relaxed
 * atomics: a scrape may see one request counted and its latency not yet,
 * which Prometheus tolerates.
 */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>

#include "liandan/mem.h"
#include "liandan/metrics.h"
#include "liandan/banned.h"

/* Statuses counted on their own; anything else is counted under 0 ("other"). */
static const unsigned statuses[] = {200, 201, 204, 301, 304, 400, 401, 403, 404, 405,
                                    409, 413, 415, 422, 429, 431, 500, 503, 0};
#define NSTATUS (sizeof statuses / sizeof statuses[0])

/* Latency bucket upper bounds in microseconds (le labels in seconds). */
static const uint64_t lat_le[] = {250, 500, 1000, 2500, 5000, 10000, 25000, 50000,
                                  100000, 250000, 500000, 1000000, 2500000};
#define NLAT (sizeof lat_le / sizeof lat_le[0])

static const size_t batch_le[] = {1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048};
#define NBATCH (sizeof batch_le / sizeof batch_le[0])

struct route_stats {
    atomic_uint_fast64_t by_status[NSTATUS];
    atomic_uint_fast64_t lat[NLAT + 1]; /* last: +Inf */
    atomic_uint_fast64_t lat_sum_us;
};

struct ld_metrics {
    const char *const *names;
    size_t nroutes;
    struct route_stats *r; /* nroutes + 1: the last is "no route" */
    atomic_uint_fast64_t batch[NBATCH + 1];
    atomic_uint_fast64_t batch_sum, commits, appended;
};

struct ld_metrics *
ld_metrics_new(const char *const *names, size_t nroutes)
{
    struct ld_metrics *m = ld_xcalloc(1, sizeof *m);

    m->names = names;
    m->nroutes = nroutes;
    m->r = ld_xcalloc(nroutes + 1, sizeof *m->r);
    return m;
}

void
ld_metrics_free(struct ld_metrics *m)
{
    if (m == NULL)
        return;
    free(m->r);
    free(m);
}

void
ld_metrics_request(struct ld_metrics *m, size_t route, unsigned status, uint64_t us)
{
    struct route_stats *r = &m->r[route < m->nroutes ? route : m->nroutes];
    size_t i;

    for (i = 0; i < NSTATUS - 1 && statuses[i] != status; i++)
        ;
    atomic_fetch_add_explicit(&r->by_status[i], 1, memory_order_relaxed);
    for (i = 0; i < NLAT && us > lat_le[i]; i++)
        ;
    atomic_fetch_add_explicit(&r->lat[i], 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&r->lat_sum_us, us, memory_order_relaxed);
}

void
ld_metrics_commit(struct ld_metrics *m, size_t n, size_t appended)
{
    size_t i;

    for (i = 0; i < NBATCH && n > batch_le[i]; i++)
        ;
    atomic_fetch_add_explicit(&m->batch[i], 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&m->batch_sum, n, memory_order_relaxed);
    atomic_fetch_add_explicit(&m->commits, 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&m->appended, appended, memory_order_relaxed);
}

static uint64_t
get(atomic_uint_fast64_t *a)
{
    return (uint64_t)atomic_load_explicit(a, memory_order_relaxed);
}

void
ld_metrics_text(struct ld_metrics *m, uint64_t log_size, struct ld_buf *out)
{
    size_t k, i;

    ld_buf_adds(out, "# HELP liandan_http_requests_total HTTP requests by route and status.\n"
                     "# TYPE liandan_http_requests_total counter\n");
    for (k = 0; k <= m->nroutes; k++)
        for (i = 0; i < NSTATUS; i++) {
            uint64_t v = get(&m->r[k].by_status[i]);
            if (v == 0)
                continue;
            char st[12] = "other";
            if (statuses[i])
                snprintf(st, sizeof st, "%u", statuses[i]);
            ld_buf_addf(out, "liandan_http_requests_total{route=\"%s\",status=\"%s\"} %llu\n",
                        k < m->nroutes ? m->names[k] : "none", st, (unsigned long long)v);
        }
    ld_buf_adds(out, "# HELP liandan_http_request_seconds Time from request to reply, by route.\n"
                     "# TYPE liandan_http_request_seconds histogram\n");
    for (k = 0; k <= m->nroutes; k++) {
        const char *name = k < m->nroutes ? m->names[k] : "none";
        uint64_t cum = 0;
        for (i = 0; i <= NLAT; i++)
            cum += get(&m->r[k].lat[i]);
        if (cum == 0)
            continue;
        cum = 0;
        for (i = 0; i <= NLAT; i++) {
            cum += get(&m->r[k].lat[i]);
            if (i < NLAT)
                ld_buf_addf(out, "liandan_http_request_seconds_bucket{route=\"%s\",le=\"%g\"} %llu\n",
                            name, (double)lat_le[i] / 1e6, (unsigned long long)cum);
            else
                ld_buf_addf(out, "liandan_http_request_seconds_bucket{route=\"%s\",le=\"+Inf\"} %llu\n",
                            name, (unsigned long long)cum);
        }
        ld_buf_addf(out, "liandan_http_request_seconds_sum{route=\"%s\"} %.6f\n", name,
                    (double)get(&m->r[k].lat_sum_us) / 1e6);
        ld_buf_addf(out, "liandan_http_request_seconds_count{route=\"%s\"} %llu\n", name,
                    (unsigned long long)cum);
    }
    ld_buf_addf(out, "# HELP liandan_events_appended_total Events appended to the log by this process.\n"
                     "# TYPE liandan_events_appended_total counter\n"
                     "liandan_events_appended_total %llu\n"
                     "# HELP liandan_log_size Leaves in the Merkle log.\n"
                     "# TYPE liandan_log_size gauge\nliandan_log_size %llu\n",
                (unsigned long long)get(&m->appended), (unsigned long long)log_size);
    ld_buf_adds(out, "# HELP liandan_commit_batch_size Events per durable commit (group commit).\n"
                     "# TYPE liandan_commit_batch_size histogram\n");
    {
        uint64_t cum = 0;
        for (i = 0; i <= NBATCH; i++) {
            cum += get(&m->batch[i]);
            if (i < NBATCH)
                ld_buf_addf(out, "liandan_commit_batch_size_bucket{le=\"%zu\"} %llu\n", batch_le[i],
                            (unsigned long long)cum);
            else
                ld_buf_addf(out, "liandan_commit_batch_size_bucket{le=\"+Inf\"} %llu\n",
                            (unsigned long long)cum);
        }
        ld_buf_addf(out, "liandan_commit_batch_size_sum %llu\nliandan_commit_batch_size_count %llu\n",
                    (unsigned long long)get(&m->batch_sum), (unsigned long long)get(&m->commits));
    }
}
