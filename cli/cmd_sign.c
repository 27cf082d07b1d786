/*
 * cmd_sign.c - `liandan sign`: sign an event JSON with a secret key file and
 * print the signed envelope (DESIGN.md §4.3), ready for `liandan submit` or
 * POST /v1/events. "key" is set from the key; "v" and "at" are filled in when
 * absent (1 and now).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "liandan/canon.h"
#include "liandan/tm.h"
#include "liandan/banned.h"

static const char usage[] =
    "usage: liandan sign --key SECRET FILE|-\n"
    "\nReads an event object {\"v\",\"type\",\"manifest\",\"prev\",\"at\",\"actor\",\"body\"}\n"
    "from FILE ('-' for stdin), signs it and prints the signed envelope.\n";

int
cmd_sign(int argc, char **argv)
{
    static const struct option opts[] = {
        {"key", required_argument, NULL, 'k'}, {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
    const char *key = NULL, *file;
    struct ld_sig_secret *s = NULL;
    struct ld_sig_pub pub;
    struct ld_err err;
    cJSON *event = NULL, *k;
    char *text = NULL, *out = NULL;
    size_t len = 0;
    enum ld_rc rc;
    int c, code = EXIT_USAGE;

    memset(&err, 0, sizeof err);
    optind = 0;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        if (c == 'h')
            return cli_usage(usage, 1);
        if (c != 'k' || !cli_once("sign", &key, optarg, "key"))
            return cli_usage(usage, 0);
    }
    if (key == NULL || optind != argc - 1) {
        cli_err("sign", key == NULL ? "missing --key" : "need exactly one FILE or -");
        return cli_usage(usage, 0);
    }
    file = argv[optind];
    if (cli_read(file, &text, &len) != LD_OK) {
        cli_err("sign", "cannot read '%s': %s", file, strerror(errno));
        return EXIT_USAGE;
    }
    rc = ld_canon_parse(text, len, LD_CANON_SIGNED, &event, &err);
    if (rc != LD_OK) {
        code = cli_fail("sign", file, rc, &err);
        goto out;
    }
    if (!cJSON_IsObject(event)) {
        cli_err("sign", "'%s': an event must be a JSON object", file);
        code = EXIT_REJECT;
        goto out;
    }
    rc = cli_load_key("sign", key, &s);
    if (rc != LD_OK) {
        code = cli_exit(rc);
        goto out;
    }
    ld_sig_secret_pub(s, &pub);
    k = cJSON_GetObjectItemCaseSensitive(event, "key");
    if (k && (!cJSON_IsString(k) || strcmp(k->valuestring, pub.keyid) != 0)) {
        cli_err("sign", "'%s' names key %s but '%s' is key %s", file,
                cJSON_IsString(k) ? k->valuestring : "?", key, pub.keyid);
        code = EXIT_REJECT;
        goto out;
    }
    if (!cJSON_HasObjectItem(event, "v"))
        cJSON_AddNumberToObject(event, "v", 1);
    if (!cJSON_HasObjectItem(event, "at")) {
        char at[LD_TM_RFC3339_LEN];
        int64_t now = 0;
        if (ld_tm_now(&now) != LD_OK || ld_tm_format(now, at) != LD_OK) {
            cli_err("sign", "cannot read the clock");
            goto out;
        }
        cJSON_AddStringToObject(event, "at", at);
    }
    rc = ld_event_sign(event, s, &out, &len, &err);
    if (rc != LD_OK) {
        code = cli_fail("sign", file, rc, &err);
        goto out;
    }
    puts(out);
    code = EXIT_OK;
out:
    free(text);
    free(out);
    cJSON_Delete(event);
    ld_sig_secret_free(s);
    return code;
}
