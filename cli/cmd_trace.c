/*
 * cmd_trace.c - `liandan trace BATCH|NUMBER`: the lineage of a batch (or of
 * every line of a manifest) upstream to its original producers and
 * downstream to every final disposal, with the mass balance of each node
 * (include/liandan/trace.h), as a text tree, JSON, Graphviz DOT or SVG.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "liandan/trace.h"
#include "liandan/banned.h"

static const char usage[] =
    "usage: liandan trace [--db DB] [--json | --dot | --svg] BATCH|NUMBER\n"
    "\nBATCH is NUMBER-LL (a manifest line) or NUMBER-LLR (its rejected part);\n"
    "NUMBER (14 digits) traces every line of the manifest. Shows every source\n"
    "upstream and every manifest and disposal downstream, with per node\n"
    "in / out / left; a node whose out exceeds its in is marked BROKEN.\n"
    "Exit status: 0 balanced, 1 a balance is broken or no such batch, 2 usage.\n";

int
cmd_trace(int argc, char **argv)
{
    static const struct option opts[] = {
        {"db", required_argument, NULL, 'd'}, {"json", no_argument, NULL, 'j'},
        {"dot", no_argument, NULL, 'g'},      {"svg", no_argument, NULL, 's'},
        {"help", no_argument, NULL, 'h'},     {NULL, 0, NULL, 0},
    };
    const char *db = NULL, *fmt = NULL;
    struct ld_ledger *l = NULL;
    struct ld_trace *t = NULL;
    struct ld_err err;
    char *text = NULL;
    int c, code = EXIT_USAGE;
    enum ld_rc rc;

    optind = 0;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        int ok = 1;
        switch (c) {
        case 'd': ok = cli_once("trace", &db, optarg, "db"); break;
        case 'j':
        case 'g':
        case 's':
            if (fmt) {
                cli_err("trace", "give one of --json, --dot and --svg");
                ok = 0;
            }
            fmt = c == 'j' ? "json" : c == 'g' ? "dot" : "svg";
            break;
        case 'h': return cli_usage(usage, 1);
        default: return cli_usage(usage, 0);
        }
        if (!ok)
            return cli_usage(usage, 0);
    }
    if (optind != argc - 1) {
        cli_err("trace", optind == argc ? "missing BATCH or NUMBER" : "one BATCH or NUMBER only");
        return cli_usage(usage, 0);
    }
    if (cli_open("trace", db, 1, &l) != LD_OK)
        return EXIT_USAGE;
    memset(&err, 0, sizeof err);
    rc = ld_trace_build(ld_ledger_store(l), argv[optind], &t, &err);
    if (rc != LD_OK) {
        code = cli_fail("trace", argv[optind], rc, &err);
        goto out;
    }
    if (fmt == NULL)
        text = ld_trace_text(t);
    else if (strcmp(fmt, "json") == 0)
        text = ld_trace_json(t);
    else if (strcmp(fmt, "dot") == 0)
        text = ld_trace_dot(t);
    else
        text = ld_trace_svg(t);
    fputs(text, stdout);
    if (fmt && strcmp(fmt, "json") == 0)
        fputc('\n', stdout);
    if (fflush(stdout) != 0) {
        cli_err("trace", "cannot write the output");
        goto out;
    }
    code = t->nbroken ? EXIT_REJECT : EXIT_OK;
out:
    free(text);
    ld_trace_free(t);
    ld_ledger_close(l);
    return code;
}
