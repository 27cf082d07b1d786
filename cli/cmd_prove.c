/*
 * cmd_prove.c - `liandan prove inclusion|consistency`: RFC 6962 proofs as
 * the JSON of DESIGN.md §4.4, checkable with any RFC 6962 implementation.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "liandan/banned.h"

static const char usage[] =
    "usage: liandan prove inclusion   [--db DB] ID|INDEX [--size N]\n"
    "       liandan prove consistency [--db DB] OLD_SIZE NEW_SIZE\n"
    "\nPrints the proof as JSON. --size defaults to the current tree size.\n";

int
cmd_prove(int argc, char **argv)
{
    static const struct option opts[] = {{"db", required_argument, NULL, 'd'},
                                         {"size", required_argument, NULL, 's'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    const char *db = NULL, *size = NULL, *verb;
    unsigned long long n = 0, a = 0, b = 0;
    struct ld_ledger *l = NULL;
    char *json = NULL;
    uint64_t idx = 0;
    enum ld_rc rc;
    int c, inclusion;

    if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0))
        return cli_usage(usage, 1);
    if (argc < 2 || (strcmp(argv[1], "inclusion") != 0 && strcmp(argv[1], "consistency") != 0)) {
        cli_err("prove", "missing or unknown kind: inclusion or consistency");
        return cli_usage(usage, 0);
    }
    verb = argv[1];
    inclusion = strcmp(verb, "inclusion") == 0;
    optind = 0;
    while ((c = getopt_long(argc - 1, argv + 1, "h", opts, NULL)) != -1) {
        int ok = 1;
        switch (c) {
        case 'd': ok = cli_once("prove", &db, optarg, "db"); break;
        case 's': ok = inclusion && cli_once("prove", &size, optarg, "size"); break;
        case 'h': return cli_usage(usage, 1);
        default: return cli_usage(usage, 0);
        }
        if (!ok)
            return cli_usage(usage, 0);
    }
    argc -= 1 + optind;
    argv += 1 + optind;
    if (argc != (inclusion ? 1 : 2)) {
        cli_err("prove", "%s takes %s", verb, inclusion ? "one ID or INDEX" : "OLD_SIZE NEW_SIZE");
        return cli_usage(usage, 0);
    }
    if ((size && !cli_u64(size, &n)) ||
        (!inclusion && (!cli_u64(argv[0], &a) || !cli_u64(argv[1], &b)))) {
        cli_err("prove", "sizes must be non-negative integers");
        return EXIT_USAGE;
    }
    if (cli_open("prove", db, 1, &l) != LD_OK)
        return EXIT_USAGE;
    if (inclusion) {
        rc = ld_ledger_lookup(l, argv[0], &idx);
        if (rc == LD_OK)
            rc = ld_ledger_prove_inclusion(l, idx, n, &json);
        if (rc == LD_NOTFOUND)
            cli_err("prove", "'%s': no such event", argv[0]);
        else if (rc == LD_INVALID)
            cli_err("prove", "'%s': not an event id or index, or --size out of range", argv[0]);
    } else {
        rc = ld_ledger_prove_consistency(l, a, b, &json);
        if (rc == LD_INVALID)
            cli_err("prove", "need 0 < OLD_SIZE <= NEW_SIZE <= %llu",
                    (unsigned long long)ld_ledger_size(l));
    }
    if (rc == LD_OK)
        puts(json);
    else if (rc != LD_NOTFOUND && rc != LD_INVALID)
        cli_err("prove", "cannot build the proof (%s)", ld_rc_str(rc));
    free(json);
    ld_ledger_close(l);
    return rc == LD_OK ? EXIT_OK : (rc == LD_NOTFOUND || rc == LD_INVALID) ? EXIT_REJECT : EXIT_USAGE;
}
