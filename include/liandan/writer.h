/*
 * writer.h - the HTTP server's single writer: group commit of signed events.
 *
 * Request threads submit jobs; one writer thread takes every job waiting, up
 * to LD_WRITER_BATCH events, appends them with ld_ledger_append_batch (one
 * transaction, one fsync) and only then calls each job's done callback, so a
 * reply sent from done is sent after its event is on disk. While one commit
 * runs the next group gathers: the busier the server, the larger the groups.
 * The writer also signs a checkpoint when the log has grown and the last one
 * is older than the interval, and a final one when it stops.
 *
 * Thread safety: submit and size from any thread; start/stop from one.
 */
#ifndef LIANDAN_WRITER_H
#define LIANDAN_WRITER_H

#include <stddef.h>
#include <stdint.h>

#include "liandan/err.h"
#include "liandan/ledger.h"
#include "liandan/metrics.h"

#define LD_WRITER_BATCH 1000 /* events per commit, at most (a larger job commits alone) */

struct ld_writer;

/* One unit of work. Either items (events to append) or fn (anything else that
 * writes, e.g. an attachment), run on the writer thread. */
struct ld_writer_job {
    struct ld_ledger_item *items; /* [in,out] borrowed until done is called */
    size_t n;                     /* items */
    enum ld_rc (*fn)(struct ld_ledger *l, void *ctx); /* used when n == 0 */
    void *ctx;                    /* for fn and done */
    enum ld_rc rc;                /* [out] fn's result, or the batch's */
    void (*done)(struct ld_writer_job *job); /* called once, on the writer thread */
    struct ld_writer_job *next;   /* private to the writer */
};

/* Told of each checkpoint: the stored latest at start, then each one signed
 * (note borrowed for the call). Runs on the starting thread, then the writer's. */
typedef void (*ld_writer_checkpoint_fn)(void *ctx, const char *note, uint64_t size);

/*
 * Start the writer thread on l (takes ownership of l, also on failure).
 * cp_interval: seconds between checkpoints while events arrive (> 0).
 * m: counters (borrowed; may be NULL). on_cp, cp_ctx: may be NULL.
 * [out] out: the writer; stop it with ld_writer_stop(). Returns LD_OK or LD_IO.
 */
enum ld_rc ld_writer_start(struct ld_ledger *l, double cp_interval, struct ld_metrics *m,
                           ld_writer_checkpoint_fn on_cp, void *cp_ctx, struct ld_writer **out);

/* Queue job (borrowed until its done callback). After stop has begun the job
 * is refused: returns LD_BUSY and done is not called. */
enum ld_rc ld_writer_submit(struct ld_writer *w, struct ld_writer_job *job);

/* Tree size after the last commit. */
uint64_t ld_writer_size(struct ld_writer *w);

/* Refuse new jobs, finish queued ones, sign a final checkpoint, join the
 * thread, close the ledger and free w. Returns the final checkpoint's result
 * (LD_OK when there was nothing new to sign). */
enum ld_rc ld_writer_stop(struct ld_writer *w);

#endif
