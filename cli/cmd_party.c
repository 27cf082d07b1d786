/*
 * cmd_party.c - `liandan party register|key|revoke`: the regulator's party.*
 * events (include/liandan/party.h), built, signed with the regulator's secret
 * key and appended to the ledger; prints the receipt.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "liandan/canon.h"
#include "liandan/mem.h"
#include "liandan/tm.h"
#include "liandan/banned.h"

static const char usage[] =
    "usage: liandan party register [--db DB] --key REG_SECRET --id USCC --name NAME\n"
    "                              --role ROLE[,ROLE] [--district CODE]\n"
    "       liandan party key      [--db DB] --key REG_SECRET --id USCC --pub PARTY.pub\n"
    "                              [--until DATE]\n"
    "       liandan party revoke   [--db DB] --key REG_SECRET --id USCC --pub PARTY.pub\n"
    "                              [--reason TEXT]\n"
    "       liandan party licence  [--db DB] --key REG_SECRET --body LICENCE.json\n"
    "       liandan party permit   [--db DB] --key REG_SECRET --body PERMIT.json\n"
    "\n"
    "Signs a party event with the regulator's key and appends it; prints the receipt.\n"
    "ROLE: producer, carrier, receiver, collector. DATE: YYYY-MM-DD or\n"
    "YYYY-MM-DDTHH:MM:SSZ (UTC). CODE: 6-digit district (default: from the USCC).\n";

struct args {
    const char *db, *key, *id, *name, *role, *district, *pub, *until, *reason, *body;
};

/* The unsigned event skeleton: prev is the party chain's head. */
static cJSON *
skeleton(struct ld_ledger *l, const char *type, const char *id, cJSON *body)
{
    char head[LD_EVENT_ID_HEX], at[LD_TM_RFC3339_LEN], chain[LD_CHAIN_MAX];
    int64_t now = 0;
    cJSON *e = cJSON_CreateObject();

    snprintf(chain, sizeof chain, "p:%s", id);
    if (ld_tm_now(&now) != LD_OK || ld_tm_format(now, at) != LD_OK)
        at[0] = '\0';
    cJSON_AddNumberToObject(e, "v", 1);
    cJSON_AddStringToObject(e, "type", type);
    cJSON_AddNullToObject(e, "manifest");
    if (ld_ledger_head(l, chain, head) == LD_OK)
        cJSON_AddStringToObject(e, "prev", head);
    else
        cJSON_AddNullToObject(e, "prev");
    cJSON_AddStringToObject(e, "at", at);
    cJSON_AddStringToObject(e, "actor", "regulator");
    cJSON_AddItemToObject(e, "body", body);
    return e;
}

static cJSON *
register_body(const struct args *a)
{
    cJSON *b = cJSON_CreateObject(), *roles = cJSON_CreateArray();
    char *list = ld_xstrdup(a->role), *p = list, *comma;

    cJSON_AddStringToObject(b, "id", a->id);
    cJSON_AddStringToObject(b, "name", a->name);
    for (;;) {
        comma = strchr(p, ',');
        if (comma)
            *comma = '\0';
        cJSON_AddItemToArray(roles, cJSON_CreateString(p));
        if (!comma)
            break;
        p = comma + 1;
    }
    free(list);
    cJSON_AddItemToObject(b, "roles", roles);
    if (a->district)
        cJSON_AddStringToObject(b, "district", a->district);
    return b;
}

/* Read a .pub file's verifier key line. */
static int
read_pub(const char *path, struct ld_sig_pub *out)
{
    char *text = NULL;
    size_t len = 0;
    int ok;

    if (cli_read(path, &text, &len) != LD_OK) {
        cli_err("party", "cannot read '%s'", path);
        return 0;
    }
    ok = ld_sig_vkey_parse(text, len, out) == LD_OK;
    free(text);
    if (!ok)
        cli_err("party", "'%s' is not a verifier key line", path);
    return ok;
}

int
cmd_party(int argc, char **argv)
{
    static const struct option opts[] = {
        {"db", required_argument, NULL, 'd'},     {"key", required_argument, NULL, 'k'},
        {"id", required_argument, NULL, 'i'},     {"name", required_argument, NULL, 'n'},
        {"role", required_argument, NULL, 'r'},   {"district", required_argument, NULL, 'D'},
        {"pub", required_argument, NULL, 'p'},    {"until", required_argument, NULL, 'u'},
        {"reason", required_argument, NULL, 'R'}, {"help", no_argument, NULL, 'h'},
        {"body", required_argument, NULL, 'b'},
        {NULL, 0, NULL, 0},
    };
    struct args a;
    const char *verb;
    struct ld_sig_secret *s = NULL;
    struct ld_ledger *l = NULL;
    struct ld_sig_pub pub;
    cJSON *body = NULL, *event = NULL;
    int c, code = EXIT_USAGE;

    memset(&a, 0, sizeof a);
    if (argc < 2 || argv[1][0] == '-') {
        if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0))
            return cli_usage(usage, 1);
        cli_err("party", "missing verb: register, key or revoke");
        return cli_usage(usage, 0);
    }
    verb = argv[1];
    if (strcmp(verb, "register") != 0 && strcmp(verb, "key") != 0 &&
        strcmp(verb, "revoke") != 0 && strcmp(verb, "licence") != 0 &&
        strcmp(verb, "permit") != 0) {
        cli_err("party", "'%s' is not one of register, key, revoke, licence, permit", verb);
        return cli_usage(usage, 0);
    }
    optind = 0;
    while ((c = getopt_long(argc - 1, argv + 1, "h", opts, NULL)) != -1) {
        int ok = 1;
        switch (c) {
        case 'd': ok = cli_once("party", &a.db, optarg, "db"); break;
        case 'k': ok = cli_once("party", &a.key, optarg, "key"); break;
        case 'i': ok = cli_once("party", &a.id, optarg, "id"); break;
        case 'n': ok = cli_once("party", &a.name, optarg, "name"); break;
        case 'r': ok = cli_once("party", &a.role, optarg, "role"); break;
        case 'D': ok = cli_once("party", &a.district, optarg, "district"); break;
        case 'p': ok = cli_once("party", &a.pub, optarg, "pub"); break;
        case 'u': ok = cli_once("party", &a.until, optarg, "until"); break;
        case 'R': ok = cli_once("party", &a.reason, optarg, "reason"); break;
        case 'b': ok = cli_once("party", &a.body, optarg, "body"); break;
        case 'h': return cli_usage(usage, 1);
        default: return cli_usage(usage, 0);
        }
        if (!ok)
            return cli_usage(usage, 0);
    }
    if (optind != argc - 1) {
        cli_err("party", "unexpected argument '%s'", argv[optind + 1]);
        return cli_usage(usage, 0);
    }
    if (strcmp(verb, "licence") == 0 || strcmp(verb, "permit") == 0) {
        const cJSON *id;
        char *text = NULL;
        size_t len = 0;
        struct ld_err err;
        memset(&err, 0, sizeof err);
        if (a.key == NULL || a.body == NULL || a.id || a.name || a.role || a.pub) {
            cli_err("party", "%s takes --key and --body", verb);
            return cli_usage(usage, 0);
        }
        if (cli_read(a.body, &text, &len) != LD_OK) {
            cli_err("party", "cannot read '%s'", a.body);
            return EXIT_USAGE;
        }
        if (ld_canon_parse(text, len, LD_CANON_SIGNED, &body, &err) != LD_OK) {
            free(text);
            return cli_fail("party", a.body, err.rc, &err);
        }
        free(text);
        id = cJSON_GetObjectItemCaseSensitive(body, "id");
        if (!cJSON_IsString(id)) {
            cli_err("party", "'%s' has no \"id\" (the party's USCC)", a.body);
            code = EXIT_REJECT;
            goto out;
        }
        a.id = id->valuestring;
    } else if (a.key == NULL || a.id == NULL) {
        cli_err("party", "missing %s", a.key == NULL ? "--key" : "--id");
        return cli_usage(usage, 0);
    } else if (a.body) {
        cli_err("party", "%s takes no --body", verb);
        return cli_usage(usage, 0);
    }
    if (body) {
        /* licence or permit: the body as given */
    } else if (strcmp(verb, "register") == 0) {
        if (a.name == NULL || a.role == NULL || a.pub || a.until || a.reason) {
            cli_err("party", "register takes --name and --role (and --district)");
            return cli_usage(usage, 0);
        }
        body = register_body(&a);
    } else {
        if (a.pub == NULL || a.name || a.role || a.district ||
            (strcmp(verb, "key") == 0 ? a.reason != NULL : a.until != NULL)) {
            cli_err("party", "%s takes --pub%s", verb,
                    strcmp(verb, "key") == 0 ? " (and --until)" : " (and --reason)");
            return cli_usage(usage, 0);
        }
        if (!read_pub(a.pub, &pub))
            return EXIT_USAGE;
        body = cJSON_CreateObject();
        cJSON_AddStringToObject(body, "id", a.id);
        if (strcmp(verb, "key") == 0) {
            char *vkey = ld_sig_vkey_format(&pub);
            cJSON_AddStringToObject(body, "pub", vkey);
            free(vkey);
            if (a.until) {
                int64_t t;
                char at[LD_TM_RFC3339_LEN];
                if (ld_tm_parse_lenient(a.until, &t) != LD_OK || ld_tm_format(t, at) != LD_OK) {
                    cli_err("party", "--until '%s' is not a date (YYYY-MM-DD)", a.until);
                    goto out;
                }
                cJSON_AddStringToObject(body, "until", at);
            } else {
                cJSON_AddNullToObject(body, "until");
            }
        } else {
            cJSON_AddStringToObject(body, "key", pub.keyid);
            if (a.reason)
                cJSON_AddStringToObject(body, "reason", a.reason);
        }
    }
    {
        enum ld_rc rc = cli_load_key("party", a.key, &s);
        if (rc != LD_OK) {
            code = cli_exit(rc);
            goto out;
        }
    }
    if (cli_open("party", a.db, 0, &l) != LD_OK)
        goto out;
    {
        char type[32];
        snprintf(type, sizeof type, "party.%s", strcmp(verb, "register") == 0 ? "register" : verb);
        event = skeleton(l, type, a.id, body);
    }
    body = NULL;
    code = cli_sign_append("party", l, event, s);
out:
    cJSON_Delete(body);
    cJSON_Delete(event);
    ld_ledger_close(l);
    ld_sig_secret_free(s);
    return code;
}
