/*
 * ledger.c - append pipeline, receipts, checkpoints and proofs of the ledger
 * (include/liandan/ledger.h; formats in DESIGN.md §4.3-§4.4).
 *
 * The Merkle frontier is kept in memory and saved back only by committing the
 * store: on any failure the transaction is rolled back and the frontier is
 * restored from the copy taken at BEGIN, so memory never runs ahead of disk.
 */
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <fcntl.h>
#include <unistd.h>

#include "liandan/canon.h"
#include "liandan/enc.h"
#include "liandan/ledger.h"
#include "liandan/map.h"
#include "liandan/mem.h"
#include "liandan/party.h"
#include "liandan/tm.h"
#include "liandan/vcache.h"
#include "liandan/banned.h"

#define MAX_RULES 64
#define MAX_THREADS 16
/* Batches smaller than this check signatures on the calling thread. */
#define PARALLEL_MIN 8

enum { SIG_UNKNOWN, SIG_GOOD, SIG_BAD };

struct ld_ledger {
    struct ld_store *store;            /* owned */
    struct ld_ledger_opts opts;        /* copy; passphrase borrowed */
    char *origin;                      /* owned: checkpoint origin line */
    char *key_path;                    /* owned: ledger secret key file */
    struct ld_sig_pub regulator;       /* pinned regulator key */
    struct ld_sig_pub ledger_pub;      /* ledger's verifier key */
    struct ld_sig_secret *ledger_key;  /* owned; loaded on first signature */
    struct ld_vcache *vc;              /* borrowed: signatures already checked; may be NULL */
    struct ld_merkle_frontier frontier; /* right edge of the committed tree */
    uint8_t edge[64][LD_MERKLE_HASH];  /* ld_merkle_frontier_edges of the frontier... */
    uint64_t edge_size;                /* ...when its size was this; UINT64_MAX: none */
    int tree_damaged;                  /* stored nodes unreadable: only reindex works */
    uint64_t damaged_size;             /* the tree size when tree_damaged */
    const struct ld_rule *rules[MAX_RULES]; /* borrowed */
    size_t nrules;
    struct ld_map *pubs;               /* key id -> uint8_t[32]: a key id is a hash of
                                          its key, so entries never go stale */
    pthread_rwlock_t pubs_lock;        /* batch workers read pubs while the writer adds */
    unsigned threads;                  /* signature-check threads for batches */
};

/* t as RFC 3339 text in buf (the number itself if out of range); returns buf. */
static const char *
tstr(int64_t t, char buf[LD_TM_RFC3339_LEN])
{
    if (ld_tm_format(t, buf) != LD_OK)
        snprintf(buf, LD_TM_RFC3339_LEN, "%lld", (long long)t);
    return buf;
}

/* ---- files -------------------------------------------------------------- */

static enum ld_rc
read_file(const char *path, char **out, size_t *len)
{
    struct ld_buf b = LD_BUF_INIT;

    if (ld_buf_read_file(&b, path) != LD_OK) {
        ld_buf_release(&b);
        return LD_IO;
    }
    *out = ld_buf_detach(&b, len);
    return LD_OK;
}

/* Write text to a new file with mode 0600 (refuses to overwrite). */
static enum ld_rc
write_secret_file(const char *path, const char *text)
{
    size_t len = strlen(text), off = 0;
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);

    if (fd < 0)
        return LD_IO;
    while (off < len) {
        ssize_t w = write(fd, text + off, len - off);
        if (w <= 0) {
            close(fd);
            unlink(path);
            return LD_IO;
        }
        off += (size_t)w;
    }
    if (fsync(fd) != 0 || close(fd) != 0) {
        unlink(path);
        return LD_IO;
    }
    return LD_OK;
}

static enum ld_rc
load_secret(const char *path, const char *passphrase, struct ld_sig_secret **out,
            struct ld_err *err)
{
    char *text = NULL;
    size_t len = 0;
    enum ld_rc rc;

    rc = read_file(path, &text, &len);
    if (rc != LD_OK)
        return ld_err_set(err, LD_IO, "", "cannot read ledger key '%s'", path);
    rc = ld_sig_secret_import(text, len, passphrase, out, err);
    if (text) {
        memset(text, 0, len);
        free(text);
    }
    return rc;
}

/* ---- create / open ------------------------------------------------------ */

static int
origin_ok(const char *o)
{
    size_t i, n = strlen(o);

    if (n == 0 || n > 200)
        return 0;
    for (i = 0; i < n; i++)
        if ((unsigned char)o[i] <= 0x20 || o[i] == 0x7f || o[i] == '+')
            return 0;
    return 1;
}

enum ld_rc
ld_ledger_create(const char *db, const char *origin, const struct ld_sig_pub *regulator,
                 const char *key_path, const char *key_passphrase, char **ledger_vkey,
                 struct ld_err *err)
{
    struct ld_store *s = NULL;
    struct ld_sig_secret *key = NULL;
    struct ld_sig_pub pub;
    char *path = NULL, *abs = NULL, *text = NULL, *vkey = NULL, *regv = NULL;
    struct stat sb;
    enum ld_rc rc = LD_OK;

    if (!origin_ok(origin) || !ld_sig_name_ok(origin)) {
        rc = ld_err_set(err, LD_INVALID, "origin",
                        "origin '%s' must be printable with no spaces or '+'", origin);
        goto out;
    }
    path = key_path ? ld_xstrdup(key_path) : ld_xasprintf("%s.ledger.key", db);
    rc = ld_store_open(db, LD_STORE_CREATE, &s, err);
    if (rc != LD_OK)
        goto out;
    if (stat(path, &sb) == 0) {
        rc = load_secret(path, key_passphrase, &key, err);
        if (rc != LD_OK)
            goto out;
    } else {
        rc = ld_sig_keygen(origin, &key);
        if (rc != LD_OK)
            goto out;
        rc = ld_sig_secret_export(key, NULL, &text);
        if (rc == LD_OK)
            rc = write_secret_file(path, text);
        if (rc != LD_OK) {
            rc = ld_err_set(err, LD_IO, "", "cannot write ledger key '%s'", path);
            goto out;
        }
    }
    abs = realpath(path, NULL);
    if (abs == NULL) {
        rc = ld_err_set(err, LD_IO, "", "cannot resolve '%s'", path);
        goto out;
    }
    ld_sig_secret_pub(key, &pub);
    vkey = ld_sig_vkey_format(&pub);
    regv = ld_sig_vkey_format(regulator);
    rc = ld_store_begin(s);
    if (rc == LD_OK)
        rc = ld_store_meta_put(s, "origin", origin);
    if (rc == LD_OK)
        rc = ld_store_meta_put(s, "regulator_vkey", regv);
    if (rc == LD_OK)
        rc = ld_store_meta_put(s, "ledger_vkey", vkey);
    if (rc == LD_OK)
        rc = ld_store_meta_put(s, "ledger_key_file", abs);
    if (rc == LD_OK)
        rc = ld_store_commit(s);
    if (rc != LD_OK) {
        ld_store_rollback(s);
        rc = ld_err_set(err, rc, "", "cannot initialise '%s'", db);
        goto out;
    }
    *ledger_vkey = vkey;
    vkey = NULL;
out:
    if (text) {
        memset(text, 0, strlen(text));
        free(text);
    }
    free(regv);
    free(vkey);
    free(abs);
    free(path);
    ld_sig_secret_free(key);
    ld_store_close(s);
    return rc;
}

static enum ld_rc
meta_vkey(struct ld_store *s, const char *k, struct ld_sig_pub *out)
{
    char *v = NULL;
    enum ld_rc rc = ld_store_meta_get(s, k, &v);

    if (rc == LD_OK)
        rc = ld_sig_vkey_parse(v, strlen(v), out) == LD_OK ? LD_OK : LD_TAMPERED;
    free(v);
    return rc;
}

enum ld_rc
ld_ledger_open(const char *db, const struct ld_ledger_opts *opts, struct ld_ledger **out,
               struct ld_err *err)
{
    struct ld_ledger *l = ld_xcalloc(1, sizeof *l);
    uint64_t size = 0;
    enum ld_rc rc;

    if (opts)
        l->opts = *opts;
    if (l->opts.skew_future == 0)
        l->opts.skew_future = 300;
    if (l->opts.skew_past == 0)
        l->opts.skew_past = 86400;
    rc = ld_store_open(db, l->opts.store_flags, &l->store, err);
    if (rc == LD_OK && l->opts.cache_kib)
        rc = ld_store_cache(l->store, l->opts.cache_kib);
    if (rc != LD_OK)
        goto out;
    if (ld_store_meta_get(l->store, "origin", &l->origin) != LD_OK ||
        ld_store_meta_get(l->store, "ledger_key_file", &l->key_path) != LD_OK ||
        meta_vkey(l->store, "regulator_vkey", &l->regulator) != LD_OK ||
        meta_vkey(l->store, "ledger_vkey", &l->ledger_pub) != LD_OK) {
        rc = ld_err_set(err, LD_TAMPERED, "", "'%s': ledger settings are missing or damaged", db);
        goto out;
    }
    rc = ld_store_size(l->store, &size);
    if (rc == LD_OK)
        rc = ld_merkle_frontier_load(&l->frontier, ld_store_node_get, l->store, size);
    if (rc == LD_NOTFOUND || rc == LD_TAMPERED) {
        /* Derived nodes missing or damaged: open for reindex, refuse the rest. */
        l->tree_damaged = 1;
        l->damaged_size = size;
        rc = LD_OK;
    }
    if (rc != LD_OK) {
        rc = ld_err_set(err, rc, "", "'%s': cannot read the Merkle tree (try 'liandan reindex')",
                        db);
        goto out;
    }
    rc = ld_ledger_add_rules(l, ld_party_rules, ld_party_rule_count);
    l->edge_size = UINT64_MAX;
    l->pubs = ld_map_new();
    pthread_rwlock_init(&l->pubs_lock, NULL);
    l->threads = l->opts.threads;
    if (l->threads == 0) {
        long nc = sysconf(_SC_NPROCESSORS_ONLN);
        l->threads = nc > 0 ? (unsigned)nc : 1;
    }
    if (l->threads > MAX_THREADS)
        l->threads = MAX_THREADS;
out:
    if (rc != LD_OK) {
        ld_ledger_close(l);
        return rc;
    }
    *out = l;
    return LD_OK;
}

void
ld_ledger_close(struct ld_ledger *l)
{
    if (l == NULL)
        return;
    ld_store_close(l->store);
    if (l->pubs) {
        ld_map_free(l->pubs, free);
        pthread_rwlock_destroy(&l->pubs_lock);
    }
    ld_sig_secret_free(l->ledger_key);
    free(l->origin);
    free(l->key_path);
    free(l);
}

enum ld_rc
ld_ledger_add_rules(struct ld_ledger *l, const struct ld_rule *rules, size_t n)
{
    size_t i, j;

    for (i = 0; i < n; i++) {
        for (j = 0; j < l->nrules; j++)
            if (strcmp(l->rules[j]->type, rules[i].type) == 0)
                return LD_INVALID;
        if (l->nrules == MAX_RULES)
            return LD_INVALID;
        l->rules[l->nrules++] = &rules[i];
    }
    return LD_OK;
}

struct ld_store *
ld_ledger_store(struct ld_ledger *l)
{
    return l->store;
}

const char *
ld_ledger_origin(const struct ld_ledger *l)
{
    return l->origin;
}

const struct ld_sig_pub *
ld_ledger_regulator(const struct ld_ledger *l)
{
    return &l->regulator;
}

const struct ld_sig_pub *
ld_ledger_key(const struct ld_ledger *l)
{
    return &l->ledger_pub;
}

uint64_t
ld_ledger_size(const struct ld_ledger *l)
{
    return l->tree_damaged ? l->damaged_size : l->frontier.size;
}

static enum ld_rc
tree_damaged(const struct ld_ledger *l, struct ld_err *err)
{
    return ld_err_set(err, LD_TAMPERED, "", "the stored Merkle tree of %llu events is damaged "
                      "(run 'liandan reindex')", (unsigned long long)l->damaged_size);
}

static enum ld_rc
signing_key(struct ld_ledger *l, struct ld_err *err)
{
    struct ld_sig_pub pub;
    enum ld_rc rc;

    if (l->ledger_key)
        return LD_OK;
    rc = load_secret(l->key_path, l->opts.key_passphrase, &l->ledger_key, err);
    if (rc != LD_OK)
        return rc;
    ld_sig_secret_pub(l->ledger_key, &pub);
    if (memcmp(pub.pk, l->ledger_pub.pk, LD_SIG_PUB) != 0) {
        ld_sig_secret_free(l->ledger_key);
        l->ledger_key = NULL;
        return ld_err_set(err, LD_WRONGKEY, "", "ledger key '%s' is not the key this ledger was "
                          "created with", l->key_path);
    }
    return LD_OK;
}

enum ld_rc
ld_ledger_derive(struct ld_ledger *l, const char *context, uint8_t out[32], struct ld_err *err)
{
    enum ld_rc rc = signing_key(l, err);

    if (rc == LD_OK)
        ld_sig_secret_derive(l->ledger_key, context, out);
    return rc;
}

void
ld_ledger_set_vcache(struct ld_ledger *l, struct ld_vcache *vc)
{
    l->vc = vc;
}

enum ld_rc
ld_ledger_refresh(struct ld_ledger *l)
{
    uint64_t size = 0;
    enum ld_rc rc = ld_store_read_begin(l->store);

    if (rc != LD_OK)
        return rc;
    rc = ld_store_size(l->store, &size);
    if (rc == LD_OK && size != l->frontier.size && !l->tree_damaged) {
        rc = ld_merkle_frontier_load(&l->frontier, ld_store_node_get, l->store, size);
        l->edge_size = UINT64_MAX;
    }
    ld_store_read_end(l->store);
    return rc;
}

/* ---- receipts ----------------------------------------------------------- */

/* Room for a receipt message: purpose, the JSON around the values, a time
 * (or a 20-digit number where the time cannot be written), the id, an index. */
#define RECEIPT_MSG_MAX (sizeof LD_SIG_PURPOSE_RECEIPT + 48 + 24 + LD_EVENT_ID_HEX + 24)

/* The receipt message for r with accepted_at written as at, into buf; returns
 * its length. Built by hand because the writer signs one per event: JCS of
 * {accepted_at, id, leaf_index}, keys already in sorted order, values plain
 * ASCII (no escapes needed), the index an integer < 2^53. */
static size_t
receipt_msg(const struct ld_receipt *r, const char *at, char buf[RECEIPT_MSG_MAX])
{
    static const char k1[] = "{\"accepted_at\":\"", k2[] = "\",\"id\":\"";
    static const char k3[] = "\",\"leaf_index\":";
    char digits[24];
    size_t n = 0, d = 0, len;
    uint64_t v = r->leaf_index;

#define PUT(p, l) (memcpy(buf + n, (p), (l)), n += (l))
    PUT(LD_SIG_PURPOSE_RECEIPT, sizeof LD_SIG_PURPOSE_RECEIPT - 1);
    PUT(k1, sizeof k1 - 1);
    len = strlen(at);
    PUT(at, len);
    PUT(k2, sizeof k2 - 1);
    PUT(r->id, strlen(r->id));
    PUT(k3, sizeof k3 - 1);
    do
        digits[d++] = (char)('0' + v % 10);
    while ((v /= 10) > 0);
    while (d > 0)
        buf[n++] = digits[--d];
    buf[n++] = '}';
#undef PUT
    return n;
}

/* The ledger key's signature over r's message, accepted_at written as at
 * (thread-safe: the workers sign receipts ahead, the writer the others). */
static void
sign_receipt(const struct ld_ledger *l, const struct ld_receipt *r, const char *at,
             uint8_t sig[LD_SIG_SIG])
{
    char msg[RECEIPT_MSG_MAX];
    size_t len = receipt_msg(r, at, msg);

    ld_sig_sign(l->ledger_key, NULL, msg, len, sig);
}

char *
ld_receipt_message(const struct ld_receipt *r, size_t *len)
{
    char at[LD_TM_RFC3339_LEN], buf[RECEIPT_MSG_MAX];
    size_t n = receipt_msg(r, tstr(r->accepted_at, at), buf);
    char *out = ld_xmalloc(n + 1);

    memcpy(out, buf, n);
    out[n] = '\0';
    if (len)
        *len = n;
    return out;
}

char *
ld_receipt_json(const struct ld_receipt *r)
{
    char at[LD_TM_RFC3339_LEN];
    char sig[LD_ENC_B64_LEN(LD_SIG_SIG)];

    tstr(r->accepted_at, at);
    ld_enc_b64(r->sig, sizeof r->sig, sig);
    return ld_xasprintf("{\"accepted_at\":\"%s\",\"id\":\"%s\",\"leaf_index\":%llu,\"sig\":\"%s\"}",
                        at, r->id, (unsigned long long)r->leaf_index, sig);
}

static void
receipt_from_row(const struct ld_store_event *row, struct ld_receipt *r)
{
    ld_enc_hex(row->id, LD_MERKLE_HASH, r->id);
    r->leaf_index = row->idx;
    r->accepted_at = row->accepted_at;
    memcpy(r->sig, row->receipt_sig, LD_SIG_SIG);
}

enum ld_rc
ld_ledger_receipt(struct ld_ledger *l, uint64_t idx, struct ld_receipt *r)
{
    struct ld_store_event row;
    enum ld_rc rc = ld_store_event_get(l->store, idx, &row);

    if (rc != LD_OK)
        return rc;
    receipt_from_row(&row, r);
    free(row.entry);
    return LD_OK;
}

/* ---- the append pipeline ------------------------------------------------ */

static const struct ld_rule *
find_rule(const struct ld_ledger *l, const char *type)
{
    size_t i;

    for (i = 0; i < l->nrules; i++)
        if (strcmp(l->rules[i]->type, type) == 0)
            return l->rules[i];
    return NULL;
}

/* Which key signs ev, and may it? [out] pk. */
static enum ld_rc
check_key(struct ld_ledger *l, const struct ld_event *ev, const struct ld_rule *rule,
          uint8_t pk[LD_SIG_PUB], struct ld_err *err)
{
    struct ld_store_key k;
    enum ld_rc rc;

    if (strcmp(ev->actor, LD_EVENT_REGULATOR) == 0) {
        if (strcmp(ev->key, l->regulator.keyid) != 0)
            return ld_err_set(err, LD_WRONGKEY, "event.key",
                              "key %s is not the regulator's key", ev->key);
        memcpy(pk, l->regulator.pk, LD_SIG_PUB);
        return LD_OK;
    }
    if (rule->flags & LD_RULE_REGULATOR)
        return ld_err_set(err, LD_WRONGKEY, "event.actor",
                          "only the regulator may sign '%s' events", ev->type);
    rc = ld_store_key_get(l->store, ev->key, &k);
    if (rc == LD_NOTFOUND)
        return ld_err_set(err, LD_WRONGKEY, "event.key", "key %s is not certified", ev->key);
    if (rc != LD_OK)
        return ld_err_set(err, rc, "", "cannot read keys");
    pthread_rwlock_wrlock(&l->pubs_lock);
    if (ld_map_get(l->pubs, k.keyid) == NULL) {
        uint8_t *copy = ld_xmalloc(LD_SIG_PUB);
        memcpy(copy, k.pub, LD_SIG_PUB);
        ld_map_put(l->pubs, k.keyid, copy);
    }
    pthread_rwlock_unlock(&l->pubs_lock);
    rc = ld_party_key_check(&k, ev->actor, ev->at, l->frontier.size, err);
    if (rc == LD_OK)
        memcpy(pk, k.pub, LD_SIG_PUB);
    ld_store_key_release(&k);
    return rc;
}

static enum ld_rc
chain_of(const struct ld_event *ev, const struct ld_rule *rule, char *chain,
         struct ld_err *err)
{
    if ((rule->flags & LD_RULE_MANIFEST) && ev->manifest == 0)
        return ld_err_set(err, LD_INVALID, "event.manifest", "'%s' events need a manifest number",
                          ev->type);
    if ((rule->flags & LD_RULE_NO_MANIFEST) && ev->manifest != 0)
        return ld_err_set(err, LD_INVALID, "event.manifest",
                          "'%s' events must have manifest null", ev->type);
    if (rule->chain)
        return rule->chain(ev, chain, LD_CHAIN_MAX, err);
    if (ev->manifest)
        snprintf(chain, LD_CHAIN_MAX, "m:%lld", (long long)ev->manifest);
    else
        chain[0] = '\0';
    return LD_OK;
}

/* prev must be the head of the chain. */
static enum ld_rc
check_prev(struct ld_ledger *l, const struct ld_event *ev, const char *chain,
           struct ld_err *err)
{
    uint8_t head[LD_MERKLE_HASH];
    uint64_t head_idx, prev_idx;
    int64_t head_at = 0;
    enum ld_rc rc;

    if (chain[0] == '\0') {
        if (ev->has_prev)
            return ld_err_set(err, LD_INVALID, "event.prev", "'%s' events have no chain: prev "
                              "must be null", ev->type);
        return LD_OK;
    }
    rc = ld_store_head_get(l->store, chain, &head_idx, head, &head_at);
    if (rc == LD_NOTFOUND) {
        if (!ev->has_prev)
            return LD_OK;
        return ld_err_set(err, LD_INVALID, "event.prev", "prev names an event that is not in "
                          "chain '%s' (the chain is empty: prev must be null)", chain);
    }
    if (rc != LD_OK)
        return ld_err_set(err, rc, "", "cannot read chain heads");
    if (ev->has_prev && memcmp(head, ev->prev, LD_MERKLE_HASH) == 0) {
        /* A chain runs forward in time: no back-dating before the previous
         * event (deadlines count from these times). */
        if (ev->at < head_at) {
            char t[LD_TM_RFC3339_LEN];
            return ld_err_set(err, LD_INVALID, "event.at",
                              "at %s is before the previous event of chain '%s' (%s)",
                              ev->at_text, chain, tstr(head_at, t));
        }
        return LD_OK;
    }
    if (!ev->has_prev || ld_store_event_find(l->store, ev->prev, &prev_idx) == LD_OK)
        return ld_err_set(err, LD_CONFLICT, "event.prev", "chain '%s' has already moved on "
                          "from this prev (a different event extends it)", chain);
    return ld_err_set(err, LD_INVALID, "event.prev", "prev names no accepted event");
}

static enum ld_rc
check_time(struct ld_ledger *l, const struct ld_event *ev, int64_t now, struct ld_err *err)
{
    char buf[LD_TM_RFC3339_LEN];

    if (ev->at > now + l->opts.skew_future)
        return ld_err_set(err, LD_INVALID, "event.at", "at %s is in the future (now %s)",
                          ev->at_text, tstr(now, buf));
    if (ev->at < now - l->opts.skew_past)
        return ld_err_set(err, LD_INVALID, "event.at", "at %s is too far in the past (now %s)",
                          ev->at_text, tstr(now, buf));
    return LD_OK;
}

/* Everything before writing: the ledger's gate. sigstate: SIG_UNKNOWN (check
 * here), SIG_GOOD or SIG_BAD (checked already by a worker, under the key the
 * key id names). [out] rule, chain. */
static enum ld_rc
gate(struct ld_ledger *l, const struct ld_event *ev, int64_t now, int sigstate,
     const struct ld_rule **rule_out, char *chain, struct ld_err *err)
{
    const struct ld_rule *rule;
    uint8_t pk[LD_SIG_PUB];
    enum ld_rc rc;

    rule = find_rule(l, ev->type);
    if (rule == NULL)
        return ld_err_set(err, LD_INVALID, "event.type", "unknown event type '%s'", ev->type);
    rc = check_key(l, ev, rule, pk, err);
    if (rc != LD_OK)
        return rc;
    if (sigstate == SIG_BAD ||
        (sigstate == SIG_UNKNOWN && !ld_vcache_has(l->vc, ev->id, ev->key) &&
         ld_event_verify(ev, pk) != LD_OK))
        return ld_err_set(err, LD_BADSIG, "sig", "signature does not verify under key %s",
                          ev->key);
    rc = check_time(l, ev, now, err);
    if (rc != LD_OK)
        return rc;
    rc = chain_of(ev, rule, chain, err);
    if (rc != LD_OK)
        return rc;
    rc = check_prev(l, ev, chain, err);
    if (rc != LD_OK)
        return rc;
    if (rule->check) {
        rc = rule->check(l->store, ev, err);
        if (rc != LD_OK)
            return rc;
    }
    *rule_out = rule;
    return LD_OK;
}

/* Store ev as the next leaf, inside the open transaction; on error the
 * caller rolls back. presig: the receipt signature made ahead for index
 * ahead_idx (NULL if none), used only when that is the index now. */
static enum ld_rc
write_event(struct ld_ledger *l, const struct ld_event *ev, const struct ld_rule *rule,
            const char *chain, int64_t now, const char *now_text, const uint8_t *presig,
            uint64_t ahead_idx, struct ld_receipt *r)
{
    struct ld_store_event row;
    enum ld_rc rc;

    memset(r, 0, sizeof *r);
    memcpy(r->id, ev->id_hex, sizeof r->id);
    r->leaf_index = l->frontier.size;
    r->accepted_at = now;
    if (presig && ahead_idx == r->leaf_index)
        memcpy(r->sig, presig, LD_SIG_SIG);
    else
        sign_receipt(l, r, now_text, r->sig);

    row.idx = r->leaf_index;
    memcpy(row.id, ev->id, LD_MERKLE_HASH);
    row.entry = ev->entry;
    row.entry_len = ev->entry_len;
    row.accepted_at = now;
    memcpy(row.receipt_sig, r->sig, LD_SIG_SIG);
    rc = ld_store_event_put(l->store, &row);
    if (rc == LD_OK)
        rc = ld_merkle_frontier_push(&l->frontier, ev->id, ld_store_node_add, l->store);
    if (rc == LD_OK && chain[0])
        rc = ld_store_head_put(l->store, chain, r->leaf_index, ev->id, ev->at);
    if (rc == LD_OK && rule->apply)
        rc = rule->apply(l->store, ev, r->leaf_index);
    return rc;
}

enum ld_rc
ld_ledger_append(struct ld_ledger *l, const char *text, size_t len, struct ld_receipt *r,
                 struct ld_err *err)
{
    struct ld_ledger_item item;
    enum ld_rc rc;

    memset(&item, 0, sizeof item);
    item.text = text;
    item.len = len;
    rc = ld_ledger_append_batch(l, &item, 1);
    if (rc == LD_OK)
        rc = item.rc;
    if (err && item.err.rc != LD_OK)
        *err = item.err;
    else if (rc != LD_OK)
        ld_err_set(err, rc, "", "cannot append: %s", ld_rc_str(rc));
    if (rc == LD_OK || rc == LD_EXISTS)
        *r = item.receipt;
    return rc;
}

/* Phase A of a batch: parse each item and check its signature when its key id
 * is already known. Worker threads run it ahead of the writer (phase B), which
 * takes items in order as they become ready, or does the work itself when it
 * catches up: parsing and Ed25519 on the workers overlap the SQLite writes. */
enum { ITEM_TODO, ITEM_TAKEN, ITEM_DONE };

struct prep {
    struct ld_ledger *l;          /* borrowed */
    struct ld_ledger_item *items; /* borrowed */
    struct ld_event *evs;         /* evs[i] parsed from items[i] */
    enum ld_rc *prc;              /* parse result of items[i] */
    int *sig;                     /* SIG_* of items[i] */
    atomic_int *state;            /* ITEM_* of items[i] */
    size_t n;
    atomic_size_t next;           /* next item a worker looks at */
    pthread_mutex_t mu;           /* with done: the writer waits for an item */
    pthread_cond_t done;
    atomic_int waiting;           /* the writer sleeps on done */
    /* Receipts signed ahead: item i's receipt as if every item before it
     * were appended (index size0 + i), so that Ed25519 signing runs on the
     * workers, not in the writer's serial loop; the writer uses it only
     * when the index came true and signs itself otherwise. */
    int sign_ahead;
    uint64_t size0;
    int64_t now;
    const char *now_text;
    uint8_t (*rsig)[LD_SIG_SIG];  /* rsig[i] valid when rsig_ok[i] */
    int *rsig_ok;
};

static void
prep_one(struct prep *p, size_t i)
{
    const uint8_t *pk = NULL;
    uint8_t copy[LD_SIG_PUB];

    if (p->items[i].parsed && p->items[i].parsed->root) {
        /* Parsed already (the HTTP request thread did): take it over. */
        p->evs[i] = *p->items[i].parsed;
        memset(p->items[i].parsed, 0, sizeof *p->items[i].parsed);
        p->prc[i] = LD_OK;
    } else {
        p->prc[i] = ld_event_parse(p->items[i].text, p->items[i].len, &p->evs[i],
                                   &p->items[i].err);
    }
    p->sig[i] = SIG_UNKNOWN;
    if (p->prc[i] == LD_OK) {
        if (strcmp(p->evs[i].actor, LD_EVENT_REGULATOR) == 0 &&
            strcmp(p->evs[i].key, p->l->regulator.keyid) == 0) {
            pk = p->l->regulator.pk;
        } else {
            pthread_rwlock_rdlock(&p->l->pubs_lock);
            pk = ld_map_get(p->l->pubs, p->evs[i].key);
            if (pk) {
                memcpy(copy, pk, sizeof copy);
                pk = copy;
            }
            pthread_rwlock_unlock(&p->l->pubs_lock);
        }
        if (pk && ld_vcache_has(p->l->vc, p->evs[i].id, p->evs[i].key))
            p->sig[i] = SIG_GOOD; /* checked already, e.g. by the HTTP request thread */
        else if (pk)
            p->sig[i] = ld_event_verify(&p->evs[i], pk) == LD_OK ? SIG_GOOD : SIG_BAD;
    }
    if (p->sign_ahead && p->sig[i] == SIG_GOOD) {
        struct ld_receipt r;

        memset(&r, 0, sizeof r);
        memcpy(r.id, p->evs[i].id_hex, sizeof r.id);
        r.leaf_index = p->size0 + i;
        r.accepted_at = p->now;
        sign_receipt(p->l, &r, p->now_text, p->rsig[i]);
        p->rsig_ok[i] = 1;
    }
    atomic_store(&p->state[i], ITEM_DONE);
    /* Wake the writer only when it sleeps; it re-checks the state under mu. */
    if (atomic_load(&p->waiting)) {
        pthread_mutex_lock(&p->mu);
        pthread_cond_broadcast(&p->done);
        pthread_mutex_unlock(&p->mu);
    }
}

static int
take(struct prep *p, size_t i)
{
    int expected = ITEM_TODO;

    return atomic_compare_exchange_strong(&p->state[i], &expected, ITEM_TAKEN);
}

static void *
prep_worker(void *arg)
{
    struct prep *p = arg;
    size_t i;

    while ((i = atomic_fetch_add(&p->next, 1)) < p->n)
        if (take(p, i))
            prep_one(p, i);
    return NULL;
}

/* The writer's view: item i prepared, by a worker or here. While a worker
 * still holds item i, the writer prepares later items instead of idling. */
static void
ready(struct prep *p, size_t i)
{
    size_t j;

    if (take(p, i)) {
        prep_one(p, i);
        return;
    }
    while (atomic_load(&p->state[i]) != ITEM_DONE) {
        j = atomic_fetch_add(&p->next, 1);
        if (j < p->n) {
            if (take(p, j))
                prep_one(p, j);
            continue;
        }
        pthread_mutex_lock(&p->mu);
        atomic_store(&p->waiting, 1);
        while (atomic_load(&p->state[i]) != ITEM_DONE)
            pthread_cond_wait(&p->done, &p->mu);
        atomic_store(&p->waiting, 0);
        pthread_mutex_unlock(&p->mu);
    }
}

enum ld_rc
ld_ledger_append_batch(struct ld_ledger *l, struct ld_ledger_item *items, size_t n)
{
    struct ld_merkle_frontier saved = l->frontier;
    struct prep p;
    const struct ld_rule *rule = NULL;
    char chain[LD_CHAIN_MAX];
    pthread_t workers[MAX_THREADS];
    unsigned nworkers = 0, w;
    int64_t now = 0;
    char now_text[LD_TM_RFC3339_LEN];
    uint64_t idx;
    size_t i;
    enum ld_rc rc;
    struct ld_err kerr;

    memset(&kerr, 0, sizeof kerr);
    memset(&p, 0, sizeof p);
    for (i = 0; i < n; i++) {
        items[i].rc = LD_OK;
        memset(&items[i].err, 0, sizeof items[i].err);
    }
    rc = ld_tm_now(&now);
    if (rc != LD_OK)
        ld_err_set(&kerr, rc, "", "cannot read the clock (is %s well-formed?)", LD_TM_NOW_ENV);
    else if (l->tree_damaged)
        rc = tree_damaged(l, &kerr);
    else
        rc = signing_key(l, &kerr);
    tstr(now, now_text);
    if (rc != LD_OK)
        goto fail;
    p.l = l;
    p.items = items;
    p.n = n;
    p.evs = ld_xcalloc(n, sizeof *p.evs);
    p.prc = ld_xcalloc(n, sizeof *p.prc);
    p.sig = ld_xcalloc(n, sizeof *p.sig);
    p.state = ld_xcalloc(n, sizeof *p.state);
    /* Sign receipts ahead when workers share the work (they would idle
     * once every item is verified; alone, the writer gains nothing). */
    p.sign_ahead = n >= PARALLEL_MIN && l->threads > 1;
    p.size0 = l->frontier.size;
    p.now = now;
    p.now_text = now_text;
    p.rsig = ld_xcalloc(n, sizeof *p.rsig);
    p.rsig_ok = ld_xcalloc(n, sizeof *p.rsig_ok);
    for (i = 0; i < n; i++)
        atomic_init(&p.state[i], ITEM_TODO);
    atomic_init(&p.next, 0);
    atomic_init(&p.waiting, 0);
    pthread_mutex_init(&p.mu, NULL);
    pthread_cond_init(&p.done, NULL);
    /* threads counts this one: the writer. */
    if (n >= PARALLEL_MIN)
        for (w = 1; w < l->threads; w++)
            if (pthread_create(&workers[nworkers], NULL, prep_worker, &p) == 0)
                nworkers++;

    /* Phase B, in order, on this thread: state checks and writes. */
    rc = ld_store_begin(l->store);
    if (rc != LD_OK)
        goto fail;
    for (i = 0; i < n; i++) {
        struct ld_ledger_item *it = &items[i];
        struct ld_event *ev = &p.evs[i];

        ready(&p, i);
        it->rc = p.prc[i];
        if (it->rc == LD_OK) {
            it->rc = ld_store_event_find(l->store, ev->id, &idx);
            if (it->rc == LD_OK)
                it->rc = ld_ledger_receipt(l, idx, &it->receipt) == LD_OK ? LD_EXISTS : LD_DB;
            else if (it->rc == LD_NOTFOUND)
                it->rc = LD_OK;
            else
                ld_err_set(&it->err, it->rc, "", "cannot read events");
        }
        if (it->rc == LD_OK)
            it->rc = gate(l, ev, now, p.sig[i], &rule, chain, &it->err);
        if (it->rc == LD_OK) {
            rc = write_event(l, ev, rule, chain, now, now_text,
                             p.rsig_ok[i] ? p.rsig[i] : NULL, p.size0 + i, &it->receipt);
            if (rc != LD_OK)
                goto fail;
            ld_event_trim(ev); /* stored and applied: free its tree while hot */
        }
    }
    rc = ld_store_commit(l->store);
    if (rc == LD_OK)
        goto out;
fail:
    /* Nothing of this batch is stored: every item not refused for a reason
     * of its own gets the storage error. */
    ld_store_rollback(l->store);
    l->frontier = saved;
    for (i = 0; i < n; i++) {
        if (items[i].rc != LD_OK)
            continue;
        items[i].rc = rc;
        memset(&items[i].err, 0, sizeof items[i].err);
        if (kerr.rc != LD_OK)
            items[i].err = kerr;
        else
            ld_err_set(&items[i].err, rc, "", "the ledger could not store the event (%s)",
                       ld_rc_str(rc));
    }
out:
    if (p.evs) {
        /* Workers may still be preparing items after a failure. */
        atomic_store(&p.next, n);
        for (w = 0; w < nworkers; w++)
            pthread_join(workers[w], NULL);
        for (i = 0; i < n; i++)
            ld_event_release(&p.evs[i]);
        pthread_mutex_destroy(&p.mu);
        pthread_cond_destroy(&p.done);
    }
    free(p.evs);
    free(p.prc);
    free(p.sig);
    free(p.state);
    free(p.rsig);
    free(p.rsig_ok);
    return rc;
}

/* ---- checkpoints and proofs --------------------------------------------- */

/* Proofs and roots read stored nodes with ld_store_node_get: the store keeps
 * them in tiles of four levels and the last tile of each level in memory, so
 * a proof at 10^6 leaves reads about five rows; the right edge of the current
 * tree comes from the frontier (ld_merkle_prove_inclusion_edge). */

char *
ld_ledger_checkpoint_body(const char *origin, uint64_t size, const uint8_t root[32])
{
    char b64[LD_ENC_B64_LEN(32)];

    ld_enc_b64(root, 32, b64);
    return ld_xasprintf("%s\n%llu\n%s\n", origin, (unsigned long long)size, b64);
}

enum ld_rc
ld_ledger_root(struct ld_ledger *l, uint64_t size, uint8_t root[LD_MERKLE_HASH])
{
    if (l->tree_damaged)
        return LD_TAMPERED;
    if (size > l->frontier.size)
        return LD_INVALID;
    if (size == l->frontier.size) {
        ld_merkle_frontier_root(&l->frontier, root);
        return LD_OK;
    }
    return ld_merkle_root(ld_store_node_get, l->store, size, root);
}

enum ld_rc
ld_ledger_checkpoint(struct ld_ledger *l, char **note, uint64_t *size_out)
{
    uint64_t size = 0;
    int64_t now = 0;
    char *latest = NULL, *body = NULL, *signed_note = NULL;
    uint8_t root[LD_MERKLE_HASH];
    enum ld_rc rc;

    rc = ld_store_checkpoint_latest(l->store, &size, &latest);
    if (rc != LD_OK && rc != LD_NOTFOUND)
        goto out;
    if (l->tree_damaged) {
        rc = LD_TAMPERED;
        goto out;
    }
    if ((rc == LD_OK && size == l->frontier.size) ||
        (l->opts.store_flags & LD_STORE_READONLY)) {
        if (rc == LD_NOTFOUND)
            goto out;
        *note = latest;
        latest = NULL;
        if (size_out)
            *size_out = size;
        goto out;
    }
    rc = signing_key(l, NULL);
    if (rc != LD_OK)
        goto out;
    ld_merkle_frontier_root(&l->frontier, root);
    body = ld_ledger_checkpoint_body(l->origin, l->frontier.size, root);
    rc = ld_sig_note_sign(body, strlen(body), l->ledger_key, &signed_note);
    if (rc != LD_OK)
        goto out;
    rc = ld_tm_now(&now);
    if (rc == LD_OK)
        rc = ld_store_checkpoint_put(l->store, l->frontier.size, signed_note, now);
    if (rc != LD_OK)
        goto out;
    if (size_out)
        *size_out = l->frontier.size;
    *note = signed_note;
    signed_note = NULL;
out:
    free(latest);
    free(body);
    free(signed_note);
    return rc;
}

/* Base64 (RFC 4648, padded) of a 32-byte hash into out[45]. Hashes in
 * proofs are public, so this need not be constant-time as ld_enc_b64 is;
 * it is a table lookup, several times faster. */
static const char *
hash_b64(const uint8_t h[LD_MERKLE_HASH], char out[LD_ENC_B64_LEN(LD_MERKLE_HASH)])
{
    static const char abc[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t i, o = 0;

    for (i = 0; i + 3 <= LD_MERKLE_HASH; i += 3) {
        uint32_t v = (uint32_t)h[i] << 16 | (uint32_t)h[i + 1] << 8 | h[i + 2];
        out[o++] = abc[v >> 18];
        out[o++] = abc[(v >> 12) & 63];
        out[o++] = abc[(v >> 6) & 63];
        out[o++] = abc[v & 63];
    }
    /* 32 = 10 * 3 + 2: two bytes left, one '=' of padding. */
    {
        uint32_t v = (uint32_t)h[30] << 16 | (uint32_t)h[31] << 8;
        out[o++] = abc[v >> 18];
        out[o++] = abc[(v >> 12) & 63];
        out[o++] = abc[(v >> 6) & 63];
        out[o++] = '=';
    }
    out[o] = '\0';
    return out;
}

static void
add_hashes(struct ld_buf *b, const char *name, uint8_t (*h)[LD_MERKLE_HASH], size_t n)
{
    char b64[LD_ENC_B64_LEN(32)];
    size_t i;

    ld_buf_addc(b, '"');
    ld_buf_adds(b, name);
    ld_buf_add(b, "\":[", 3);
    for (i = 0; i < n; i++) {
        if (i)
            ld_buf_addc(b, ',');
        ld_buf_addc(b, '"');
        ld_buf_add(b, hash_b64(h[i], b64), 44);
        ld_buf_addc(b, '"');
    }
    ld_buf_addc(b, ']');
}

enum ld_rc
ld_ledger_prove_inclusion(struct ld_ledger *l, uint64_t idx, uint64_t size, char **json)
{
    uint8_t proof[LD_MERKLE_MAX_PROOF][LD_MERKLE_HASH];
    uint8_t leaf[LD_MERKLE_HASH];
    char b64[LD_ENC_B64_LEN(32)];
    struct ld_buf b = LD_BUF_INIT;
    size_t n = 0;
    enum ld_rc rc;

    if (l->tree_damaged)
        return LD_TAMPERED;
    if (size == 0)
        size = l->frontier.size;
    if (idx >= l->frontier.size)
        return LD_NOTFOUND;
    if (size > l->frontier.size || idx >= size)
        return LD_INVALID;
    /* One read transaction for the ~log2(size)/4 tiles the proof reads. */
    rc = ld_store_read_begin(l->store);
    if (rc == LD_OK)
        rc = ld_store_node_get(l->store, 0, idx, leaf);
    if (rc == LD_OK && size == l->frontier.size) {
        /* The current tree: its right edge is in memory (computed once per size). */
        if (l->edge_size != size) {
            ld_merkle_frontier_edges(&l->frontier, l->edge);
            l->edge_size = size;
        }
        rc = ld_merkle_prove_inclusion_edge(ld_store_node_get, l->store, idx, &l->frontier,
                                            (const uint8_t (*)[LD_MERKLE_HASH])l->edge, proof,
                                            &n);
    } else if (rc == LD_OK) {
        rc = ld_merkle_prove_inclusion(ld_store_node_get, l->store, idx, size, proof, &n);
    }
    ld_store_read_end(l->store);
    if (rc != LD_OK)
        return rc;
    /* Canonical (RFC 8785) member order. */
    ld_buf_adds(&b, "{");
    add_hashes(&b, "inclusion", proof, n);
    ld_buf_addf(&b, ",\"leaf_hash\":\"%s\",\"leaf_index\":%llu,\"tree_size\":%llu}",
                hash_b64(leaf, b64), (unsigned long long)idx, (unsigned long long)size);
    *json = ld_buf_detach(&b, NULL);
    return LD_OK;
}

enum ld_rc
ld_ledger_prove_consistency(struct ld_ledger *l, uint64_t old_size, uint64_t new_size,
                            char **json)
{
    uint8_t proof[LD_MERKLE_MAX_PROOF][LD_MERKLE_HASH];
    uint8_t r1[LD_MERKLE_HASH], r2[LD_MERKLE_HASH];
    char b1[LD_ENC_B64_LEN(32)], b2[LD_ENC_B64_LEN(32)];
    struct ld_buf b = LD_BUF_INIT;
    size_t n = 0;
    enum ld_rc rc;

    if (l->tree_damaged)
        return LD_TAMPERED;
    if (old_size == 0 || old_size > new_size || new_size > l->frontier.size)
        return LD_INVALID;
    rc = ld_store_read_begin(l->store);
    if (rc == LD_OK)
        rc = ld_merkle_prove_consistency(ld_store_node_get, l->store, old_size, new_size, proof,
                                         &n);
    if (rc == LD_OK)
        rc = ld_ledger_root(l, old_size, r1);
    if (rc == LD_OK)
        rc = ld_ledger_root(l, new_size, r2);
    ld_store_read_end(l->store);
    if (rc != LD_OK)
        return rc;
    ld_buf_adds(&b, "{");
    add_hashes(&b, "consistency", proof, n);
    ld_buf_addf(&b, ",\"new_root\":\"%s\",\"new_size\":%llu,\"old_root\":\"%s\",\"old_size\":%llu}",
                hash_b64(r2, b2), (unsigned long long)new_size, hash_b64(r1, b1),
                (unsigned long long)old_size);
    *json = ld_buf_detach(&b, NULL);
    return LD_OK;
}

enum ld_rc
ld_ledger_head(struct ld_ledger *l, const char *chain, char id[LD_EVENT_ID_HEX])
{
    uint8_t head[LD_MERKLE_HASH];
    uint64_t idx;
    enum ld_rc rc = ld_store_head_get(l->store, chain, &idx, head, NULL);

    if (rc != LD_OK)
        return rc;
    ld_enc_hex(head, LD_MERKLE_HASH, id);
    return LD_OK;
}

enum ld_rc
ld_ledger_lookup(struct ld_ledger *l, const char *s, uint64_t *idx)
{
    uint8_t id[LD_MERKLE_HASH];
    size_t i, n = strlen(s);
    unsigned long long v = 0;

    if (n == 64) {
        if (ld_enc_unhex(s, n, id, sizeof id) != LD_OK)
            return LD_INVALID;
        return ld_store_event_find(l->store, id, idx);
    }
    if (n == 0 || n > 19)
        return LD_INVALID;
    for (i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return LD_INVALID;
        v = v * 10 + (unsigned)(s[i] - '0');
    }
    if (v >= ld_ledger_size(l))
        return LD_NOTFOUND;
    *idx = v;
    return LD_OK;
}

enum ld_rc
ld_ledger_reindex(struct ld_ledger *l, struct ld_err *err)
{
    struct ld_store_iter *it = NULL;
    struct ld_store_event row;
    struct ld_event ev;
    const struct ld_rule *rule;
    char chain[LD_CHAIN_MAX];
    enum ld_rc rc;

    ld_merkle_frontier_init(&l->frontier);
    l->edge_size = UINT64_MAX;
    rc = ld_store_begin(l->store);
    if (rc != LD_OK)
        return ld_err_set(err, rc, "", "cannot start the rebuild");
    rc = ld_store_clear_derived(l->store);
    if (rc == LD_OK)
        rc = ld_store_iter_new(l->store, 0, &it);
    while (rc == LD_OK && (rc = ld_store_iter_next(it, &row)) == LD_OK) {
        rc = ld_event_parse(row.entry, row.entry_len, &ev, err);
        if (rc != LD_OK) {
            rc = ld_err_set(err, LD_TAMPERED, "", "event %llu does not parse",
                            (unsigned long long)row.idx);
            free(row.entry);
            break;
        }
        rule = find_rule(l, ev.type);
        chain[0] = '\0';
        if (rule == NULL || chain_of(&ev, rule, chain, err) != LD_OK) {
            rc = ld_err_set(err, LD_TAMPERED, "", "event %llu has an unknown type or chain",
                            (unsigned long long)row.idx);
        } else {
            rc = ld_merkle_frontier_push(&l->frontier, row.id, ld_store_node_add, l->store);
            if (rc == LD_OK && chain[0])
                rc = ld_store_head_put(l->store, chain, row.idx, row.id, ev.at);
            if (rc == LD_OK && rule->apply)
                rc = rule->apply(l->store, &ev, row.idx);
        }
        ld_event_release(&ev);
        free(row.entry);
    }
    if (rc == LD_NOTFOUND)
        rc = LD_OK;
    ld_store_iter_free(it);
    if (rc == LD_OK)
        rc = ld_store_commit(l->store);
    if (rc != LD_OK) {
        uint64_t size = 0;
        ld_store_rollback(l->store);
        ld_merkle_frontier_init(&l->frontier);
        if (ld_store_size(l->store, &size) == LD_OK) {
            l->damaged_size = size;
            l->tree_damaged =
                ld_merkle_frontier_load(&l->frontier, ld_store_node_get, l->store, size) != LD_OK;
        }
        return ld_err_set(err, rc, "", "rebuild failed (%s)", ld_rc_str(rc));
    }
    l->tree_damaged = 0;
    return LD_OK;
}
