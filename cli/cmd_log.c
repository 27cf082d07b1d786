/*
 * cmd_log.c - `liandan log`: one line per event (index, id, type, actor,
 * manifest), or one JSON object per line with --json.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "liandan/enc.h"
#include "liandan/event.h"
#include "liandan/banned.h"

static const char usage[] =
    "usage: liandan log [--db DB] [--json]\n"
    "\nOne line per event: INDEX ID TYPE ACTOR MANIFEST ('-' for none). With --json,\n"
    "one object per line: {\"index\",\"id\",\"type\",\"actor\",\"manifest\",\"at\"}.\n";

int
cmd_log(int argc, char **argv)
{
    static const struct option opts[] = {{"db", required_argument, NULL, 'd'},
                                         {"json", no_argument, NULL, 'j'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    const char *db = NULL;
    int json = 0, c, code = EXIT_OK;
    struct ld_ledger *l = NULL;
    struct ld_store_iter *it = NULL;
    struct ld_store_event row;
    struct ld_event ev;
    enum ld_rc rc;

    optind = 0;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        if (c == 'h')
            return cli_usage(usage, 1);
        if (c == 'j')
            json = 1;
        else if (c != 'd' || !cli_once("log", &db, optarg, "db"))
            return cli_usage(usage, 0);
    }
    if (optind != argc)
        return cli_usage(usage, 0);
    if (cli_open("log", db, 1, &l) != LD_OK)
        return EXIT_USAGE;
    rc = ld_store_iter_new(ld_ledger_store(l), 0, &it);
    while (rc == LD_OK && (rc = ld_store_iter_next(it, &row)) == LD_OK) {
        char id[LD_EVENT_ID_HEX], man[24] = "-";

        ld_enc_hex(row.id, sizeof row.id, id);
        if (ld_event_parse(row.entry, row.entry_len, &ev, NULL) != LD_OK) {
            cli_err("log", "event %llu does not parse (run 'liandan verify')",
                    (unsigned long long)row.idx);
            free(row.entry);
            code = EXIT_REJECT;
            break;
        }
        if (ev.manifest)
            snprintf(man, sizeof man, "%lld", (long long)ev.manifest);
        if (json)
            printf("{\"actor\":\"%s\",\"at\":\"%s\",\"id\":\"%s\",\"index\":%llu,\"manifest\":%s,"
                   "\"type\":\"%s\"}\n",
                   ev.actor, ev.at_text, id, (unsigned long long)row.idx,
                   ev.manifest ? man : "null", ev.type);
        else
            printf("%llu %s %s %s %s\n", (unsigned long long)row.idx, id, ev.type, ev.actor, man);
        ld_event_release(&ev);
        free(row.entry);
    }
    if (rc != LD_OK && rc != LD_NOTFOUND) {
        cli_err("log", "cannot read events (%s)", ld_rc_str(rc));
        code = EXIT_USAGE;
    }
    ld_store_iter_free(it);
    ld_ledger_close(l);
    return code;
}
