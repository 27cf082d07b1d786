/*
 * ratelimit.h - per-address request rate limits for the HTTP server: a token
 * bucket per client address (rate tokens a second, up to burst), in a fixed
 * table so that a flood of addresses costs bounded memory (an address that
 * collides with a busier one may start from a fresh bucket: the limit is
 * best effort for addresses beyond the table, exact for the rest).
 *
 * Thread safety: every function may be called from any thread.
 */
#ifndef LIANDAN_RATELIMIT_H
#define LIANDAN_RATELIMIT_H

#include <stddef.h>
#include <stdint.h>

struct ld_ratelimit;

/* Returns a new limiter allowing rate requests/s per address with bursts of
 * burst; rate 0 allows everything. Caller frees with ld_ratelimit_free(). */
struct ld_ratelimit *ld_ratelimit_new(double rate, double burst);
void ld_ratelimit_free(struct ld_ratelimit *rl);

/* Take one token for the address addr (raw bytes, len <= 16) at time now
 * (seconds, monotonic). Returns 0 when allowed, otherwise the whole seconds
 * (>= 1) the client should wait: the Retry-After value. */
unsigned ld_ratelimit_take(struct ld_ratelimit *rl, const void *addr, size_t len, double now);

#endif
