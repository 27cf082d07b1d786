/*
 * tools/raw-verify.h - the machine's raw Ed25519 verify rate, the yardstick
 * every benchmark divides by (tools/bench.c, bench_domain.c, gen-events.c):
 * `threads` threads each verify one valid signature of a 400-byte message
 * (about an entry's size) again and again for `secs` seconds. Static
 * functions for single-file tools; not part of libliandan.
 */
#ifndef LIANDAN_TOOLS_RAW_VERIFY_H
#define LIANDAN_TOOLS_RAW_VERIFY_H

#include <pthread.h>
#include <stdint.h>
#include <string.h>

#include "liandan/sig.h"
#include "liandan/tm.h"

#define RAW_VERIFY_MAX_THREADS 64

struct raw_verify_job {
    const uint8_t *pk, *sig, *msg;
    size_t len;
    double secs;               /* [in] how long, [out] how long it took */
    unsigned long long count;  /* [out] verifies done */
    int bad;                   /* [out] a verify failed (cannot happen) */
};

static void *
raw_verify_loop(void *arg)
{
    struct raw_verify_job *v = arg;
    double t0 = ld_tm_mono();

    v->count = 0;
    while (ld_tm_mono() - t0 < v->secs) {
        int k;
        for (k = 0; k < 100; k++)
            if (ld_sig_verify(v->pk, NULL, v->msg, v->len, v->sig) != LD_OK)
                v->bad = 1;
        v->count += 100;
    }
    v->secs = ld_tm_mono() - t0;
    return NULL;
}

/* Verifies per second over all threads (at most RAW_VERIFY_MAX_THREADS),
 * with key s; -1 if a thread could not start or a verify failed. */
static double
raw_verify_rate(const struct ld_sig_secret *s, unsigned threads, double secs)
{
    struct ld_sig_pub pub;
    uint8_t sig[LD_SIG_SIG], msg[400];
    struct raw_verify_job v[RAW_VERIFY_MAX_THREADS];
    pthread_t t[RAW_VERIFY_MAX_THREADS];
    double total = 0;
    unsigned i, started = 0;
    int bad = 0;

    if (threads > RAW_VERIFY_MAX_THREADS)
        threads = RAW_VERIFY_MAX_THREADS;
    memset(msg, 'x', sizeof msg);
    memset(v, 0, sizeof v);
    ld_sig_secret_pub(s, &pub);
    ld_sig_sign(s, NULL, msg, sizeof msg, sig);
    for (i = 0; i < threads; i++) {
        v[i].pk = pub.pk, v[i].sig = sig, v[i].msg = msg, v[i].len = sizeof msg;
        v[i].secs = secs;
        if (pthread_create(&t[i], NULL, raw_verify_loop, &v[i]) != 0) {
            bad = 1;
            break;
        }
        started++;
    }
    for (i = 0; i < started; i++) {
        pthread_join(t[i], NULL);
        bad |= v[i].bad;
        total += (double)v[i].count / v[i].secs;
    }
    return bad ? -1 : total;
}

#endif
