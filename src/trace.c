/*
 * trace.c - lineage of a batch with per-node mass balance, and its four
 * renderings: text tree, JSON, Graphviz DOT, SVG (include/liandan/trace.h).
 * The graph is walked breadth-first with two indexed point queries per node
 * (schema/002_manifest.sql: lines and manifests by primary key, sources by
 * primary key and by sources_source); the SVG layout is a longest-path
 * layering with one barycentre ordering pass, drawn without external tools.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "liandan/buf.h"
#include "liandan/canon.h"
#include "liandan/map.h"
#include "liandan/mem.h"
#include "liandan/trace.h"
#include "liandan/banned.h"

#define WANT_UP 0x1u   /* fetch the node's sources */
#define WANT_DOWN 0x2u /* fetch what drew from it, its rejected part, its disposal */

struct link {
    char id[LD_TRACE_ID_MAX]; /* the other batch */
    int64_t qty;              /* grams drawn */
};

/* Build state of one node, beside the public node. */
struct work {
    struct link *up;   /* owned: sources this line drew from */
    size_t nup;
    struct link *down; /* owned: later lines that drew from this batch */
    size_t ndown;
    unsigned want;     /* WANT_* asked for */
    unsigned done;     /* WANT_* already expanded */
};

struct builder {
    struct ld_store *s;
    struct ld_trace_node *nodes; /* grows; handed to the trace */
    struct work *w;              /* parallel to nodes */
    size_t n, cap;
    struct ld_map *index;        /* id -> (void *)(index + 1) */
    size_t *queue;               /* nodes whose wants changed */
    size_t qhead, qlen, qcap;
    struct ld_err *err;
};

/* ---- queries ------------------------------------------------------------ */

static const char q_node[] =
    "SELECT l.manifest, l.line, l.code, l.category, l.name, l.qty_g, l.received_g, "
    "COALESCE(l.accepted_g, 0), COALESCE(l.rejected_g, 0), l.disposed_g, "
    "COALESCE(l.method, ''), m.producer, m.receiver, m.state, COALESCE(pp.name, ''), "
    "COALESCE(pr.name, '') "
    "FROM lines l JOIN manifests m ON m.number = l.manifest "
    "LEFT JOIN parties pp ON pp.id = m.producer LEFT JOIN parties pr ON pr.id = m.receiver "
    "WHERE l.batch = ?1";

/* Sources of a line (kind 0) and the draws of later, live manifests on a batch (kind 1). */
static const char q_links[] =
    "SELECT 0, source, qty_g FROM sources WHERE batch = ?1 "
    "UNION ALL "
    "SELECT 1, s.batch, s.qty_g FROM sources s JOIN lines l ON l.batch = s.batch "
    "JOIN manifests m ON m.number = l.manifest WHERE s.source = ?2 AND m.state <> 'cancelled'";

static const char q_manifest_state[] = "SELECT state FROM manifests WHERE number = ?1";

/* Kept stepped (not reset) for the whole walk: while a statement is active,
 * SQLite keeps one read transaction open, so every query of the trace reads
 * the same snapshot, and without taking and dropping the file lock around
 * each of them (half the cost of a trace). meta always has rows. */
static const char q_snapshot[] = "SELECT COUNT(*) FROM meta";
static const char q_manifest_lines[] =
    "SELECT batch FROM lines WHERE manifest = ?1 ORDER BY line";

static void
copy(char *dst, size_t cap, const char *src)
{
    snprintf(dst, cap, "%s", src ? src : "");
}

/* Fill n from the line row of batch (NUMBER-LL). LD_NOTFOUND if no such line. */
static enum ld_rc
load_line(struct ld_store *s, const char *batch, struct ld_trace_node *n)
{
    struct ld_store_q *q = NULL;
    enum ld_rc rc = ld_store_q(s, q_node, &q);

    if (rc != LD_OK)
        return rc;
    ld_store_q_text(q, 1, batch);
    rc = ld_store_q_step(q);
    if (rc == LD_OK) {
        n->manifest = ld_store_q_col_int(q, 0);
        n->line = (int)ld_store_q_col_int(q, 1);
        copy(n->code, sizeof n->code, ld_store_q_col_text(q, 2));
        copy(n->category, sizeof n->category, ld_store_q_col_text(q, 3));
        n->name = ld_xstrdup(ld_store_q_col_text(q, 4));
        n->qty_g = ld_store_q_col_int(q, 5);
        n->received = !ld_store_q_col_null(q, 6);
        n->received_g = ld_store_q_col_int(q, 6);
        n->accepted_g = ld_store_q_col_int(q, 7);
        n->rejected_g = ld_store_q_col_int(q, 8);
        n->disposed_g = ld_store_q_col_int(q, 9);
        copy(n->method, sizeof n->method, ld_store_q_col_text(q, 10));
        copy(n->filer, sizeof n->filer, ld_store_q_col_text(q, 11));
        copy(n->receiver, sizeof n->receiver, ld_store_q_col_text(q, 12));
        copy(n->state, sizeof n->state, ld_store_q_col_text(q, 13));
        n->filer_name = ld_xstrdup(ld_store_q_col_text(q, 14));
        n->receiver_name = ld_xstrdup(ld_store_q_col_text(q, 15));
    }
    ld_store_q_done(q);
    return rc;
}

static void
push_link(struct link **arr, size_t *n, const char *id, int64_t qty)
{
    *arr = ld_xrealloc(*arr, (*n + 1) * sizeof **arr);
    copy((*arr)[*n].id, sizeof (*arr)[*n].id, id);
    (*arr)[*n].qty = qty;
    (*n)++;
}

/* Sources (for a line) and draws (for a line or rejected part) of node id. */
static enum ld_rc
load_links(struct ld_store *s, const char *id, int line, struct work *w)
{
    struct ld_store_q *q = NULL;
    enum ld_rc rc = ld_store_q(s, q_links, &q);

    if (rc != LD_OK)
        return rc;
    ld_store_q_text(q, 1, line ? id : NULL);
    ld_store_q_text(q, 2, id);
    while ((rc = ld_store_q_step(q)) == LD_OK) {
        if (ld_store_q_col_int(q, 0) == 0)
            push_link(&w->up, &w->nup, ld_store_q_col_text(q, 1), ld_store_q_col_int(q, 2));
        else
            push_link(&w->down, &w->ndown, ld_store_q_col_text(q, 1), ld_store_q_col_int(q, 2));
    }
    ld_store_q_done(q);
    return rc == LD_NOTFOUND ? LD_OK : rc;
}

/* ---- balance ------------------------------------------------------------ */

static void
balance(struct ld_trace_node *n, const struct work *w)
{
    size_t i;

    n->drawn_g = n->from_g = 0;
    for (i = 0; w && i < w->ndown; i++)
        n->drawn_g += w->down[i].qty;
    for (i = 0; w && i < w->nup; i++)
        n->from_g += w->up[i].qty;
    n->reason[0] = '\0';
    switch (n->kind) {
    case LD_TRACE_LINE:
        n->in_g = n->received ? n->accepted_g : n->qty_g;
        n->left_g = n->in_g - n->drawn_g - n->disposed_g;
        if (n->left_g < 0)
            snprintf(n->reason, sizeof n->reason, "out %lld g exceeds in %lld g",
                     (long long)(n->drawn_g + n->disposed_g), (long long)n->in_g);
        else if (n->from_g > n->qty_g)
            snprintf(n->reason, sizeof n->reason, "draws %lld g from its sources but ships %lld g",
                     (long long)n->from_g, (long long)n->qty_g);
        else if (n->received && n->received_g != n->accepted_g + n->rejected_g)
            snprintf(n->reason, sizeof n->reason,
                     "received %lld g is not accepted %lld g + rejected %lld g",
                     (long long)n->received_g, (long long)n->accepted_g,
                     (long long)n->rejected_g);
        break;
    case LD_TRACE_REJECTED:
        n->in_g = n->rejected_g;
        n->disposed_g = 0;
        n->method[0] = '\0';
        n->left_g = n->in_g - n->drawn_g;
        if (n->left_g < 0)
            snprintf(n->reason, sizeof n->reason, "out %lld g exceeds in %lld g",
                     (long long)n->drawn_g, (long long)n->in_g);
        break;
    case LD_TRACE_DISPOSAL:
        n->in_g = n->disposed_g;
        n->left_g = 0;
        break;
    }
    n->broken = n->reason[0] != '\0';
}

/* ---- the walk ----------------------------------------------------------- */

static void
enqueue(struct builder *b, size_t i)
{
    if (b->qhead + b->qlen == b->qcap) {
        if (b->qhead > 0) {
            memmove(b->queue, b->queue + b->qhead, b->qlen * sizeof *b->queue);
            b->qhead = 0;
        } else {
            b->qcap = b->qcap ? 2 * b->qcap : 64;
            b->queue = ld_xrealloc(b->queue, b->qcap * sizeof *b->queue);
        }
    }
    b->queue[b->qhead + b->qlen++] = i;
}

/* Batch id shape: 14 digits, '-', 2 digits, optional 'R'. [out] rejected. */
static int
batch_shape(const char *id, int *rejected)
{
    size_t i, n = strlen(id);

    if (n != 17 && !(n == 18 && id[17] == 'R'))
        return 0;
    for (i = 0; i < 17; i++)
        if (i == 14 ? id[i] != '-' : (id[i] < '0' || id[i] > '9'))
            return 0;
    *rejected = n == 18;
    return 1;
}

static size_t
new_node(struct builder *b, const char *id)
{
    size_t i = b->n;

    if (b->n == b->cap) {
        b->cap = b->cap ? 2 * b->cap : 32;
        b->nodes = ld_xrealloc(b->nodes, b->cap * sizeof *b->nodes);
        b->w = ld_xrealloc(b->w, b->cap * sizeof *b->w);
    }
    memset(&b->nodes[i], 0, sizeof b->nodes[i]);
    memset(&b->w[i], 0, sizeof b->w[i]);
    copy(b->nodes[i].id, sizeof b->nodes[i].id, id);
    b->n++;
    ld_map_put(b->index, b->nodes[i].id, (void *)(uintptr_t)(i + 1));
    return i;
}

/*
 * Make sure node id exists with (at least) want; load it the first time.
 * [out] at: its index. Returns LD_OK, LD_NOTFOUND (start only: no such
 * batch), LD_INVALID (too many nodes), LD_DB.
 */
static enum ld_rc
add(struct builder *b, const char *id, unsigned want, int start, size_t *at)
{
    void *v = ld_map_get(b->index, id);
    struct ld_trace_node *n;
    char base[LD_TRACE_ID_MAX];
    int rejected = 0;
    size_t i;
    enum ld_rc rc;

    if (v) {
        i = (size_t)(uintptr_t)v - 1;
        b->nodes[i].start |= start;
        if (want & ~b->w[i].want) {
            b->w[i].want |= want;
            enqueue(b, i);
        }
        if (at)
            *at = i;
        return LD_OK;
    }
    if (b->n >= LD_TRACE_MAX_NODES)
        return ld_err_set(b->err, LD_INVALID, "", "the lineage has more than %d nodes",
                          LD_TRACE_MAX_NODES);
    if (!batch_shape(id, &rejected)) {
        if (start)
            return ld_err_set(b->err, LD_INVALID, "", "'%s' is not a batch", id);
        rejected = 0;
    }
    copy(base, sizeof base, id);
    if (rejected)
        base[17] = '\0';
    i = new_node(b, id);
    n = &b->nodes[i];
    n->start = start;
    n->kind = rejected ? LD_TRACE_REJECTED : LD_TRACE_LINE;
    rc = load_line(b->s, base, n);
    if (rc == LD_NOTFOUND || (rc == LD_OK && rejected && n->rejected_g <= 0)) {
        if (start)
            return ld_err_set(b->err, LD_NOTFOUND, "",
                              rejected ? "no rejected part %s" : "no batch %s", id);
        /* A source the derived tables do not know: keep it, flagged. */
        if (!n->name) {
            n->name = ld_xstrdup("");
            n->filer_name = ld_xstrdup("");
            n->receiver_name = ld_xstrdup("");
        }
        snprintf(n->reason, sizeof n->reason, "batch %s is not in the ledger", id);
        n->broken = 1;
        if (at)
            *at = i;
        return LD_OK;
    }
    if (rc != LD_OK)
        return ld_err_set(b->err, rc, "", "cannot read lines");
    if (start && strcmp(n->state, "cancelled") == 0)
        return ld_err_set(b->err, LD_NOTFOUND, "", "manifest %lld was cancelled",
                          (long long)n->manifest);
    rc = load_links(b->s, id, !rejected, &b->w[i]);
    if (rc != LD_OK)
        return ld_err_set(b->err, rc, "", "cannot read sources");
    balance(n, &b->w[i]);
    b->w[i].want = want;
    enqueue(b, i);
    if (at)
        *at = i;
    return LD_OK;
}

/* The disposal sink of line i. */
static void
add_disposal(struct builder *b, size_t i)
{
    char id[LD_TRACE_ID_MAX];
    struct ld_trace_node *n;
    size_t k;

    snprintf(id, sizeof id, "%.17s:disposal", b->nodes[i].id);
    if (ld_map_get(b->index, id))
        return;
    k = new_node(b, id);
    n = &b->nodes[k];
    *n = b->nodes[i];
    copy(n->id, sizeof n->id, id);
    n->kind = LD_TRACE_DISPOSAL;
    n->name = ld_xstrdup(b->nodes[i].name);
    n->filer_name = ld_xstrdup(b->nodes[i].filer_name);
    n->receiver_name = ld_xstrdup(b->nodes[i].receiver_name);
    n->start = 0;
    balance(n, NULL);
}

static enum ld_rc
expand(struct builder *b, size_t i)
{
    unsigned fresh = b->w[i].want & ~b->w[i].done;
    char id[LD_TRACE_ID_MAX];
    size_t k;
    enum ld_rc rc = LD_OK;

    b->w[i].done |= fresh;
    if (b->nodes[i].kind == LD_TRACE_DISPOSAL || b->nodes[i].name == NULL)
        return LD_OK;
    if (fresh & WANT_DOWN) {
        /* Copy: add() may move b->w. */
        size_t nd = b->w[i].ndown;
        struct link *down = nd ? ld_xmalloc(nd * sizeof *down) : NULL;
        if (nd)
            memcpy(down, b->w[i].down, nd * sizeof *down);
        for (k = 0; rc == LD_OK && k < nd; k++)
            rc = add(b, down[k].id, WANT_UP | WANT_DOWN, 0, NULL);
        free(down);
        if (rc == LD_OK && b->nodes[i].kind == LD_TRACE_LINE && b->nodes[i].rejected_g > 0) {
            snprintf(id, sizeof id, "%.17sR", b->nodes[i].id);
            rc = add(b, id, WANT_UP | WANT_DOWN, 0, NULL);
        }
        if (rc == LD_OK && b->nodes[i].kind == LD_TRACE_LINE && b->nodes[i].disposed_g > 0)
            add_disposal(b, i);
    }
    if (rc == LD_OK && (fresh & WANT_UP)) {
        size_t nu = b->w[i].nup;
        struct link *up = nu ? ld_xmalloc(nu * sizeof *up) : NULL;
        if (nu)
            memcpy(up, b->w[i].up, nu * sizeof *up);
        for (k = 0; rc == LD_OK && k < nu; k++)
            rc = add(b, up[k].id, WANT_UP, 0, NULL);
        free(up);
        if (rc == LD_OK && b->nodes[i].kind == LD_TRACE_REJECTED) {
            copy(id, sizeof id, b->nodes[i].id);
            id[17] = '\0';
            rc = add(b, id, WANT_UP, 0, NULL);
        }
    }
    return rc;
}

/* ---- finishing: sort, edges, layers ------------------------------------- */

static int
by_id(const void *a, const void *b)
{
    return strcmp(((const struct ld_trace_node *)a)->id, ((const struct ld_trace_node *)b)->id);
}

static int
by_ends(const void *a, const void *b)
{
    const struct ld_trace_edge *x = a, *y = b;

    if (x->from != y->from)
        return x->from < y->from ? -1 : 1;
    if (x->to != y->to)
        return x->to < y->to ? -1 : 1;
    return (int)x->kind - (int)y->kind;
}

long
ld_trace_find(const struct ld_trace *t, const char *id)
{
    size_t lo = 0, hi = t->nnodes;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(t->nodes[mid].id, id);
        if (c == 0)
            return (long)mid;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return -1;
}

static void
add_edge(struct ld_trace *t, size_t *cap, long from, long to, enum ld_trace_edge_kind k,
         int64_t qty)
{
    if (from < 0 || to < 0)
        return;
    if (t->nedges == *cap) {
        *cap = *cap ? 2 * *cap : 32;
        t->edges = ld_xrealloc(t->edges, *cap * sizeof *t->edges);
    }
    t->edges[t->nedges].from = (size_t)from;
    t->edges[t->nedges].to = (size_t)to;
    t->edges[t->nedges].kind = k;
    t->edges[t->nedges].qty_g = qty;
    t->nedges++;
}

/* Out-edge ranges per node: edges are sorted by from. */
static size_t *
out_index(const struct ld_trace *t)
{
    size_t *first = ld_xcalloc(t->nnodes + 1, sizeof *first), i;

    for (i = 0; i < t->nedges; i++)
        first[t->edges[i].from + 1]++;
    for (i = 0; i < t->nnodes; i++)
        first[i + 1] += first[i];
    return first;
}

struct bary {
    size_t node;
    double key;
};

static int
by_bary(const void *a, const void *b)
{
    const struct bary *x = a, *y = b;

    if (x->key != y->key)
        return x->key < y->key ? -1 : 1;
    return x->node < y->node ? -1 : x->node > y->node;
}

/* Longest-path layers (Kahn's order), then rows by the mean row of the predecessors. */
static void
layout(struct ld_trace *t)
{
    size_t *first = out_index(t), *indeg = ld_xcalloc(t->nnodes + 1, sizeof *indeg);
    size_t *queue = ld_xmalloc((t->nnodes + 1) * sizeof *queue), qh = 0, qt = 0, i, e;
    double *sum = ld_xcalloc(t->nnodes + 1, sizeof *sum);
    size_t *cnt = ld_xcalloc(t->nnodes + 1, sizeof *cnt);
    struct bary *row = ld_xmalloc((t->nnodes + 1) * sizeof *row);
    int maxl = 0, l;

    for (i = 0; i < t->nedges; i++)
        indeg[t->edges[i].to]++;
    for (i = 0; i < t->nnodes; i++) {
        t->nodes[i].layer = 0;
        if (indeg[i] == 0)
            queue[qt++] = i;
    }
    while (qh < qt) {
        size_t u = queue[qh++];
        for (e = first[u]; e < first[u + 1]; e++) {
            size_t v = t->edges[e].to;
            if (t->nodes[v].layer < t->nodes[u].layer + 1)
                t->nodes[v].layer = t->nodes[u].layer + 1;
            if (--indeg[v] == 0)
                queue[qt++] = v;
        }
    }
    for (i = 0; i < t->nnodes; i++)
        if (t->nodes[i].layer > maxl)
            maxl = t->nodes[i].layer;
    /* A cycle (only in damaged data) leaves nodes unordered: put them last. */
    if (qt < t->nnodes)
        for (i = 0; i < t->nnodes; i++)
            if (indeg[i] > 0)
                t->nodes[i].layer = maxl + 1;
    t->nlayers = 0;
    for (i = 0; i < t->nnodes; i++)
        if (t->nodes[i].layer + 1 > t->nlayers)
            t->nlayers = t->nodes[i].layer + 1;
    for (l = 0; l < t->nlayers; l++) {
        size_t n = 0;
        for (i = 0; i < t->nnodes; i++) {
            if (t->nodes[i].layer != l)
                continue;
            row[n].node = i;
            row[n].key = cnt[i] ? sum[i] / (double)cnt[i] : (double)i;
            n++;
        }
        qsort(row, n, sizeof *row, by_bary);
        for (i = 0; i < n; i++) {
            size_t u = row[i].node;
            t->nodes[u].order = (int)i;
            for (e = first[u]; e < first[u + 1]; e++) {
                sum[t->edges[e].to] += (double)i;
                cnt[t->edges[e].to]++;
            }
        }
    }
    free(row);
    free(cnt);
    free(sum);
    free(queue);
    free(indeg);
    free(first);
}

static void
finish(struct builder *b, struct ld_trace *t)
{
    size_t i, k, cap = 0;
    struct link **up = ld_xcalloc(b->n + 1, sizeof *up);
    size_t *nup = ld_xcalloc(b->n + 1, sizeof *nup);

    /* Sort nodes by id, carrying each node's source list along (order holds
     * the build index until layout() sets the row). */
    for (i = 0; i < b->n; i++)
        b->nodes[i].order = (int)i;
    t->nodes = b->nodes;
    t->nnodes = b->n;
    b->nodes = NULL;
    qsort(t->nodes, t->nnodes, sizeof *t->nodes, by_id);
    for (i = 0; i < t->nnodes; i++) {
        size_t was = (size_t)t->nodes[i].order;
        up[i] = b->w[was].up;
        nup[i] = b->w[was].nup;
    }
    for (i = 0; i < t->nnodes; i++) {
        const struct ld_trace_node *n = &t->nodes[i];
        char base[LD_TRACE_ID_MAX];
        if (n->kind == LD_TRACE_LINE) {
            for (k = 0; k < nup[i]; k++)
                add_edge(t, &cap, ld_trace_find(t, up[i][k].id), (long)i, LD_TRACE_DRAW,
                         up[i][k].qty);
        } else {
            copy(base, sizeof base, n->id);
            base[17] = '\0';
            add_edge(t, &cap, ld_trace_find(t, base), (long)i,
                     n->kind == LD_TRACE_REJECTED ? LD_TRACE_REJECT : LD_TRACE_DISPOSE,
                     n->kind == LD_TRACE_REJECTED ? n->rejected_g : n->disposed_g);
        }
        if (n->broken)
            t->nbroken++;
    }
    if (t->nedges)
        qsort(t->edges, t->nedges, sizeof *t->edges, by_ends);
    free(up);
    free(nup);
    layout(t);
}

static void
node_release(struct ld_trace_node *n)
{
    free(n->name);
    free(n->filer_name);
    free(n->receiver_name);
}

void
ld_trace_free(struct ld_trace *t)
{
    size_t i;

    if (t == NULL)
        return;
    for (i = 0; i < t->nnodes; i++)
        node_release(&t->nodes[i]);
    free(t->nodes);
    free(t->edges);
    free(t);
}

/* Start nodes of subject: its batch, or every line of its manifest. */
static enum ld_rc
start(struct builder *b, const char *subject)
{
    struct ld_store_q *q = NULL;
    char (*batches)[LD_TRACE_ID_MAX] = NULL;
    size_t n = 0, i;
    int64_t number;
    char state[32] = "";
    enum ld_rc rc;

    if (strlen(subject) != 14 || strspn(subject, "0123456789") != 14)
        return add(b, subject, WANT_UP | WANT_DOWN, 1, NULL);
    number = strtoll(subject, NULL, 10);
    rc = ld_store_q(b->s, q_manifest_state, &q);
    if (rc != LD_OK)
        return ld_err_set(b->err, rc, "", "cannot read manifests");
    ld_store_q_int(q, 1, number);
    rc = ld_store_q_step(q);
    if (rc == LD_OK)
        copy(state, sizeof state, ld_store_q_col_text(q, 0));
    ld_store_q_done(q);
    if (rc == LD_NOTFOUND)
        return ld_err_set(b->err, LD_NOTFOUND, "", "no manifest %s", subject);
    if (rc != LD_OK)
        return ld_err_set(b->err, rc, "", "cannot read manifests");
    if (strcmp(state, "cancelled") == 0)
        return ld_err_set(b->err, LD_NOTFOUND, "", "manifest %s was cancelled", subject);
    rc = ld_store_q(b->s, q_manifest_lines, &q);
    if (rc != LD_OK)
        return ld_err_set(b->err, rc, "", "cannot read lines");
    ld_store_q_int(q, 1, number);
    while ((rc = ld_store_q_step(q)) == LD_OK) {
        batches = ld_xrealloc(batches, (n + 1) * sizeof *batches);
        copy(batches[n++], LD_TRACE_ID_MAX, ld_store_q_col_text(q, 0));
    }
    ld_store_q_done(q);
    rc = rc == LD_NOTFOUND ? LD_OK : ld_err_set(b->err, rc, "", "cannot read lines");
    for (i = 0; rc == LD_OK && i < n; i++)
        rc = add(b, batches[i], WANT_UP | WANT_DOWN, 1, NULL);
    free(batches);
    return rc;
}

enum ld_rc
ld_trace_build(struct ld_store *s, const char *subject, struct ld_trace **out,
               struct ld_err *err)
{
    struct builder b;
    struct ld_trace *t = NULL;
    struct ld_store_q *snap = NULL;
    size_t i;
    enum ld_rc rc;

    memset(&b, 0, sizeof b);
    b.s = s;
    b.err = err;
    b.index = ld_map_new();
    if (strlen(subject) >= LD_TRACE_ID_MAX) {
        rc = ld_err_set(err, LD_INVALID, "", "'%.20s...' is not a manifest number or a batch",
                        subject);
        goto out;
    }
    rc = ld_store_q(s, q_snapshot, &snap);
    if (rc == LD_OK)
        rc = ld_store_q_step(snap);
    if (rc != LD_OK) {
        rc = ld_err_set(err, rc == LD_NOTFOUND ? LD_DB : rc, "", "cannot read the ledger");
        goto out;
    }
    rc = start(&b, subject);
    while (rc == LD_OK && b.qlen > 0) {
        size_t k = b.queue[b.qhead++];
        b.qlen--;
        rc = expand(&b, k);
    }
    if (rc != LD_OK)
        goto out;
    t = ld_xcalloc(1, sizeof *t);
    copy(t->subject, sizeof t->subject, subject);
    finish(&b, t);
out:
    if (snap)
        ld_store_q_done(snap);
    for (i = 0; i < b.n; i++) {
        free(b.w[i].up);
        free(b.w[i].down);
        if (b.nodes)
            node_release(&b.nodes[i]);
    }
    free(b.nodes);
    free(b.w);
    free(b.queue);
    ld_map_free(b.index, NULL);
    if (rc == LD_OK)
        *out = t;
    return rc;
}

/* ---- rendering helpers -------------------------------------------------- */

/* Grams as kilograms with exactly three decimals ("-1.250"). */
static void
kg(struct ld_buf *b, int64_t g)
{
    unsigned long long a = g < 0 ? (unsigned long long)(-(g + 1)) + 1 : (unsigned long long)g;

    ld_buf_addf(b, "%s%llu.%03llu", g < 0 ? "-" : "", a / 1000, a % 1000);
}

static const char *
who(const char *name, const char *id)
{
    return name && name[0] ? name : id;
}

/* ---- text --------------------------------------------------------------- */

static void
text_head(struct ld_buf *b, const struct ld_trace_node *n)
{
    ld_buf_adds(b, n->id);
    switch (n->kind) {
    case LD_TRACE_LINE:
        ld_buf_addf(b, "  %s %s %s · %s → %s · %s", n->name, n->code, n->category,
                    who(n->filer_name, n->filer), who(n->receiver_name, n->receiver), n->state);
        break;
    case LD_TRACE_REJECTED:
        ld_buf_addf(b, "  rejected part of %.17s, held by %s", n->id,
                    who(n->receiver_name, n->receiver));
        break;
    case LD_TRACE_DISPOSAL:
        ld_buf_adds(b, "  ");
        kg(b, n->disposed_g);
        ld_buf_addf(b, " kg disposed of by %s (%s)", who(n->receiver_name, n->receiver),
                    n->method[0] ? n->method : "?");
        break;
    }
    if (n->start)
        ld_buf_adds(b, "  ◀ traced");
}

static void
text_detail(struct ld_buf *b, const struct ld_trace_node *n, const char *pre)
{
    if (n->kind == LD_TRACE_DISPOSAL)
        return;
    ld_buf_addf(b, "%sin ", pre);
    kg(b, n->in_g);
    if (n->kind == LD_TRACE_LINE) {
        ld_buf_adds(b, " kg: filed ");
        kg(b, n->qty_g);
        if (n->received) {
            ld_buf_adds(b, ", received ");
            kg(b, n->received_g);
            ld_buf_adds(b, ", accepted ");
            kg(b, n->accepted_g);
            ld_buf_adds(b, ", rejected ");
            kg(b, n->rejected_g);
        } else {
            ld_buf_adds(b, " (not received yet)");
        }
        if (n->from_g) {
            ld_buf_adds(b, "; from sources ");
            kg(b, n->from_g);
        }
    } else {
        ld_buf_adds(b, " kg rejected");
    }
    ld_buf_addf(b, "\n%sout ", pre);
    kg(b, n->drawn_g + n->disposed_g);
    ld_buf_adds(b, " kg: drawn ");
    kg(b, n->drawn_g);
    ld_buf_adds(b, ", disposed ");
    kg(b, n->disposed_g);
    ld_buf_adds(b, " · left ");
    kg(b, n->left_g);
    ld_buf_adds(b, " kg");
    if (n->broken)
        ld_buf_addf(b, "  BROKEN: %s", n->reason);
    ld_buf_adds(b, "\n");
}

static const char *const edge_names[] = {"draw", "reject", "dispose"};

struct frame {
    size_t node;    /* node whose children are being listed */
    size_t next;    /* next out-edge to visit */
    size_t prefix;  /* length of the node's continuation prefix */
};

char *
ld_trace_text(const struct ld_trace *t)
{
    struct ld_buf b = LD_BUF_INIT, pre = LD_BUF_INIT;
    size_t *first = out_index(t), *indeg = ld_xcalloc(t->nnodes + 1, sizeof *indeg);
    char *seen = ld_xcalloc(t->nnodes + 1, 1);
    struct frame *st = ld_xmalloc((t->nnodes + 1) * sizeof *st);
    size_t i, nd = 0, ns;

    for (i = 0; i < t->nedges; i++)
        indeg[t->edges[i].to]++;
    for (i = 0; i < t->nnodes; i++)
        nd += t->nodes[i].kind == LD_TRACE_DISPOSAL;
    ld_buf_addf(&b, "trace %s: %zu batch%s, %zu disposal%s; ", t->subject, t->nnodes - nd,
                t->nnodes - nd == 1 ? "" : "es", nd, nd == 1 ? "" : "s");
    if (t->nbroken)
        ld_buf_addf(&b, "balance BROKEN at %zu\n", t->nbroken);
    else
        ld_buf_adds(&b, "balance ok\n");
    for (i = 0; i < t->nnodes; i++) {
        /* Roots: sources (no edge in); a cycle's nodes are reached from nowhere. */
        if (indeg[i] != 0)
            continue;
        ld_buf_adds(&b, "\n");
        text_head(&b, &t->nodes[i]);
        ld_buf_adds(&b, "\n");
        seen[i] = 1;
        text_detail(&b, &t->nodes[i], first[i] < first[i + 1] ? "│ " : "  ");
        ns = 0;
        ld_buf_reset(&pre);
        st[ns].node = i;
        st[ns].next = first[i];
        st[ns].prefix = 0;
        ns++;
        while (ns > 0) {
            struct frame *f = &st[ns - 1];
            const struct ld_trace_edge *e;
            const struct ld_trace_node *c;
            int last;
            if (f->next == first[f->node + 1]) {
                ns--;
                continue;
            }
            e = &t->edges[f->next++];
            last = f->next == first[f->node + 1];
            c = &t->nodes[e->to];
            pre.len = f->prefix;
            if (pre.data)
                pre.data[pre.len] = '\0';
            ld_buf_addf(&b, "%s%s%s ", pre.data ? pre.data : "", last ? "└─ " : "├─ ",
                        edge_names[e->kind]);
            kg(&b, e->qty_g);
            ld_buf_adds(&b, " kg ▶ ");
            text_head(&b, c);
            ld_buf_adds(&pre, last ? "   " : "│  ");
            if (seen[e->to]) {
                ld_buf_adds(&b, "  (shown above)\n");
                continue;
            }
            ld_buf_adds(&b, "\n");
            seen[e->to] = 1;
            {
                size_t pl = pre.len;
                ld_buf_adds(&pre, first[e->to] < first[e->to + 1] ? "│ " : "  ");
                text_detail(&b, c, pre.data);
                pre.len = pl;
                pre.data[pl] = '\0';
            }
            if (first[e->to] < first[e->to + 1]) {
                st[ns].node = e->to;
                st[ns].next = first[e->to];
                st[ns].prefix = pre.len;
                ns++;
            }
        }
    }
    /* Nodes on a cycle (damaged data only) have no root: list them. */
    for (i = 0; i < t->nnodes; i++)
        if (!seen[i]) {
            ld_buf_adds(&b, "\n");
            text_head(&b, &t->nodes[i]);
            ld_buf_adds(&b, "  (on a cycle)\n");
            text_detail(&b, &t->nodes[i], "  ");
        }
    free(st);
    free(seen);
    free(indeg);
    free(first);
    ld_buf_release(&pre);
    return ld_buf_detach(&b, NULL);
}

/* ---- JSON --------------------------------------------------------------- */

static const char *const kind_names[] = {"line", "rejected", "disposal"};

/*
 * {"subject":S,"balanced":B,"broken":N,
 *  "nodes":[{"id","kind":"line"|"rejected"|"disposal","manifest","line","state",
 *            "filer","filer_name","receiver","receiver_name","code","category","name",
 *            "method","received":B,"filed_g","received_g","accepted_g","rejected_g",
 *            "from_g","in_g","drawn_g","disposed_g","left_g","broken":B,"reason"?,
 *            "start":B,"layer"}],
 *  "edges":[{"from":ID,"to":ID,"kind":"draw"|"reject"|"dispose","qty_g"}]}
 * received_g, accepted_g and rejected_g are null before the receiver decided.
 */
char *
ld_trace_json(const struct ld_trace *t)
{
    cJSON *root = cJSON_CreateObject(), *nodes = cJSON_CreateArray(), *edges = cJSON_CreateArray();
    char *out = NULL;
    size_t i;

    cJSON_AddStringToObject(root, "subject", t->subject);
    cJSON_AddBoolToObject(root, "balanced", t->nbroken == 0);
    cJSON_AddNumberToObject(root, "broken", (double)t->nbroken);
    for (i = 0; i < t->nnodes; i++) {
        const struct ld_trace_node *n = &t->nodes[i];
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "id", n->id);
        cJSON_AddStringToObject(o, "kind", kind_names[n->kind]);
        cJSON_AddNumberToObject(o, "manifest", (double)n->manifest);
        cJSON_AddNumberToObject(o, "line", n->line);
        cJSON_AddStringToObject(o, "state", n->state);
        cJSON_AddStringToObject(o, "filer", n->filer);
        cJSON_AddStringToObject(o, "filer_name", n->filer_name ? n->filer_name : "");
        cJSON_AddStringToObject(o, "receiver", n->receiver);
        cJSON_AddStringToObject(o, "receiver_name", n->receiver_name ? n->receiver_name : "");
        cJSON_AddStringToObject(o, "code", n->code);
        cJSON_AddStringToObject(o, "category", n->category);
        cJSON_AddStringToObject(o, "name", n->name ? n->name : "");
        cJSON_AddStringToObject(o, "method", n->method);
        cJSON_AddBoolToObject(o, "received", n->received);
        cJSON_AddNumberToObject(o, "filed_g", (double)n->qty_g);
        if (n->received) {
            cJSON_AddNumberToObject(o, "received_g", (double)n->received_g);
            cJSON_AddNumberToObject(o, "accepted_g", (double)n->accepted_g);
            cJSON_AddNumberToObject(o, "rejected_g", (double)n->rejected_g);
        } else {
            cJSON_AddNullToObject(o, "received_g");
            cJSON_AddNullToObject(o, "accepted_g");
            cJSON_AddNullToObject(o, "rejected_g");
        }
        cJSON_AddNumberToObject(o, "from_g", (double)n->from_g);
        cJSON_AddNumberToObject(o, "in_g", (double)n->in_g);
        cJSON_AddNumberToObject(o, "drawn_g", (double)n->drawn_g);
        cJSON_AddNumberToObject(o, "disposed_g", (double)n->disposed_g);
        cJSON_AddNumberToObject(o, "left_g", (double)n->left_g);
        cJSON_AddBoolToObject(o, "broken", n->broken);
        if (n->broken)
            cJSON_AddStringToObject(o, "reason", n->reason);
        cJSON_AddBoolToObject(o, "start", n->start);
        cJSON_AddNumberToObject(o, "layer", n->layer);
        cJSON_AddItemToArray(nodes, o);
    }
    for (i = 0; i < t->nedges; i++) {
        const struct ld_trace_edge *e = &t->edges[i];
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "from", t->nodes[e->from].id);
        cJSON_AddStringToObject(o, "to", t->nodes[e->to].id);
        cJSON_AddStringToObject(o, "kind", edge_names[e->kind]);
        cJSON_AddNumberToObject(o, "qty_g", (double)e->qty_g);
        cJSON_AddItemToArray(edges, o);
    }
    cJSON_AddItemToObject(root, "nodes", nodes);
    cJSON_AddItemToObject(root, "edges", edges);
    if (ld_canon_dup(root, 0, &out, NULL, NULL) != LD_OK)
        out = ld_xstrdup("{}"); /* only invalid UTF-8 in stored names could get here */
    cJSON_Delete(root);
    return out;
}

/* ---- DOT ---------------------------------------------------------------- */

static void
dot_str(struct ld_buf *b, const char *s)
{
    for (; *s; s++) {
        if (*s == '"' || *s == '\\')
            ld_buf_addc(b, '\\');
        if (*s == '\n')
            ld_buf_adds(b, "\\n");
        else
            ld_buf_addc(b, *s);
    }
}

char *
ld_trace_dot(const struct ld_trace *t)
{
    static const char *const fill[] = {"#e8f0fe", "#fde7d4", "#e3f4e1"};
    static const char *const estyle[] = {"solid", "dashed", "bold"};
    struct ld_buf b = LD_BUF_INIT, l = LD_BUF_INIT;
    size_t i;

    ld_buf_adds(&b, "digraph trace {\n  label=\"");
    dot_str(&b, t->subject);
    ld_buf_adds(&b, t->nbroken ? ": balance BROKEN\";\n" : ": balance ok\";\n");
    ld_buf_adds(&b, "  rankdir=LR;\n  node [shape=box, style=\"rounded,filled\", "
                    "fontname=\"Noto Sans CJK SC\", fontsize=10];\n"
                    "  edge [fontname=\"Noto Sans CJK SC\", fontsize=9];\n");
    for (i = 0; i < t->nnodes; i++) {
        const struct ld_trace_node *n = &t->nodes[i];
        ld_buf_reset(&l);
        ld_buf_adds(&l, n->id);
        ld_buf_adds(&l, "\n");
        if (n->kind == LD_TRACE_LINE) {
            ld_buf_addf(&l, "%s %s\n%s → %s\n", n->name, n->code, who(n->filer_name, n->filer),
                        who(n->receiver_name, n->receiver));
        } else if (n->kind == LD_TRACE_REJECTED) {
            ld_buf_addf(&l, "rejected, held by %s\n", who(n->receiver_name, n->receiver));
        } else {
            ld_buf_addf(&l, "disposal %s by %s\n", n->method, who(n->receiver_name, n->receiver));
        }
        ld_buf_adds(&l, "in ");
        kg(&l, n->in_g);
        ld_buf_adds(&l, " · out ");
        kg(&l, n->drawn_g + n->disposed_g);
        ld_buf_adds(&l, " · left ");
        kg(&l, n->left_g);
        ld_buf_adds(&l, " kg");
        if (n->broken)
            ld_buf_addf(&l, "\nBROKEN: %s", n->reason);
        ld_buf_adds(&b, "  \"");
        dot_str(&b, n->id);
        ld_buf_adds(&b, "\" [label=\"");
        dot_str(&b, l.data);
        ld_buf_addf(&b, "\", fillcolor=\"%s\"%s%s%s];\n", fill[n->kind],
                    n->kind == LD_TRACE_DISPOSAL ? ", shape=ellipse" : "",
                    n->broken ? ", color=\"#d93025\", penwidth=2" : "",
                    n->start ? ", peripheries=2" : "");
    }
    for (i = 0; i < t->nedges; i++) {
        const struct ld_trace_edge *e = &t->edges[i];
        ld_buf_adds(&b, "  \"");
        dot_str(&b, t->nodes[e->from].id);
        ld_buf_adds(&b, "\" -> \"");
        dot_str(&b, t->nodes[e->to].id);
        ld_buf_addf(&b, "\" [label=\"%s ", edge_names[e->kind]);
        kg(&b, e->qty_g);
        ld_buf_addf(&b, " kg\", style=%s];\n", estyle[e->kind]);
    }
    ld_buf_adds(&b, "}\n");
    ld_buf_release(&l);
    return ld_buf_detach(&b, NULL);
}

/* ---- SVG ---------------------------------------------------------------- */

#define BOX_W 280   /* node box width */
#define BOX_H 72    /* node box height */
#define GAP_X 110   /* between columns (room for edge labels) */
#define GAP_Y 26    /* between rows */
#define MARGIN 24
#define TOP 56      /* title band */

/* Decode one UTF-8 sequence at s (valid UTF-8 assumed, as stored). [out] len. */
static unsigned long
utf8_cp(const unsigned char *s, size_t *len)
{
    if (s[0] < 0x80) {
        *len = 1;
        return s[0];
    }
    if ((s[0] & 0xE0) == 0xC0 && s[1]) {
        *len = 2;
        return ((unsigned long)(s[0] & 0x1F) << 6) | (s[1] & 0x3F);
    }
    if ((s[0] & 0xF0) == 0xE0 && s[1] && s[2]) {
        *len = 3;
        return ((unsigned long)(s[0] & 0x0F) << 12) | ((unsigned long)(s[1] & 0x3F) << 6) |
               (s[2] & 0x3F);
    }
    if ((s[0] & 0xF8) == 0xF0 && s[1] && s[2] && s[3]) {
        *len = 4;
        return ((unsigned long)(s[0] & 0x07) << 18) | ((unsigned long)(s[1] & 0x3F) << 12) |
               ((unsigned long)(s[2] & 0x3F) << 6) | (s[3] & 0x3F);
    }
    *len = 1;
    return 0xFFFD;
}

/* XML-escaped s, cut with an ellipsis to about max_px at 11 px type
 * (wide characters 11 px, others 6.5 px). */
static void
svg_text(struct ld_buf *b, const char *s, double max_px)
{
    const unsigned char *p = (const unsigned char *)s;
    double w = 0;

    while (*p) {
        size_t n;
        unsigned long cp = utf8_cp(p, &n);
        double cw = cp >= 0x2E80 ? 11.0 : 6.5;
        if (w + cw > max_px - 11.0) {
            ld_buf_adds(b, "…");
            return;
        }
        w += cw;
        switch (cp) {
        case '&': ld_buf_adds(b, "&amp;"); break;
        case '<': ld_buf_adds(b, "&lt;"); break;
        case '>': ld_buf_adds(b, "&gt;"); break;
        case '"': ld_buf_adds(b, "&quot;"); break;
        case '\'': ld_buf_adds(b, "&apos;"); break;
        default:
            if (cp < 0x20)
                ld_buf_addc(b, ' ');
            else
                ld_buf_add(b, p, n);
        }
        p += n;
    }
}

static int
node_x(const struct ld_trace_node *n)
{
    return MARGIN + n->layer * (BOX_W + GAP_X);
}

static int
node_y(const struct ld_trace_node *n)
{
    return TOP + n->order * (BOX_H + GAP_Y);
}

char *
ld_trace_svg(const struct ld_trace *t)
{
    static const char *const fill[] = {"#e8f0fe", "#fde7d4", "#e3f4e1"};
    static const char *const stroke[] = {"#5f6368", "#e8710a", "#188038"};
    struct ld_buf b = LD_BUF_INIT, l = LD_BUF_INIT;
    int rows = 1, w, h;
    size_t i;

    for (i = 0; i < t->nnodes; i++)
        if (t->nodes[i].order + 1 > rows)
            rows = t->nodes[i].order + 1;
    w = 2 * MARGIN + (t->nlayers > 0 ? t->nlayers : 1) * (BOX_W + GAP_X) - GAP_X;
    if (w < 520)
        w = 520;
    h = TOP + rows * (BOX_H + GAP_Y) - GAP_Y + MARGIN;
    ld_buf_addf(&b,
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"%d\" "
                "height=\"%d\" viewBox=\"0 0 %d %d\" font-family=\"'Noto Sans CJK SC', "
                "'Source Han Sans SC', 'Microsoft YaHei', sans-serif\" font-size=\"11\">\n",
                w, h, w, h);
    ld_buf_adds(&b, "<title>");
    svg_text(&b, t->subject, 1e9);
    ld_buf_adds(&b, "</title>\n<defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"10\" "
                    "refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" orient=\"auto\">"
                    "<path d=\"M0,0 L10,5 L0,10 z\" fill=\"#5f6368\"/></marker></defs>\n");
    ld_buf_addf(&b, "<rect width=\"%d\" height=\"%d\" fill=\"#ffffff\"/>\n", w, h);
    ld_buf_addf(&b, "<text x=\"%d\" y=\"30\" font-size=\"15\" font-weight=\"bold\">trace ",
                MARGIN);
    svg_text(&b, t->subject, 1e9);
    ld_buf_addf(&b, "</text>\n<text x=\"%d\" y=\"46\" fill=\"%s\">", MARGIN,
                t->nbroken ? "#d93025" : "#188038");
    if (t->nbroken)
        ld_buf_addf(&b, "balance broken at %zu node%s", t->nbroken, t->nbroken == 1 ? "" : "s");
    else
        ld_buf_adds(&b, "balance ok");
    ld_buf_adds(&b, " · sources → collectors → receivers → disposal · quantities in kg</text>\n");
    /* Edges first, under the boxes. */
    for (i = 0; i < t->nedges; i++) {
        const struct ld_trace_edge *e = &t->edges[i];
        const struct ld_trace_node *a = &t->nodes[e->from], *c = &t->nodes[e->to];
        int x1 = node_x(a) + BOX_W, y1 = node_y(a) + BOX_H / 2;
        int x2 = node_x(c), y2 = node_y(c) + BOX_H / 2, mx = (x1 + x2) / 2;
        ld_buf_addf(&b,
                    "<path d=\"M%d,%d C%d,%d %d,%d %d,%d\" fill=\"none\" stroke=\"%s\" "
                    "stroke-width=\"1.5\"%s marker-end=\"url(#arrow)\"/>\n",
                    x1, y1, mx, y1, mx, y2, x2, y2, stroke[e->kind],
                    e->kind == LD_TRACE_REJECT ? " stroke-dasharray=\"5,3\"" : "");
        ld_buf_addf(&b, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" fill=\"%s\">", mx,
                    (y1 + y2) / 2 - 4, stroke[e->kind]);
        kg(&b, e->qty_g);
        ld_buf_adds(&b, "</text>\n");
    }
    for (i = 0; i < t->nnodes; i++) {
        const struct ld_trace_node *n = &t->nodes[i];
        int x = node_x(n), y = node_y(n);
        ld_buf_addf(&b, "<g><title>");
        svg_text(&b, n->id, 1e9);
        if (n->broken) {
            ld_buf_adds(&b, ": ");
            svg_text(&b, n->reason, 1e9);
        }
        ld_buf_addf(&b,
                    "</title><rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" rx=\"6\" "
                    "fill=\"%s\" stroke=\"%s\" stroke-width=\"%s\"/>\n",
                    x, y, BOX_W, BOX_H, fill[n->kind], n->broken ? "#d93025" : stroke[n->kind],
                    n->broken || n->start ? "2.5" : "1");
        ld_buf_addf(&b, "<text x=\"%d\" y=\"%d\" font-weight=\"bold\">", x + 8, y + 16);
        svg_text(&b, n->id, BOX_W - 16);
        ld_buf_addf(&b, "</text>\n<text x=\"%d\" y=\"%d\">", x + 8, y + 32);
        ld_buf_reset(&l);
        if (n->kind == LD_TRACE_LINE)
            ld_buf_addf(&l, "%s %s %s", n->code, n->category, n->name);
        else if (n->kind == LD_TRACE_REJECTED)
            ld_buf_adds(&l, "rejected part");
        else
            ld_buf_addf(&l, "disposal %s", n->method);
        svg_text(&b, l.data, BOX_W - 16);
        ld_buf_addf(&b, "</text>\n<text x=\"%d\" y=\"%d\">", x + 8, y + 48);
        ld_buf_reset(&l);
        if (n->kind == LD_TRACE_LINE)
            ld_buf_addf(&l, "%s → %s", who(n->filer_name, n->filer),
                        who(n->receiver_name, n->receiver));
        else
            ld_buf_addf(&l, "at %s", who(n->receiver_name, n->receiver));
        svg_text(&b, l.data, BOX_W - 16);
        ld_buf_addf(&b, "</text>\n<text x=\"%d\" y=\"%d\" fill=\"%s\">", x + 8, y + 64,
                    n->broken ? "#d93025" : "#202124");
        ld_buf_reset(&l);
        if (n->kind == LD_TRACE_DISPOSAL) {
            kg(&l, n->disposed_g);
            ld_buf_adds(&l, " kg");
        } else {
            ld_buf_adds(&l, "in ");
            kg(&l, n->in_g);
            ld_buf_adds(&l, " · out ");
            kg(&l, n->drawn_g + n->disposed_g);
            ld_buf_adds(&l, " · left ");
            kg(&l, n->left_g);
        }
        svg_text(&b, l.data, BOX_W - 16);
        ld_buf_adds(&b, "</text></g>\n");
    }
    ld_buf_adds(&b, "</svg>\n");
    ld_buf_release(&l);
    return ld_buf_detach(&b, NULL);
}
