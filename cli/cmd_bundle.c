/*
 * cmd_bundle.c - `liandan bundle`: export the trace bundle of a batch or a
 * manifest (DESIGN.md §4.5, include/liandan/bundle.h), or verify one offline
 * against the regulator's verifier key. tools/liandan-verify checks the same
 * bundles without libliandan.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "liandan/bundle.h"
#include "liandan/banned.h"

static const char usage[] =
    "usage: liandan bundle [--db DB] [-o FILE] BATCH|NUMBER\n"
    "       liandan bundle --verify FILE --regulator VKEY [--ledger-key VKEY] [-q]\n"
    "\nWrites the trace bundle of BATCH (NUMBER-LL or NUMBER-LLR) or of manifest\n"
    "NUMBER to FILE (default '-', stdout): every event of every manifest in its\n"
    "trace, the registry events (certificates, licences) of every party that\n"
    "signed one, a checkpoint signed by the ledger and each event's inclusion\n"
    "proof. A new checkpoint is signed when the latest does not cover the events.\n"
    "--verify checks a bundle ('-' = stdin) offline with nothing but the\n"
    "regulator's verifier key (VKEY: a key line or a file holding one); with\n"
    "--ledger-key the checkpoint must also be signed by that key. Prints one\n"
    "\"ok\" line, or the first failing item. -q: exit status only.\n"
    "Exit status: 0 ok, 1 no such batch or verification failed, 2 usage or I/O.\n";

/* A verifier key given as a key line or as a file holding one. Prints its error. */
static enum ld_rc
load_vkey(const char *arg, const char *opt, struct ld_sig_pub *out)
{
    char *text = NULL;
    size_t len = 0;
    enum ld_rc rc;

    if (ld_sig_vkey_parse(arg, strlen(arg), out) == LD_OK)
        return LD_OK;
    if (cli_read(arg, &text, &len) != LD_OK) {
        cli_err("bundle", "--%s '%s' is not a verifier key line, and cannot be read: %s", opt, arg,
                strerror(errno));
        return LD_IO;
    }
    rc = ld_sig_vkey_parse(text, len, out);
    free(text);
    if (rc != LD_OK)
        cli_err("bundle", "'%s' is not a verifier key line", arg);
    return rc;
}

static int
verify(const char *path, const char *reg, const char *pin, int quiet)
{
    struct ld_sig_pub regulator, pinned;
    struct ld_bundle_result res;
    struct ld_err err;
    char *text = NULL, *want = NULL, *got = NULL;
    size_t len = 0;
    int code = EXIT_USAGE;
    enum ld_rc rc;

    if (load_vkey(reg, "regulator", &regulator) != LD_OK ||
        (pin && load_vkey(pin, "ledger-key", &pinned) != LD_OK))
        return EXIT_USAGE;
    if (cli_read(path, &text, &len) != LD_OK) {
        cli_err("bundle", "cannot read '%s': %s", path, strerror(errno));
        return EXIT_USAGE;
    }
    memset(&err, 0, sizeof err);
    rc = ld_bundle_verify(text, len, &regulator, &res, &err);
    if (rc == LD_OK && pin &&
        (strcmp(res.ledger.name, pinned.name) != 0 ||
         memcmp(res.ledger.pk, pinned.pk, sizeof pinned.pk) != 0)) {
        want = ld_sig_vkey_format(&pinned);
        got = ld_sig_vkey_format(&res.ledger);
        rc = ld_err_set(&err, LD_WRONGKEY, "ledger_key",
                        "the checkpoint is signed by %s, not by the pinned ledger key %s", got,
                        want);
    }
    if (rc != LD_OK) {
        if (quiet)
            code = cli_exit(rc);
        else
            code = cli_fail("bundle", path, rc, &err);
        goto out;
    }
    if (!quiet)
        printf("ok %zu events of %zu manifests signed by %zu parties, %zu party events, "
               "checkpoint %s size %llu\n",
               res.events, res.manifests, res.signers, res.parties, res.origin,
               (unsigned long long)res.tree_size);
    code = EXIT_OK;
out:
    free(want);
    free(got);
    free(text);
    return code;
}

static int
build(const char *db, const char *subject, const char *path)
{
    struct ld_ledger *l = NULL;
    struct ld_err err;
    char *json = NULL;
    FILE *f = NULL;
    int code = EXIT_USAGE, bad;
    enum ld_rc rc;

    if (cli_open("bundle", db, 0, &l) != LD_OK)
        return EXIT_USAGE;
    memset(&err, 0, sizeof err);
    rc = ld_bundle_build(l, subject, &json, &err);
    if (rc != LD_OK) {
        code = cli_fail("bundle", subject, rc, &err);
        goto out;
    }
    f = strcmp(path, "-") == 0 ? stdout : fopen(path, "wb");
    if (f == NULL) {
        cli_err("bundle", "cannot write '%s': %s", path, strerror(errno));
        goto out;
    }
    fputs(json, f);
    fputc('\n', f);
    bad = fflush(f) != 0 || ferror(f);
    if (f != stdout)
        bad |= fclose(f) != 0;
    if (bad) {
        cli_err("bundle", "cannot write '%s': %s", path, strerror(errno));
        goto out;
    }
    code = EXIT_OK;
out:
    free(json);
    ld_ledger_close(l);
    return code;
}

int
cmd_bundle(int argc, char **argv)
{
    static const struct option opts[] = {
        {"db", required_argument, NULL, 'd'},        {"output", required_argument, NULL, 'o'},
        {"verify", required_argument, NULL, 'v'},    {"regulator", required_argument, NULL, 'r'},
        {"ledger-key", required_argument, NULL, 'k'}, {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},            {NULL, 0, NULL, 0},
    };
    const char *db = NULL, *out = NULL, *file = NULL, *reg = NULL, *pin = NULL;
    int c, quiet = 0;

    optind = 0;
    while ((c = getopt_long(argc, argv, "o:qh", opts, NULL)) != -1) {
        int ok = 1;
        switch (c) {
        case 'd': ok = cli_once("bundle", &db, optarg, "db"); break;
        case 'o': ok = cli_once("bundle", &out, optarg, "output"); break;
        case 'v': ok = cli_once("bundle", &file, optarg, "verify"); break;
        case 'r': ok = cli_once("bundle", &reg, optarg, "regulator"); break;
        case 'k': ok = cli_once("bundle", &pin, optarg, "ledger-key"); break;
        case 'q': quiet = 1; break;
        case 'h': return cli_usage(usage, 1);
        default: return cli_usage(usage, 0);
        }
        if (!ok)
            return cli_usage(usage, 0);
    }
    if (file) {
        if (db || out || optind != argc) {
            cli_err("bundle", "--verify takes no --db, -o or BATCH");
            return cli_usage(usage, 0);
        }
        if (reg == NULL) {
            cli_err("bundle", "missing --regulator");
            return cli_usage(usage, 0);
        }
        return verify(file, reg, pin, quiet);
    }
    if (reg || pin || quiet) {
        cli_err("bundle", "--regulator, --ledger-key and -q go with --verify");
        return cli_usage(usage, 0);
    }
    if (optind != argc - 1) {
        cli_err("bundle", optind == argc ? "missing BATCH or NUMBER" : "one BATCH or NUMBER only");
        return cli_usage(usage, 0);
    }
    return build(db, argv[optind], out ? out : "-");
}
