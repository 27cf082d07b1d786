/*
 * cmd_keygen.c - `liandan keygen`: a new Ed25519 key pair as a secret key file
 * (encrypted with a passphrase unless --no-passphrase) and FILE.pub holding
 * the verifier key line (DESIGN.md §4.2).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "liandan/mem.h"
#include "liandan/banned.h"

static const char usage[] =
    "usage: liandan keygen --name NAME -o FILE [--no-passphrase]\n"
    "\n"
    "Writes the secret key to FILE (mode 0600; passphrase from $LIANDAN_PASSPHRASE\n"
    "or asked on the terminal) and the verifier key line to FILE.pub, and prints\n"
    "the verifier key line. Neither file may exist already.\n";

/* Create path exclusively with mode and write text. */
static int
write_new(const char *path, const char *text, mode_t mode)
{
    size_t len = strlen(text), off = 0;
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, mode);

    if (fd < 0)
        return -1;
    while (off < len) {
        ssize_t w = write(fd, text + off, len - off);
        if (w <= 0) {
            close(fd);
            return -1;
        }
        off += (size_t)w;
    }
    if (fsync(fd) != 0)
        return close(fd), -1;
    return close(fd);
}

int
cmd_keygen(int argc, char **argv)
{
    static const struct option opts[] = {
        {"name", required_argument, NULL, 'n'},
        {"output", required_argument, NULL, 'o'},
        {"no-passphrase", no_argument, NULL, 'N'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *name = NULL, *out = NULL;
    int nopass = 0, c, code = EXIT_USAGE;
    char *pass = NULL, *text = NULL, *vkey = NULL, *pubpath = NULL, *publine = NULL;
    struct ld_sig_secret *s = NULL;
    struct ld_sig_pub pub;

    optind = 0;
    while ((c = getopt_long(argc, argv, "n:o:h", opts, NULL)) != -1) {
        switch (c) {
        case 'n':
            if (!cli_once("keygen", &name, optarg, "name"))
                return cli_usage(usage, 0);
            break;
        case 'o':
            if (!cli_once("keygen", &out, optarg, "output"))
                return cli_usage(usage, 0);
            break;
        case 'N':
            nopass = 1;
            break;
        case 'h':
            return cli_usage(usage, 1);
        default:
            return cli_usage(usage, 0);
        }
    }
    if (name == NULL || out == NULL || optind != argc) {
        cli_err("keygen", "%s", name == NULL ? "missing --name" : out == NULL ? "missing -o FILE"
                                                                             : "unexpected argument");
        return cli_usage(usage, 0);
    }
    if (!ld_sig_name_ok(name)) {
        cli_err("keygen", "key name '%s' must be printable with no spaces or '+'", name);
        return EXIT_USAGE;
    }
    pubpath = ld_xasprintf("%s.pub", out);
    if (access(out, F_OK) == 0 || access(pubpath, F_OK) == 0) {
        cli_err("keygen", "'%s' or '%s' already exists", out, pubpath);
        goto out;
    }
    if (!nopass) {
        enum ld_rc rc = cli_new_passphrase(&pass);
        if (rc != LD_OK) {
            cli_err("keygen", rc == LD_INVALID ? "passphrases are empty or do not match"
                                               : "no passphrase: set LIANDAN_PASSPHRASE, run on a "
                                                 "terminal, or use --no-passphrase");
            goto out;
        }
    }
    if (ld_sig_keygen(name, &s) != LD_OK || ld_sig_secret_export(s, pass, &text) != LD_OK) {
        cli_err("keygen", "cannot generate a key named '%s'", name);
        goto out;
    }
    ld_sig_secret_pub(s, &pub);
    vkey = ld_sig_vkey_format(&pub);
    publine = ld_xasprintf("%s\n", vkey);
    if (write_new(out, text, 0600) != 0) {
        cli_err("keygen", "cannot write '%s': %s", out, strerror(errno));
        goto out;
    }
    if (write_new(pubpath, publine, 0644) != 0) {
        cli_err("keygen", "cannot write '%s': %s", pubpath, strerror(errno));
        unlink(out);
        goto out;
    }
    puts(vkey);
    code = EXIT_OK;
out:
    if (text) {
        memset(text, 0, strlen(text));
        free(text);
    }
    if (pass) {
        memset(pass, 0, strlen(pass));
        free(pass);
    }
    ld_sig_secret_free(s);
    free(vkey);
    free(publine);
    free(pubpath);
    return code;
}
