/*
 * cmd_checkpoint.c - `liandan checkpoint`: print the latest signed checkpoint
 * (C2SP tlog-checkpoint in a signed note), signing a new one if the log grew.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "liandan/banned.h"

static const char usage[] =
    "usage: liandan checkpoint [--db DB]\n"
    "\nPrints the latest signed checkpoint; signs and stores a new one first when\n"
    "the log has grown since the last.\n";

int
cmd_checkpoint(int argc, char **argv)
{
    static const struct option opts[] = {
        {"db", required_argument, NULL, 'd'}, {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
    const char *db = NULL;
    struct ld_ledger *l = NULL;
    char *note = NULL;
    enum ld_rc rc;
    int c;

    optind = 0;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        if (c == 'h')
            return cli_usage(usage, 1);
        if (c != 'd' || !cli_once("checkpoint", &db, optarg, "db"))
            return cli_usage(usage, 0);
    }
    if (optind != argc)
        return cli_usage(usage, 0);
    if (cli_open("checkpoint", db, 0, &l) != LD_OK)
        return EXIT_USAGE;
    rc = ld_ledger_checkpoint(l, &note, NULL);
    if (rc == LD_OK)
        fputs(note, stdout);
    else
        cli_err("checkpoint", "cannot sign a checkpoint for '%s' (%s)", cli_db(db), ld_rc_str(rc));
    free(note);
    ld_ledger_close(l);
    return rc == LD_OK ? EXIT_OK : EXIT_USAGE;
}
