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
#include "liandan/canon.h"
#include "liandan/domain.h"
#include "liandan/enc.h"
#include "liandan/mem.h"
#include "liandan/tm.h"
#include "liandan/banned.h"

static const char usage[] = "usage: liandan show [--db DB] [--json] NUMBER\n"
                            "\nPrints the manifest's three parts, its state and its signed events.\n";

/* The chain of a manifest, oldest first: walk prev links back from the head. */
static enum ld_rc
chain(struct ld_ledger *l, long long number, cJSON *events, int *all_ok)
{
    char c[LD_CHAIN_MAX], head[LD_EVENT_ID_HEX];
    uint8_t id[32];
    struct ld_store *s = ld_ledger_store(l);
    enum ld_rc rc;

    snprintf(c, sizeof c, "m:%lld", number);
    rc = ld_ledger_head(l, c, head);
    if (rc != LD_OK)
        return rc;
    ld_enc_unhex(head, 64, id, sizeof id);
    *all_ok = 1;
    for (;;) {
        uint64_t idx;
        struct ld_store_event row;
        struct ld_event ev;
        struct ld_store_key k;
        const uint8_t *pk = NULL;
        cJSON *o;
        int ok;

        rc = ld_store_event_find(s, id, &idx);
        if (rc == LD_OK)
            rc = ld_store_event_get(s, idx, &row);
        if (rc != LD_OK)
            return rc;
        rc = ld_event_parse(row.entry, row.entry_len, &ev, NULL);
        free(row.entry);
        if (rc != LD_OK)
            return LD_TAMPERED;
        memset(&k, 0, sizeof k);
        if (strcmp(ev.actor, LD_EVENT_REGULATOR) == 0)
            pk = ld_ledger_regulator(l)->pk;
        else if (ld_store_key_get(s, ev.key, &k) == LD_OK)
            pk = k.pub;
        ok = pk && ld_event_verify(&ev, pk) == LD_OK &&
             memcmp(ev.id, row.id, sizeof ev.id) == 0;
        *all_ok &= ok;
        o = cJSON_CreateObject();
        cJSON_AddNumberToObject(o, "index", (double)idx);
        cJSON_AddStringToObject(o, "id", ev.id_hex);
        cJSON_AddStringToObject(o, "type", ev.type);
        cJSON_AddStringToObject(o, "at", ev.at_text);
        cJSON_AddStringToObject(o, "actor", ev.actor);
        cJSON_AddStringToObject(o, "key", ev.key);
        cJSON_AddBoolToObject(o, "verified", ok);
        cJSON_AddItemToObject(o, "body", cJSON_Duplicate(ev.body, 1));
        cJSON_InsertItemInArray(events, 0, o);
        if (k.vkey)
            ld_store_key_release(&k);
        if (!ev.has_prev) {
            ld_event_release(&ev);
            return LD_OK;
        }
        memcpy(id, ev.prev, sizeof id);
        ld_event_release(&ev);
    }
}

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
print_text(long long number, const struct ld_domain_manifest *m, const cJSON *events, int all_ok)
{
    const cJSON *e;
    static const char *const parts[] = {"producer", "carrier", "receiver", "corrections"};
    static const char *const titles[] = {"第一部分 产生单位 / producer part",
                                         "第二部分 运输单位 / carrier part",
                                         "第三部分 接受单位 / receiver part",
                                         "更正 / corrections (every version stays in the chain)"};
    size_t p;

    printf("联单 %lld  state: %s\n", number, m->state);
    printf("producer %s  carrier %s  receiver %s\n", m->producer, m->carrier, m->receiver);
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
    struct ld_domain_manifest m;
    cJSON *events = NULL, *out;
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
    rc = ld_domain_manifest_get(ld_ledger_store(l), (int64_t)number, &m);
    if (rc == LD_NOTFOUND) {
        cli_err("show", "no manifest %llu", number);
        code = EXIT_REJECT;
        goto out;
    }
    events = cJSON_CreateArray();
    if (rc == LD_OK)
        rc = chain(l, (long long)number, events, &all_ok);
    if (rc != LD_OK) {
        cli_err("show", "cannot read manifest %llu (%s)", number, ld_rc_str(rc));
        goto out;
    }
    if (json) {
        char *text;
        out = cJSON_CreateObject();
        cJSON_AddNumberToObject(out, "number", (double)number);
        cJSON_AddStringToObject(out, "state", m.state);
        cJSON_AddStringToObject(out, "producer", m.producer);
        cJSON_AddStringToObject(out, "carrier", m.carrier);
        cJSON_AddStringToObject(out, "receiver", m.receiver);
        cJSON_AddBoolToObject(out, "verified", all_ok);
        cJSON_AddItemToObject(out, "events", events);
        events = NULL;
        text = cJSON_PrintUnformatted(out);
        puts(text);
        free(text);
        cJSON_Delete(out);
    } else {
        print_text((long long)number, &m, events, all_ok);
    }
    code = all_ok ? EXIT_OK : EXIT_REJECT;
out:
    cJSON_Delete(events);
    ld_ledger_close(l);
    return code;
}
