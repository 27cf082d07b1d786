/*
 * cmd_audit.c - `liandan audit`: the regulator's anomaly list (rules and
 * their ids in include/liandan/audit.h): overdue and late receipts, loads too
 * long on the road, discrepancies, quantities beyond tolerance, licences and
 * capacity, vehicles outside the permit, broken mass balance, late paper
 * entries. One line per anomaly, or one JSON object per line.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "liandan/audit.h"
#include "liandan/tm.h"
#include "liandan/banned.h"

static const char usage[] =
    "usage: liandan audit [--db DB] [--now T] [--json] [--tolerance PCT]\n"
    "                     [--transit-days N] [--rule ID]\n"
    "\nLists anomalies, one per line: RULE MANIFEST PARTY LASTDAY [BATCH:] DETAIL,\n"
    "where LASTDAY is the last day (China Standard Time) still in time, '-' for\n"
    "rules without a deadline, and '?' marks a deadline counted through a year\n"
    "the holiday calendar does not cover. --json prints one object per line.\n"
    "\n  --now T            audit as of T (YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ; default now)\n"
    "  --tolerance PCT    filed vs received tolerance, percent (default 5)\n"
    "  --transit-days N   working days a load may be on the road (default 3)\n"
    "  --rule ID          only this rule id, or its family (receipt, transit, ...)\n"
    "\nRules: receipt.overdue receipt.late transit.overdue transit.late\n"
    "discrepancy.flagged quantity.mismatch licence.expired capacity.exceeded\n"
    "vehicle.not_in_fleet balance.broken paper.late\n"
    "Exit status: 0 (whether or not anomalies were found), 2 usage or I/O error.\n";

/* "5", "2.5", "0.25" -> hundredths of a percent, 0..10000. */
static int
percent(const char *s, int *out)
{
    long v = 0;
    int frac = -1;

    if (*s == '\0')
        return 0;
    for (; *s; s++) {
        if (*s == '.' && frac < 0) {
            frac = 0;
            continue;
        }
        if (*s < '0' || *s > '9' || frac == 2 || v > 100000)
            return 0;
        v = v * 10 + (*s - '0');
        if (frac >= 0)
            frac++;
    }
    if (frac == 0)
        return 0;
    for (; frac < 2; frac = frac < 0 ? 1 : frac + 1)
        v *= 10;
    if (v > 10000)
        return 0;
    *out = (int)v;
    return 1;
}

int
cmd_audit(int argc, char **argv)
{
    static const struct option opts[] = {
        {"db", required_argument, NULL, 'd'},
        {"now", required_argument, NULL, 'n'},
        {"json", no_argument, NULL, 'j'},
        {"tolerance", required_argument, NULL, 't'},
        {"transit-days", required_argument, NULL, 'T'},
        {"rule", required_argument, NULL, 'r'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    struct ld_audit_opts o = LD_AUDIT_OPTS_INIT;
    const char *db = NULL, *now = NULL, *tol = NULL, *transit = NULL, *rule = NULL;
    struct ld_ledger *l = NULL;
    struct ld_audit *a = NULL;
    struct ld_err err;
    unsigned long long days;
    size_t i, shown = 0;
    int json = 0, c, code = EXIT_USAGE;
    enum ld_rc rc;

    optind = 0;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        int ok = 1;
        switch (c) {
        case 'd': ok = cli_once("audit", &db, optarg, "db"); break;
        case 'n': ok = cli_once("audit", &now, optarg, "now"); break;
        case 't': ok = cli_once("audit", &tol, optarg, "tolerance"); break;
        case 'T': ok = cli_once("audit", &transit, optarg, "transit-days"); break;
        case 'r': ok = cli_once("audit", &rule, optarg, "rule"); break;
        case 'j': json = 1; break;
        case 'h': return cli_usage(usage, 1);
        default: return cli_usage(usage, 0);
        }
        if (!ok)
            return cli_usage(usage, 0);
    }
    if (optind != argc) {
        cli_err("audit", "unexpected argument '%s'", argv[optind]);
        return cli_usage(usage, 0);
    }
    if (now ? ld_tm_parse_lenient(now, &o.now) != LD_OK : ld_tm_now(&o.now) != LD_OK) {
        cli_err("audit", now ? "--now '%s' is not YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ"
                             : "cannot read the clock%s", now ? now : " (LIANDAN_NOW?)");
        return EXIT_USAGE;
    }
    if (tol && !percent(tol, &o.tolerance)) {
        cli_err("audit", "--tolerance '%s' is a percentage from 0 to 100 (two decimals)", tol);
        return EXIT_USAGE;
    }
    if (transit) {
        if (!cli_u64(transit, &days) || days < 1 || days > 365) {
            cli_err("audit", "--transit-days '%s' is 1 to 365", transit);
            return EXIT_USAGE;
        }
        o.transit_days = (int)days;
    }
    if (rule && !ld_audit_rule_ok(rule)) {
        cli_err("audit", "'%s' is not a rule id (see 'liandan audit --help')", rule);
        return EXIT_USAGE;
    }
    if (cli_open("audit", db, 1, &l) != LD_OK)
        return EXIT_USAGE;
    memset(&err, 0, sizeof err);
    rc = ld_audit_run(ld_ledger_store(l), &o, &a, &err);
    if (rc != LD_OK) {
        cli_err("audit", "%s (%s)", err.msg[0] ? err.msg : "audit failed", ld_rc_str(rc));
        code = EXIT_USAGE;
        goto out;
    }
    for (i = 0; i < a->n; i++) {
        char *line;
        if (rule && !ld_audit_match(&a->items[i], rule))
            continue;
        line = json ? ld_audit_item_json(&a->items[i]) : ld_audit_item_text(&a->items[i]);
        puts(line);
        free(line);
        shown++;
    }
    if (!json) {
        char at[LD_TM_RFC3339_LEN] = "?";
        ld_tm_format(o.now, at);
        printf("%zu anomal%s as of %s\n", shown, shown == 1 ? "y" : "ies", at);
    }
    if (fflush(stdout) != 0) {
        cli_err("audit", "cannot write the output");
        goto out;
    }
    code = EXIT_OK;
out:
    ld_audit_free(a);
    ld_ledger_close(l);
    return code;
}
