/*
 * cmd_auth.c - `liandan auth`: answer an HTTP sign-in challenge with a secret
 * key file, offline (schema/api.md "Authentication"). Prints the body for
 * POST /v1/auth/token: {"key":KEYID,"nonce":NONCE,"sig":BASE64}, the
 * signature over LD_SIG_PURPOSE_AUTH || JCS({"key","nonce","origin"}).
 * It never talks to the server: curl does that (README).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "liandan/auth.h"
#include "liandan/enc.h"
#include "liandan/banned.h"

static const char usage[] =
    "usage: liandan auth --key SECRET\n"
    "       liandan auth --key SECRET --origin ORIGIN NONCE\n"
    "\nWithout NONCE: prints the body for POST /v1/auth/challenge, {\"key\":KEYID}.\n"
    "With NONCE (from the challenge): signs it for the ledger ORIGIN (from GET\n"
    "/v1/log/keys) and prints the body for POST /v1/auth/token.\n";

static int
nonce_ok(const char *s)
{
    size_t i;

    if (strlen(s) != 64)
        return 0;
    for (i = 0; i < 64; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
            return 0;
    return 1;
}

int
cmd_auth(int argc, char **argv)
{
    static const struct option opts[] = {{"key", required_argument, NULL, 'k'},
                                         {"origin", required_argument, NULL, 'o'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    const char *key = NULL, *origin = NULL, *nonce;
    struct ld_sig_secret *s = NULL;
    struct ld_sig_pub pub;
    uint8_t sig[LD_SIG_SIG];
    char b64[LD_ENC_B64_LEN(LD_SIG_SIG)], *msg;
    size_t len;
    int c, ok;

    optind = 0;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        ok = 1;
        if (c == 'h')
            return cli_usage(usage, 1);
        else if (c == 'k')
            ok = cli_once("auth", &key, optarg, "key");
        else if (c == 'o')
            ok = cli_once("auth", &origin, optarg, "origin");
        else
            return cli_usage(usage, 0);
        if (!ok)
            return cli_usage(usage, 0);
    }
    if (key == NULL || optind < argc - 1 || (optind == argc - 1) != (origin != NULL)) {
        cli_err("auth", key == NULL ? "missing --key" : optind < argc - 1 ? "need one NONCE"
                : origin == NULL ? "missing --origin" : "missing NONCE");
        return cli_usage(usage, 0);
    }
    if (optind == argc) {
        if (cli_load_key("auth", key, &s) != LD_OK)
            return EXIT_USAGE;
        ld_sig_secret_pub(s, &pub);
        ld_sig_secret_free(s);
        printf("{\"key\":\"%s\"}\n", pub.keyid);
        return EXIT_OK;
    }
    nonce = argv[optind];
    if (!nonce_ok(nonce) || strpbrk(origin, "\"\\") != NULL) {
        cli_err("auth", "'%s' is not a challenge nonce (64 lowercase hex digits)", nonce);
        return EXIT_USAGE;
    }
    if (cli_load_key("auth", key, &s) != LD_OK)
        return EXIT_USAGE;
    ld_sig_secret_pub(s, &pub);
    msg = ld_auth_message(pub.keyid, nonce, origin, &len);
    ld_sig_sign(s, LD_SIG_PURPOSE_AUTH, msg, len, sig);
    free(msg);
    ld_sig_secret_free(s);
    printf("{\"key\":\"%s\",\"nonce\":\"%s\",\"sig\":\"%s\"}\n", pub.keyid, nonce,
           ld_enc_b64(sig, sizeof sig, b64));
    return EXIT_OK;
}
