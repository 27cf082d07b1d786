/*
 * writer.c - group commit for the HTTP server (include/liandan/writer.h).
 * The queue is a singly linked list under one mutex; the writer swaps it out
 * whole, so submitters never wait for a commit, only for the list's lock.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "liandan/mem.h"
#include "liandan/writer.h"
#include "liandan/tm.h"
#include "liandan/banned.h"

struct ld_writer {
    struct ld_ledger *l;
    struct ld_metrics *m;
    double cp_interval;
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    struct ld_writer_job *head, **tail; /* waiting jobs, oldest first */
    int stopping;
    atomic_uint_fast64_t size;
    uint64_t cp_size;   /* size of the last checkpoint signed or found */
    double cp_time;     /* when it was signed (monotonic) */
    enum ld_rc final_rc;
    ld_writer_checkpoint_fn on_cp;
    void *cp_ctx;
};

static enum ld_rc
checkpoint(struct ld_writer *w)
{
    uint64_t size = 0;
    char *note = NULL;
    enum ld_rc rc = ld_ledger_checkpoint(w->l, &note, &size);

    if (rc == LD_OK) {
        w->cp_size = size;
        w->cp_time = ld_tm_mono();
        if (w->on_cp)
            w->on_cp(w->cp_ctx, note, size);
    }
    free(note);
    return rc;
}

/* Commit jobs [first, end) (a chain through next) as one batch. */
static void
run_events(struct ld_writer *w, struct ld_writer_job *first, struct ld_writer_job *end,
           size_t total)
{
    struct ld_ledger_item *items = ld_xcalloc(total ? total : 1, sizeof *items);
    struct ld_writer_job *j;
    size_t k = 0, appended = 0, i;
    enum ld_rc rc;

    for (j = first; j != end; j = j->next) {
        memcpy(items + k, j->items, j->n * sizeof *items);
        k += j->n;
    }
    rc = ld_ledger_append_batch(w->l, items, total);
    for (i = 0; i < total; i++) {
        if (rc != LD_OK) {
            items[i].rc = rc;
            ld_err_clear(&items[i].err);
        }
        appended += items[i].rc == LD_OK;
    }
    atomic_store(&w->size, ld_ledger_size(w->l));
    if (w->m)
        ld_metrics_commit(w->m, total, appended);
    k = 0;
    for (j = first; j != end;) {
        struct ld_writer_job *next = j->next;
        memcpy(j->items, items + k, j->n * sizeof *items);
        k += j->n;
        j->rc = rc;
        j->done(j); /* may free j */
        j = next;
    }
    free(items);
}

static void *
loop(void *arg)
{
    struct ld_writer *w = arg;

    for (;;) {
        struct ld_writer_job *jobs, *j, *end;
        size_t total;
        int stopping;

        pthread_mutex_lock(&w->mu);
        while (w->head == NULL && !w->stopping) {
            if (atomic_load(&w->size) > w->cp_size) {
                /* Wake when the pending checkpoint falls due. */
                double due = w->cp_time + w->cp_interval - ld_tm_mono();
                struct timespec ts;
                if (due <= 0)
                    break;
                clock_gettime(CLOCK_REALTIME, &ts);
                ts.tv_sec += (time_t)due;
                ts.tv_nsec += (long)((due - (double)(time_t)due) * 1e9);
                if (ts.tv_nsec >= 1000000000L)
                    ts.tv_sec++, ts.tv_nsec -= 1000000000L;
                pthread_cond_timedwait(&w->cv, &w->mu, &ts);
            } else {
                pthread_cond_wait(&w->cv, &w->mu);
            }
        }
        jobs = w->head;
        w->head = NULL;
        w->tail = &w->head;
        stopping = w->stopping;
        pthread_mutex_unlock(&w->mu);

        /* Function jobs run alone; event jobs commit in groups of up to
         * LD_WRITER_BATCH events (a single larger job commits by itself). */
        while (jobs) {
            if (jobs->n == 0) {
                j = jobs->next;
                jobs->rc = jobs->fn(w->l, jobs->ctx);
                atomic_store(&w->size, ld_ledger_size(w->l));
                jobs->done(jobs);
                jobs = j;
                continue;
            }
            total = jobs->n;
            for (end = jobs->next; end && end->n && total + end->n <= LD_WRITER_BATCH;
                 end = end->next)
                total += end->n;
            run_events(w, jobs, end, total);
            jobs = end;
        }
        if (atomic_load(&w->size) > w->cp_size &&
            (stopping || ld_tm_mono() - w->cp_time >= w->cp_interval)) {
            enum ld_rc rc = checkpoint(w);
            if (stopping)
                w->final_rc = rc;
        }
        if (stopping) {
            pthread_mutex_lock(&w->mu);
            if (w->head == NULL) {
                pthread_mutex_unlock(&w->mu);
                return NULL;
            }
            pthread_mutex_unlock(&w->mu);
        }
    }
}

enum ld_rc
ld_writer_start(struct ld_ledger *l, double cp_interval, struct ld_metrics *m,
                ld_writer_checkpoint_fn on_cp, void *cp_ctx, struct ld_writer **out)
{
    struct ld_writer *w = ld_xcalloc(1, sizeof *w);
    char *note = NULL;

    w->l = l;
    w->m = m;
    w->on_cp = on_cp;
    w->cp_ctx = cp_ctx;
    w->cp_interval = cp_interval > 0 ? cp_interval : 1;
    w->tail = &w->head;
    atomic_init(&w->size, ld_ledger_size(l));
    if (ld_store_checkpoint_latest(ld_ledger_store(l), &w->cp_size, &note) != LD_OK)
        w->cp_size = 0;
    else if (on_cp)
        on_cp(cp_ctx, note, w->cp_size);
    free(note);
    w->cp_time = ld_tm_mono() - w->cp_interval;
    pthread_mutex_init(&w->mu, NULL);
    pthread_cond_init(&w->cv, NULL);
    if (pthread_create(&w->thread, NULL, loop, w) != 0) {
        pthread_mutex_destroy(&w->mu);
        pthread_cond_destroy(&w->cv);
        ld_ledger_close(l);
        free(w);
        return LD_IO;
    }
    *out = w;
    return LD_OK;
}

enum ld_rc
ld_writer_submit(struct ld_writer *w, struct ld_writer_job *job)
{
    pthread_mutex_lock(&w->mu);
    if (w->stopping) {
        pthread_mutex_unlock(&w->mu);
        return LD_BUSY;
    }
    job->next = NULL;
    *w->tail = job;
    w->tail = &job->next;
    pthread_cond_signal(&w->cv);
    pthread_mutex_unlock(&w->mu);
    return LD_OK;
}

uint64_t
ld_writer_size(struct ld_writer *w)
{
    return (uint64_t)atomic_load(&w->size);
}

enum ld_rc
ld_writer_stop(struct ld_writer *w)
{
    enum ld_rc rc;

    pthread_mutex_lock(&w->mu);
    w->stopping = 1;
    pthread_cond_signal(&w->cv);
    pthread_mutex_unlock(&w->mu);
    pthread_join(w->thread, NULL);
    rc = w->final_rc;
    ld_ledger_close(w->l);
    pthread_mutex_destroy(&w->mu);
    pthread_cond_destroy(&w->cv);
    free(w);
    return rc;
}
