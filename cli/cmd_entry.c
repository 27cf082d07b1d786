/*
 * cmd_entry.c - `liandan entry`: the raw entry bytes of one event, exactly
 * the Merkle leaf data (DESIGN.md §4.3), with no newline added.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
#include "liandan/banned.h"

static const char usage[] = "usage: liandan entry [--db DB] ID|INDEX\n"
                            "\nWrites the canonical entry of the event (id in hex, or leaf index)\n"
                            "to stdout, byte for byte.\n";

int
cmd_entry(int argc, char **argv)
{
    static const struct option opts[] = {
        {"db", required_argument, NULL, 'd'}, {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
    const char *db = NULL;
    struct ld_ledger *l = NULL;
    struct ld_store_event row;
    uint64_t idx = 0;
    enum ld_rc rc;
    int c;

    optind = 0;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        if (c == 'h')
            return cli_usage(usage, 1);
        if (c != 'd' || !cli_once("entry", &db, optarg, "db"))
            return cli_usage(usage, 0);
    }
    if (optind != argc - 1) {
        cli_err("entry", optind == argc ? "missing ID or INDEX" : "too many arguments");
        return cli_usage(usage, 0);
    }
    if (cli_open("entry", db, 1, &l) != LD_OK)
        return EXIT_USAGE;
    rc = ld_ledger_lookup(l, argv[optind], &idx);
    if (rc == LD_OK)
        rc = ld_store_event_get(ld_ledger_store(l), idx, &row);
    if (rc == LD_OK) {
        fwrite(row.entry, 1, row.entry_len, stdout);
        free(row.entry);
    } else {
        cli_err("entry", "'%s': %s", argv[optind],
                rc == LD_INVALID ? "not an event id or index" : "no such event");
    }
    ld_ledger_close(l);
    return rc == LD_OK ? EXIT_OK : rc == LD_NOTFOUND || rc == LD_INVALID ? EXIT_REJECT : EXIT_USAGE;
}
