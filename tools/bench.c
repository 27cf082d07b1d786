/*
 * bench.c - `make bench` for the trust layer. Prints figures as ratios to this
 * machine's own limits, measured in the same run (a noisy 2-core machine makes
 * absolute numbers meaningless). The speed of a shared machine drifts over
 * seconds, so the append figures take their raw rate from a few raw verifies
 * run after every batch (the two clocks then see the same drift), and the
 * verify figures from raw rates taken right before and right after:
 *   - raw Ed25519 verify/s on one core and on all cores (the ceiling);
 *   - durable appends/s (synchronous=FULL): one event per commit, batches of
 *     100 with signature checks on the writer thread only, and with signature
 *     checks on every core beside the single writer;
 *   - `verify` events/s over the whole ledger, with and without receipts;
 *   - inclusion-proof generation time at the final size (default 10^6 leaves);
 *   - database bytes per byte of raw entries.
 * Usage: bench [EVENTS]   (EVENTS defaults to $BENCH_EVENTS or 1000000)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <pthread.h>

#include "liandan/ledger.h"
#include "liandan/mem.h"
#include "liandan/tm.h"
#include "liandan/uscc.h"
#include "liandan/verify.h"
#include "raw-verify.h"

static double
now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* CPU seconds of this thread / of the whole process: unlike wall time, not
 * inflated when other processes take the cores. */
static double
cpu_s(clockid_t which)
{
    struct timespec ts;

    clock_gettime(which, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
die(const char *what, enum ld_rc rc)
{
    fprintf(stderr, "bench: %s: %s\n", what, ld_rc_str(rc));
    exit(2);
}

/* Raw verify/s with `threads` threads (tools/raw-verify.h), for one second. */
static double
raw_verify(const struct ld_sig_secret *s, unsigned threads)
{
    double r = raw_verify_rate(s, threads, 1.0);

    if (r < 0)
        die("raw verify", LD_BADSIG);
    return r;
}

/* n signed party.register events for distinct valid USCCs. */
static char **
make_events(const struct ld_sig_secret *reg, size_t n, size_t **lens, const char *at)
{
    char **out = ld_xcalloc(n, sizeof *out);
    size_t i;

    *lens = ld_xcalloc(n, sizeof **lens);
    for (i = 0; i < n; i++) {
        char id[19], name[64];
        cJSON *e = cJSON_CreateObject(), *b = cJSON_CreateObject(), *roles = cJSON_CreateArray();

        snprintf(id, sizeof id, "91210200%09zu", i % 1000000000u);
        id[17] = ld_uscc_check_char(id);
        id[18] = '\0';
        snprintf(name, sizeof name, "大连测试企业%zu有限公司", i);
        cJSON_AddStringToObject(b, "id", id);
        cJSON_AddStringToObject(b, "name", name);
        cJSON_AddItemToArray(roles, cJSON_CreateString("producer"));
        cJSON_AddItemToObject(b, "roles", roles);
        cJSON_AddStringToObject(b, "district", "210213");
        cJSON_AddNumberToObject(e, "v", 1);
        cJSON_AddStringToObject(e, "type", "party.register");
        cJSON_AddNullToObject(e, "manifest");
        cJSON_AddNullToObject(e, "prev");
        cJSON_AddStringToObject(e, "at", at);
        cJSON_AddStringToObject(e, "actor", "regulator");
        cJSON_AddItemToObject(e, "body", b);
        if (ld_event_sign(e, reg, &out[i], &(*lens)[i], NULL) != LD_OK)
            die("sign", LD_INVALID);
        cJSON_Delete(e);
    }
    return out;
}

static struct ld_ledger *
open_ledger(const char *db, unsigned threads)
{
    struct ld_ledger_opts o;
    struct ld_ledger *l = NULL;
    enum ld_rc rc;

    memset(&o, 0, sizeof o);
    o.threads = threads;
    rc = ld_ledger_open(db, &o, &l, NULL);
    if (rc != LD_OK)
        die("open", rc);
    return l;
}

/* Raw verifies taken between batches (or chunks of verify): [in,out] count,
 * seconds, and CPU seconds of the thread that ran them. */
struct raw_samples {
    const uint8_t *pk, *sig, *msg;
    size_t len;
    long count;
    double secs, cpu;
};

static void
raw_sample(struct raw_samples *r, int k)
{
    double t0, c0;

    if (r == NULL)
        return;
    t0 = now_s();
    c0 = cpu_s(CLOCK_THREAD_CPUTIME_ID);
    for (; k > 0; k--, r->count++)
        if (ld_sig_verify(r->pk, NULL, r->msg, r->len, r->sig) != LD_OK)
            die("raw verify", LD_BADSIG);
    r->cpu += cpu_s(CLOCK_THREAD_CPUTIME_ID) - c0;
    r->secs += now_s() - t0;
}

/* ld_verify_opts.progress: a couple of raw verifies after every chunk. Their
 * wall time is shared with the verify threads, but their CPU time is a fair
 * sample of what one verify costs on this machine at that moment. */
static void
verify_progress(void *ctx, uint64_t done, uint64_t total)
{
    (void)done, (void)total;
    raw_sample(ctx, 2);
}

/* CPU per event of a phase, in raw verifies measured alongside: noise from
 * other processes does not inflate CPU time as it does wall time. The ideal
 * for verify without receipts is 1, with receipts 2. */
static double
in_raw(double cpu_secs, double events, const struct raw_samples *r)
{
    return cpu_secs / events / (r->cpu / (double)r->count);
}

/* Append events [from, to) in batches of `batch`; returns events/s counting
 * the appends only. With r, a few raw verifies follow each batch. [out] cpu:
 * may be NULL; process CPU seconds of the appends. */
static double
append_range(struct ld_ledger *l, char **ev, size_t *lens, size_t from, size_t to, size_t batch,
             struct raw_samples *r, double *cpu)
{
    struct ld_ledger_item *items = ld_xcalloc(batch, sizeof *items);
    double t0, c0, spent = 0, cpu_spent = 0;
    size_t i, k;

    for (i = from; i < to; i += batch) {
        size_t n = to - i < batch ? to - i : batch;
        for (k = 0; k < n; k++) {
            items[k].text = ev[i + k];
            items[k].len = lens[i + k];
        }
        t0 = now_s();
        c0 = cpu_s(CLOCK_PROCESS_CPUTIME_ID);
        if (ld_ledger_append_batch(l, items, n) != LD_OK)
            die("append batch", items[0].rc);
        spent += now_s() - t0;
        cpu_spent += cpu_s(CLOCK_PROCESS_CPUTIME_ID) - c0;
        /* Each append is timed alone, so the samples cost the figure nothing. */
        raw_sample(r, batch >= 100 ? 10 : 2);
        for (k = 0; k < n; k++)
            if (items[k].rc != LD_OK) {
                fprintf(stderr, "bench: event %zu: %s %s\n", i + k, items[k].err.field,
                        items[k].err.msg);
                exit(2);
            }
        if (to - from > 100000 && (i - from) % 100000 < batch)
            fprintf(stderr, "\r  appended %zu", i);
    }
    if (to - from > 100000)
        fputs("\r\033[K", stderr);
    free(items);
    if (cpu)
        *cpu = cpu_spent;
    return (double)(to - from) / spent;
}

int
main(int argc, char **argv)
{
    const char *env = getenv("BENCH_EVENTS");
    size_t n = argc > 1 ? strtoul(argv[1], NULL, 10) : env ? strtoul(env, NULL, 10) : 1000000;
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    char dir[] = "/tmp/liandan-bench-XXXXXX", db[128], *vkey = NULL, **ev;
    size_t *lens, i, raw_bytes = 0, single = 2000, one_thread, two_thread;
    struct ld_sig_secret *reg = NULL;
    struct ld_sig_pub regpub;
    struct ld_ledger *l;
    struct ld_verify_opts vo;
    struct ld_verify_result vr;
    double r1, rall, rall2, v_full_raw, a_single, a_batch1, a_batch2, t0, v_full, v_norec, proof_us;
    double c_batch1, c_batch2, c_full, c_norec;
    struct raw_samples rs_single, rs_batch1, rs_batch2, rs_full, rs_norec;
    struct ld_sig_pub bpub;
    uint8_t bsig[64], bmsg[400];
    struct stat sb;
    off_t dbsize = 0;
    char path[160];
    int k;

    if (n < 10000)
        n = 10000;
    if (cores < 1)
        cores = 1;
    setenv("LIANDAN_NOW", "2026-06-01T00:00:00Z", 1);
    if (ld_sig_init() != LD_OK || mkdtemp(dir) == NULL)
        die("init", LD_IO);
    snprintf(db, sizeof db, "%s/bench.db", dir);
    ld_sig_keygen("bench.regulator", &reg);
    ld_sig_secret_pub(reg, &regpub);
    if (ld_ledger_create(db, "bench.example/log", &regpub, NULL, NULL, &vkey, NULL) != LD_OK)
        die("create", LD_IO);
    free(vkey);

    printf("liandan bench: %zu events, %ld cores\n", n, cores);
    r1 = raw_verify(reg, 1);
    rall = raw_verify(reg, (unsigned)cores);
    printf("raw Ed25519 verify/s: %.0f on 1 core, %.0f on %ld cores\n", r1, rall, cores);

    t0 = now_s();
    ev = make_events(reg, n, &lens, "2026-06-01T00:00:00Z");
    for (i = 0; i < n; i++)
        raw_bytes += lens[i];
    printf("signed %zu events in %.1f s (%.0f B average entry)\n", n, now_s() - t0,
           (double)raw_bytes / (double)n);

    /* The CPU's speed drifts on a shared machine: each append figure is
     * taken against raw verifies run between its batches, on one thread. */
    memset(bmsg, 'x', sizeof bmsg);
    ld_sig_secret_pub(reg, &bpub);
    ld_sig_sign(reg, NULL, bmsg, sizeof bmsg, bsig);
    memset(&rs_single, 0, sizeof rs_single);
    rs_single.pk = bpub.pk, rs_single.sig = bsig, rs_single.msg = bmsg;
    rs_single.len = sizeof bmsg;
    rs_batch1 = rs_batch2 = rs_single;
    l = open_ledger(db, 1);
    a_single = append_range(l, ev, lens, 0, single, 1, &rs_single, NULL);
    one_thread = single + (n - single) / 10;
    a_batch1 = append_range(l, ev, lens, single, one_thread, 100, &rs_batch1, &c_batch1);
    ld_ledger_close(l);
    l = open_ledger(db, (unsigned)cores);
    two_thread = one_thread + (n - one_thread) / 9;
    a_batch2 = append_range(l, ev, lens, one_thread, two_thread, 100, &rs_batch2, &c_batch2);
    append_range(l, ev, lens, two_thread, n, 100, NULL, NULL);
    {
        char *note = NULL;
        if (ld_ledger_checkpoint(l, &note, NULL) != LD_OK)
            die("checkpoint", LD_DB);
        free(note);
    }
#define RAW(r) ((double)(r).count / (r).secs)
    printf("append, synchronous=FULL, 1 event/commit:      %8.0f/s = %.2f x raw 1-core verify"
           " (%.0f/s)\n", a_single, a_single / RAW(rs_single), RAW(rs_single));
    printf("append, synchronous=FULL, 100/commit, 1 thread: %7.0f/s = %.2f x raw 1-core verify"
           " (%.0f/s)  (target >= 0.5)\n", a_batch1, a_batch1 / RAW(rs_batch1), RAW(rs_batch1));
    printf("append, synchronous=FULL, 100/commit, %ld sig threads + writer: %.0f/s = %.2f x raw "
           "1-core verify (%.0f/s)  (target >= 0.9)\n", cores, a_batch2, a_batch2 / RAW(rs_batch2),
           RAW(rs_batch2));
    printf("  CPU per appended event, in raw verifies: %.2f on 1 thread, %.2f on %ld\n",
           in_raw(c_batch1, (double)(one_thread - single), &rs_batch1),
           in_raw(c_batch2, (double)(two_thread - one_thread), &rs_batch2), cores);

    /* Proof generation at the final size. */
    t0 = now_s();
    srand(42);
    for (k = 0; k < 20000; k++) {
        char *json = NULL;
        uint64_t idx = ((uint64_t)rand() * 7919u) % n;
        if (ld_ledger_prove_inclusion(l, idx, 0, &json) != LD_OK)
            die("prove", LD_DB);
        free(json);
    }
    proof_us = (now_s() - t0) / 20000 * 1e6;
    printf("inclusion proof at %zu leaves: %.1f us each (target < 50)\n", n, proof_us);
    ld_ledger_close(l);

    /* Verify against the mean of raw rates on all cores right before and after. */
    memset(&vo, 0, sizeof vo);
    vo.threads = (unsigned)cores;
    vo.progress = verify_progress;
    rs_full = rs_norec = rs_single;
    rs_full.count = 0, rs_full.secs = rs_full.cpu = 0;
    rs_norec = rs_full;
    rall = raw_verify(reg, (unsigned)cores);
    vo.progress_ctx = &rs_full;
    t0 = now_s();
    c_full = cpu_s(CLOCK_PROCESS_CPUTIME_ID);
    if (ld_verify_ledger(db, &vo, &vr) != LD_OK)
        die("verify", vr.err.rc);
    c_full = cpu_s(CLOCK_PROCESS_CPUTIME_ID) - c_full - rs_full.cpu;
    v_full = (double)vr.events / (now_s() - t0);
    rall2 = raw_verify(reg, (unsigned)cores);
    v_full_raw = (rall + rall2) / 2;
    vo.skip_receipts = 1;
    vo.progress_ctx = &rs_norec;
    t0 = now_s();
    c_norec = cpu_s(CLOCK_PROCESS_CPUTIME_ID);
    if (ld_verify_ledger(db, &vo, &vr) != LD_OK)
        die("verify", vr.err.rc);
    c_norec = cpu_s(CLOCK_PROCESS_CPUTIME_ID) - c_norec - rs_norec.cpu;
    v_norec = (double)vr.events / (now_s() - t0);
    rall = (rall2 + raw_verify(reg, (unsigned)cores)) / 2;
    printf("verify (event + receipt signatures): %.0f events/s = %.2f x raw verify x %ld cores"
           " (%.0f/s)\n", v_full, v_full / v_full_raw, cores, v_full_raw);
    printf("verify (event signatures only):      %.0f events/s = %.2f x raw verify x %ld cores"
           " (%.0f/s)  (target >= 0.8)\n", v_norec, v_norec / rall, cores, rall);
    printf("  CPU per verified event, in raw verifies: %.2f with receipts, %.2f without\n",
           in_raw(c_full, (double)vr.events, &rs_full),
           in_raw(c_norec, (double)vr.events, &rs_norec));

    for (k = 0; k < 3; k++) {
        snprintf(path, sizeof path, "%s%s", db, k == 0 ? "" : k == 1 ? "-wal" : "-shm");
        if (stat(path, &sb) == 0)
            dbsize += sb.st_size;
    }
    printf("database: %.1f MiB for %.1f MiB of raw entries = %.2f x  (target < 2.5)\n",
           (double)dbsize / 1048576, (double)raw_bytes / 1048576, (double)dbsize / (double)raw_bytes);

    for (i = 0; i < n; i++)
        free(ev[i]);
    free(ev);
    free(lens);
    ld_sig_secret_free(reg);
    snprintf(path, sizeof path, "rm -rf '%s'", dir);
    if (system(path) != 0)
        return 2;
    return 0;
}
