/*
 * cmd_submit.c - `liandan submit`: append one signed event read from a file
 * or stdin; prints the signed receipt (the original one for a resubmission).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "liandan/banned.h"

static const char usage[] =
    "usage: liandan submit [--db DB] FILE|-\n"
    "\nAppends the signed event in FILE ('-' for stdin) and prints the receipt.\n"
    "Exit 0 when accepted (or already accepted: the original receipt), 1 when\n"
    "refused, 2 on usage or I/O errors.\n";

int
cmd_submit(int argc, char **argv)
{
    static const struct option opts[] = {
        {"db", required_argument, NULL, 'd'}, {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
    const char *db = NULL, *file;
    struct ld_ledger *l = NULL;
    struct ld_receipt r;
    struct ld_err err;
    char *text = NULL, *json;
    size_t len = 0;
    enum ld_rc rc;
    int c, code;

    memset(&err, 0, sizeof err);
    optind = 0;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        if (c == 'h')
            return cli_usage(usage, 1);
        if (c != 'd' || !cli_once("submit", &db, optarg, "db"))
            return cli_usage(usage, 0);
    }
    if (optind != argc - 1) {
        cli_err("submit", optind == argc ? "missing FILE" : "too many arguments");
        return cli_usage(usage, 0);
    }
    file = argv[optind];
    if (cli_read(file, &text, &len) != LD_OK) {
        cli_err("submit", "cannot read '%s': %s", file, strerror(errno));
        return EXIT_USAGE;
    }
    if (cli_open("submit", db, 0, &l) != LD_OK) {
        free(text);
        return EXIT_USAGE;
    }
    rc = ld_ledger_append(l, text, len, &r, &err);
    if (rc == LD_OK || rc == LD_EXISTS) {
        json = ld_receipt_json(&r);
        puts(json);
        free(json);
        if (rc == LD_EXISTS)
            cli_err("submit", "'%s' was already accepted: original receipt", file);
        code = EXIT_OK;
    } else {
        code = cli_fail("submit", file, rc, &err);
    }
    free(text);
    ld_ledger_close(l);
    return code;
}
