/*
 * cmd_init.c - `liandan init`: create a ledger with the regulator's verifier
 * key pinned and the ledger's own signing key (DESIGN.md §2.3, §4.4).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "liandan/banned.h"

static const char usage[] =
    "usage: liandan init [--db DB] --origin ORIGIN --regulator REG.pub [--ledger-key FILE]\n"
    "\n"
    "Creates the ledger DB. ORIGIN names the log in its checkpoints (e.g.\n"
    "dalian.example/liandan). REG.pub is the regulator's verifier key line. The\n"
    "ledger signs receipts and checkpoints with FILE (default DB.ledger.key),\n"
    "which is generated unencrypted (mode 0600) if it does not exist; an\n"
    "encrypted FILE is opened with $LIANDAN_LEDGER_PASSPHRASE.\n"
    "Prints the ledger's verifier key line.\n";

int
cmd_init(int argc, char **argv)
{
    static const struct option opts[] = {
        {"db", required_argument, NULL, 'd'},
        {"origin", required_argument, NULL, 'o'},
        {"regulator", required_argument, NULL, 'r'},
        {"ledger-key", required_argument, NULL, 'k'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *db = NULL, *origin = NULL, *reg = NULL, *key = NULL;
    char *text = NULL, *vkey = NULL;
    size_t len = 0;
    struct ld_sig_pub regpub;
    struct ld_err err;
    enum ld_rc rc;
    int c;

    memset(&err, 0, sizeof err);
    optind = 0;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        int ok = 1;
        switch (c) {
        case 'd': ok = cli_once("init", &db, optarg, "db"); break;
        case 'o': ok = cli_once("init", &origin, optarg, "origin"); break;
        case 'r': ok = cli_once("init", &reg, optarg, "regulator"); break;
        case 'k': ok = cli_once("init", &key, optarg, "ledger-key"); break;
        case 'h': return cli_usage(usage, 1);
        default: return cli_usage(usage, 0);
        }
        if (!ok)
            return cli_usage(usage, 0);
    }
    if (origin == NULL || reg == NULL || optind != argc) {
        cli_err("init", "%s", origin == NULL ? "missing --origin"
                              : reg == NULL  ? "missing --regulator"
                                             : "unexpected argument");
        return cli_usage(usage, 0);
    }
    if (cli_read(reg, &text, &len) != LD_OK) {
        cli_err("init", "cannot read '%s'", reg);
        return EXIT_USAGE;
    }
    rc = ld_sig_vkey_parse(text, len, &regpub);
    free(text);
    if (rc != LD_OK) {
        cli_err("init", "'%s' is not a verifier key line", reg);
        return EXIT_USAGE;
    }
    rc = ld_ledger_create(cli_db(db), origin, &regpub, key, cli_ledger_passphrase(), &vkey, &err);
    if (rc != LD_OK) {
        cli_fail("init", cli_db(db), rc, &err);
        return EXIT_USAGE;
    }
    puts(vkey);
    free(vkey);
    return EXIT_OK;
}
