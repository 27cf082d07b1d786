/*
 * cmd_reindex.c - `liandan reindex`: rebuild every derived table (Merkle
 * nodes, chain heads, parties, keys, domain tables) from the events alone.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "liandan/banned.h"

static const char usage[] = "usage: liandan reindex [--db DB]\n"
                            "\nRebuilds the derived tables from the events in one transaction.\n";

int
cmd_reindex(int argc, char **argv)
{
    static const struct option opts[] = {
        {"db", required_argument, NULL, 'd'}, {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
    const char *db = NULL;
    struct ld_ledger *l = NULL;
    struct ld_err err;
    enum ld_rc rc;
    int c;

    memset(&err, 0, sizeof err);
    optind = 0;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        if (c == 'h')
            return cli_usage(usage, 1);
        if (c != 'd' || !cli_once("reindex", &db, optarg, "db"))
            return cli_usage(usage, 0);
    }
    if (optind != argc)
        return cli_usage(usage, 0);
    if (cli_open("reindex", db, 0, &l) != LD_OK)
        return EXIT_USAGE;
    rc = ld_ledger_reindex(l, &err);
    if (rc == LD_OK)
        printf("reindexed %llu events\n", (unsigned long long)ld_ledger_size(l));
    else
        cli_fail("reindex", cli_db(db), rc, &err);
    ld_ledger_close(l);
    return cli_exit(rc);
}
