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
#include "liandan/view.h"
#include "liandan/banned.h"

static const char usage[] =
    "usage: liandan list [--db DB] [--party USCC [--role producer|carrier|receiver]]\n"
    "                    [--state STATE] [--code CODE] [--district CODE]\n"
    "                    [--from DATE] [--to DATE] [--json]\n"
    "\nOne line per manifest: NUMBER STATE FILED PRODUCER CARRIER RECEIVER.\n";

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
    int json = 0, c;
    int64_t tf = 0, tt = 0, after = 0;
    struct ld_ledger *l = NULL;
    struct ld_view_filter f;
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
    memset(&f, 0, sizeof f);
    f.party = party, f.role = role, f.state = state, f.code = code, f.district = district;
    f.from = from ? tf : 0;
    f.to = to ? tt : 0;
    do {
        cJSON *items = NULL, *it;
        rc = ld_view_list(ld_ledger_store(l), &f, after, 1000, &items, &after);
        if (rc != LD_OK)
            break;
        cJSON_ArrayForEach(it, items)
        {
            if (json) {
                char *text = cJSON_PrintUnformatted(it);
                puts(text);
                free(text);
            } else {
                printf("%.0f %s %s %s %s %s\n", cJSON_GetObjectItem(it, "number")->valuedouble,
                       cJSON_GetObjectItem(it, "state")->valuestring,
                       cJSON_GetObjectItem(it, "filed_at")->valuestring,
                       cJSON_GetObjectItem(it, "producer")->valuestring,
                       cJSON_GetObjectItem(it, "carrier")->valuestring,
                       cJSON_GetObjectItem(it, "receiver")->valuestring);
            }
        }
        cJSON_Delete(items);
    } while (after != 0);
    ld_ledger_close(l);
    if (rc != LD_OK) {
        cli_err("list", "query failed (%s)", ld_rc_str(rc));
        return EXIT_USAGE;
    }
    return EXIT_OK;
}
