/*
 * cmd_calendar.c - `liandan calendar`: the working-day calendar deadlines
 * count with. `load` turns a year's CSV (date,kind,name as in
 * data/cn-holidays.csv) into a regulator-signed calendar.load event; `show`
 * prints the holidays and make-up working days of a year and whether the year
 * is covered (outside covered years deadlines count Monday to Friday).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "liandan/data.h"
#include "liandan/domain.h"
#include "liandan/tm.h"
#include "liandan/workday.h"
#include "liandan/banned.h"

static const char usage[] =
    "usage: liandan calendar load [--db DB] --key REG_SECRET --csv FILE --source TEXT\n"
    "       liandan calendar show [--db DB] [--year YEAR]\n"
    "\nFILE has the header date,kind,name; kind is off (holiday) or work (make-up\n"
    "working day); TEXT names the State Council notice.\n";

/* CSV rows -> {"source","rows":[...]} (validated again by the rule). */
static cJSON *
rows_body(const char *text, size_t len, const char *source, struct ld_err *err)
{
    struct ld_data_csv c;
    const char *const header[] = {"date", "kind", "name"};
    cJSON *body = cJSON_CreateObject(), *rows = cJSON_CreateArray();
    int got = 0;
    enum ld_rc rc;

    cJSON_AddStringToObject(body, "source", source);
    cJSON_AddItemToObject(body, "rows", rows);
    ld_data_csv_init(&c, "csv", text, len, 3);
    rc = ld_data_csv_header(&c, header, err);
    while (rc == LD_OK && (rc = ld_data_csv_next(&c, &got, err)) == LD_OK && got) {
        cJSON *r = cJSON_CreateObject();
        cJSON_AddStringToObject(r, "date", c.field[0]);
        cJSON_AddStringToObject(r, "kind", c.field[1]);
        cJSON_AddStringToObject(r, "name", c.field[2]);
        cJSON_AddItemToArray(rows, r);
    }
    ld_data_csv_release(&c);
    if (rc != LD_OK) {
        cJSON_Delete(body);
        return NULL;
    }
    return body;
}

static int
show(const char *db, int year)
{
    struct ld_ledger *l = NULL;
    struct ld_workday *w = NULL;
    struct ld_err err;
    int64_t d, first = ld_tm_days_from_civil(year, 1, 1), last = ld_tm_days_from_civil(year, 12, 31);

    memset(&err, 0, sizeof err);
    if (cli_open("calendar", db, 1, &l) != LD_OK)
        return EXIT_USAGE;
    if (ld_domain_calendar(ld_ledger_store(l), &w, &err) != LD_OK) {
        cli_err("calendar", "cannot build the calendar: %s", err.msg);
        ld_ledger_close(l);
        return EXIT_USAGE;
    }
    printf("%d: %s\n", year, ld_workday_covered(w, year) ? "covered"
                                                          : "NOT covered (deadlines count Mon-Fri)");
    for (d = first; d <= last; d++) {
        const char *name = NULL;
        enum ld_workday_kind k = ld_workday_kind(w, d, &name);
        char date[LD_TM_DATE_LEN];
        if (name == NULL)
            continue;
        ld_tm_format_date(d * LD_TM_DAY, date);
        printf("%s %s %s\n", date, ld_workday_is_workday(w, d) ? "work" : "off", name);
        (void)k;
    }
    ld_workday_free(w);
    ld_ledger_close(l);
    return EXIT_OK;
}

int
cmd_calendar(int argc, char **argv)
{
    static const struct option opts[] = {
        {"db", required_argument, NULL, 'd'},     {"key", required_argument, NULL, 'k'},
        {"csv", required_argument, NULL, 'c'},    {"source", required_argument, NULL, 's'},
        {"year", required_argument, NULL, 'y'},   {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *db = NULL, *key = NULL, *csv = NULL, *source = NULL, *year = NULL, *verb;
    unsigned long long y = 0;
    struct ld_sig_secret *s = NULL;
    struct ld_ledger *l = NULL;
    struct ld_err err;
    cJSON *body = NULL, *event = NULL;
    char *text = NULL, head[LD_EVENT_ID_HEX], at[LD_TM_RFC3339_LEN];
    size_t len = 0;
    int64_t now = 0;
    int c, code = EXIT_USAGE;

    memset(&err, 0, sizeof err);
    if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0))
        return cli_usage(usage, 1);
    if (argc < 2 || (strcmp(argv[1], "load") != 0 && strcmp(argv[1], "show") != 0)) {
        cli_err("calendar", "missing verb: load or show");
        return cli_usage(usage, 0);
    }
    verb = argv[1];
    optind = 0;
    while ((c = getopt_long(argc - 1, argv + 1, "h", opts, NULL)) != -1) {
        int ok = 1;
        switch (c) {
        case 'd': ok = cli_once("calendar", &db, optarg, "db"); break;
        case 'k': ok = cli_once("calendar", &key, optarg, "key"); break;
        case 'c': ok = cli_once("calendar", &csv, optarg, "csv"); break;
        case 's': ok = cli_once("calendar", &source, optarg, "source"); break;
        case 'y': ok = cli_once("calendar", &year, optarg, "year"); break;
        case 'h': return cli_usage(usage, 1);
        default: return cli_usage(usage, 0);
        }
        if (!ok)
            return cli_usage(usage, 0);
    }
    if (optind != argc - 1)
        return cli_usage(usage, 0);
    if (strcmp(verb, "show") == 0) {
        if (ld_tm_now(&now) != LD_OK)
            return EXIT_USAGE;
        if (year && (!cli_u64(year, &y) || y < 1970 || y > 9999)) {
            cli_err("calendar", "--year '%s' is not a year", year);
            return EXIT_USAGE;
        }
        if (!year) {
            int m, d, yy;
            ld_tm_civil_from_days(ld_domain_day(now), &yy, &m, &d);
            y = (unsigned long long)yy;
        }
        return show(db, (int)y);
    }
    if (key == NULL || csv == NULL || source == NULL) {
        cli_err("calendar", "load needs --key, --csv and --source");
        return cli_usage(usage, 0);
    }
    if (cli_read(csv, &text, &len) != LD_OK) {
        cli_err("calendar", "cannot read '%s'", csv);
        return EXIT_USAGE;
    }
    body = rows_body(text, len, source, &err);
    free(text);
    if (body == NULL) {
        cli_err("calendar", "'%s': %s", csv, err.msg[0] ? err.msg : "not a date,kind,name CSV");
        return EXIT_REJECT;
    }
    {
        enum ld_rc rc = cli_load_key("calendar", key, &s);
        if (rc != LD_OK) {
            code = cli_exit(rc);
            goto out;
        }
    }
    if (cli_open("calendar", db, 0, &l) != LD_OK)
        goto out;
    if (ld_tm_now(&now) != LD_OK || ld_tm_format(now, at) != LD_OK)
        goto out;
    event = cJSON_CreateObject();
    cJSON_AddNumberToObject(event, "v", 1);
    cJSON_AddStringToObject(event, "type", "calendar.load");
    cJSON_AddNullToObject(event, "manifest");
    if (ld_ledger_head(l, "c:calendar", head) == LD_OK)
        cJSON_AddStringToObject(event, "prev", head);
    else
        cJSON_AddNullToObject(event, "prev");
    cJSON_AddStringToObject(event, "at", at);
    cJSON_AddStringToObject(event, "actor", "regulator");
    cJSON_AddItemToObject(event, "body", body);
    body = NULL;
    code = cli_sign_append("calendar", l, event, s);
out:
    cJSON_Delete(body);
    cJSON_Delete(event);
    ld_ledger_close(l);
    ld_sig_secret_free(s);
    return code;
}
