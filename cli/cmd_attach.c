/*
 * cmd_attach.c - content-addressed attachments (a GPS track as GeoJSON):
 * `liandan attach FILE` stores the bytes and prints their SHA-256, which an
 * event then names (and so signs); `liandan attachment HASH` writes them back.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "liandan/tm.h"
#include "liandan/banned.h"

static const char usage_attach[] =
    "usage: liandan attach [--db DB] [--type MEDIA_TYPE] FILE|-\n"
    "\nStores FILE (at most 16 MiB; default type application/geo+json) and prints\n"
    "its SHA-256, the name events use (\"track\").\n";
static const char usage_get[] = "usage: liandan attachment [--db DB] HASH\n"
                                "\nWrites the attachment's bytes to stdout.\n";

/* Store path's bytes; [out] hash. Prints its own errors. Returns an exit code. */
int
cli_attach(const char *cmd, struct ld_ledger *l, const char *path, const char *type,
           char hash[65])
{
    char *data = NULL;
    size_t len = 0;
    int64_t now = 0;
    enum ld_rc rc;

    if (cli_read(path, &data, &len) != LD_OK) {
        cli_err(cmd, "cannot read '%s'", path);
        return EXIT_USAGE;
    }
    ld_tm_now(&now);
    rc = ld_store_attachment_put(ld_ledger_store(l), data, len, type, now, hash);
    free(data);
    if (rc == LD_INVALID) {
        cli_err(cmd, "'%s': larger than 16 MiB, or a bad media type", path);
        return EXIT_REJECT;
    }
    if (rc != LD_OK) {
        cli_err(cmd, "cannot store '%s' (%s)", path, ld_rc_str(rc));
        return EXIT_USAGE;
    }
    return EXIT_OK;
}

int
cmd_attach(int argc, char **argv)
{
    static const struct option opts[] = {{"db", required_argument, NULL, 'd'},
                                         {"type", required_argument, NULL, 't'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    const char *db = NULL, *type = NULL;
    struct ld_ledger *l = NULL;
    char hash[65];
    int c, code;

    optind = 0;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        int ok = 1;
        switch (c) {
        case 'd': ok = cli_once("attach", &db, optarg, "db"); break;
        case 't': ok = cli_once("attach", &type, optarg, "type"); break;
        case 'h': return cli_usage(usage_attach, 1);
        default: return cli_usage(usage_attach, 0);
        }
        if (!ok)
            return cli_usage(usage_attach, 0);
    }
    if (optind != argc - 1) {
        cli_err("attach", optind == argc ? "missing FILE" : "one FILE at a time");
        return cli_usage(usage_attach, 0);
    }
    if (cli_open("attach", db, 0, &l) != LD_OK)
        return EXIT_USAGE;
    code = cli_attach("attach", l, argv[optind], type ? type : "application/geo+json", hash);
    if (code == EXIT_OK)
        puts(hash);
    ld_ledger_close(l);
    return code;
}

int
cmd_attachment(int argc, char **argv)
{
    static const struct option opts[] = {
        {"db", required_argument, NULL, 'd'}, {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
    const char *db = NULL;
    struct ld_ledger *l = NULL;
    char *data = NULL, type[64];
    size_t len = 0;
    enum ld_rc rc;
    int c;

    optind = 0;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        if (c == 'h')
            return cli_usage(usage_get, 1);
        if (c != 'd' || !cli_once("attachment", &db, optarg, "db"))
            return cli_usage(usage_get, 0);
    }
    if (optind != argc - 1) {
        cli_err("attachment", "missing HASH");
        return cli_usage(usage_get, 0);
    }
    if (cli_open("attachment", db, 1, &l) != LD_OK)
        return EXIT_USAGE;
    rc = ld_store_attachment_get(ld_ledger_store(l), argv[optind], &data, &len, type);
    if (rc == LD_OK)
        fwrite(data, 1, len, stdout);
    else
        cli_err("attachment", "'%s': %s", argv[optind],
                rc == LD_NOTFOUND ? "no such attachment" : ld_rc_str(rc));
    free(data);
    ld_ledger_close(l);
    return rc == LD_OK ? EXIT_OK : rc == LD_NOTFOUND ? EXIT_REJECT : EXIT_USAGE;
}
