/*
 * cli.h - what the liandan subcommands share: the command table entry,
 * exit codes (STYLE.md rule 14), messages (rule 15), the ledger path default,
 * reading inputs ('-' is stdin), passphrases and key files.
 */
#ifndef LIANDAN_CLI_H
#define LIANDAN_CLI_H

#include <stddef.h>

#include "liandan/err.h"
#include "liandan/ledger.h"
#include "liandan/sig.h"

#define EXIT_OK 0       /* success, or valid */
#define EXIT_REJECT 1   /* rejected, invalid, verification failed */
#define EXIT_USAGE 2    /* usage, I/O or database error */

struct cli_cmd {
    const char *name;                  /* subcommand */
    int (*fn)(int argc, char **argv);  /* cmd_<name>; argv[0] is the subcommand */
    const char *summary;               /* one line for 'liandan --help' */
};

/* Print "liandan NAME: MESSAGE\n" to stderr. */
void cli_err(const char *cmd, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* Print usage to stderr (or stdout for -h) and return EXIT_USAGE (or EXIT_OK). */
int cli_usage(const char *usage, int asked);

/* Exit code for a library result: 0 for LD_OK/LD_EXISTS, 2 for I/O, DB, busy,
 * memory and not-found-ledger errors, 1 for everything that judges the input. */
int cli_exit(enum ld_rc rc);

/* Report err (or rc) for subject and return the exit code. */
int cli_fail(const char *cmd, const char *subject, enum ld_rc rc, const struct ld_err *err);

/* The ledger path: the --db value, else $LIANDAN_DB, else "./liandan.db". */
const char *cli_db(const char *opt);

/* Read a whole file ('-' = stdin). [out] *out (free()), *len. Returns LD_OK or LD_IO. */
enum ld_rc cli_read(const char *path, char **out, size_t *len);

/* Passphrase for a new key: $LIANDAN_PASSPHRASE, else asked twice on /dev/tty.
 * [out] *out: new string (wipe and free). Returns LD_OK or LD_IO (no tty). */
enum ld_rc cli_new_passphrase(char **out);

/* Load a secret key file, asking for its passphrase ($LIANDAN_PASSPHRASE or
 * /dev/tty) when it is encrypted. Prints its own error. Returns LD_OK or the failure. */
enum ld_rc cli_load_key(const char *cmd, const char *path, struct ld_sig_secret **out);

/* Open the ledger at cli_db(db) with every rule set registered. Prints its own
 * error. readonly: open read-only. */
enum ld_rc cli_open(const char *cmd, const char *db, int readonly, struct ld_ledger **out);

/* Parse a non-negative decimal. Returns 1 on success. */
int cli_u64(const char *s, unsigned long long *out);

/* Ledger key passphrase for commands that sign receipts/checkpoints. */
const char *cli_ledger_passphrase(void);

/* Record option `name` = val in *slot; refuses a repeated option (prints the
 * error). Returns 1, or 0 when the option was already given. */
int cli_once(const char *cmd, const char **slot, const char *val, const char *name);

/* Sign event (an object; "key" is filled from s) and append it to l.
 * Prints the receipt JSON on stdout, or the error. Returns the exit code. */
int cli_sign_append(const char *cmd, struct ld_ledger *l, cJSON *event,
                    const struct ld_sig_secret *s);

/* Each subcommand. */
int cmd_keygen(int argc, char **argv);
int cmd_init(int argc, char **argv);
int cmd_party(int argc, char **argv);
int cmd_ledger_key(int argc, char **argv);
int cmd_checkpoint(int argc, char **argv);
int cmd_log(int argc, char **argv);
int cmd_entry(int argc, char **argv);
int cmd_prove(int argc, char **argv);
int cmd_verify(int argc, char **argv);
int cmd_submit(int argc, char **argv);
int cmd_sign(int argc, char **argv);
int cmd_reindex(int argc, char **argv);
int cmd_event(int argc, char **argv); /* file cancel pickup handover arrive receive reject dispose */
int cmd_show(int argc, char **argv);
int cmd_calendar(int argc, char **argv);
int cmd_attach(int argc, char **argv);
int cmd_attachment(int argc, char **argv);

/* Store the file at path as an attachment of type; [out] hash (hex SHA-256).
 * Prints its own errors; returns an exit code. */
int cli_attach(const char *cmd, struct ld_ledger *l, const char *path, const char *type,
               char hash[65]);
int cmd_list(int argc, char **argv);
int cmd_trace(int argc, char **argv);
int cmd_bundle(int argc, char **argv);
int cmd_serve(int argc, char **argv);
int cmd_auth(int argc, char **argv);
int cmd_audit(int argc, char **argv);
int cmd_stats(int argc, char **argv);

#endif
