/*
 * bundle.c - trace bundles (include/liandan/bundle.h, DESIGN.md §4.5): built
 * from a trace (trace.h) by walking each manifest's and each signer's chain
 * back from its head, with inclusion proofs against a signed checkpoint
 * (ledger.h); verified offline from the bundle and the regulator's key alone.
 * tools/liandan-verify.c is an independent second verifier of the same format.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "liandan/bundle.h"
#include "liandan/buf.h"
#include "liandan/canon.h"
#include "liandan/enc.h"
#include "liandan/event.h"
#include "liandan/map.h"
#include "liandan/mem.h"
#include "liandan/party.h"
#include "liandan/trace.h"
#include "liandan/banned.h"

/* ---- building ----------------------------------------------------------- */

/* One stored event taken into the bundle. */
struct item {
    uint64_t idx; /* leaf index */
    char *entry;  /* owned: the stored canonical entry */
};

struct items {
    struct item *v; /* owned */
    size_t n, cap;
};

static void
items_push(struct items *it, uint64_t idx, char *entry)
{
    if (it->n == it->cap) {
        it->cap = it->cap ? 2 * it->cap : 32;
        it->v = ld_xrealloc(it->v, it->cap * sizeof *it->v);
    }
    it->v[it->n].idx = idx;
    it->v[it->n].entry = entry;
    it->n++;
}

static void
items_release(struct items *it)
{
    size_t i;

    for (i = 0; i < it->n; i++)
        free(it->v[i].entry);
    free(it->v);
    memset(it, 0, sizeof *it);
}

static int
by_idx(const void *a, const void *b)
{
    const struct item *x = a, *y = b;

    return x->idx < y->idx ? -1 : x->idx > y->idx;
}

static int
by_number(const void *a, const void *b)
{
    const int64_t *x = a, *y = b;

    return *x < *y ? -1 : *x > *y;
}

/* Signers met while walking: distinct actors other than the regulator. */
struct signers {
    struct ld_map *seen;            /* actor -> (void *)1 */
    char (*id)[LD_EVENT_ACTOR_MAX]; /* owned: in the order met */
    size_t n, cap;
};

static void
signer_add(struct signers *s, const char *actor)
{
    if (strcmp(actor, LD_EVENT_REGULATOR) == 0 || ld_map_get(s->seen, actor) != NULL)
        return;
    ld_map_put(s->seen, actor, (void *)1);
    if (s->n == s->cap) {
        s->cap = s->cap ? 2 * s->cap : 16;
        s->id = ld_xrealloc(s->id, s->cap * sizeof *s->id);
    }
    snprintf(s->id[s->n++], sizeof *s->id, "%s", actor);
}

/*
 * Walk chain back from its head to its first event. Events with idx < limit
 * go into out (newest first); signers, when non-NULL, collects their actors.
 * manifest, when non-zero, is the number every event must carry.
 * Returns LD_OK, LD_TAMPERED (no head, a dangling or forward prev, an entry
 * that does not parse or is not canonical), LD_DB, LD_BUSY.
 */
static enum ld_rc
walk(struct ld_store *s, const char *chain, uint64_t limit, int64_t manifest, struct items *out,
     struct signers *signers, struct ld_err *err)
{
    struct ld_store_event row;
    struct ld_event ev;
    uint64_t idx = 0, prev_idx = 0;
    enum ld_rc rc;

    rc = ld_store_head_get(s, chain, &idx, NULL, NULL);
    if (rc == LD_NOTFOUND)
        return ld_err_set(err, LD_TAMPERED, "", "chain '%s' has no events (run 'liandan verify')",
                          chain);
    if (rc != LD_OK)
        return ld_err_set(err, rc, "", "cannot read the head of chain '%s'", chain);
    for (;;) {
        memset(&row, 0, sizeof row);
        memset(&ev, 0, sizeof ev);
        rc = ld_store_event_get(s, idx, &row);
        if (rc != LD_OK)
            return ld_err_set(err, rc == LD_NOTFOUND ? LD_TAMPERED : rc, "",
                              "cannot read event %llu of chain '%s'", (unsigned long long)idx,
                              chain);
        if (ld_event_parse(row.entry, row.entry_len, &ev, NULL) != LD_OK ||
            ev.entry_len != row.entry_len || memcmp(ev.entry, row.entry, row.entry_len) != 0 ||
            (manifest != 0 && ev.manifest != manifest)) {
            rc = ld_err_set(err, LD_TAMPERED, "",
                            "event %llu of chain '%s' is damaged (run 'liandan verify')",
                            (unsigned long long)idx, chain);
            goto fail;
        }
        if (signers)
            signer_add(signers, ev.actor);
        if (idx < limit) {
            items_push(out, idx, row.entry);
            row.entry = NULL;
        }
        free(row.entry);
        if (!ev.has_prev) {
            ld_event_release(&ev);
            return LD_OK;
        }
        rc = ld_store_event_find(s, ev.prev, &prev_idx);
        if (rc != LD_OK || prev_idx >= idx) {
            rc = ld_err_set(err, rc == LD_OK || rc == LD_NOTFOUND ? LD_TAMPERED : rc, "",
                            "event %llu of chain '%s' names a prev that is not an earlier event",
                            (unsigned long long)idx, chain);
            ld_event_release(&ev);
            return rc;
        }
        ld_event_release(&ev);
        idx = prev_idx;
    }
fail:
    free(row.entry);
    ld_event_release(&ev);
    return rc;
}

/* Append s as a JSON string (RFC 8785 escaping). */
static enum ld_rc
add_string(struct ld_buf *b, const char *s)
{
    cJSON *v = cJSON_CreateString(s);
    enum ld_rc rc = ld_canon_write(v, 0, b, NULL);

    cJSON_Delete(v);
    return rc;
}

static void
add_entries(struct ld_buf *b, const struct items *it)
{
    size_t i;

    ld_buf_addc(b, '[');
    for (i = 0; i < it->n; i++) {
        if (i)
            ld_buf_addc(b, ',');
        ld_buf_adds(b, it->v[i].entry);
    }
    ld_buf_addc(b, ']');
}

/* The inclusion proofs of every item, against the tree of size. */
static enum ld_rc
add_proofs(struct ld_buf *b, struct ld_ledger *l, const struct items *it, uint64_t size, int *first,
           struct ld_err *err)
{
    char *proof = NULL;
    size_t i;
    enum ld_rc rc;

    for (i = 0; i < it->n; i++) {
        rc = ld_ledger_prove_inclusion(l, it->v[i].idx, size, &proof);
        if (rc != LD_OK)
            return ld_err_set(err, rc, "", "cannot prove event %llu in the tree of size %llu (%s)",
                              (unsigned long long)it->v[i].idx, (unsigned long long)size,
                              ld_rc_str(rc));
        if (!*first)
            ld_buf_addc(b, ',');
        *first = 0;
        ld_buf_adds(b, proof);
        free(proof);
    }
    return LD_OK;
}

enum ld_rc
ld_bundle_build(struct ld_ledger *l, const char *subject, char **out_json, struct ld_err *err)
{
    struct ld_store *s = ld_ledger_store(l);
    struct ld_trace *t = NULL;
    struct items events = {NULL, 0, 0}, parties = {NULL, 0, 0};
    struct signers signers = {NULL, NULL, 0, 0};
    struct ld_buf b = LD_BUF_INIT;
    int64_t *numbers = NULL;
    char *note = NULL, *vkey = NULL;
    char chain[LD_CHAIN_MAX];
    uint64_t size = 0, need = 0;
    size_t i, n = 0;
    int first = 1;
    enum ld_rc rc;

    signers.seen = ld_map_new();
    /* Another connection may have appended since l was opened (the server's
     * readers): catch up, so that its checkpoints can be proved against. */
    rc = ld_ledger_refresh(l);
    if (rc != LD_OK) {
        rc = ld_err_set(err, rc, "", "cannot read the tree size (%s)", ld_rc_str(rc));
        goto out;
    }
    rc = ld_trace_build(s, subject, &t, err);
    if (rc != LD_OK)
        goto out;

    /* Every manifest of the trace, once, and the whole chain of each. */
    numbers = ld_xcalloc(t->nnodes ? t->nnodes : 1, sizeof *numbers);
    for (i = 0; i < t->nnodes; i++)
        numbers[i] = t->nodes[i].manifest;
    qsort(numbers, t->nnodes, sizeof *numbers, by_number);
    for (i = 0; i < t->nnodes; i++)
        if (n == 0 || numbers[n - 1] != numbers[i])
            numbers[n++] = numbers[i];
    rc = ld_store_read_begin(s);
    for (i = 0; rc == LD_OK && i < n; i++) {
        snprintf(chain, sizeof chain, "m:%lld", (long long)numbers[i]);
        rc = walk(s, chain, UINT64_MAX, numbers[i], &events, &signers, err);
    }
    ld_store_read_end(s);
    if (rc != LD_OK)
        goto out;
    for (i = 0; i < events.n; i++)
        if (events.v[i].idx + 1 > need)
            need = events.v[i].idx + 1;

    /* A checkpoint that covers them: the latest stored, else a fresh one. */
    rc = ld_store_checkpoint_latest(s, &size, &note);
    if (rc != LD_OK && rc != LD_NOTFOUND) {
        rc = ld_err_set(err, rc, "", "cannot read the latest checkpoint");
        goto out;
    }
    if (rc == LD_NOTFOUND || size < need) {
        free(note);
        note = NULL;
        rc = ld_ledger_checkpoint(l, &note, &size);
        if (rc != LD_OK && rc != LD_NOTFOUND) {
            rc = ld_err_set(err, rc, "checkpoint", "cannot sign a checkpoint (%s)", ld_rc_str(rc));
            goto out;
        }
        if (rc == LD_NOTFOUND || size < need) {
            rc = ld_err_set(err, LD_NOTFOUND, "checkpoint",
                            "no checkpoint covers the events of '%s' (leaf %llu) yet: "
                            "sign one with 'liandan checkpoint'",
                            subject, (unsigned long long)(need ? need - 1 : 0));
            goto out;
        }
    }
    if (size > ld_ledger_size(l) && (rc = ld_ledger_refresh(l)) != LD_OK) {
        rc = ld_err_set(err, rc, "", "cannot read the tree size (%s)", ld_rc_str(rc));
        goto out;
    }
    if (size > ld_ledger_size(l)) {
        rc = ld_err_set(err, LD_TAMPERED, "checkpoint",
                        "the latest checkpoint (size %llu) covers events that are missing "
                        "(run 'liandan verify')",
                        (unsigned long long)size);
        goto out;
    }

    /* The registry chain of every signer, as of the checkpoint. */
    rc = ld_store_read_begin(s);
    for (i = 0; rc == LD_OK && i < signers.n; i++) {
        snprintf(chain, sizeof chain, "p:%s", signers.id[i]);
        rc = walk(s, chain, size, 0, &parties, NULL, err);
    }
    ld_store_read_end(s);
    if (rc != LD_OK)
        goto out;
    qsort(events.v, events.n, sizeof *events.v, by_idx);
    qsort(parties.v, parties.n, sizeof *parties.v, by_idx);

    /* SPEC: DESIGN.md §4.5, members in RFC 8785 order. */
    ld_buf_adds(&b, "{\"checkpoint\":");
    rc = add_string(&b, note);
    if (rc != LD_OK) {
        rc = ld_err_set(err, LD_TAMPERED, "checkpoint", "the stored checkpoint is not UTF-8 text");
        goto out;
    }
    ld_buf_adds(&b, ",\"events\":");
    add_entries(&b, &events);
    vkey = ld_sig_vkey_format(ld_ledger_key(l));
    ld_buf_adds(&b, ",\"ledger_key\":");
    rc = add_string(&b, vkey);
    if (rc != LD_OK)
        goto out;
    ld_buf_adds(&b, ",\"parties\":");
    add_entries(&b, &parties);
    ld_buf_adds(&b, ",\"proofs\":[");
    rc = add_proofs(&b, l, &parties, size, &first, err);
    if (rc == LD_OK)
        rc = add_proofs(&b, l, &events, size, &first, err);
    if (rc != LD_OK)
        goto out;
    ld_buf_addf(&b, "],\"version\":%d}", LD_BUNDLE_VERSION);
    *out_json = ld_buf_detach(&b, NULL);
out:
    ld_buf_release(&b);
    free(vkey);
    free(note);
    free(numbers);
    items_release(&parties);
    items_release(&events);
    ld_map_free(signers.seen, NULL);
    free(signers.id);
    ld_trace_free(t);
    return rc;
}

/* ---- verifying ---------------------------------------------------------- */

/* Head of a chain while verifying. */
struct head {
    uint8_t id[LD_MERKLE_HASH]; /* id of its latest event so far */
    int64_t at;                 /* that event's at */
};

/* A parsed inclusion proof (DESIGN.md §4.4). */
struct proof {
    uint64_t index, size;
    uint8_t leaf[LD_MERKLE_HASH];
    uint8_t path[LD_MERKLE_MAX_PROOF][LD_MERKLE_HASH];
    size_t n;
};

struct vstate {
    const struct ld_sig_pub *regulator;
    uint64_t size; /* checkpoint */
    uint8_t root[LD_MERKLE_HASH];
    const cJSON *proofs;       /* borrowed from the bundle */
    const cJSON *next_proof;   /* the proof of the next item (they come in item order) */
    struct proof *p;           /* owned: the proof being checked (4 KiB) */
    struct ld_map *keys;       /* keyid -> struct ld_store_key * (owned) */
    struct ld_map *chains;     /* chain -> struct head * (owned) */
    struct ld_map *registered; /* party id -> (void *)1 */
    struct ld_map *signers;    /* actor -> (void *)1 */
    size_t manifests;
    struct ld_err *err;
};

static void
free_key(void *p)
{
    struct ld_store_key *k = p;

    ld_store_key_release(k);
    free(k);
}

/* A JSON number that is an integer 0 .. 2^53-1. */
static int
uint_of(const cJSON *v, uint64_t *out)
{
    double d;

    if (!cJSON_IsNumber(v))
        return 0;
    d = v->valuedouble;
    if (!(d >= 0 && d <= (double)LD_CANON_INT_MAX) || d != (double)(uint64_t)d)
        return 0;
    *out = (uint64_t)d;
    return 1;
}

/* A base64 string of exactly one hash. */
static int
hash_of(const cJSON *v, uint8_t out[LD_MERKLE_HASH])
{
    size_t n = 0;

    return cJSON_IsString(v) &&
           ld_enc_unb64(v->valuestring, strlen(v->valuestring), out, LD_MERKLE_HASH, &n) == LD_OK &&
           n == LD_MERKLE_HASH;
}

/* Does object o have exactly the n members names (ld_canon_parse refused duplicates)? */
static const char *
extra_member(const cJSON *o, const char *const *names, size_t n)
{
    const cJSON *it;
    size_t i;

    cJSON_ArrayForEach(it, o)
    {
        for (i = 0; i < n && strcmp(it->string, names[i]) != 0; i++)
            ;
        if (i == n)
            return it->string;
    }
    return NULL;
}

static enum ld_rc
parse_proof(const cJSON *o, size_t k, struct proof *p, struct ld_err *err)
{
    static const char *const names[] = {"inclusion", "leaf_hash", "leaf_index", "tree_size"};
    const cJSON *inc, *h;
    const char *x;
    char f[LD_ERR_FIELD_MAX];

    snprintf(f, sizeof f, "proofs[%zu]", k);
    if (!cJSON_IsObject(o))
        return ld_err_set(err, LD_INVALID, f, "an inclusion proof must be an object");
    if ((x = extra_member(o, names, 4)) != NULL)
        return ld_err_set(err, LD_INVALID, f, "unknown member '%s'", x);
    snprintf(f, sizeof f, "proofs[%zu].leaf_index", k);
    if (!uint_of(cJSON_GetObjectItemCaseSensitive(o, "leaf_index"), &p->index))
        return ld_err_set(err, LD_INVALID, f, "leaf_index must be a non-negative integer");
    snprintf(f, sizeof f, "proofs[%zu].tree_size", k);
    if (!uint_of(cJSON_GetObjectItemCaseSensitive(o, "tree_size"), &p->size))
        return ld_err_set(err, LD_INVALID, f, "tree_size must be a non-negative integer");
    snprintf(f, sizeof f, "proofs[%zu].leaf_hash", k);
    if (!hash_of(cJSON_GetObjectItemCaseSensitive(o, "leaf_hash"), p->leaf))
        return ld_err_set(err, LD_INVALID, f, "leaf_hash must be the base64 of 32 bytes");
    inc = cJSON_GetObjectItemCaseSensitive(o, "inclusion");
    snprintf(f, sizeof f, "proofs[%zu].inclusion", k);
    if (!cJSON_IsArray(inc) || cJSON_GetArraySize(inc) > LD_MERKLE_MAX_PROOF)
        return ld_err_set(err, LD_INVALID, f, "inclusion must be an array of at most %d hashes",
                          LD_MERKLE_MAX_PROOF);
    p->n = 0;
    cJSON_ArrayForEach(h, inc)
    {
        if (!hash_of(h, p->path[p->n])) {
            snprintf(f, sizeof f, "proofs[%zu].inclusion[%zu]", k, p->n);
            return ld_err_set(err, LD_INVALID, f, "a hash must be the base64 of 32 bytes");
        }
        p->n++;
    }
    return LD_OK;
}

/* The key ev must verify under, for an event at leaf idx. [out] pk. */
static enum ld_rc
event_key(struct vstate *st, const struct ld_event *ev, const char *at, uint64_t idx, int party,
          const uint8_t **pk)
{
    const struct ld_store_key *k;
    struct ld_err e;
    char f[LD_ERR_FIELD_MAX];

    snprintf(f, sizeof f, "%s.event.key", at);
    if (party || strcmp(ev->actor, LD_EVENT_REGULATOR) == 0) {
        if (strcmp(ev->actor, LD_EVENT_REGULATOR) != 0)
            return ld_err_set(st->err, LD_WRONGKEY, f,
                              "party event %s is signed by %s, not by the regulator", ev->id_hex,
                              ev->actor);
        if (strcmp(ev->key, st->regulator->keyid) != 0)
            return ld_err_set(st->err, LD_WRONGKEY, f,
                              "event %s: key %s is not the regulator's key %s", ev->id_hex, ev->key,
                              st->regulator->keyid);
        *pk = st->regulator->pk;
        return LD_OK;
    }
    k = ld_map_get(st->keys, ev->key);
    if (k == NULL)
        return ld_err_set(st->err, LD_WRONGKEY, f,
                          "event %s: key %s is not certified by any party event of the bundle",
                          ev->id_hex, ev->key);
    memset(&e, 0, sizeof e);
    if (ld_party_key_check(k, ev->actor, ev->at, idx, &e) != LD_OK)
        return ld_err_set(st->err, LD_WRONGKEY, f, "event %s: %s", ev->id_hex, e.msg);
    ld_map_put(st->signers, ev->actor, (void *)1);
    *pk = k->pub;
    return LD_OK;
}

/* prev of ev must be the head of its chain (null for the chain's first event). */
static enum ld_rc
link_chain(struct vstate *st, const struct ld_event *ev, const char *at, const char *chain,
           int party)
{
    struct head *h = ld_map_get(st->chains, chain);
    char f[LD_ERR_FIELD_MAX];

    if (h == NULL) {
        if (ev->has_prev) {
            snprintf(f, sizeof f, "%s.event.prev", at);
            return ld_err_set(st->err, LD_TAMPERED, f,
                              "event %s: the bundle's first event of chain '%s' has a prev "
                              "(an earlier event is missing)",
                              ev->id_hex, chain);
        }
        if (party && strcmp(ev->type, "party.register") != 0) {
            snprintf(f, sizeof f, "%s.event.type", at);
            return ld_err_set(st->err, LD_TAMPERED, f,
                              "event %s: chain '%s' does not start with party.register", ev->id_hex,
                              chain);
        }
        if (!party)
            st->manifests++;
        h = ld_xmalloc(sizeof *h);
        ld_map_put(st->chains, chain, h);
    } else {
        if (!ev->has_prev || memcmp(ev->prev, h->id, LD_MERKLE_HASH) != 0) {
            snprintf(f, sizeof f, "%s.event.prev", at);
            return ld_err_set(st->err, LD_TAMPERED, f,
                              "event %s: prev is not the event before it in chain '%s' "
                              "(an event is missing)",
                              ev->id_hex, chain);
        }
        if (ev->at < h->at) {
            snprintf(f, sizeof f, "%s.event.at", at);
            return ld_err_set(st->err, LD_TAMPERED, f,
                              "event %s: at is before the previous event of chain '%s'", ev->id_hex,
                              chain);
        }
    }
    memcpy(h->id, ev->id, LD_MERKLE_HASH);
    h->at = ev->at;
    return LD_OK;
}

/* What a party event at leaf idx does to the keys it certifies and revokes. */
static enum ld_rc
apply_party(struct vstate *st, const struct ld_event *ev, const char *at, uint64_t idx)
{
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(ev->body, "id");
    struct ld_store_key *k;
    struct ld_err e;
    char f[LD_ERR_FIELD_MAX + 64];

    memset(&e, 0, sizeof e);
    if (strcmp(ev->type, "party.register") == 0) {
        snprintf(f, sizeof f, "%s.event.body.id", at);
        if (!cJSON_IsString(id) || ld_map_get(st->registered, id->valuestring) != NULL)
            return ld_err_set(st->err, LD_TAMPERED, f, "event %s registers a party twice",
                              ev->id_hex);
        ld_map_put(st->registered, id->valuestring, (void *)1);
    } else if (strcmp(ev->type, "party.key") == 0) {
        k = ld_xcalloc(1, sizeof *k);
        if (ld_party_key_from_body(ev->body, ev->at, idx, k, &e) != LD_OK) {
            free(k);
            snprintf(f, sizeof f, "%s.%s", at, e.field);
            return ld_err_set(st->err, LD_INVALID, f, "event %s: %s", ev->id_hex, e.msg);
        }
        if (ld_map_get(st->keys, k->keyid) != NULL) {
            snprintf(f, sizeof f, "%s.event.body.pub", at);
            ld_err_set(st->err, LD_TAMPERED, f, "event %s certifies key %s again", ev->id_hex,
                       k->keyid);
            free_key(k);
            return LD_TAMPERED;
        }
        ld_map_put(st->keys, k->keyid, k);
    } else if (strcmp(ev->type, "party.revoke") == 0) {
        const cJSON *key = cJSON_GetObjectItemCaseSensitive(ev->body, "key");
        k = cJSON_IsString(key) ? ld_map_get(st->keys, key->valuestring) : NULL;
        snprintf(f, sizeof f, "%s.event.body.key", at);
        if (k == NULL || !cJSON_IsString(id) || strcmp(k->party, id->valuestring) != 0 ||
            k->revoked_idx != UINT64_MAX)
            return ld_err_set(st->err, LD_TAMPERED, f, "event %s revokes no live key of the party",
                              ev->id_hex);
        k->revoked_idx = idx;
        k->revoked_at = ev->at;
    }
    return LD_OK;
}

/*
 * Check item i of array arr ("parties" or "events"), whose proof is proofs[k]:
 * shape, key, signature, inclusion, leaf order (after *last), chain link.
 * [out] chain: the event's chain.
 */
static enum ld_rc
check_item(struct vstate *st, const char *arr, size_t i, const cJSON *obj, size_t k, int party,
           uint64_t *last, char chain[LD_CHAIN_MAX])
{
    struct proof *p = st->p;
    struct ld_event ev;
    struct ld_err e;
    char at[48], f[LD_ERR_FIELD_MAX + 64], *text = NULL; /* f: at + a field, cut by ld_err_set */
    const uint8_t *pk = NULL;
    size_t len = 0;
    enum ld_rc rc;

    memset(&ev, 0, sizeof ev);
    memset(&e, 0, sizeof e);
    snprintf(at, sizeof at, "%s[%zu]", arr, i);
    if (!cJSON_IsObject(obj)) {
        rc = ld_err_set(st->err, LD_INVALID, at, "an entry must be a signed event object");
        goto out;
    }
    rc = ld_canon_dup(obj, LD_CANON_SIGNED, &text, &len, &e);
    if (rc != LD_OK) {
        snprintf(f, sizeof f, "%s%.127s", at, e.field[0] == '$' ? e.field + 1 : e.field);
        rc = ld_err_set(st->err, LD_INVALID, f, "not signed JSON: %s", e.msg);
        goto out;
    }
    rc = ld_event_parse(text, len, &ev, &e);
    if (rc != LD_OK) {
        /* The bundle is JSON: an entry of the wrong shape is an invalid item. */
        snprintf(f, sizeof f, "%s.%s", at, e.field);
        rc = ld_err_set(st->err, LD_INVALID, f, "%s", e.msg);
        goto out;
    }
    snprintf(f, sizeof f, party ? "%s.event.type" : "%s.event.manifest", at);
    if (party && (strncmp(ev.type, "party.", 6) != 0 || ev.manifest != 0)) {
        rc = ld_err_set(st->err, LD_INVALID, f, "event %s (%s) is not a party event", ev.id_hex,
                        ev.type);
        goto out;
    }
    if (!party && ev.manifest == 0) {
        rc = ld_err_set(st->err, LD_INVALID, f, "event %s (%s) belongs to no manifest", ev.id_hex,
                        ev.type);
        goto out;
    }
    rc = parse_proof(st->next_proof, k, p, st->err);
    st->next_proof = st->next_proof->next;
    if (rc != LD_OK)
        goto out;
    rc = event_key(st, &ev, at, p->index, party, &pk);
    if (rc != LD_OK)
        goto out;
    if (ld_event_verify(&ev, pk) != LD_OK) {
        snprintf(f, sizeof f, "%s.sig", at);
        rc = ld_err_set(st->err, LD_BADSIG, f, "event %s: signature does not verify under key %s",
                        ev.id_hex, ev.key);
        goto out;
    }
    /* SPEC: RFC 9162 §2.1.3.2, against the checkpoint's root. */
    if (memcmp(p->leaf, ev.id, LD_MERKLE_HASH) != 0) {
        snprintf(f, sizeof f, "proofs[%zu].leaf_hash", k);
        rc = ld_err_set(st->err, LD_TAMPERED, f, "is not the leaf hash of %s (event %s)", at,
                        ev.id_hex);
        goto out;
    }
    if (p->size != st->size) {
        snprintf(f, sizeof f, "proofs[%zu].tree_size", k);
        rc = ld_err_set(st->err, LD_TAMPERED, f,
                        "proof of event %s is for tree size %llu, the checkpoint's is %llu",
                        ev.id_hex, (unsigned long long)p->size, (unsigned long long)st->size);
        goto out;
    }
    if (ld_merkle_verify_inclusion(p->index, p->size, p->leaf,
                                   (const uint8_t(*)[LD_MERKLE_HASH])p->path, p->n,
                                   st->root) != LD_OK) {
        snprintf(f, sizeof f, "proofs[%zu].inclusion", k);
        rc = ld_err_set(st->err, LD_TAMPERED, f,
                        "event %s (leaf %llu) is not included in the checkpoint's tree", ev.id_hex,
                        (unsigned long long)p->index);
        goto out;
    }
    if (*last != UINT64_MAX && p->index <= *last) {
        rc = ld_err_set(st->err, LD_TAMPERED, at,
                        "event %s (leaf %llu) is repeated or out of leaf order", ev.id_hex,
                        (unsigned long long)p->index);
        goto out;
    }
    *last = p->index;
    if (party) {
        rc = ld_party_chain(&ev, chain, LD_CHAIN_MAX, &e);
        if (rc != LD_OK) {
            snprintf(f, sizeof f, "%s.%s", at, e.field);
            rc = ld_err_set(st->err, LD_INVALID, f, "event %s: %s", ev.id_hex, e.msg);
            goto out;
        }
    } else {
        snprintf(chain, LD_CHAIN_MAX, "m:%lld", (long long)ev.manifest);
    }
    rc = link_chain(st, &ev, at, chain, party);
    if (rc == LD_OK && party)
        rc = apply_party(st, &ev, at, p->index);
out:
    free(text);
    ld_event_release(&ev);
    return rc;
}

/* The checkpoint: signed by the ledger key, body ORIGIN\nSIZE\nROOT\n[extensions]. */
static enum ld_rc
check_checkpoint(struct vstate *st, const char *note, const struct ld_sig_pub *ledger,
                 char origin[LD_BUNDLE_ORIGIN_MAX])
{
    const char *p, *nl, *end;
    size_t text_len = 0, n = 0, i;
    struct ld_err e;
    enum ld_rc rc;

    memset(&e, 0, sizeof e);
    rc = ld_sig_note_open(note, strlen(note), ledger, 1, &text_len, NULL, &e);
    if (rc != LD_OK)
        return ld_err_set(st->err, rc, "checkpoint", "not signed by the bundle's ledger key %s: %s",
                          ledger->name, e.msg);
    /* SPEC: C2SP tlog-checkpoint: origin, decimal size, base64 root, then extension lines. */
    end = note + text_len;
    nl = memchr(note, '\n', text_len);
    if (nl == NULL || nl == note || (size_t)(nl - note) >= LD_BUNDLE_ORIGIN_MAX)
        return ld_err_set(st->err, LD_INVALID, "checkpoint", "no origin line");
    memcpy(origin, note, (size_t)(nl - note));
    origin[nl - note] = '\0';
    p = nl + 1;
    nl = memchr(p, '\n', (size_t)(end - p));
    st->size = 0;
    for (i = 0; nl && p + i < nl; i++) {
        if (p[i] < '0' || p[i] > '9' || (i == 0 && p[0] == '0' && nl - p > 1) || i >= 19)
            break;
        st->size = st->size * 10 + (uint64_t)(p[i] - '0');
    }
    if (nl == NULL || nl == p || p + i != nl)
        return ld_err_set(st->err, LD_INVALID, "checkpoint", "no tree size line");
    p = nl + 1;
    nl = memchr(p, '\n', (size_t)(end - p));
    if (nl == NULL || ld_enc_unb64(p, (size_t)(nl - p), st->root, sizeof st->root, &n) != LD_OK ||
        n != LD_MERKLE_HASH)
        return ld_err_set(st->err, LD_INVALID, "checkpoint", "no root hash line");
    return LD_OK;
}

enum ld_rc
ld_bundle_verify(const char *json, size_t len, const struct ld_sig_pub *regulator,
                 struct ld_bundle_result *res, struct ld_err *err)
{
    static const char *const names[] = {"checkpoint", "events", "ledger_key",
                                        "parties",    "proofs", "version"};
    struct ld_bundle_result r;
    struct vstate st;
    struct ld_err e;
    cJSON *root = NULL;
    const cJSON *ver, *cp, *lk, *parties, *events, *it;
    char(*pchain)[LD_CHAIN_MAX] = NULL;
    const char *x;
    uint64_t v = 0, last;
    size_t np, ne, i;
    enum ld_rc rc;

    memset(&r, 0, sizeof r);
    memset(&st, 0, sizeof st);
    memset(&e, 0, sizeof e);
    st.regulator = regulator;
    st.err = err;
    st.keys = ld_map_new();
    st.chains = ld_map_new();
    st.registered = ld_map_new();
    st.signers = ld_map_new();
    st.p = ld_xmalloc(sizeof *st.p);

    /* 1. Shape. */
    rc = ld_canon_parse(json, len, 0, &root, &e);
    if (rc != LD_OK) {
        rc = ld_err_set(err, rc, e.field, "bundle is not JSON: %s", e.msg);
        goto out;
    }
    if (!cJSON_IsObject(root)) {
        rc = ld_err_set(err, LD_INVALID, "", "a bundle is a JSON object");
        goto out;
    }
    if ((x = extra_member(root, names, sizeof names / sizeof *names)) != NULL) {
        rc = ld_err_set(err, LD_INVALID, x, "unknown member '%s'", x);
        goto out;
    }
    ver = cJSON_GetObjectItemCaseSensitive(root, "version");
    if (!uint_of(ver, &v) || v != LD_BUNDLE_VERSION) {
        rc = ld_err_set(err, LD_INVALID, "version", "not a version %d bundle", LD_BUNDLE_VERSION);
        goto out;
    }
    lk = cJSON_GetObjectItemCaseSensitive(root, "ledger_key");
    if (!cJSON_IsString(lk) ||
        ld_sig_vkey_parse(lk->valuestring, strlen(lk->valuestring), &r.ledger) != LD_OK) {
        rc = ld_err_set(err, LD_INVALID, "ledger_key", "ledger_key must be a verifier key line");
        goto out;
    }
    cp = cJSON_GetObjectItemCaseSensitive(root, "checkpoint");
    parties = cJSON_GetObjectItemCaseSensitive(root, "parties");
    events = cJSON_GetObjectItemCaseSensitive(root, "events");
    st.proofs = cJSON_GetObjectItemCaseSensitive(root, "proofs");
    if (!cJSON_IsString(cp)) {
        rc = ld_err_set(err, LD_INVALID, "checkpoint", "checkpoint must be a signed note");
        goto out;
    }
    for (i = 0; i < 3; i++) {
        const cJSON *a = i == 0 ? parties : i == 1 ? events : st.proofs;
        if (!cJSON_IsArray(a)) {
            x = i == 0 ? "parties" : i == 1 ? "events" : "proofs";
            rc = ld_err_set(err, LD_INVALID, x, "%s must be an array", x);
            goto out;
        }
    }
    np = (size_t)cJSON_GetArraySize(parties);
    ne = (size_t)cJSON_GetArraySize(events);
    if ((size_t)cJSON_GetArraySize(st.proofs) != np + ne) {
        rc = ld_err_set(err, LD_INVALID, "proofs", "%d proofs for %zu events (%zu + %zu)",
                        cJSON_GetArraySize(st.proofs), np + ne, np, ne);
        goto out;
    }

    /* 2. The checkpoint. */
    rc = check_checkpoint(&st, cp->valuestring, &r.ledger, r.origin);
    if (rc != LD_OK)
        goto out;

    /* 3. Party events; 4. manifest events. */
    pchain = ld_xcalloc(np ? np : 1, sizeof *pchain);
    st.next_proof = st.proofs->child;
    i = 0;
    last = UINT64_MAX;
    cJSON_ArrayForEach(it, parties)
    {
        rc = check_item(&st, "parties", i, it, i, 1, &last, pchain[i]);
        if (rc != LD_OK)
            goto out;
        i++;
    }
    i = 0;
    last = UINT64_MAX;
    cJSON_ArrayForEach(it, events)
    {
        char chain[LD_CHAIN_MAX];
        rc = check_item(&st, "events", i, it, np + i, 0, &last, chain);
        if (rc != LD_OK)
            goto out;
        i++;
    }

    /* 5. Nothing extra: each registry chain is there for a signer. */
    for (i = 0; i < np; i++)
        if (ld_map_get(st.signers, pchain[i] + 2) == NULL) {
            char f[32];
            snprintf(f, sizeof f, "parties[%zu]", i);
            rc = ld_err_set(err, LD_TAMPERED, f, "party %s signed no event of the bundle",
                            pchain[i] + 2);
            goto out;
        }

    r.parties = np;
    r.events = ne;
    r.manifests = st.manifests;
    r.signers = ld_map_count(st.signers);
    r.tree_size = st.size;
    memcpy(r.root, st.root, sizeof r.root);
    if (res)
        *res = r;
out:
    free(pchain);
    free(st.p);
    cJSON_Delete(root);
    ld_map_free(st.keys, free_key);
    ld_map_free(st.chains, free);
    ld_map_free(st.registered, NULL);
    ld_map_free(st.signers, NULL);
    return rc;
}
