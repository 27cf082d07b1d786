/*
 * err.c - names of result codes and the ld_err helper (see include/liandan/err.h).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "liandan/err.h"
#include "liandan/banned.h"

static const char *const names[LD_RC_COUNT_] = {
    [LD_OK] = "ok",           [LD_NOMEM] = "nomem",       [LD_IO] = "io",
    [LD_PARSE] = "parse",     [LD_INVALID] = "invalid",   [LD_BADSIG] = "badsig",
    [LD_WRONGKEY] = "wrongkey", [LD_NOTFOUND] = "notfound", [LD_CONFLICT] = "conflict",
    [LD_DB] = "db",           [LD_RULE] = "rule",         [LD_EXISTS] = "exists",
    [LD_TAMPERED] = "tampered", [LD_BUSY] = "busy",
};

const char *
ld_rc_str(enum ld_rc rc)
{
    if ((unsigned)rc >= LD_RC_COUNT_ || names[rc] == NULL)
        return "unknown";
    return names[rc];
}

enum ld_rc
ld_err_set(struct ld_err *e, enum ld_rc rc, const char *field, const char *fmt, ...)
{
    va_list ap;

    if (e == NULL)
        return rc;
    if (e->rc != LD_OK) {
        struct ld_err_more *m;
        unsigned i;
        if (field == NULL || *field == '\0' || e->nmore >= LD_ERR_MORE ||
            strcmp(field, e->field) == 0)
            return rc;
        for (i = 0; i < e->nmore; i++)
            if (strcmp(field, e->more[i].field) == 0)
                return rc;
        m = &e->more[e->nmore++];
        m->rc = rc;
        snprintf(m->field, sizeof m->field, "%s", field);
        va_start(ap, fmt);
        vsnprintf(m->msg, sizeof m->msg, fmt, ap);
        va_end(ap);
        return rc;
    }
    e->rc = rc;
    snprintf(e->field, sizeof e->field, "%s", field ? field : "");
    va_start(ap, fmt);
    vsnprintf(e->msg, sizeof e->msg, fmt, ap);
    va_end(ap);
    return rc;
}

void
ld_err_clear(struct ld_err *e)
{
    if (e != NULL)
        memset(e, 0, sizeof *e);
}
