/*
 * cmd_event.c - the manifest domain's signing commands: file, cancel, pickup,
 * handover, arrive, receive, reject, dispose (include/liandan/domain.h,
 * schema/events.md). Each builds its event body from --body FILE.json and/or
 * flags (flags win), fills the envelope (the next manifest number for a
 * filing, prev = the manifest's head, at = now, actor = the key's party),
 * signs it with --key and appends it; prints the receipt.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "liandan/canon.h"
#include "liandan/domain.h"
#include "liandan/mem.h"
#include "liandan/tm.h"
#include "liandan/banned.h"

struct verb {
    const char *name;  /* subcommand */
    const char *type;  /* event type */
    const char *usage; /* its usage text */
};

static const struct verb verbs[] = {
    {"file", "manifest.file",
     "usage: liandan file [--db DB] --key SECRET --body MANIFEST.json [--number N]\n"
     "\nFiles a manifest (producer part). The ledger issues the number: the next\n"
     "serial of the filer's city and year, unless --number is given.\n"},
    {"cancel", "manifest.cancel",
     "usage: liandan cancel [--db DB] --key SECRET --manifest N --reason TEXT\n"},
    {"pickup", "transport.pickup",
     "usage: liandan pickup [--db DB] --key SECRET --manifest N [--body F.json]\n"
     "                      [--vehicle PLATE] [--trailer PLATE] [--driver NAME:LICENCE]\n"
     "                      [--escort NAME:LICENCE] [--start PLACE] [--packages N,N..]\n"
     "                      [--track GEOJSON]\n"},
    {"handover", "transport.handover",
     "usage: liandan handover [--db DB] --key SECRET --manifest N [--body F.json]\n"
     "                        [--from USCC] [--place PLACE] [--vehicle PLATE]\n"
     "                        [--driver NAME:LICENCE] [--escort NAME:LICENCE]\n"},
    {"arrive", "transport.arrive",
     "usage: liandan arrive [--db DB] --key SECRET --manifest N [--place PLACE]\n"
     "                      [--track GEOJSON]\n"
     "\n--track stores the GPS track as an attachment; the event signs its SHA-256.\n"},
    {"receive", "receipt.accept",
     "usage: liandan receive [--db DB] --key SECRET --manifest N [--body F.json]\n"
     "                       [--line LINE:RECEIVED_G[:ACCEPTED_G]]...\n"
     "\nAccepts (or partly accepts) every line; a line not given by --line is\n"
     "taken as received and accepted in full as filed.\n"},
    {"reject", "receipt.reject",
     "usage: liandan reject [--db DB] --key SECRET --manifest N --reason TEXT\n"
     "                      [--line LINE:REJECTED_G]...\n"
     "\nWithout --line the whole load is rejected.\n"},
    {"correct", "manifest.correct",
     "usage: liandan correct [--db DB] --key SECRET --manifest N --part producer|carrier|receiver\n"
     "                       --reason TEXT (--changes CHANGES.json | --request)\n"
     "\nA party proposes a correction of its own part of a closed manifest; it takes\n"
     "effect when every other party approves. The regulator uses --request.\n"},
    {"approve", "manifest.approve",
     "usage: liandan approve [--db DB] --key SECRET --manifest N --correction ID\n"},
    {"dispose", "disposal.complete",
     "usage: liandan dispose [--db DB] --key SECRET --manifest N [--on DATE]\n"
     "                       [--line LINE:METHOD:QTY_G]... [--body F.json]\n"
     "\nWithout --line every accepted line is disposed of in full with --method.\n"},
};

static const struct verb *
find(const char *name)
{
    size_t i;

    for (i = 0; i < sizeof verbs / sizeof *verbs; i++)
        if (strcmp(verbs[i].name, name) == 0)
            return &verbs[i];
    return NULL;
}

/* "NAME:LICENCE" -> {"name","licence"} */
static cJSON *
person(const char *s)
{
    const char *c = strchr(s, ':');
    cJSON *o = cJSON_CreateObject();
    char *name = ld_xstrndup(s, c ? (size_t)(c - s) : strlen(s));

    cJSON_AddStringToObject(o, "name", name);
    cJSON_AddStringToObject(o, "licence", c ? c + 1 : "");
    free(name);
    return o;
}

static void
set(cJSON *body, const char *k, cJSON *v)
{
    cJSON_DeleteItemFromObjectCaseSensitive(body, k);
    cJSON_AddItemToObject(body, k, v);
}

/* Split "a:b:c" into at most n parts (in place). Returns the count. */
static int
split(char *s, char **parts, int n)
{
    int k = 0;

    while (k < n) {
        parts[k++] = s;
        s = strchr(s, ':');
        if (!s)
            break;
        *s++ = '\0';
    }
    return k;
}

static int
num(const char *s, long long *out)
{
    unsigned long long v;

    if (!cli_u64(s, &v) || v > 1000000000000ULL)
        return 0;
    *out = (long long)v;
    return 1;
}

static int
manifest_num(const char *s, long long *out)
{
    unsigned long long v;

    if (strlen(s) != 14 || !cli_u64(s, &v))
        return 0;
    *out = (long long)v;
    return 1;
}

/* The actor of a key: the party its key id is certified for. */
static int
actor_of(struct ld_ledger *l, const struct ld_sig_secret *s, char out[19])
{
    struct ld_sig_pub pub;
    struct ld_store_key k;

    ld_sig_secret_pub(s, &pub);
    if (strcmp(pub.keyid, ld_ledger_regulator(l)->keyid) == 0) {
        snprintf(out, 19, "%s", "regulator");
        return 1;
    }
    if (ld_store_key_get(ld_ledger_store(l), pub.keyid, &k) != LD_OK)
        return 0;
    snprintf(out, 19, "%s", k.party);
    ld_store_key_release(&k);
    return 1;
}

static const char q_lines[] =
    "SELECT line, qty_g, COALESCE(accepted_g, 0) - disposed_g FROM lines WHERE manifest = ?1 "
    "ORDER BY line";

/* receive/dispose without --line: every line in full. */
static enum ld_rc
default_lines(struct ld_ledger *l, long long manifest, int dispose, const char *method,
              cJSON *body)
{
    struct ld_store_q *q = NULL;
    cJSON *arr = cJSON_CreateArray();
    enum ld_rc rc = ld_store_q(ld_ledger_store(l), q_lines, &q);

    if (rc != LD_OK) {
        cJSON_Delete(arr);
        return rc;
    }
    ld_store_q_int(q, 1, manifest);
    while ((rc = ld_store_q_step(q)) == LD_OK) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddNumberToObject(o, "line", (double)ld_store_q_col_int(q, 0));
        if (dispose) {
            if (ld_store_q_col_int(q, 2) <= 0) {
                cJSON_Delete(o);
                continue;
            }
            cJSON_AddStringToObject(o, "method", method);
            cJSON_AddNumberToObject(o, "qty_g", (double)ld_store_q_col_int(q, 2));
        } else {
            cJSON_AddNumberToObject(o, "received_g", (double)ld_store_q_col_int(q, 1));
            cJSON_AddNumberToObject(o, "accepted_g", (double)ld_store_q_col_int(q, 1));
        }
        cJSON_AddItemToArray(arr, o);
    }
    ld_store_q_done(q);
    set(body, "lines", arr);
    return rc == LD_NOTFOUND ? LD_OK : rc;
}

int
cmd_event(int argc, char **argv)
{
    static const struct option opts[] = {
        {"db", required_argument, NULL, 'd'},       {"key", required_argument, NULL, 'k'},
        {"body", required_argument, NULL, 'b'},     {"manifest", required_argument, NULL, 'm'},
        {"number", required_argument, NULL, 'N'},   {"reason", required_argument, NULL, 'r'},
        {"vehicle", required_argument, NULL, 'v'},  {"trailer", required_argument, NULL, 't'},
        {"driver", required_argument, NULL, 'D'},   {"escort", required_argument, NULL, 'E'},
        {"start", required_argument, NULL, 's'},    {"packages", required_argument, NULL, 'p'},
        {"from", required_argument, NULL, 'f'},     {"place", required_argument, NULL, 'P'},
        {"line", required_argument, NULL, 'L'},     {"on", required_argument, NULL, 'o'},
        {"method", required_argument, NULL, 'M'},   {"help", no_argument, NULL, 'h'},
        {"part", required_argument, NULL, 'A'},     {"changes", required_argument, NULL, 'C'},
        {"request", no_argument, NULL, 'Q'},        {"correction", required_argument, NULL, 'I'},
        {"track", required_argument, NULL, 'T'},
        {NULL, 0, NULL, 0},
    };
    const struct verb *v = find(argv[0]);
    const char *db = NULL, *key = NULL, *bodyf = NULL, *man = NULL, *number = NULL;
    const char *reason = NULL, *vehicle = NULL, *trailer = NULL, *driver = NULL;
    const char *escort = NULL, *start = NULL, *packages = NULL, *from = NULL, *place = NULL;
    const char *on = NULL, *method = NULL, *part = NULL, *changes = NULL, *correction = NULL;
    const char *trackf = NULL;
    int request = 0;
    char *lines[99];
    int nlines = 0, c, code = EXIT_USAGE, i;
    long long manifest = 0;
    struct ld_sig_secret *s = NULL;
    struct ld_ledger *l = NULL;
    cJSON *body = NULL, *event = NULL;
    char actor[19], chain[LD_CHAIN_MAX], head[LD_EVENT_ID_HEX], at[LD_TM_RFC3339_LEN];
    int64_t now = 0;
    enum ld_rc rc;

    optind = 0;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        int ok = 1;
        switch (c) {
        case 'd': ok = cli_once(v->name, &db, optarg, "db"); break;
        case 'k': ok = cli_once(v->name, &key, optarg, "key"); break;
        case 'b': ok = cli_once(v->name, &bodyf, optarg, "body"); break;
        case 'm': ok = cli_once(v->name, &man, optarg, "manifest"); break;
        case 'N': ok = cli_once(v->name, &number, optarg, "number"); break;
        case 'r': ok = cli_once(v->name, &reason, optarg, "reason"); break;
        case 'v': ok = cli_once(v->name, &vehicle, optarg, "vehicle"); break;
        case 't': ok = cli_once(v->name, &trailer, optarg, "trailer"); break;
        case 'D': ok = cli_once(v->name, &driver, optarg, "driver"); break;
        case 'E': ok = cli_once(v->name, &escort, optarg, "escort"); break;
        case 's': ok = cli_once(v->name, &start, optarg, "start"); break;
        case 'p': ok = cli_once(v->name, &packages, optarg, "packages"); break;
        case 'f': ok = cli_once(v->name, &from, optarg, "from"); break;
        case 'P': ok = cli_once(v->name, &place, optarg, "place"); break;
        case 'o': ok = cli_once(v->name, &on, optarg, "on"); break;
        case 'M': ok = cli_once(v->name, &method, optarg, "method"); break;
        case 'A': ok = cli_once(v->name, &part, optarg, "part"); break;
        case 'C': ok = cli_once(v->name, &changes, optarg, "changes"); break;
        case 'I': ok = cli_once(v->name, &correction, optarg, "correction"); break;
        case 'Q': request = 1; break;
        case 'T': ok = cli_once(v->name, &trackf, optarg, "track"); break;
        case 'L':
            if (nlines == 99) {
                cli_err(v->name, "at most 99 --line options");
                return EXIT_USAGE;
            }
            lines[nlines++] = optarg;
            break;
        case 'h': return cli_usage(v->usage, 1);
        default: return cli_usage(v->usage, 0);
        }
        if (!ok)
            return cli_usage(v->usage, 0);
    }
    if (optind != argc) {
        cli_err(v->name, "unexpected argument '%s'", argv[optind]);
        return cli_usage(v->usage, 0);
    }
    if (key == NULL) {
        cli_err(v->name, "missing --key");
        return cli_usage(v->usage, 0);
    }
    if (strcmp(v->name, "file") == 0 ? bodyf == NULL : man == NULL) {
        cli_err(v->name, "missing %s", strcmp(v->name, "file") == 0 ? "--body" : "--manifest");
        return cli_usage(v->usage, 0);
    }
    if ((man && !manifest_num(man, &manifest)) || (number && !manifest_num(number, &manifest))) {
        cli_err(v->name, "a manifest number is 14 digits");
        return EXIT_USAGE;
    }
    if ((strcmp(v->name, "cancel") == 0 || strcmp(v->name, "reject") == 0 ||
         strcmp(v->name, "correct") == 0) && reason == NULL) {
        cli_err(v->name, "missing --reason");
        return cli_usage(v->usage, 0);
    }
    /* The body: the file, then the flags. */
    if (bodyf) {
        char *text = NULL;
        size_t len = 0;
        struct ld_err err;
        memset(&err, 0, sizeof err);
        if (cli_read(bodyf, &text, &len) != LD_OK) {
            cli_err(v->name, "cannot read '%s'", bodyf);
            return EXIT_USAGE;
        }
        rc = ld_canon_parse(text, len, LD_CANON_SIGNED, &body, &err);
        free(text);
        if (rc != LD_OK)
            return cli_fail(v->name, bodyf, rc, &err);
        if (!cJSON_IsObject(body)) {
            cli_err(v->name, "'%s': the body must be a JSON object", bodyf);
            cJSON_Delete(body);
            return EXIT_REJECT;
        }
    } else {
        body = cJSON_CreateObject();
    }
    if (reason)
        set(body, "reason", cJSON_CreateString(reason));
    if (vehicle)
        set(body, "vehicle", cJSON_CreateString(vehicle));
    if (trailer)
        set(body, "trailer", cJSON_CreateString(trailer));
    if (driver)
        set(body, "driver", person(driver));
    if (escort)
        set(body, "escort", person(escort));
    if (start)
        set(body, "start", cJSON_CreateString(start));
    if (from)
        set(body, "from", cJSON_CreateString(from));
    if (place)
        set(body, "place", cJSON_CreateString(place));
    if (on)
        set(body, "on", cJSON_CreateString(on));
    if (part)
        set(body, "part", cJSON_CreateString(part));
    if (request)
        set(body, "request", cJSON_CreateTrue());
    if (correction)
        set(body, "correction", cJSON_CreateString(correction));
    if (changes) {
        char *text = NULL;
        size_t len = 0;
        cJSON *ch = NULL;
        struct ld_err err;
        memset(&err, 0, sizeof err);
        if (cli_read(changes, &text, &len) != LD_OK) {
            cli_err(v->name, "cannot read '%s'", changes);
            goto out;
        }
        rc = ld_canon_parse(text, len, LD_CANON_SIGNED, &ch, &err);
        free(text);
        if (rc != LD_OK) {
            code = cli_fail(v->name, changes, rc, &err);
            goto out;
        }
        set(body, "changes", ch);
    }
    if (packages) {
        cJSON *arr = cJSON_CreateArray();
        char *copy = ld_xstrdup(packages), *p = copy, *comma;
        long long n;
        for (;;) {
            comma = strchr(p, ',');
            if (comma)
                *comma = '\0';
            if (!num(p, &n)) {
                cli_err(v->name, "--packages takes counts separated by commas");
                free(copy);
                cJSON_Delete(arr);
                goto out;
            }
            cJSON_AddItemToArray(arr, cJSON_CreateNumber((double)n));
            if (!comma)
                break;
            p = comma + 1;
        }
        free(copy);
        set(body, "packages", arr);
    }
    if (nlines) {
        cJSON *arr = cJSON_CreateArray();
        set(body, "lines", arr);
        for (i = 0; i < nlines; i++) {
            char *copy = ld_xstrdup(lines[i]), *part[3];
            int k = split(copy, part, 3);
            long long a = 0, b = 0, ln = 0;
            cJSON *o = cJSON_CreateObject();
            int ok = num(part[0], &ln);
            cJSON_AddNumberToObject(o, "line", (double)ln);
            if (strcmp(v->name, "receive") == 0) {
                ok = ok && k >= 2 && num(part[1], &a) && (k < 3 || num(part[2], &b));
                cJSON_AddNumberToObject(o, "received_g", (double)a);
                cJSON_AddNumberToObject(o, "accepted_g", (double)(k == 3 ? b : a));
            } else if (strcmp(v->name, "reject") == 0) {
                ok = ok && k == 2 && num(part[1], &a);
                cJSON_AddNumberToObject(o, "rejected_g", (double)a);
            } else if (strcmp(v->name, "dispose") == 0) {
                ok = ok && k == 3 && num(part[2], &a);
                cJSON_AddStringToObject(o, "method", k >= 2 ? part[1] : "");
                cJSON_AddNumberToObject(o, "qty_g", (double)a);
            } else {
                ok = 0;
            }
            cJSON_AddItemToArray(arr, o);
            free(copy);
            if (!ok) {
                cli_err(v->name, "--line '%s' does not fit this command", lines[i]);
                goto out;
            }
        }
    }
    rc = cli_load_key(v->name, key, &s);
    if (rc != LD_OK) {
        code = cli_exit(rc);
        goto out;
    }
    if (cli_open(v->name, db, 0, &l) != LD_OK)
        goto out;
    if (trackf) {
        char hash[65];
        code = cli_attach(v->name, l, trackf, "application/geo+json", hash);
        if (code != EXIT_OK)
            goto out;
        code = EXIT_USAGE;
        set(body, "track", cJSON_CreateString(hash));
    }
    if (!actor_of(l, s, actor)) {
        cli_err(v->name, "'%s' is not a certified key of any party", key);
        code = EXIT_REJECT;
        goto out;
    }
    if (ld_tm_now(&now) != LD_OK || ld_tm_format(now, at) != LD_OK) {
        cli_err(v->name, "cannot read the clock");
        goto out;
    }
    if (strcmp(v->name, "file") == 0 && !number) {
        manifest = ld_manifest_next_number(ld_ledger_store(l), actor, now);
        if (manifest == 0) {
            cli_err(v->name, "no manifest number for %s: not registered, or no district", actor);
            code = EXIT_REJECT;
            goto out;
        }
    }
    if (strcmp(v->name, "dispose") == 0 && !cJSON_HasObjectItem(body, "on")) {
        char day[LD_TM_DATE_LEN];
        ld_tm_format_date(ld_domain_day(now) * LD_TM_DAY, day);
        set(body, "on", cJSON_CreateString(day));
    }
    if (!cJSON_HasObjectItem(body, "lines") &&
        (strcmp(v->name, "receive") == 0 || strcmp(v->name, "dispose") == 0)) {
        if (strcmp(v->name, "dispose") == 0 && method == NULL) {
            cli_err(v->name, "give --line LINE:METHOD:QTY_G or --method METHOD");
            goto out;
        }
        if (default_lines(l, manifest, strcmp(v->name, "dispose") == 0, method, body) != LD_OK) {
            cli_err(v->name, "cannot read the lines of %lld", manifest);
            goto out;
        }
    }
    snprintf(chain, sizeof chain, "m:%lld", manifest);
    event = cJSON_CreateObject();
    cJSON_AddNumberToObject(event, "v", 1);
    cJSON_AddStringToObject(event, "type", v->type);
    cJSON_AddNumberToObject(event, "manifest", (double)manifest);
    if (ld_ledger_head(l, chain, head) == LD_OK)
        cJSON_AddStringToObject(event, "prev", head);
    else
        cJSON_AddNullToObject(event, "prev");
    cJSON_AddStringToObject(event, "at", at);
    cJSON_AddStringToObject(event, "actor", actor);
    cJSON_AddItemToObject(event, "body", body);
    body = NULL;
    code = cli_sign_append(v->name, l, event, s);
out:
    cJSON_Delete(body);
    cJSON_Delete(event);
    ld_ledger_close(l);
    ld_sig_secret_free(s);
    return code;
}
