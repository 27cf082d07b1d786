/*
 * metrics.h - the server's counters for GET /metrics, written as Prometheus
 * text exposition format 0.0.4 (https://prometheus.io/docs/instrumenting/exposition_formats/).
 *
 * Requests are counted by route index and status, latencies go into one
 * histogram per route, and the writer reports each commit's batch size.
 * Routes are numbered by the caller (the HTTP route table); names are given
 * once at creation and borrowed.
 *
 * Thread safety: every function may be called from any thread (atomics).
 */
#ifndef LIANDAN_METRICS_H
#define LIANDAN_METRICS_H

#include <stddef.h>
#include <stdint.h>

#include "liandan/buf.h"

struct ld_metrics;

/* Returns a new object for nroutes routes named names[i] (borrowed, must
 * outlive it); caller frees with ld_metrics_free(). */
struct ld_metrics *ld_metrics_new(const char *const *names, size_t nroutes);
void ld_metrics_free(struct ld_metrics *m);

/* One request on route (index < nroutes, or nroutes for "no route") with its
 * HTTP status and duration in microseconds. */
void ld_metrics_request(struct ld_metrics *m, size_t route, unsigned status, uint64_t us);

/* One commit of the writer holding n events (accepted or not), and how many it
 * appended. */
void ld_metrics_commit(struct ld_metrics *m, size_t n, size_t appended);

/* The whole exposition, with log_size as a gauge. Appends to out. */
void ld_metrics_text(struct ld_metrics *m, uint64_t log_size, struct ld_buf *out);

#endif
