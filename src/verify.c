/*
 * verify.c - full offline verification of a ledger (include/liandan/verify.h).
 *
 * The main thread reads and parses events and replays the state they imply
 * (certified keys, chain heads) in leaf order; signature checks, the costly
 * part (Ed25519, RFC 8032), run on worker threads one chunk behind, so that
 * parsing chunk k+1 overlaps the signatures of chunk k. Faults are reported
 * in leaf order: the first one wins, whichever thread found it.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "liandan/canon.h"
#include "liandan/enc.h"
#include "liandan/map.h"
#include "liandan/mem.h"
#include "liandan/party.h"
#include "liandan/tm.h"
#include "liandan/uscc.h"
#include "liandan/verify.h"
#include "liandan/banned.h"

#define CHUNK 512

struct job {
    struct ld_event ev;          /* parsed event (owned) */
    uint64_t idx;                /* leaf index */
    uint8_t pk[LD_SIG_PUB];      /* key the event must verify under */
    char *rmsg;                  /* owned: receipt message, NULL when receipts are skipped */
    size_t rlen;
    uint8_t rsig[LD_SIG_SIG];    /* stored receipt signature */
    int sig_bad, receipt_bad;    /* results, written by one worker */
};

struct chunk {
    struct job jobs[CHUNK];
    size_t n;                    /* jobs in use */
    atomic_size_t next;          /* next job to take */
    atomic_size_t done;          /* jobs finished */
};

struct pool {
    pthread_mutex_t mu;
    pthread_cond_t work;         /* a chunk was posted, or stop */
    pthread_cond_t finished;     /* a chunk's last job finished */
    struct chunk *current;       /* chunk being verified, NULL when idle */
    const uint8_t *ledger_pk;    /* for receipts */
    int stop;
    unsigned nthreads;
    pthread_t *threads;
};

struct cp {
    uint64_t size;
    uint8_t root[LD_MERKLE_HASH];
};

struct state {
    struct ld_store *store;      /* read-only store */
    struct ld_map *keys;         /* keyid -> struct ld_store_key* */
    struct ld_map *chains;       /* chain -> uint8_t[32] head id */
    struct ld_map *parties;      /* id -> (void *)1 */
    struct ld_sig_pub regulator, ledger;
    char *origin;
    struct cp *cps;              /* checkpoints in size order */
    size_t ncps, cps_cap, next_cp;
    struct ld_merkle_frontier frontier;
    const struct ld_verify_opts *opts;
    struct ld_verify_result *res;
};

static void
fault(struct state *st, uint64_t idx, const char *field, const char *fmt, const char *detail)
{
    if (st->res->has_fault)
        return;
    st->res->has_fault = 1;
    st->res->fault_index = idx;
    ld_err_set(&st->res->err, LD_TAMPERED, field, fmt, detail);
}

/* ---- worker pool -------------------------------------------------------- */

static void
run_jobs(struct pool *p, struct chunk *c)
{
    size_t i;

    while ((i = atomic_fetch_add(&c->next, 1)) < c->n) {
        struct job *j = &c->jobs[i];
        j->sig_bad = ld_event_verify(&j->ev, j->pk) != LD_OK;
        if (j->rmsg)
            j->receipt_bad = ld_sig_verify(p->ledger_pk, NULL, j->rmsg, j->rlen, j->rsig) != LD_OK;
        if (atomic_fetch_add(&c->done, 1) + 1 == c->n) {
            pthread_mutex_lock(&p->mu);
            pthread_cond_broadcast(&p->finished);
            pthread_mutex_unlock(&p->mu);
        }
    }
}

static void *
worker(void *arg)
{
    struct pool *p = arg;
    struct chunk *c;

    pthread_mutex_lock(&p->mu);
    for (;;) {
        while (!p->stop && (p->current == NULL || atomic_load(&p->current->next) >= p->current->n))
            pthread_cond_wait(&p->work, &p->mu);
        if (p->stop)
            break;
        c = p->current;
        pthread_mutex_unlock(&p->mu);
        run_jobs(p, c);
        pthread_mutex_lock(&p->mu);
    }
    pthread_mutex_unlock(&p->mu);
    return NULL;
}

static void
post(struct pool *p, struct chunk *c)
{
    atomic_store(&c->next, 0);
    atomic_store(&c->done, 0);
    pthread_mutex_lock(&p->mu);
    p->current = c;
    pthread_cond_broadcast(&p->work);
    pthread_mutex_unlock(&p->mu);
    if (p->nthreads == 0)
        run_jobs(p, c);
}

static void
wait_chunk(struct pool *p, struct chunk *c)
{
    run_jobs(p, c); /* help instead of idling */
    pthread_mutex_lock(&p->mu);
    while (atomic_load(&c->done) < c->n)
        pthread_cond_wait(&p->finished, &p->mu);
    if (p->current == c)
        p->current = NULL;
    pthread_mutex_unlock(&p->mu);
}

static void
pool_start(struct pool *p, unsigned n, const uint8_t *ledger_pk)
{
    unsigned i;

    memset(p, 0, sizeof *p);
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->work, NULL);
    pthread_cond_init(&p->finished, NULL);
    p->ledger_pk = ledger_pk;
    p->threads = ld_xcalloc(n ? n : 1, sizeof *p->threads);
    for (i = 0; i < n; i++) {
        if (pthread_create(&p->threads[i], NULL, worker, p) != 0)
            break;
        p->nthreads++;
    }
}

static void
pool_stop(struct pool *p)
{
    unsigned i;

    pthread_mutex_lock(&p->mu);
    p->stop = 1;
    pthread_cond_broadcast(&p->work);
    pthread_mutex_unlock(&p->mu);
    for (i = 0; i < p->nthreads; i++)
        pthread_join(p->threads[i], NULL);
    free(p->threads);
    pthread_mutex_destroy(&p->mu);
    pthread_cond_destroy(&p->work);
    pthread_cond_destroy(&p->finished);
}

/* ---- checkpoints -------------------------------------------------------- */

static enum ld_rc
load_cp(void *ctx, uint64_t size, const char *note)
{
    struct state *st = ctx;
    size_t text_len = 0, verified = 0, n = 0;
    struct ld_err err;
    char *want = NULL;
    const char *p, *q;
    struct cp c;

    memset(&err, 0, sizeof err);
    if (ld_sig_note_open(note, strlen(note), &st->ledger, 1, &text_len, &verified, &err) != LD_OK) {
        char what[64];
        snprintf(what, sizeof what, "%llu", (unsigned long long)size);
        fault(st, UINT64_MAX, "checkpoint", "checkpoint of size %s: ledger signature does not "
              "verify", what);
        return LD_TAMPERED;
    }
    /* Body: ORIGIN\nSIZE\nROOT\n (C2SP tlog-checkpoint). */
    want = ld_xasprintf("%s\n%llu\n", st->origin, (unsigned long long)size);
    p = note + strlen(want);
    q = text_len > strlen(want) ? memchr(p, '\n', text_len - strlen(want)) : NULL;
    if (strncmp(note, want, strlen(want)) != 0 || q == NULL ||
        ld_enc_unb64(p, (size_t)(q - p), c.root, sizeof c.root, &n) != LD_OK || n != 32) {
        free(want);
        fault(st, UINT64_MAX, "checkpoint", "checkpoint body is not '%s SIZE ROOT'", st->origin);
        return LD_TAMPERED;
    }
    free(want);
    c.size = size;
    if (st->ncps == st->cps_cap) {
        st->cps_cap = st->cps_cap ? 2 * st->cps_cap : 16;
        st->cps = ld_xrealloc(st->cps, st->cps_cap * sizeof *st->cps);
    }
    st->cps[st->ncps++] = c;
    return LD_OK;
}

/* Compare the roots of checkpoints whose size the frontier has reached. */
static void
check_cps(struct state *st)
{
    uint8_t root[LD_MERKLE_HASH];

    while (st->next_cp < st->ncps && st->cps[st->next_cp].size == st->frontier.size) {
        ld_merkle_frontier_root(&st->frontier, root);
        if (memcmp(root, st->cps[st->next_cp].root, LD_MERKLE_HASH) != 0) {
            char what[32];
            snprintf(what, sizeof what, "%llu", (unsigned long long)st->frontier.size);
            fault(st, UINT64_MAX, "checkpoint",
                  "checkpoint of size %s: root differs from the root of the events", what);
        }
        st->next_cp++;
        st->res->checkpoints++;
    }
}

/* Stored nodes must be the ones the entries imply (proofs are served from
 * them), the leaf hashes in the tiles too. The store reads each tile once
 * for the nodes of it asked in a row. */
static enum ld_rc
node_check(void *ctx, unsigned level, uint64_t index, const uint8_t hash[LD_MERKLE_HASH])
{
    struct state *st = ctx;
    uint8_t stored[LD_MERKLE_HASH];

    if (ld_store_node_get(st->store, level, index, stored) != LD_OK ||
        memcmp(stored, hash, LD_MERKLE_HASH) != 0)
        return LD_TAMPERED;
    return LD_OK;
}

/* No other rows in table nodes than the tiles of a tree of this size
 * (schema/001_core.sql): per tile level t, one row for each 16 nodes of
 * level 4t, and one for the rest. */
static void
check_node_rows(struct state *st)
{
    static const char sql[] = "SELECT COUNT(*) FROM nodes";
    struct ld_store_q *q = NULL;
    uint64_t want = 0, size = st->frontier.size;
    unsigned t;

    for (t = 0; t < 16 && (size >> (4 * t)) > 0; t++)
        want += ((size >> (4 * t)) + 15) / 16;
    if (ld_store_q(st->store, sql, &q) != LD_OK)
        return;
    if (ld_store_q_step(q) == LD_OK && (uint64_t)ld_store_q_col_int(q, 0) != want) {
        char what[64];
        snprintf(what, sizeof what, "%lld, not %llu", (long long)ld_store_q_col_int(q, 0),
                 (unsigned long long)want);
        fault(st, UINT64_MAX, "nodes", "the Merkle tiles are %s rows", what);
    }
    ld_store_q_done(q);
}

/* Every attachment must hash to its name (events sign the hash). */
static void
check_attachments(struct state *st)
{
    static const char sql[] = "SELECT hash, data FROM attachments ORDER BY hash";
    struct ld_store_q *q = NULL;
    uint8_t h[32];
    char hex[65];
    enum ld_rc rc;

    if (ld_store_q(st->store, sql, &q) != LD_OK)
        return;
    while ((rc = ld_store_q_step(q)) == LD_OK) {
        size_t len = 0;
        const void *data = ld_store_q_col_blob(q, 1, &len);
        crypto_hash_sha256(h, data, len);
        ld_enc_hex(h, sizeof h, hex);
        if (strcmp(hex, ld_store_q_col_text(q, 0)) != 0) {
            fault(st, UINT64_MAX, "attachments", "attachment %s does not hash to its name",
                  ld_store_q_col_text(q, 0));
            break;
        }
    }
    ld_store_q_done(q);
}

/* ---- reading entries ---------------------------------------------------- */

static int
lower_hex(const cJSON *v, size_t n)
{
    size_t i;

    if (!cJSON_IsString(v) || strlen(v->valuestring) != n)
        return 0;
    for (i = 0; i < n; i++) {
        char c = v->valuestring[i];
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
            return 0;
    }
    return 1;
}

/* Value of a base64 character (RFC 4648 §4), -1 for any other byte. */
static int
b64_value(unsigned char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    return c == '+' ? 62 : c == '/' ? 63 : -1;
}

/* Strict base64 (RFC 4648, padded, no spare bits set) of a 64-byte signature:
 * 88 characters, the last two '='. Signatures are public, so this decodes
 * plainly instead of in constant time as ld_enc_unb64 does. Returns 1 on
 * success. */
static int
sig_b64(const char *t, uint8_t sig[LD_SIG_SIG])
{
    uint32_t v = 0;
    size_t i, o = 0;
    int c;

    if (t[86] != '=' || t[87] != '=')
        return 0;
    for (i = 0; i < 86; i++) {
        if ((c = b64_value((unsigned char)t[i])) < 0)
            return 0;
        v = v << 6 | (uint32_t)c;
        if (i % 4 == 3) {
            sig[o++] = (uint8_t)(v >> 16);
            sig[o++] = (uint8_t)(v >> 8);
            sig[o++] = (uint8_t)v;
            v = 0;
        }
    }
    /* Two characters left: 12 bits, the last byte's 8 and 4 that must be zero. */
    if (v & 0xf)
        return 0;
    sig[o] = (uint8_t)(v >> 4);
    return 1;
}

/*
 * The fast reading of a stored entry, for entries the ledger's signatures
 * bind (see load_event): the entry must be {"event":E,"sig":"B64"} exactly
 * (E an object, B64 the 88 characters of a 64-byte signature), E must parse
 * as strict JSON with integers only (ld_canon_parse) and have the envelope's
 * members and types (DESIGN.md §4.3, as ld_event_parse checks them). The
 * signed message is the purpose tag and E as stored: nothing is written
 * back to JSON. [out] out on LD_OK; LD_INVALID otherwise, with no detail:
 * the caller then reads the entry with ld_event_parse, which names the fault.
 */
static enum ld_rc
stored_event(const char *text, size_t len, struct ld_event *out)
{
    static const char head[] = "{\"event\":", sigkey[] = ",\"sig\":\"";
    const size_t hl = sizeof head - 1, b64l = LD_ENC_B64_LEN(LD_SIG_SIG) - 1;
    const size_t tl = sizeof sigkey - 1 + b64l + 2, plen = sizeof LD_SIG_PURPOSE_EVENT - 1;
    const cJSON *it, *v, *man, *prev, *at, *actor, *key;
    struct ld_event ev;
    const char *e;
    size_t elen, members = 0;

    memset(&ev, 0, sizeof ev);
    if (len < hl + 2 + tl || memcmp(text, head, hl) != 0 ||
        memcmp(text + len - tl, sigkey, sizeof sigkey - 1) != 0 || text[len - 2] != '"' ||
        text[len - 1] != '}')
        return LD_INVALID;
    e = text + hl;
    elen = len - hl - tl;
    if (e[0] != '{' || e[elen - 1] != '}' || !sig_b64(text + len - 2 - b64l, ev.sig) ||
        ld_canon_parse(e, elen, LD_CANON_SIGNED, &ev.root, NULL) != LD_OK)
        return LD_INVALID;
    ev.event = ev.root;
    cJSON_ArrayForEach(it, ev.root) members++;
    v = cJSON_GetObjectItemCaseSensitive(ev.root, "v");
    it = cJSON_GetObjectItemCaseSensitive(ev.root, "type");
    man = cJSON_GetObjectItemCaseSensitive(ev.root, "manifest");
    prev = cJSON_GetObjectItemCaseSensitive(ev.root, "prev");
    at = cJSON_GetObjectItemCaseSensitive(ev.root, "at");
    actor = cJSON_GetObjectItemCaseSensitive(ev.root, "actor");
    key = cJSON_GetObjectItemCaseSensitive(ev.root, "key");
    ev.body = cJSON_GetObjectItemCaseSensitive(ev.root, "body");
    /* Eight members, each once (ld_canon_parse refuses duplicates). */
    if (members != 8 || !cJSON_IsNumber(v) || v->valuedouble != 1 || !cJSON_IsString(it) ||
        !ld_event_type_ok(it->valuestring) || !cJSON_IsObject(ev.body) ||
        !(cJSON_IsNull(man) || (cJSON_IsNumber(man) && man->valuedouble >= 1 &&
                                man->valuedouble <= (double)LD_EVENT_MANIFEST_MAX)) ||
        !(cJSON_IsNull(prev) || lower_hex(prev, 64)) || !cJSON_IsString(at) ||
        strlen(at->valuestring) >= sizeof ev.at_text ||
        ld_tm_parse(at->valuestring, &ev.at) != LD_OK || !cJSON_IsString(actor) ||
        (strcmp(actor->valuestring, LD_EVENT_REGULATOR) != 0 &&
         ld_uscc_check(actor->valuestring, "event.actor", NULL) != LD_OK) ||
        !lower_hex(key, 32)) {
        cJSON_Delete(ev.root);
        return LD_INVALID;
    }
    snprintf(ev.type, sizeof ev.type, "%s", it->valuestring);
    ev.manifest = cJSON_IsNull(man) ? 0 : (int64_t)man->valuedouble;
    ev.has_prev = !cJSON_IsNull(prev);
    if (ev.has_prev)
        ld_enc_unhex(prev->valuestring, 64, ev.prev, sizeof ev.prev);
    snprintf(ev.at_text, sizeof ev.at_text, "%s", at->valuestring);
    snprintf(ev.actor, sizeof ev.actor, "%s", actor->valuestring);
    memcpy(ev.key, key->valuestring, sizeof ev.key);
    ev.msg = ld_xmalloc(plen + elen);
    memcpy(ev.msg, LD_SIG_PURPOSE_EVENT, plen);
    memcpy(ev.msg + plen, e, elen);
    ev.msg_len = plen + elen;
    ld_merkle_leaf_hash(text, len, ev.id);
    ld_enc_hex(ev.id, sizeof ev.id, ev.id_hex);
    *out = ev;
    return LD_OK;
}

/*
 * Read the stored entry of row into j->ev and check it against the stored id.
 * Returns 1, or 0 after reporting the fault.
 *
 * bound: the ledger's own signatures bind this entry's exact bytes, because
 * its receipt is checked (the receipt signs the id, the leaf hash of the
 * bytes) or a checkpoint covers it (the checkpoint signs a root over the leaf
 * hashes, which verify recomputes). Such an entry is read by stored_event,
 * without writing it back to canonical JSON to compare: the ledger stored
 * only entries it had itself written in canonical form (ld_event_parse at
 * append), so a non-canonical entry is one changed after acceptance, and any
 * change of its bytes changes its leaf hash, which the receipt, the
 * checkpoint root, or the comparison with the stored id below catches. The
 * signature is checked over the event exactly as the entry holds it, which
 * for a canonical entry is JCS(event), the signed form. An entry not bound
 * (verify without receipts, after the latest checkpoint) is still checked
 * for canonical form, and every entry the fast reading refuses is read again
 * by ld_event_parse, so that the fault is named by the one event parser.
 */
static int
load_event(struct state *st, struct job *j, const struct ld_store_event *row, int bound)
{
    struct ld_err err;

    if (bound && stored_event(row->entry, row->entry_len, &j->ev) == LD_OK) {
        if (memcmp(j->ev.id, row->id, LD_MERKLE_HASH) != 0)
            return fault(st, j->idx, "id", "%s", "stored id is not the leaf hash of the entry"), 0;
        return 1;
    }
    memset(&err, 0, sizeof err);
    if (ld_event_parse(row->entry, row->entry_len, &j->ev, &err) != LD_OK)
        return fault(st, j->idx, err.field[0] ? err.field : "entry", "entry does not parse: %s",
                     err.msg), 0;
    if (j->ev.entry_len != row->entry_len || memcmp(j->ev.entry, row->entry, row->entry_len) != 0)
        return fault(st, j->idx, "entry", "%s", "stored entry is not in canonical form"), 0;
    if (memcmp(j->ev.id, row->id, LD_MERKLE_HASH) != 0)
        return fault(st, j->idx, "id", "%s", "stored id is not the leaf hash of the entry"), 0;
    return 1;
}

/* ---- per-event state ---------------------------------------------------- */

static const struct ld_rule *
rule_for(const struct state *st, const char *type)
{
    size_t i;

    for (i = 0; i < ld_party_rule_count; i++)
        if (strcmp(ld_party_rules[i].type, type) == 0)
            return &ld_party_rules[i];
    for (i = 0; i < st->opts->nrules; i++)
        if (strcmp(st->opts->rules[i].type, type) == 0)
            return &st->opts->rules[i];
    return NULL;
}

static void
free_key(void *p)
{
    struct ld_store_key *k = p;

    ld_store_key_release(k);
    free(k);
}

/* Check everything but signatures, and replay the event's effect on state. */
static int
replay(struct state *st, struct job *j, const struct ld_store_event *row)
{
    struct ld_event *ev = &j->ev;
    const struct ld_rule *rule;
    struct ld_store_key *k;
    char chain[LD_CHAIN_MAX];
    uint8_t *head;
    struct ld_err err;

    (void)row;
    memset(&err, 0, sizeof err);
    rule = rule_for(st, ev->type);
    if (rule == NULL)
        return fault(st, j->idx, "event.type", "unknown event type '%s'", ev->type), 0;
    /* The key. */
    if (strcmp(ev->actor, LD_EVENT_REGULATOR) == 0) {
        if (strcmp(ev->key, st->regulator.keyid) != 0)
            return fault(st, j->idx, "event.key", "key %s is not the regulator's key", ev->key), 0;
        memcpy(j->pk, st->regulator.pk, LD_SIG_PUB);
    } else {
        if (rule->flags & LD_RULE_REGULATOR)
            return fault(st, j->idx, "event.actor", "only the regulator may sign '%s'", ev->type), 0;
        k = ld_map_get(st->keys, ev->key);
        if (k == NULL)
            return fault(st, j->idx, "event.key", "key %s was never certified", ev->key), 0;
        if (ld_party_key_check(k, ev->actor, ev->at, j->idx, &err) != LD_OK)
            return fault(st, j->idx, "event.key", "%s", err.msg), 0;
        memcpy(j->pk, k->pub, LD_SIG_PUB);
    }
    /* The chain. */
    if (rule->chain) {
        if (rule->chain(ev, chain, sizeof chain, &err) != LD_OK)
            return fault(st, j->idx, err.field, "%s", err.msg), 0;
    } else if (ev->manifest) {
        snprintf(chain, sizeof chain, "m:%lld", (long long)ev->manifest);
    } else {
        chain[0] = '\0';
    }
    if (chain[0]) {
        /* head: the id of the chain's latest event, then its at (8 bytes). */
        int64_t head_at = 0;
        head = ld_map_get(st->chains, chain);
        if ((head == NULL) != (ev->has_prev == 0) ||
            (head && memcmp(head, ev->prev, LD_MERKLE_HASH) != 0))
            return fault(st, j->idx, "event.prev", "prev is not the head of chain '%s'", chain), 0;
        if (head)
            memcpy(&head_at, head + LD_MERKLE_HASH, sizeof head_at);
        if (head && ev->at < head_at)
            return fault(st, j->idx, "event.at", "at is before the previous event of chain '%s'",
                         chain), 0;
        if (head == NULL) {
            head = ld_xmalloc(LD_MERKLE_HASH + sizeof head_at);
            ld_map_put(st->chains, chain, head);
        }
        memcpy(head, ev->id, LD_MERKLE_HASH);
        memcpy(head + LD_MERKLE_HASH, &ev->at, sizeof ev->at);
    } else if (ev->has_prev) {
        return fault(st, j->idx, "event.prev", "%s", "unchained event with a prev"), 0;
    }
    /* Effects on keys. */
    if (strcmp(ev->type, "party.key") == 0) {
        k = ld_xcalloc(1, sizeof *k);
        if (ld_party_key_from_body(ev->body, ev->at, j->idx, k, &err) != LD_OK ||
            ld_map_get(st->keys, k->keyid) != NULL || ld_map_get(st->parties, k->party) == NULL) {
            free_key(k);
            return fault(st, j->idx, "event.body", "%s", "party.key does not certify a new key "
                         "of a registered party"), 0;
        }
        ld_map_put(st->keys, k->keyid, k);
    } else if (strcmp(ev->type, "party.revoke") == 0) {
        const cJSON *key = cJSON_GetObjectItemCaseSensitive(ev->body, "key");
        k = cJSON_IsString(key) ? ld_map_get(st->keys, key->valuestring) : NULL;
        if (k == NULL || k->revoked_idx != UINT64_MAX)
            return fault(st, j->idx, "event.body.key", "%s", "party.revoke names no live key"), 0;
        k->revoked_idx = j->idx;
        k->revoked_at = ev->at;
    } else if (strcmp(ev->type, "party.register") == 0) {
        const cJSON *id = cJSON_GetObjectItemCaseSensitive(ev->body, "id");
        if (!cJSON_IsString(id) || ld_map_get(st->parties, id->valuestring))
            return fault(st, j->idx, "event.body.id", "%s", "party registered twice"), 0;
        ld_map_put(st->parties, id->valuestring, (void *)1);
    }
    return 1;
}

static void
release_chunk(struct chunk *c)
{
    size_t i;

    for (i = 0; i < c->n; i++) {
        ld_event_release(&c->jobs[i].ev);
        free(c->jobs[i].rmsg);
        c->jobs[i].rmsg = NULL;
    }
    c->n = 0;
}

/* Results of a verified chunk, in leaf order; then the Merkle tree. */
static void
finish_chunk(struct state *st, struct chunk *c)
{
    size_t i;

    for (i = 0; i < c->n && !st->res->has_fault; i++) {
        struct job *j = &c->jobs[i];
        if (j->sig_bad) {
            fault(st, j->idx, "sig", "signature does not verify under key %s", j->ev.key);
            break;
        }
        if (j->receipt_bad) {
            fault(st, j->idx, "receipt", "%s", "ledger signature on the receipt does not verify");
            break;
        }
        if (ld_merkle_frontier_push(&st->frontier, j->ev.id, node_check, st) != LD_OK) {
            fault(st, j->idx, "nodes", "%s", "a stored Merkle node differs from the entries");
            break;
        }
        st->res->events++;
        check_cps(st);
    }
}

enum ld_rc
ld_verify_ledger(const char *db, const struct ld_verify_opts *opts_in,
                 struct ld_verify_result *res)
{
    static const struct ld_verify_opts defaults;
    const struct ld_verify_opts *opts = opts_in ? opts_in : &defaults;
    struct state st;
    struct pool pool;
    struct chunk *bufs = NULL, *cur, *prev = NULL;
    struct ld_store_iter *it = NULL;
    struct ld_store_event row;
    struct ld_err err;
    char *v = NULL;
    uint64_t total = 0, expect = 0;
    unsigned threads = opts->threads;
    int pool_up = 0;
    enum ld_rc rc;

    memset(res, 0, sizeof *res);
    memset(&st, 0, sizeof st);
    memset(&err, 0, sizeof err);
    st.opts = opts;
    st.res = res;
    res->fault_index = UINT64_MAX;
    rc = ld_store_open(db, LD_STORE_READONLY, &st.store, &res->err);
    if (rc != LD_OK)
        return rc;
    /* One pass in leaf order: a small page cache is recycled instead of
     * growing page by page (each new page is a malloc). */
    ld_store_exec(st.store, "PRAGMA cache_size = -2048");
    if (ld_store_meta_get(st.store, "origin", &st.origin) != LD_OK ||
        ld_store_meta_get(st.store, "regulator_vkey", &v) != LD_OK ||
        ld_sig_vkey_parse(v, strlen(v), &st.regulator) != LD_OK) {
        fault(&st, UINT64_MAX, "meta", "%s", "ledger settings are missing or damaged");
        goto done;
    }
    free(v);
    v = NULL;
    if (ld_store_meta_get(st.store, "ledger_vkey", &v) != LD_OK ||
        ld_sig_vkey_parse(v, strlen(v), &st.ledger) != LD_OK) {
        fault(&st, UINT64_MAX, "meta", "%s", "ledger key is missing or damaged");
        goto done;
    }
    st.keys = ld_map_new();
    st.chains = ld_map_new();
    st.parties = ld_map_new();
    ld_merkle_frontier_init(&st.frontier);
    rc = ld_store_checkpoint_each(st.store, load_cp, &st);
    if (rc != LD_OK && rc != LD_TAMPERED)
        goto out;
    rc = LD_OK;
    if (res->has_fault)
        goto done;
    rc = ld_store_size(st.store, &total);
    if (rc != LD_OK)
        goto out;
    if (st.ncps && st.cps[st.ncps - 1].size > total) {
        fault(&st, UINT64_MAX, "events", "%s", "the latest checkpoint covers events that are "
              "missing");
        goto done;
    }
    res->checkpoint_size = st.ncps ? st.cps[st.ncps - 1].size : 0;
    check_cps(&st); /* a checkpoint of size 0 */

    if (threads == 0) {
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        threads = n > 0 ? (unsigned)n : 1;
    }
    pool_start(&pool, threads, st.ledger.pk);
    pool_up = 1;
    bufs = ld_xcalloc(2, sizeof *bufs);
    cur = &bufs[0];
    rc = ld_store_iter_new(st.store, 0, &it);
    while (rc == LD_OK && !res->has_fault) {
        int end = 0, posted;
        cur->n = 0;
        while (cur->n < CHUNK) {
            struct job *j = &cur->jobs[cur->n];
            rc = ld_store_iter_next(it, &row);
            if (rc == LD_NOTFOUND) {
                rc = LD_OK;
                end = 1;
                break;
            }
            if (rc != LD_OK) {
                if (rc == LD_TAMPERED)
                    fault(&st, expect, "events", "%s", "stored row has a malformed id or receipt");
                break;
            }
            memset(j, 0, sizeof *j);
            j->idx = row.idx;
            if (row.idx != expect) {
                fault(&st, expect, "idx", "%s", "leaf indexes are not contiguous");
                free(row.entry);
                break;
            }
            expect++;
            if (!load_event(&st, j, &row, !opts->skip_receipts || row.idx < res->checkpoint_size)) {
                ld_event_release(&j->ev);
                free(row.entry);
                break;
            }
            cur->n++;
            if (!replay(&st, j, &row)) {
                free(row.entry);
                break;
            }
            /* The workers need msg and sig only: the tree goes now, while
             * its blocks are hot in the allocator's caches for the next
             * event (kept until the chunk was verified, a run of verify
             * took ~6% longer). */
            ld_event_trim(&j->ev);
            if (!opts->skip_receipts) {
                struct ld_receipt r;
                memcpy(r.id, j->ev.id_hex, sizeof r.id);
                r.leaf_index = row.idx;
                r.accepted_at = row.accepted_at;
                j->rmsg = ld_receipt_message(&r, &j->rlen);
                memcpy(j->rsig, row.receipt_sig, LD_SIG_SIG);
            }
            free(row.entry);
        }
        /* The workers start on this chunk while the previous one's results
         * are taken here. */
        if (prev)
            wait_chunk(&pool, prev);
        posted = cur->n && !res->has_fault;
        if (posted)
            post(&pool, cur);
        if (prev) {
            finish_chunk(&st, prev);
            release_chunk(prev);
        }
        /* A state fault found while reading: the events before it still
         * need their signatures checked, since an earlier fault wins. */
        if (cur->n) {
            if (!posted) {
                /* Keep only the jobs before the faulting index. */
                uint64_t fi = res->fault_index;
                struct ld_err saved = res->err;
                size_t keep = 0;
                while (keep < cur->n && cur->jobs[keep].idx < fi)
                    keep++;
                while (cur->n > keep) {
                    cur->n--;
                    ld_event_release(&cur->jobs[cur->n].ev);
                    free(cur->jobs[cur->n].rmsg);
                    cur->jobs[cur->n].rmsg = NULL;
                }
                res->has_fault = 0;
                memset(&res->err, 0, sizeof res->err);
                post(&pool, cur);
                wait_chunk(&pool, cur);
                finish_chunk(&st, cur);
                release_chunk(cur);
                if (!res->has_fault) {
                    res->has_fault = 1;
                    res->fault_index = fi;
                    res->err = saved;
                }
                prev = NULL;
                break;
            }
            prev = cur;
            cur = cur == &bufs[0] ? &bufs[1] : &bufs[0];
        } else {
            prev = NULL;
        }
        if (opts->progress)
            opts->progress(opts->progress_ctx, expect, total);
        if (end)
            break;
    }
    if (prev) {
        wait_chunk(&pool, prev);
        finish_chunk(&st, prev);
        release_chunk(prev);
    }
    if (rc != LD_OK)
        goto out;
    if (!res->has_fault)
        check_node_rows(&st);
    if (!res->has_fault)
        check_attachments(&st);
    if (!res->has_fault && st.next_cp < st.ncps)
        fault(&st, UINT64_MAX, "checkpoint", "%s", "a checkpoint's size matches no prefix of the "
              "events");
done:
    rc = res->has_fault ? LD_TAMPERED : LD_OK;
    if (res->has_fault)
        res->err.rc = LD_TAMPERED;
out:
    if (pool_up)
        pool_stop(&pool);
    if (bufs) {
        release_chunk(&bufs[0]);
        release_chunk(&bufs[1]);
        free(bufs);
    }
    ld_store_iter_free(it);
    ld_map_free(st.keys, free_key);
    ld_map_free(st.chains, free);
    ld_map_free(st.parties, NULL);
    free(st.cps);
    free(st.origin);
    free(v);
    ld_store_close(st.store);
    return rc;
}
