/*
 * cmd_verify.c - `liandan verify`: re-check the whole ledger from its raw
 * events (include/liandan/verify.h). Prints one "ok" line, or the first fault
 * with its leaf index, field and reason.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "liandan/domain.h"
#include "liandan/verify.h"
#include "liandan/banned.h"

static const char usage[] =
    "usage: liandan verify [--db DB] [-q] [--threads N] [--no-receipts]\n"
    "\nRe-checks every event's signature and key certification, every chain link,\n"
    "every leaf, stored node and receipt, and every checkpoint against the root\n"
    "recomputed from the events. Exit 0 when sound, 1 at the first fault, 2 when\n"
    "the ledger cannot be read. -q: exit status only.\n";

static void
progress(void *ctx, uint64_t done, uint64_t total)
{
    (void)ctx;
    if (total >= 100000 && done % 65536 < 512)
        fprintf(stderr, "\rverify: %llu/%llu events", (unsigned long long)done,
                (unsigned long long)total);
}

int
cmd_verify(int argc, char **argv)
{
    static const struct option opts[] = {{"db", required_argument, NULL, 'd'},
                                         {"quiet", no_argument, NULL, 'q'},
                                         {"threads", required_argument, NULL, 't'},
                                         {"no-receipts", no_argument, NULL, 'R'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    const char *db = NULL, *threads = NULL;
    struct ld_verify_opts vo;
    struct ld_verify_result res;
    unsigned long long t = 0;
    int quiet = 0, c, tty = isatty(2);
    enum ld_rc rc;

    memset(&vo, 0, sizeof vo);
    optind = 0;
    while ((c = getopt_long(argc, argv, "qh", opts, NULL)) != -1) {
        int ok = 1;
        switch (c) {
        case 'd': ok = cli_once("verify", &db, optarg, "db"); break;
        case 't': ok = cli_once("verify", &threads, optarg, "threads"); break;
        case 'q': quiet = 1; break;
        case 'R': vo.skip_receipts = 1; break;
        case 'h': return cli_usage(usage, 1);
        default: return cli_usage(usage, 0);
        }
        if (!ok)
            return cli_usage(usage, 0);
    }
    if (optind != argc)
        return cli_usage(usage, 0);
    if (threads && (!cli_u64(threads, &t) || t == 0 || t > 256)) {
        cli_err("verify", "--threads '%s' must be 1..256", threads);
        return EXIT_USAGE;
    }
    vo.threads = (unsigned)t;
    vo.rules = ld_domain_rules(&vo.nrules);
    if (!quiet && tty)
        vo.progress = progress;
    rc = ld_verify_ledger(cli_db(db), &vo, &res);
    if (!quiet && tty && vo.progress)
        fputs("\r\033[K", stderr);
    if (rc == LD_OK) {
        if (!quiet)
            printf("ok %llu events, %llu checkpoints verified (latest size %llu)\n",
                   (unsigned long long)res.events, (unsigned long long)res.checkpoints,
                   (unsigned long long)res.checkpoint_size);
        return EXIT_OK;
    }
    if (rc == LD_TAMPERED) {
        if (!quiet) {
            if (res.fault_index != UINT64_MAX)
                fprintf(stderr, "liandan verify: '%s': event %llu: %s: %s\n", cli_db(db),
                        (unsigned long long)res.fault_index, res.err.field, res.err.msg);
            else
                fprintf(stderr, "liandan verify: '%s': %s: %s\n", cli_db(db), res.err.field,
                        res.err.msg);
        }
        return EXIT_REJECT;
    }
    if (!quiet)
        cli_err("verify", "%s", res.err.msg[0] ? res.err.msg : ld_rc_str(rc));
    return EXIT_USAGE;
}
