/*
 * err.h - the one result type of liandan, and validation detail.
 *
 * Every fallible function in src/ returns enum ld_rc. Out-parameters are set
 * only when it returns LD_OK. Callers that need to know *what* was wrong pass a
 * struct ld_err, which names the field (a JSON path such as "event.body.roles[1]")
 * and carries a one-line human message. The numeric values are a contract: they
 * appear as "code" in JSON error bodies and must never be renumbered.
 */
#ifndef LIANDAN_ERR_H
#define LIANDAN_ERR_H

#include <stddef.h>

enum ld_rc {
    LD_OK = 0,
    LD_NOMEM = 1,     /* allocation failed (only where we do not abort) */
    LD_IO = 2,        /* file or socket I/O failed */
    LD_PARSE = 3,     /* input is not well-formed (JSON, base64, note, key line) */
    LD_INVALID = 4,   /* well-formed but a value is out of range or not allowed */
    LD_BADSIG = 5,    /* signature does not verify under the named key */
    LD_WRONGKEY = 6,  /* key id unknown, not certified, revoked, expired or wrong passphrase */
    LD_NOTFOUND = 7,  /* no such event, manifest, party or index */
    LD_CONFLICT = 8,  /* a different event already extends this prev (fork) */
    LD_DB = 9,        /* storage failed (details only in the log, never to clients) */
    LD_RULE = 10,     /* refused by a domain rule (rules hook) */
    LD_EXISTS = 11,   /* identical event already accepted (idempotent resubmission) */
    LD_TAMPERED = 12, /* stored data fails verification */
    LD_BUSY = 13,     /* database locked or busy */
    LD_RC_COUNT_
};

/* Stable lowercase name of rc ("ok", "nomem", "badsig", ...); never NULL. */
const char *ld_rc_str(enum ld_rc rc);

#define LD_ERR_FIELD_MAX 128
#define LD_ERR_MSG_MAX 256

#define LD_ERR_MORE 7 /* further violations kept beside the first */

/* One further violation (see struct ld_err). */
struct ld_err_more {
    enum ld_rc rc;
    char field[LD_ERR_FIELD_MAX];
    char msg[LD_ERR_MSG_MAX];
};

/* Validation detail: which field failed and why. Zero-initialise before use.
 * The first error recorded is rc/field/msg; checks that go on after a
 * violation (every line of a manifest, say) add the next ones, each about
 * another field, to more[] (up to LD_ERR_MORE), so that a client learns of
 * every violation in one answer. */
struct ld_err {
    enum ld_rc rc;                /* same value the function returned */
    char field[LD_ERR_FIELD_MAX]; /* JSON path of the offending field, "" if none */
    char msg[LD_ERR_MSG_MAX];     /* lowercase, no full stop, quotes its subject */
    unsigned nmore;               /* entries used in more[] */
    struct ld_err_more more[LD_ERR_MORE]; /* further violations, in the order found */
};

/*
 * Record rc, field and a printf-style message in *e and return rc, so that
 * callers can write `rc = ld_err_set(err, LD_INVALID, "event.at", "...")`.
 * e may be NULL (then only rc is returned). field may be NULL. The first error
 * recorded wins: a later call does not overwrite an already set e->rc; it is
 * kept in e->more when it names a field not named yet (and there is room).
 */
enum ld_rc ld_err_set(struct ld_err *e, enum ld_rc rc, const char *field, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;

/* Reset e to "no error". e may be NULL. */
void ld_err_clear(struct ld_err *e);

#endif
