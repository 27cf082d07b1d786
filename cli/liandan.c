/*
 * liandan.c - main() of the liandan command: looks the subcommand up in the
 * command table and runs it (git's commands[] pattern, STYLE.md rule 14).
 * Exit codes: 0 ok/valid, 1 rejected/verification failed, 2 usage or I/O.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "liandan/sig.h"
#include "liandan/banned.h"

static const struct cli_cmd commands[] = {
    {"keygen", cmd_keygen, "generate a key pair (secret file + .pub verifier key)"},
    {"init", cmd_init, "create a ledger with the regulator's key pinned"},
    {"party", cmd_party, "register a party, certify or revoke its key (regulator)"},
    {"sign", cmd_sign, "sign an event JSON and print the signed envelope"},
    {"submit", cmd_submit, "append a signed event and print its receipt"},
    {"log", cmd_log, "list the events of the ledger"},
    {"entry", cmd_entry, "print the raw entry bytes of an event (the Merkle leaf data)"},
    {"checkpoint", cmd_checkpoint, "print the latest signed checkpoint"},
    {"ledger-key", cmd_ledger_key, "print the ledger's verifier key"},
    {"prove", cmd_prove, "print an inclusion or consistency proof"},
    {"verify", cmd_verify, "re-check every event, key, chain and the Merkle root"},
    {"reindex", cmd_reindex, "rebuild the derived tables from the events"},
    {"file", cmd_event, "file a manifest (producer)"},
    {"cancel", cmd_event, "cancel a manifest before pickup (producer)"},
    {"pickup", cmd_event, "sign pickup (carrier)"},
    {"handover", cmd_event, "sign a hand-over to the next leg (next carrier)"},
    {"arrive", cmd_event, "sign arrival at the receiver (carrier)"},
    {"receive", cmd_event, "accept a load, in full or in part (receiver)"},
    {"reject", cmd_event, "reject a load, whole or per line (receiver)"},
    {"dispose", cmd_event, "record utilisation/disposal (receiver)"},
    {"correct", cmd_event, "propose (or, regulator: request) a correction of a closed manifest"},
    {"approve", cmd_event, "approve another party's correction"},
    {"show", cmd_show, "show a manifest: three parts, state, signatures"},
    {"attach", cmd_attach, "store an attachment (GPS track) and print its SHA-256"},
    {"attachment", cmd_attachment, "write an attachment's bytes to stdout"},
    {"calendar", cmd_calendar, "load or show the working-day calendar (State Council holidays)"},
    {"list", cmd_list, "list manifests by party, role, state, code, district, date"},
    {"trace", cmd_trace, "trace a batch to every source and disposal, with mass balance"},
    {"bundle", cmd_bundle, "export a batch's trace bundle, or verify one offline"},
    {"audit", cmd_audit, "list anomalies: overdue, short, unlicensed, inconsistent"},
    {"stats", cmd_stats, "totals by producer, receiver, category, code, district, month"},
    {"serve", cmd_serve, "serve the HTTP API (schema/api.md) and the web pages"},
    {"auth", cmd_auth, "answer an HTTP sign-in challenge with a key file (for curl)"},
};

static int
help(FILE *f)
{
    size_t i;

    fputs("usage: liandan COMMAND [OPTIONS]   (liandan COMMAND --help for its options)\n\n"
          "commands:\n",
          f);
    for (i = 0; i < sizeof commands / sizeof *commands; i++)
        fprintf(f, "  %-12s %s\n", commands[i].name, commands[i].summary);
    fputs("\nThe ledger is --db DB, else $LIANDAN_DB, else ./liandan.db.\n"
          "Exit status: 0 ok, 1 rejected or verification failed, 2 usage or I/O error.\n",
          f);
    return f == stdout ? EXIT_OK : EXIT_USAGE;
}

int
main(int argc, char **argv)
{
    size_t i;

    if (argc < 2)
        return help(stderr);
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        strcmp(argv[1], "help") == 0)
        return help(stdout);
    if (ld_sig_init() != LD_OK) {
        fputs("liandan: cannot initialise libsodium\n", stderr);
        return EXIT_USAGE;
    }
    for (i = 0; i < sizeof commands / sizeof *commands; i++)
        if (strcmp(argv[1], commands[i].name) == 0)
            return commands[i].fn(argc - 1, argv + 1);
    fprintf(stderr, "liandan: '%s' is not a command (see 'liandan --help')\n", argv[1]);
    return EXIT_USAGE;
}
