/*
 * rules_correct.c - corrections after closing (issue 3; DESIGN.md §5 "States"):
 *
 *   manifest.correct {"part":"producer"|"carrier"|"receiver","changes":{...},"reason"}
 *       by a party on the manifest, for its own part, once the manifest is
 *       closed (or rejected); or by the regulator with {"part","request":true,
 *       "reason"} to ask the party of that part for a correction.
 *   manifest.approve {"correction":ID}
 *       by every other party on the manifest (producer, each leg's carrier,
 *       receiver); the correction takes effect with the last approval.
 *
 * Nothing is overwritten: the original parts and every proposal stay in the
 * chain as versions; `liandan show` lists them with their approvals.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "liandan/body.h"
#include "liandan/buf.h"
#include "liandan/domain.h"
#include "liandan/mem.h"
#include "liandan/banned.h"

#define B "event.body"

static const char q_carriers[] =
    "SELECT DISTINCT carrier FROM legs WHERE manifest = ?1 ORDER BY carrier";

/* Every party on the manifest except `except`, comma-separated (new string). */
static enum ld_rc
others(struct ld_store *s, const struct ld_domain_manifest *m, const char *except, char **out)
{
    struct ld_buf b = LD_BUF_INIT;
    struct ld_store_q *q = NULL;
    const char *fixed[2] = {m->producer, m->receiver};
    size_t i;
    enum ld_rc rc;

    for (i = 0; i < 2; i++)
        if (strcmp(fixed[i], except) != 0 && (i == 0 || strcmp(fixed[0], fixed[1]) != 0))
            ld_buf_addf(&b, "%s%s", b.len ? "," : "", fixed[i]);
    rc = ld_store_q(s, q_carriers, &q);
    if (rc != LD_OK) {
        ld_buf_release(&b);
        return rc;
    }
    ld_store_q_int(q, 1, m->number);
    while ((rc = ld_store_q_step(q)) == LD_OK) {
        const char *c = ld_store_q_col_text(q, 0);
        if (strcmp(c, except) != 0 && strcmp(c, m->producer) != 0 && strcmp(c, m->receiver) != 0)
            ld_buf_addf(&b, "%s%s", b.len ? "," : "", c);
    }
    ld_store_q_done(q);
    *out = ld_buf_detach(&b, NULL);
    return rc == LD_NOTFOUND ? LD_OK : rc;
}

/* Is party on the carrier side of the manifest (any leg)? */
static int
is_carrier(struct ld_store *s, const struct ld_domain_manifest *m, const char *party)
{
    char *list = NULL;
    int found = 0;

    if (strcmp(m->carrier, party) == 0)
        return 1;
    if (others(s, m, "", &list) == LD_OK)
        found = strstr(list, party) != NULL && strcmp(party, m->producer) != 0 &&
                strcmp(party, m->receiver) != 0;
    free(list);
    return found;
}

struct correction {
    const char *part, *reason;
    const cJSON *changes;
    int request;
};

static enum ld_rc
correct_shape(const cJSON *body, struct correction *c, struct ld_err *err)
{
    static const char *const names[] = {"part", "changes", "reason", "request"};
    const cJSON *rq;
    enum ld_rc rc;

    memset(c, 0, sizeof *c);
    rc = ld_body_only(body, B, names, 4, err);
    if (rc == LD_OK)
        rc = ld_body_str(body, B, "part", 16, 0, &c->part, err);
    if (rc == LD_OK && strcmp(c->part, "producer") != 0 && strcmp(c->part, "carrier") != 0 &&
        strcmp(c->part, "receiver") != 0)
        rc = ld_err_set(err, LD_INVALID, B ".part", "part is producer, carrier or receiver");
    if (rc == LD_OK)
        rc = ld_body_str(body, B, "reason", 500, 0, &c->reason, err);
    if (rc != LD_OK)
        return rc;
    rq = cJSON_GetObjectItemCaseSensitive(body, "request");
    if (rq && !cJSON_IsTrue(rq))
        return ld_err_set(err, LD_INVALID, B ".request", "request, when present, is true");
    c->request = rq != NULL;
    rc = ld_body_obj(body, B, "changes", c->request ? LD_BODY_OPTIONAL : 0, &c->changes, err);
    if (rc == LD_OK && c->request && c->changes)
        rc = ld_err_set(err, LD_INVALID, B ".changes", "a request names no changes");
    if (rc == LD_OK && c->changes && cJSON_GetArraySize(c->changes) == 0)
        rc = ld_err_set(err, LD_INVALID, B ".changes", "a correction changes something");
    return rc;
}

static enum ld_rc
correct_check(struct ld_store *s, const struct ld_event *ev, struct ld_err *err)
{
    struct ld_domain_manifest m;
    struct correction c;
    int own;
    enum ld_rc rc = correct_shape(ev->body, &c, err);

    if (rc != LD_OK)
        return rc;
    rc = ld_domain_manifest_get(s, ev->manifest, &m);
    if (rc == LD_NOTFOUND)
        return ld_err_set(err, LD_RULE, "event.manifest", "no manifest %lld",
                          (long long)ev->manifest);
    if (rc != LD_OK)
        return ld_err_set(err, rc, "", "cannot read manifests");
    if (strcmp(ev->actor, LD_EVENT_REGULATOR) == 0) {
        if (!c.request)
            return ld_err_set(err, LD_RULE, B ".request",
                              "the regulator requests corrections; the party makes them");
        return LD_OK;
    }
    if (c.request)
        return ld_err_set(err, LD_RULE, B ".request", "only the regulator requests corrections");
    if (strcmp(m.state, "closed") != 0 && strcmp(m.state, "rejected") != 0)
        return ld_err_set(err, LD_RULE, "event.manifest",
                          "corrections come after closing (the manifest is %s)", m.state);
    own = strcmp(c.part, "producer") == 0   ? strcmp(m.producer, ev->actor) == 0
          : strcmp(c.part, "receiver") == 0 ? strcmp(m.receiver, ev->actor) == 0
                                            : is_carrier(s, &m, ev->actor);
    if (!own)
        return ld_err_set(err, LD_RULE, B ".part", "%s may correct only its own part",
                          ev->actor);
    return LD_OK;
}

static const char q_corr_put[] =
    "INSERT INTO corrections(id, manifest, proposer, part, idx, pending, effective_idx) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, NULL)";
static const char q_req_put[] =
    "INSERT INTO correction_requests(manifest, part, idx) VALUES (?1, ?2, ?3)";

static enum ld_rc
correct_apply(struct ld_store *s, const struct ld_event *ev, uint64_t idx)
{
    struct ld_domain_manifest m;
    struct correction c;
    struct ld_store_q *q = NULL;
    char *pending = NULL;
    enum ld_rc rc;

    if (correct_shape(ev->body, &c, NULL) != LD_OK ||
        ld_domain_manifest_get(s, ev->manifest, &m) != LD_OK)
        return LD_TAMPERED;
    if (c.request) {
        rc = ld_store_q(s, q_req_put, &q);
        if (rc == LD_OK) {
            ld_store_q_int(q, 1, ev->manifest);
            ld_store_q_text(q, 2, c.part);
            ld_store_q_int(q, 3, (int64_t)idx);
            rc = ld_store_q_exec(q);
        }
        return rc;
    }
    rc = others(s, &m, ev->actor, &pending);
    if (rc == LD_OK)
        rc = ld_store_q(s, q_corr_put, &q);
    if (rc == LD_OK) {
        ld_store_q_text(q, 1, ev->id_hex);
        ld_store_q_int(q, 2, ev->manifest);
        ld_store_q_text(q, 3, ev->actor);
        ld_store_q_text(q, 4, c.part);
        ld_store_q_int(q, 5, (int64_t)idx);
        ld_store_q_text(q, 6, pending);
        rc = ld_store_q_exec(q);
    }
    free(pending);
    return rc;
}

static const char q_corr_get[] =
    "SELECT pending, COALESCE(effective_idx, -1) FROM corrections WHERE id = ?1 AND manifest = ?2";
static const char q_corr_set[] =
    "UPDATE corrections SET pending = ?2, effective_idx = ?3 WHERE id = ?1";

static enum ld_rc
approve_shape(const cJSON *body, const char **id, struct ld_err *err)
{
    static const char *const names[] = {"correction"};
    size_t i;
    enum ld_rc rc = ld_body_only(body, B, names, 1, err);

    if (rc == LD_OK)
        rc = ld_body_str(body, B, "correction", 64, 0, id, err);
    if (rc != LD_OK)
        return rc;
    for (i = 0; (*id)[i]; i++)
        if (!(((*id)[i] >= '0' && (*id)[i] <= '9') || ((*id)[i] >= 'a' && (*id)[i] <= 'f')))
            break;
    if (i != 64 || (*id)[i])
        return ld_err_set(err, LD_INVALID, B ".correction",
                          "correction is the event id of a manifest.correct");
    return LD_OK;
}

/* pending without party (new string), or NULL when party is not in it. */
static char *
without(const char *pending, const char *party)
{
    struct ld_buf b = LD_BUF_INIT;
    const char *p = pending;
    size_t n = strlen(party);
    int found = 0;

    while (*p) {
        const char *c = strchr(p, ',');
        size_t len = c ? (size_t)(c - p) : strlen(p);
        if (len == n && strncmp(p, party, n) == 0)
            found = 1;
        else
            ld_buf_addf(&b, "%s%.*s", b.len ? "," : "", (int)len, p);
        p += len + (c != NULL);
    }
    if (!found) {
        ld_buf_release(&b);
        return NULL;
    }
    return ld_buf_detach(&b, NULL);
}

static enum ld_rc
approve_check(struct ld_store *s, const struct ld_event *ev, struct ld_err *err)
{
    struct ld_store_q *q = NULL;
    const char *id = NULL;
    char pending[4096] = "", *left;
    int64_t eff = -1;
    enum ld_rc rc = approve_shape(ev->body, &id, err);

    if (rc == LD_OK)
        rc = ld_store_q(s, q_corr_get, &q);
    if (rc != LD_OK)
        return rc;
    ld_store_q_text(q, 1, id);
    ld_store_q_int(q, 2, ev->manifest);
    rc = ld_store_q_step(q);
    if (rc == LD_OK) {
        snprintf(pending, sizeof pending, "%s", ld_store_q_col_text(q, 0));
        eff = ld_store_q_col_int(q, 1);
    }
    ld_store_q_done(q);
    if (rc == LD_NOTFOUND)
        return ld_err_set(err, LD_RULE, B ".correction",
                          "no correction %.16s... on manifest %lld", id, (long long)ev->manifest);
    if (rc != LD_OK)
        return ld_err_set(err, rc, "", "cannot read corrections");
    if (eff >= 0)
        return ld_err_set(err, LD_RULE, B ".correction", "the correction is already in effect");
    left = without(pending, ev->actor);
    if (left == NULL)
        return ld_err_set(err, LD_RULE, "event.actor", "%s has no approval to give here",
                          ev->actor);
    free(left);
    return LD_OK;
}

static enum ld_rc
approve_apply(struct ld_store *s, const struct ld_event *ev, uint64_t idx)
{
    struct ld_store_q *q = NULL;
    const char *id = NULL;
    char pending[4096] = "", *left;
    enum ld_rc rc;

    if (approve_shape(ev->body, &id, NULL) != LD_OK)
        return LD_TAMPERED;
    rc = ld_store_q(s, q_corr_get, &q);
    if (rc != LD_OK)
        return rc;
    ld_store_q_text(q, 1, id);
    ld_store_q_int(q, 2, ev->manifest);
    rc = ld_store_q_step(q);
    if (rc == LD_OK)
        snprintf(pending, sizeof pending, "%s", ld_store_q_col_text(q, 0));
    ld_store_q_done(q);
    if (rc != LD_OK)
        return LD_TAMPERED;
    left = without(pending, ev->actor);
    if (left == NULL)
        return LD_TAMPERED;
    rc = ld_store_q(s, q_corr_set, &q);
    if (rc == LD_OK) {
        ld_store_q_text(q, 1, id);
        ld_store_q_text(q, 2, left);
        if (left[0] == '\0')
            ld_store_q_int(q, 3, (int64_t)idx);
        else
            ld_store_q_null(q, 3);
        rc = ld_store_q_exec(q);
    }
    free(left);
    return rc;
}

const struct ld_rule ld_rules_correct[] = {
    {"manifest.correct", LD_RULE_MANIFEST, NULL, correct_check, correct_apply},
    {"manifest.approve", LD_RULE_MANIFEST, NULL, approve_check, approve_apply},
};
const size_t ld_rules_correct_count = sizeof ld_rules_correct / sizeof *ld_rules_correct;
