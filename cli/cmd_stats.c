/*
 * cmd_stats.c - `liandan stats`: totals of manifests and of grams filed,
 * received, accepted and disposed of, grouped by producer, receiver, waste
 * category or code, district or month (include/liandan/stats.h), as a table
 * in tonnes or as CSV that Excel opens with its Chinese text intact.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "liandan/stats.h"
#include "liandan/banned.h"

static const char usage[] =
    "usage: liandan stats [--db DB] [--by producer|receiver|category|code|district|month]\n"
    "                     [--year YYYY] [--csv]\n"
    "\nTotals of manifests (cancelled ones left out) and of the grams filed,\n"
    "received, accepted and disposed of, per group, attributed to the year and\n"
    "month of filing (China Standard Time). The table shows tonnes with three\n"
    "decimals; --csv gives exact grams, UTF-8 with BOM and CRLF line ends.\n";

int
cmd_stats(int argc, char **argv)
{
    static const struct option opts[] = {
        {"db", required_argument, NULL, 'd'}, {"by", required_argument, NULL, 'b'},
        {"year", required_argument, NULL, 'y'}, {"csv", no_argument, NULL, 'c'},
        {"help", no_argument, NULL, 'h'},     {NULL, 0, NULL, 0},
    };
    const char *db = NULL, *bys = NULL, *years = NULL;
    enum ld_stats_by by = LD_STATS_ALL;
    unsigned long long year = 0;
    struct ld_ledger *l = NULL;
    struct ld_stats *st = NULL;
    struct ld_buf b = LD_BUF_INIT;
    int csv = 0, c, code = EXIT_USAGE;
    enum ld_rc rc;

    optind = 0;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        int ok = 1;
        switch (c) {
        case 'd': ok = cli_once("stats", &db, optarg, "db"); break;
        case 'b': ok = cli_once("stats", &bys, optarg, "by"); break;
        case 'y': ok = cli_once("stats", &years, optarg, "year"); break;
        case 'c': csv = 1; break;
        case 'h': return cli_usage(usage, 1);
        default: return cli_usage(usage, 0);
        }
        if (!ok)
            return cli_usage(usage, 0);
    }
    if (optind != argc) {
        cli_err("stats", "unexpected argument '%s'", argv[optind]);
        return cli_usage(usage, 0);
    }
    if (bys && !ld_stats_by_parse(bys, &by)) {
        cli_err("stats", "--by '%s' is producer, receiver, category, code, district or month",
                bys);
        return EXIT_USAGE;
    }
    if (years && (strlen(years) != 4 || !cli_u64(years, &year) || year < 1970)) {
        cli_err("stats", "--year '%s' is a year such as 2026", years);
        return EXIT_USAGE;
    }
    if (cli_open("stats", db, 1, &l) != LD_OK)
        return EXIT_USAGE;
    rc = ld_stats_run(ld_ledger_store(l), by, (int)year, &st);
    if (rc != LD_OK) {
        cli_err("stats", "cannot compute the totals (%s)", ld_rc_str(rc));
        goto out;
    }
    if (csv)
        ld_stats_csv(st, &b);
    else
        ld_stats_table(st, &b);
    if (fwrite(b.data, 1, b.len, stdout) != b.len || fflush(stdout) != 0) {
        cli_err("stats", "cannot write the output");
        goto out;
    }
    code = EXIT_OK;
out:
    ld_buf_release(&b);
    ld_stats_free(st);
    ld_ledger_close(l);
    return code;
}
