# Every subcommand answers --help with exit 0, and a missing argument with exit 2.
. "$(dirname "$0")/lib.sh"

for c in keygen init party sign submit log entry checkpoint ledger-key prove verify reindex \
         file cancel pickup handover arrive receive reject dispose show list calendar \
         correct approve attach attachment trace audit stats bundle serve auth; do
    expect_exit 0 ld "$c" --help
    expect_out "usage: liandan $c"
done
# The signing commands: a missing --key (or body / manifest) exits 2.
for c in file cancel pickup handover arrive receive reject dispose correct approve; do
    expect_exit 2 ld "$c" --manifest 20262102000001
    expect_err "missing --key"
done
expect_exit 2 ld file --key k
expect_err "missing --body"
expect_exit 2 ld pickup --key k
expect_err "missing --manifest"
expect_exit 2 ld cancel --key k --manifest 20262102000001
expect_err "missing --reason"
expect_exit 2 ld show
expect_err "missing NUMBER"
expect_exit 2 ld list --role carrier
expect_exit 2 ld party licence --key k
expect_exit 2 ld calendar
expect_exit 2 ld calendar load --key k
expect_exit 2 ld attach
expect_err "missing FILE"
expect_exit 2 ld attachment
expect_err "missing HASH"
expect_exit 2 ld auth
expect_err "missing --key"
expect_exit 2 ld auth --key k --origin o
expect_err "missing NONCE"
expect_exit 2 ld serve --rate fast
expect_err "--rate 'fast'"
expect_exit 2 ld serve --listen 127.0.0.1:0 extra
expect_exit 2 ld bundle
expect_exit 0 ld --help
expect_out "commands:"
expect_exit 2 ld
expect_exit 2 ld no-such-command
expect_err "'no-such-command' is not a command"

# Missing arguments: exit 2, message names what is missing.
expect_exit 2 ld keygen --name x
expect_err "missing -o FILE"
expect_exit 2 ld keygen -o k
expect_err "missing --name"
expect_exit 2 ld init --origin x
expect_err "missing --regulator"
expect_exit 2 ld party
expect_err "missing verb"
expect_exit 2 ld party register --key k --id x
expect_exit 2 ld party key --key k --id x
expect_exit 2 ld party revoke --key k
expect_exit 2 ld sign
expect_exit 2 ld submit
expect_err "missing FILE"
expect_exit 2 ld entry
expect_err "missing ID or INDEX"
expect_exit 2 ld prove
expect_exit 2 ld prove inclusion
expect_exit 2 ld prove consistency 1
# Duplicated options are refused.
expect_exit 2 ld keygen --name a --name b -o k
expect_err "given twice"
# No ledger: exit 2 naming the file.
expect_exit 2 ld log --db "$T/none.db"
expect_err "no ledger at '$T/none.db'"
expect_exit 2 ld verify --db "$T/none.db"
