/*
 * cmd_show.c - `liandan show NUMBER`: a manifest as a person reads it — the
 * producer, carrier and receiver parts, its state, and every signed event of
 * its chain with its signer and whether the signature verifies now, under
 * the key the ledger certified for that signer. --json for machines.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "liandan/view.h"
#include "liandan/banned.h"

static const char usage[] = "usage: liandan show [--db DB] [--json] NUMBER\n"
                            "\nPrints the manifest's three parts, its state and its signed events.\n";

static const char *
part_of(const char *type)
{
    if (strcmp(type, "manifest.correct") == 0 || strcmp(type, "manifest.approve") == 0)
        return "corrections";
    if (strncmp(type, "manifest.", 9) == 0)
        return "producer";
    if (strncmp(type, "transport.", 10) == 0)
        return "carrier";
    return "receiver";
}

static void
print_text(const cJSON *m, int all_ok)
{
    const cJSON *e;
    static const char *const parts[] = {"producer", "carrier", "receiver", "corrections"};
    static const char *const titles[] = {"第一部分 产生单位 / producer part",
                                         "第二部分 运输单位 / carrier part",
                                         "第三部分 接受单位 / receiver part",
                                         "更正 / corrections (every version stays in the chain)"};
    size_t p;

    const cJSON *events = cJSON_GetObjectItem(m, "events");

    printf("联单 %.0f  state: %s\n", cJSON_GetObjectItem(m, "number")->valuedouble,
           cJSON_GetObjectItem(m, "state")->valuestring);
    printf("producer %s  carrier %s  receiver %s\n", cJSON_GetObjectItem(m, "producer")->valuestring,
           cJSON_GetObjectItem(m, "carrier")->valuestring,
           cJSON_GetObjectItem(m, "receiver")->valuestring);
    for (p = 0; p < 4; p++) {
        int any = 0;
        cJSON_ArrayForEach(e, events)
        any |= strcmp(part_of(cJSON_GetObjectItem(e, "type")->valuestring), parts[p]) == 0;
        if (!any && p == 3)
            continue; /* no corrections */
        printf("\n%s\n", titles[p]);
        cJSON_ArrayForEach(e, events)
        {
            const char *type = cJSON_GetObjectItem(e, "type")->valuestring;
            char *body;
            if (strcmp(part_of(type), parts[p]) != 0)
                continue;
            body = cJSON_PrintUnformatted(cJSON_GetObjectItem(e, "body"));
            printf("  #%d %s %s by %s, signature %s\n    %s\n",
                   (int)cJSON_GetObjectItem(e, "index")->valuedouble, type,
                   cJSON_GetObjectItem(e, "at")->valuestring,
                   cJSON_GetObjectItem(e, "actor")->valuestring,
                   cJSON_IsTrue(cJSON_GetObjectItem(e, "verified")) ? "verified" : "NOT VERIFIED",
                   body);
            free(body);
        }
    }
    printf("\n%s\n", all_ok ? "every signature verifies" : "SOME SIGNATURES DO NOT VERIFY");
}

int
cmd_show(int argc, char **argv)
{
    static const struct option opts[] = {{"db", required_argument, NULL, 'd'},
                                         {"json", no_argument, NULL, 'j'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    const char *db = NULL;
    int json = 0, c, all_ok = 0, code = EXIT_USAGE;
    unsigned long long number = 0;
    struct ld_ledger *l = NULL;
    cJSON *m = NULL;
    enum ld_rc rc;

    optind = 0;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        if (c == 'h')
            return cli_usage(usage, 1);
        if (c == 'j')
            json = 1;
        else if (c != 'd' || !cli_once("show", &db, optarg, "db"))
            return cli_usage(usage, 0);
    }
    if (optind != argc - 1 || !cli_u64(argv[optind], &number)) {
        cli_err("show", optind == argc ? "missing NUMBER" : "need one manifest NUMBER");
        return cli_usage(usage, 0);
    }
    if (cli_open("show", db, 1, &l) != LD_OK)
        return EXIT_USAGE;
    rc = ld_view_manifest(ld_ledger_store(l), ld_ledger_regulator(l), (int64_t)number, NULL,
                          &m, &all_ok);
    if (rc == LD_NOTFOUND) {
        cli_err("show", "no manifest %llu", number);
        code = EXIT_REJECT;
        goto out;
    }
    if (rc != LD_OK) {
        cli_err("show", "cannot read manifest %llu (%s)", number, ld_rc_str(rc));
        goto out;
    }
    if (json) {
        char *text = cJSON_PrintUnformatted(m);
        puts(text);
        free(text);
    } else {
        print_text(m, all_ok);
    }
    code = all_ok ? EXIT_OK : EXIT_REJECT;
out:
    cJSON_Delete(m);
    ld_ledger_close(l);
    return code;
}
