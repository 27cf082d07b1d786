/*
 * domain.c - queries the manifest-domain rules share (include/liandan/domain.h):
 * roles, districts, licences and their scope, manifest rows. SQL is kept to
 * portable statements run through the store's prepared-statement cache.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "liandan/domain.h"
#include "liandan/tm.h"
#include "liandan/banned.h"

/* SPEC: DESIGN.md §5 - dates and deadlines count in China Standard Time. */
#define CST_OFFSET (8 * 3600)

int64_t
ld_domain_day(int64_t t)
{
    int64_t s = t + CST_OFFSET;
    return s >= 0 ? s / LD_TM_DAY : (s - LD_TM_DAY + 1) / LD_TM_DAY;
}

static const char q_party[] = "SELECT roles, district FROM parties WHERE id = ?1";

enum ld_rc
ld_domain_role(struct ld_store *s, const char *id, const char *role, const char *field,
               struct ld_err *err)
{
    struct ld_store_q *q = NULL;
    enum ld_rc rc = ld_store_q(s, q_party, &q);
    char roles[128];
    const char *p;
    size_t n = strlen(role);
    int found = 0;

    if (rc != LD_OK)
        return ld_err_set(err, rc, "", "cannot read parties");
    ld_store_q_text(q, 1, id);
    rc = ld_store_q_step(q);
    if (rc == LD_OK)
        snprintf(roles, sizeof roles, "%s", ld_store_q_col_text(q, 0));
    ld_store_q_done(q);
    if (rc == LD_NOTFOUND)
        return ld_err_set(err, LD_RULE, field, "party %s is not registered", id);
    if (rc != LD_OK)
        return ld_err_set(err, rc, "", "cannot read parties");
    for (p = roles; *p; p++)
        if ((p == roles || p[-1] == ',') && strncmp(p, role, n) == 0 &&
            (p[n] == ',' || p[n] == '\0'))
            found = 1;
    if (!found)
        return ld_err_set(err, LD_RULE, field, "party %s is not registered as a %s", id, role);
    return LD_OK;
}

enum ld_rc
ld_domain_district(struct ld_store *s, const char *id, char out[7])
{
    struct ld_store_q *q = NULL;
    enum ld_rc rc = ld_store_q(s, q_party, &q);

    if (rc != LD_OK)
        return rc;
    ld_store_q_text(q, 1, id);
    rc = ld_store_q_step(q);
    if (rc == LD_OK)
        snprintf(out, 7, "%s", ld_store_q_col_text(q, 1));
    ld_store_q_done(q);
    return rc;
}

static const char q_licence[] =
    "SELECT number, valid_from, valid_until FROM licences WHERE party = ?1 AND kind = ?2";

enum ld_rc
ld_domain_licence(struct ld_store *s, const char *party, const char *kind, int64_t day,
                  const char *field, struct ld_err *err)
{
    struct ld_store_q *q = NULL;
    enum ld_rc rc = ld_store_q(s, q_licence, &q);
    char d1[LD_TM_DATE_LEN] = "", d2[LD_TM_DATE_LEN] = "", num[64] = "";
    int64_t from = 0, until = 0;

    if (rc != LD_OK)
        return ld_err_set(err, rc, "", "cannot read licences");
    ld_store_q_text(q, 1, party);
    ld_store_q_text(q, 2, kind);
    rc = ld_store_q_step(q);
    if (rc == LD_OK) {
        snprintf(num, sizeof num, "%s", ld_store_q_col_text(q, 0));
        from = ld_store_q_col_int(q, 1);
        until = ld_store_q_col_int(q, 2);
    }
    ld_store_q_done(q);
    if (rc == LD_NOTFOUND)
        return ld_err_set(err, LD_RULE, field, "%s holds no %s licence", party, kind);
    if (rc != LD_OK)
        return ld_err_set(err, rc, "", "cannot read licences");
    if (day < from || day > until) {
        ld_tm_format_date(from * LD_TM_DAY, d1);
        ld_tm_format_date(until * LD_TM_DAY, d2);
        return ld_err_set(err, LD_RULE, field, "%s licence %s of %s is valid %s to %s", kind, num,
                          party, d1, d2);
    }
    return LD_OK;
}

static const char q_scope[] =
    "SELECT 1 FROM licence_scope WHERE party = ?1 AND kind = ?2 AND item IN (?3, ?4) "
    "AND licensed = 1";

int
ld_domain_scope(struct ld_store *s, const char *party, const char *kind, const char *item,
                const char *category)
{
    struct ld_store_q *q = NULL;
    int found;

    if (ld_store_q(s, q_scope, &q) != LD_OK)
        return 0;
    ld_store_q_text(q, 1, party);
    ld_store_q_text(q, 2, kind);
    ld_store_q_text(q, 3, item);
    ld_store_q_text(q, 4, category ? category : item);
    found = ld_store_q_step(q) == LD_OK;
    ld_store_q_done(q);
    return found;
}

static const char q_manifest[] =
    "SELECT producer, receiver, carrier, state, leg, COALESCE(leg_carrier, ''), "
    "(SELECT COUNT(*) FROM lines WHERE manifest = ?1) FROM manifests WHERE number = ?1";

enum ld_rc
ld_domain_manifest_get(struct ld_store *s, int64_t number, struct ld_domain_manifest *m)
{
    struct ld_store_q *q = NULL;
    enum ld_rc rc = ld_store_q(s, q_manifest, &q);

    if (rc != LD_OK)
        return rc;
    ld_store_q_int(q, 1, number);
    rc = ld_store_q_step(q);
    if (rc == LD_OK) {
        memset(m, 0, sizeof *m);
        m->number = number;
        snprintf(m->producer, sizeof m->producer, "%s", ld_store_q_col_text(q, 0));
        snprintf(m->receiver, sizeof m->receiver, "%s", ld_store_q_col_text(q, 1));
        snprintf(m->carrier, sizeof m->carrier, "%s", ld_store_q_col_text(q, 2));
        snprintf(m->state, sizeof m->state, "%s", ld_store_q_col_text(q, 3));
        m->leg = ld_store_q_col_int(q, 4);
        snprintf(m->leg_carrier, sizeof m->leg_carrier, "%s", ld_store_q_col_text(q, 5));
        m->nlines = (int)ld_store_q_col_int(q, 6);
    }
    ld_store_q_done(q);
    return rc;
}

static const char *const state_sql[] = {
    "UPDATE manifests SET state = ?2 WHERE number = ?1",
    "UPDATE manifests SET state = ?2, picked_at = ?3 WHERE number = ?1",
    "UPDATE manifests SET state = ?2, arrived_at = ?3 WHERE number = ?1",
    "UPDATE manifests SET state = ?2, received_at = ?3 WHERE number = ?1",
    "UPDATE manifests SET state = ?2, closed_at = ?3 WHERE number = ?1",
};

enum ld_rc
ld_domain_manifest_state(struct ld_store *s, int64_t number, const char *state, const char *col,
                         int64_t t)
{
    static const char *const cols[] = {NULL, "picked_at", "arrived_at", "received_at",
                                       "closed_at"};
    struct ld_store_q *q = NULL;
    size_t i = 0;
    enum ld_rc rc;

    if (col)
        for (i = 1; i < sizeof cols / sizeof *cols && strcmp(cols[i], col) != 0; i++)
            ;
    if (i == sizeof cols / sizeof *cols)
        return LD_INVALID;
    rc = ld_store_q(s, state_sql[i], &q);
    if (rc != LD_OK)
        return rc;
    ld_store_q_int(q, 1, number);
    ld_store_q_text(q, 2, state);
    if (i)
        ld_store_q_int(q, 3, t);
    return ld_store_q_exec(q);
}

/* The rule sets as one table, assembled once. */
static struct ld_rule all_rules[32];
static size_t all_count;
static pthread_once_t all_once = PTHREAD_ONCE_INIT;

static void
assemble(void)
{
    const struct ld_rule *sets[] = {ld_rules_licence, ld_rules_manifest, ld_rules_transport,
                                    ld_rules_receipt, ld_rules_correct, ld_rules_calendar};
    const size_t counts[] = {ld_rules_licence_count, ld_rules_manifest_count,
                             ld_rules_transport_count, ld_rules_receipt_count,
                             ld_rules_correct_count, ld_rules_calendar_count};
    size_t i, j;

    for (i = 0; i < sizeof sets / sizeof *sets; i++)
        for (j = 0; j < counts[i] && all_count < sizeof all_rules / sizeof *all_rules; j++)
            all_rules[all_count++] = sets[i][j];
}

const struct ld_rule *
ld_domain_rules(size_t *n)
{
    pthread_once(&all_once, assemble);
    *n = all_count;
    return all_rules;
}

enum ld_rc
ld_domain_register(struct ld_ledger *l)
{
    size_t n;
    const struct ld_rule *r = ld_domain_rules(&n);

    return ld_ledger_add_rules(l, r, n);
}
