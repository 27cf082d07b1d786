/*
 * test_writer.c - the HTTP server's group-commit writer (src/writer.c): jobs
 * submitted from several threads are all appended, each done callback runs
 * once, after the commit (the events are on disk: a fresh connection sees
 * them); an identical resubmission gets its original receipt; function jobs
 * run on the writer; stop signs a final checkpoint covering everything and
 * reports it to the checkpoint callback.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "liandan/event.h"
#include "liandan/ledger.h"
#include "liandan/mem.h"
#include "liandan/sig.h"
#include "liandan/store.h"
#include "liandan/uscc.h"
#include "liandan/writer.h"

#define THREADS 4
#define PER 25 /* events per job */

struct fx {
    char dir[64], db[128];
    struct ld_sig_secret *reg;
    char *texts[THREADS][PER];
    size_t lens[THREADS][PER];
    struct ld_ledger_item items[THREADS][PER];
    struct ld_writer_job jobs[THREADS];
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int done, fn_ran, cp_calls;
    uint64_t cp_size;
    uint64_t size_at_done[THREADS];
    struct ld_writer *w;
};

static struct fx F;

/* A party.register by the regulator for the i-th made-up USCC. */
static char *
registration(int i, size_t *len)
{
    char id[19], *out = NULL;
    cJSON *e = cJSON_CreateObject(), *b = cJSON_CreateObject(), *roles = cJSON_CreateArray();

    snprintf(id, sizeof id, "912102130%08d", i);
    id[17] = ld_uscc_check_char(id);
    id[18] = '\0';
    assert_true(id[17] != 0);
    cJSON_AddNumberToObject(e, "v", 1);
    cJSON_AddStringToObject(e, "type", "party.register");
    cJSON_AddNullToObject(e, "manifest");
    cJSON_AddNullToObject(e, "prev");
    cJSON_AddStringToObject(e, "at", "2026-01-10T00:00:00Z");
    cJSON_AddStringToObject(e, "actor", "regulator");
    cJSON_AddStringToObject(b, "id", id);
    cJSON_AddStringToObject(b, "name", "Writer test party");
    cJSON_AddItemToArray(roles, cJSON_CreateString("producer"));
    cJSON_AddItemToObject(b, "roles", roles);
    cJSON_AddStringToObject(b, "district", "210213");
    cJSON_AddItemToObject(e, "body", b);
    assert_int_equal(ld_event_sign(e, F.reg, &out, len, NULL), LD_OK);
    cJSON_Delete(e);
    return out;
}

static void
job_done(struct ld_writer_job *job)
{
    struct fx *f = job->ctx;

    pthread_mutex_lock(&f->mu);
    if (job >= f->jobs && job < f->jobs + THREADS)
        f->size_at_done[job - f->jobs] = ld_writer_size(f->w);
    f->done++;
    pthread_cond_broadcast(&f->cv);
    pthread_mutex_unlock(&f->mu);
}

static void *
submitter(void *arg)
{
    struct ld_writer_job *job = arg;

    assert_int_equal(ld_writer_submit(F.w, job), LD_OK);
    return NULL;
}

static enum ld_rc
fn(struct ld_ledger *l, void *ctx)
{
    struct fx *f = ctx;

    f->fn_ran = ld_ledger_size(l) == THREADS * PER; /* it sees every earlier commit */
    return LD_OK;
}

static void
fn_done(struct ld_writer_job *job)
{
    job_done(job);
}

static void
on_cp(void *ctx, const char *note, uint64_t size)
{
    struct fx *f = ctx;

    assert_non_null(note);
    f->cp_calls++;
    f->cp_size = size;
}

static void
wait_done(int n)
{
    pthread_mutex_lock(&F.mu);
    while (F.done < n)
        pthread_cond_wait(&F.cv, &F.mu);
    pthread_mutex_unlock(&F.mu);
}

static void
test_group_commit(void **state)
{
    struct ld_sig_pub reg;
    struct ld_ledger *l = NULL, *check = NULL;
    struct ld_ledger_opts o;
    struct ld_writer_job again, fjob;
    struct ld_ledger_item one;
    pthread_t th[THREADS];
    uint8_t seen[THREADS * PER];
    char *vkey = NULL, *note = NULL;
    uint64_t size = 0;
    int t, i;

    (void)state;
    memset(&F, 0, sizeof F);
    pthread_mutex_init(&F.mu, NULL);
    pthread_cond_init(&F.cv, NULL);
    setenv("LIANDAN_NOW", "2026-01-10T00:00:00Z", 1);
    assert_int_equal(ld_sig_init(), LD_OK);
    snprintf(F.dir, sizeof F.dir, "/tmp/ld_test_writer_XXXXXX");
    assert_non_null(mkdtemp(F.dir));
    snprintf(F.db, sizeof F.db, "%s/l.db", F.dir);
    assert_int_equal(ld_sig_keygen("regulator.test", &F.reg), LD_OK);
    ld_sig_secret_pub(F.reg, &reg);
    assert_int_equal(ld_ledger_create(F.db, "test.example/log", &reg, NULL, NULL, &vkey, NULL),
                     LD_OK);
    free(vkey);
    memset(&o, 0, sizeof o);
    assert_int_equal(ld_ledger_open(F.db, &o, &l, NULL), LD_OK);
    for (t = 0; t < THREADS; t++)
        for (i = 0; i < PER; i++) {
            F.texts[t][i] = registration(t * PER + i, &F.lens[t][i]);
            F.items[t][i].text = F.texts[t][i];
            F.items[t][i].len = F.lens[t][i];
        }
    assert_int_equal(ld_writer_start(l, 0.05, NULL, on_cp, &F, &F.w), LD_OK);
    assert_int_equal(F.cp_calls, 0); /* a new ledger has no checkpoint yet */

    /* Several threads at once; every job is answered once, after its commit. */
    for (t = 0; t < THREADS; t++) {
        F.jobs[t].items = F.items[t];
        F.jobs[t].n = PER;
        F.jobs[t].ctx = &F;
        F.jobs[t].done = job_done;
        assert_int_equal(pthread_create(&th[t], NULL, submitter, &F.jobs[t]), 0);
    }
    for (t = 0; t < THREADS; t++)
        pthread_join(th[t], NULL);
    wait_done(THREADS);
    assert_int_equal(F.done, THREADS);
    memset(seen, 0, sizeof seen);
    for (t = 0; t < THREADS; t++) {
        assert_int_equal(F.jobs[t].rc, LD_OK);
        assert_true(F.size_at_done[t] >= PER); /* its commit had happened */
        for (i = 0; i < PER; i++) {
            uint64_t k = F.items[t][i].receipt.leaf_index;
            assert_int_equal(F.items[t][i].rc, LD_OK);
            assert_true(k < THREADS * PER);
            assert_int_equal(seen[k], 0); /* every event its own leaf */
            seen[k] = 1;
        }
    }
    assert_int_equal(ld_writer_size(F.w), THREADS * PER);
    /* Durable before done: another connection sees every event. */
    o.store_flags = LD_STORE_READONLY;
    assert_int_equal(ld_ledger_open(F.db, &o, &check, NULL), LD_OK);
    assert_int_equal(ld_store_size(ld_ledger_store(check), &size), LD_OK);
    assert_int_equal(size, THREADS * PER);

    /* An identical resubmission: the original receipt. */
    memset(&one, 0, sizeof one);
    one.text = F.texts[1][3];
    one.len = F.lens[1][3];
    memset(&again, 0, sizeof again);
    again.items = &one;
    again.n = 1;
    again.ctx = &F;
    again.done = job_done;
    assert_int_equal(ld_writer_submit(F.w, &again), LD_OK);
    /* A function job runs on the writer. */
    memset(&fjob, 0, sizeof fjob);
    fjob.fn = fn;
    fjob.ctx = &F;
    fjob.done = fn_done;
    assert_int_equal(ld_writer_submit(F.w, &fjob), LD_OK);
    wait_done(THREADS + 2);
    assert_int_equal(one.rc, LD_EXISTS);
    assert_int_equal(one.receipt.leaf_index, F.items[1][3].receipt.leaf_index);
    assert_memory_equal(one.receipt.sig, F.items[1][3].receipt.sig, LD_SIG_SIG);
    assert_int_equal(fjob.rc, LD_OK);
    assert_true(F.fn_ran);

    /* Stop: a final checkpoint of the whole log, told to the callback. */
    assert_int_equal(ld_writer_stop(F.w), LD_OK);
    assert_true(F.cp_calls >= 1);
    assert_int_equal(F.cp_size, THREADS * PER);
    assert_int_equal(ld_store_checkpoint_latest(ld_ledger_store(check), &size, &note), LD_OK);
    assert_int_equal(size, THREADS * PER);
    free(note);
    ld_ledger_close(check);

    for (t = 0; t < THREADS; t++)
        for (i = 0; i < PER; i++)
            free(F.texts[t][i]);
    ld_sig_secret_free(F.reg);
    {
        char cmd[128];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", F.dir);
        assert_int_equal(system(cmd), 0);
    }
    pthread_mutex_destroy(&F.mu);
    pthread_cond_destroy(&F.cv);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_group_commit),
    };
    return cmocka_run_group_tests_name("writer", tests, NULL, NULL);
}
