/*
 * cmd_ledger_key.c - `liandan ledger-key`: print the ledger's verifier key
 * line (the key its checkpoints and receipts are signed with).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "liandan/banned.h"

static const char usage[] = "usage: liandan ledger-key [--db DB]\n"
                            "\nPrints the ledger's verifier key line (C2SP signed-note form).\n";

int
cmd_ledger_key(int argc, char **argv)
{
    static const struct option opts[] = {
        {"db", required_argument, NULL, 'd'}, {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
    const char *db = NULL;
    struct ld_ledger *l = NULL;
    char *vkey;
    int c;

    optind = 0;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        if (c == 'h')
            return cli_usage(usage, 1);
        if (c != 'd' || !cli_once("ledger-key", &db, optarg, "db"))
            return cli_usage(usage, 0);
    }
    if (optind != argc)
        return cli_usage(usage, 0);
    if (cli_open("ledger-key", db, 1, &l) != LD_OK)
        return EXIT_USAGE;
    vkey = ld_sig_vkey_format(ld_ledger_key(l));
    puts(vkey);
    free(vkey);
    ld_ledger_close(l);
    return EXIT_OK;
}
