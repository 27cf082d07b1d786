/*
 * cmd_list.c - `liandan list`: manifests filtered by party, role, state, waste
 * code, district and filing date range; one line each, or JSON lines.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "liandan/domain.h"
#include "liandan/tm.h"
#include "liandan/banned.h"

static const char usage[] =
    "usage: liandan list [--db DB] [--party USCC [--role producer|carrier|receiver]]\n"
    "                    [--state STATE] [--code CODE] [--district CODE]\n"
    "                    [--from DATE] [--to DATE] [--json]\n"
    "\nOne line per manifest: NUMBER STATE FILED PRODUCER CARRIER RECEIVER.\n";

static const char q_list[] =
    "SELECT number, state, filed_at, producer, carrier, receiver, district FROM manifests m "
    "WHERE (?1 IS NULL OR (?2 IS NULL AND (producer = ?1 OR carrier = ?1 OR receiver = ?1 OR "
    "       EXISTS (SELECT 1 FROM legs g WHERE g.manifest = m.number AND g.carrier = ?1))) "
    "    OR (?2 = 'producer' AND producer = ?1) OR (?2 = 'receiver' AND receiver = ?1) "
    "    OR (?2 = 'carrier' AND (carrier = ?1 OR EXISTS (SELECT 1 FROM legs g "
    "        WHERE g.manifest = m.number AND g.carrier = ?1)))) "
    "AND (?3 IS NULL OR state = ?3) "
    "AND (?4 IS NULL OR EXISTS (SELECT 1 FROM lines l WHERE l.manifest = m.number AND "
    "     (l.code = ?4 OR l.category = ?4))) "
    "AND (?5 IS NULL OR district = ?5) AND (?6 IS NULL OR filed_at >= ?6) "
    "AND (?7 IS NULL OR filed_at < ?7) ORDER BY number";

int
cmd_list(int argc, char **argv)
{
    static const struct option opts[] = {
        {"db", required_argument, NULL, 'd'},    {"party", required_argument, NULL, 'p'},
        {"role", required_argument, NULL, 'r'},  {"state", required_argument, NULL, 's'},
        {"code", required_argument, NULL, 'c'},  {"district", required_argument, NULL, 'D'},
        {"from", required_argument, NULL, 'f'},  {"to", required_argument, NULL, 't'},
        {"json", no_argument, NULL, 'j'},        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *db = NULL, *party = NULL, *role = NULL, *state = NULL, *code = NULL;
    const char *district = NULL, *from = NULL, *to = NULL;
    int json = 0, c, n = 0;
    int64_t tf = 0, tt = 0;
    struct ld_ledger *l = NULL;
    struct ld_store_q *q = NULL;
    enum ld_rc rc;

    optind = 0;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        int ok = 1;
        switch (c) {
        case 'd': ok = cli_once("list", &db, optarg, "db"); break;
        case 'p': ok = cli_once("list", &party, optarg, "party"); break;
        case 'r': ok = cli_once("list", &role, optarg, "role"); break;
        case 's': ok = cli_once("list", &state, optarg, "state"); break;
        case 'c': ok = cli_once("list", &code, optarg, "code"); break;
        case 'D': ok = cli_once("list", &district, optarg, "district"); break;
        case 'f': ok = cli_once("list", &from, optarg, "from"); break;
        case 't': ok = cli_once("list", &to, optarg, "to"); break;
        case 'j': json = 1; break;
        case 'h': return cli_usage(usage, 1);
        default: return cli_usage(usage, 0);
        }
        if (!ok)
            return cli_usage(usage, 0);
    }
    if (optind != argc)
        return cli_usage(usage, 0);
    if (role && (!party || (strcmp(role, "producer") && strcmp(role, "carrier") &&
                            strcmp(role, "receiver")))) {
        cli_err("list", "--role needs --party and is producer, carrier or receiver");
        return EXIT_USAGE;
    }
    if ((from && ld_tm_parse_lenient(from, &tf) != LD_OK) ||
        (to && ld_tm_parse_lenient(to, &tt) != LD_OK)) {
        cli_err("list", "dates are YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ");
        return EXIT_USAGE;
    }
    if (cli_open("list", db, 1, &l) != LD_OK)
        return EXIT_USAGE;
    rc = ld_store_q(ld_ledger_store(l), q_list, &q);
    if (rc != LD_OK) {
        cli_err("list", "cannot query manifests");
        ld_ledger_close(l);
        return EXIT_USAGE;
    }
    ld_store_q_text(q, 1, party);
    ld_store_q_text(q, 2, role);
    ld_store_q_text(q, 3, state);
    ld_store_q_text(q, 4, code);
    ld_store_q_text(q, 5, district);
    if (from)
        ld_store_q_int(q, 6, tf);
    if (to)
        ld_store_q_int(q, 7, tt);
    while ((rc = ld_store_q_step(q)) == LD_OK) {
        char at[LD_TM_RFC3339_LEN];
        ld_tm_format(ld_store_q_col_int(q, 2), at);
        if (json)
            printf("{\"carrier\":\"%s\",\"district\":\"%s\",\"filed_at\":\"%s\",\"number\":%lld,"
                   "\"producer\":\"%s\",\"receiver\":\"%s\",\"state\":\"%s\"}\n",
                   ld_store_q_col_text(q, 4), ld_store_q_col_text(q, 6), at,
                   (long long)ld_store_q_col_int(q, 0), ld_store_q_col_text(q, 3),
                   ld_store_q_col_text(q, 5), ld_store_q_col_text(q, 1));
        else
            printf("%lld %s %s %s %s %s\n", (long long)ld_store_q_col_int(q, 0),
                   ld_store_q_col_text(q, 1), at, ld_store_q_col_text(q, 3),
                   ld_store_q_col_text(q, 4), ld_store_q_col_text(q, 5));
        n++;
    }
    ld_store_q_done(q);
    ld_ledger_close(l);
    if (rc != LD_NOTFOUND) {
        cli_err("list", "query failed (%s)", ld_rc_str(rc));
        return EXIT_USAGE;
    }
    return EXIT_OK;
}
