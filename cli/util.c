/*
 * util.c - helpers shared by the liandan subcommands (cli/cli.h): messages,
 * exit codes, input files, passphrases, opening the ledger.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "cli.h"
#include "liandan/buf.h"
#include "liandan/domain.h"
#include "liandan/mem.h"
#include "liandan/banned.h"

void
cli_err(const char *cmd, const char *fmt, ...)
{
    va_list ap;

    fprintf(stderr, "liandan %s: ", cmd);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

int
cli_usage(const char *usage, int asked)
{
    fputs(usage, asked ? stdout : stderr);
    return asked ? EXIT_OK : EXIT_USAGE;
}

int
cli_exit(enum ld_rc rc)
{
    switch (rc) {
    case LD_OK:
    case LD_EXISTS:
        return EXIT_OK;
    case LD_IO:
    case LD_DB:
    case LD_BUSY:
    case LD_NOMEM:
        return EXIT_USAGE;
    default:
        return EXIT_REJECT;
    }
}

int
cli_fail(const char *cmd, const char *subject, enum ld_rc rc, const struct ld_err *err)
{
    unsigned i;

    if (err && err->rc != LD_OK && err->msg[0]) {
        if (err->field[0])
            cli_err(cmd, "'%s': %s: %s (%s)", subject, err->field, err->msg, ld_rc_str(err->rc));
        else
            cli_err(cmd, "'%s': %s (%s)", subject, err->msg, ld_rc_str(err->rc));
        for (i = 0; i < err->nmore; i++)
            cli_err(cmd, "'%s': %s: %s (%s)", subject, err->more[i].field, err->more[i].msg,
                    ld_rc_str(err->more[i].rc));
    } else {
        cli_err(cmd, "'%s': %s", subject, ld_rc_str(rc));
    }
    return cli_exit(rc);
}

const char *
cli_db(const char *opt)
{
    const char *env = getenv("LIANDAN_DB");

    if (opt)
        return opt;
    if (env && *env)
        return env;
    return "liandan.db";
}

enum ld_rc
cli_read(const char *path, char **out, size_t *len)
{
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    struct ld_buf b = LD_BUF_INIT;
    enum ld_rc rc;

    if (f == NULL)
        return LD_IO;
    rc = ld_buf_read_stream(&b, f);
    if (f != stdin)
        fclose(f);
    if (rc != LD_OK) {
        ld_buf_release(&b);
        return LD_IO;
    }
    *out = ld_buf_detach(&b, len);
    return LD_OK;
}

/* Ask on /dev/tty without echo. [out] *out: new string. */
static enum ld_rc
ask(const char *prompt, char **out)
{
    struct termios old, quiet;
    char line[1024];
    FILE *tty = fopen("/dev/tty", "r+");
    int restore = 0;
    size_t n;

    if (tty == NULL)
        return LD_IO;
    fputs(prompt, tty);
    fflush(tty);
    if (tcgetattr(fileno(tty), &old) == 0) {
        quiet = old;
        quiet.c_lflag &= ~(tcflag_t)ECHO;
        restore = tcsetattr(fileno(tty), TCSAFLUSH, &quiet) == 0;
    }
    if (fgets(line, sizeof line, tty) == NULL)
        line[0] = '\0';
    if (restore)
        tcsetattr(fileno(tty), TCSAFLUSH, &old);
    fputc('\n', tty);
    fclose(tty);
    n = strcspn(line, "\r\n");
    *out = ld_xstrndup(line, n);
    memset(line, 0, sizeof line);
    return LD_OK;
}

static void
wipe(char *s)
{
    if (s) {
        memset(s, 0, strlen(s));
        free(s);
    }
}

enum ld_rc
cli_new_passphrase(char **out)
{
    const char *env = getenv("LIANDAN_PASSPHRASE");
    char *a = NULL, *b = NULL;
    enum ld_rc rc;

    if (env) {
        if (*env == '\0')
            return LD_INVALID;
        *out = ld_xstrdup(env);
        return LD_OK;
    }
    rc = ask("new passphrase: ", &a);
    if (rc == LD_OK)
        rc = ask("repeat passphrase: ", &b);
    if (rc == LD_OK && (strcmp(a, b) != 0 || a[0] == '\0'))
        rc = LD_INVALID;
    if (rc == LD_OK) {
        *out = a;
        a = NULL;
    }
    wipe(a);
    wipe(b);
    return rc;
}

enum ld_rc
cli_load_key(const char *cmd, const char *path, struct ld_sig_secret **out)
{
    char *text = NULL, *pass = NULL;
    const char *env = getenv("LIANDAN_PASSPHRASE");
    size_t len = 0;
    struct ld_err err;
    enum ld_rc rc;

    memset(&err, 0, sizeof err);
    rc = cli_read(path, &text, &len);
    if (rc != LD_OK) {
        cli_err(cmd, "cannot read key '%s': %s", path, strerror(errno));
        return LD_IO;
    }
    if (ld_sig_secret_encrypted(text, len) == 1) {
        if (env)
            pass = ld_xstrdup(env);
        else if (ask("passphrase: ", &pass) != LD_OK) {
            cli_err(cmd, "'%s' is encrypted: set LIANDAN_PASSPHRASE or run on a terminal", path);
            rc = LD_IO;
            goto out;
        }
    }
    rc = ld_sig_secret_import(text, len, pass, out, &err);
    if (rc == LD_WRONGKEY)
        cli_err(cmd, "cannot open key '%s': wrong passphrase", path);
    else if (rc != LD_OK)
        cli_err(cmd, "'%s' is not a liandan key file: %s", path, err.msg[0] ? err.msg : ld_rc_str(rc));
out:
    if (text) {
        memset(text, 0, len);
        free(text);
    }
    wipe(pass);
    return rc;
}

const char *
cli_ledger_passphrase(void)
{
    return getenv("LIANDAN_LEDGER_PASSPHRASE");
}

enum ld_rc
cli_open(const char *cmd, const char *db, int readonly, struct ld_ledger **out)
{
    struct ld_ledger_opts opts;
    struct ld_err err;
    const char *path = cli_db(db);
    enum ld_rc rc;

    memset(&opts, 0, sizeof opts);
    memset(&err, 0, sizeof err);
    opts.store_flags = readonly ? LD_STORE_READONLY : 0;
    opts.key_passphrase = cli_ledger_passphrase();
    rc = ld_ledger_open(path, &opts, out, &err);
    if (rc != LD_OK) {
        cli_err(cmd, "%s", err.msg[0] ? err.msg : ld_rc_str(rc));
        return rc;
    }
    rc = ld_domain_register(*out);
    if (rc != LD_OK) {
        cli_err(cmd, "cannot register the manifest rules");
        ld_ledger_close(*out);
        *out = NULL;
    }
    return rc;
}

int
cli_u64(const char *s, unsigned long long *out)
{
    char *end = NULL;
    unsigned long long v;

    if (s == NULL || *s < '0' || *s > '9')
        return 0;
    errno = 0;
    v = strtoull(s, &end, 10);
    if (errno != 0 || *end != '\0')
        return 0;
    *out = v;
    return 1;
}

int
cli_once(const char *cmd, const char **slot, const char *val, const char *name)
{
    if (*slot != NULL) {
        cli_err(cmd, "option '--%s' given twice", name);
        return 0;
    }
    *slot = val;
    return 1;
}

int
cli_sign_append(const char *cmd, struct ld_ledger *l, cJSON *event, const struct ld_sig_secret *s)
{
    struct ld_receipt r;
    struct ld_err err;
    char *entry = NULL, *json = NULL;
    size_t len = 0;
    enum ld_rc rc;

    memset(&err, 0, sizeof err);
    rc = ld_event_sign(event, s, &entry, &len, &err);
    if (rc == LD_OK)
        rc = ld_ledger_append(l, entry, len, &r, &err);
    if (rc == LD_OK || rc == LD_EXISTS) {
        json = ld_receipt_json(&r);
        puts(json);
        if (rc == LD_EXISTS)
            cli_err(cmd, "event %s was already accepted: original receipt", r.id);
        free(json);
        free(entry);
        return EXIT_OK;
    }
    free(entry);
    return cli_fail(cmd, "event", rc, &err);
}
