# tests/cli/lib.sh - shared by the CLI scenario scripts (sourced, POSIX sh).
#
# Gives each script a fresh temporary directory ($T, removed on exit), the
# binary under test ($LIANDAN, default build/liandan), and assertions that
# print what was expected against what happened.
set -eu
LIANDAN=${LIANDAN:-$(pwd)/build/liandan}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
cd "$T"
export LIANDAN_DB="$T/ledger.db"
unset LIANDAN_PASSPHRASE LIANDAN_NOW || true

fail() { echo "FAIL: $*" >&2; exit 1; }

# expect_exit CODE CMD...: run CMD, require exit CODE; stdout in $T/out, stderr in $T/err.
expect_exit() {
    want=$1; shift
    set +e
    "$@" >"$T/out" 2>"$T/err"
    got=$?
    set -e
    if [ "$got" != "$want" ]; then
        echo "command: $*" >&2
        echo "stdout:" >&2; cat "$T/out" >&2
        echo "stderr:" >&2; cat "$T/err" >&2
        fail "exit $got, expected $want"
    fi
}

# expect_err PATTERN: stderr of the last expect_exit matches grep -E PATTERN.
expect_err() {
    grep -Eq -- "$1" "$T/err" || { cat "$T/err" >&2; fail "stderr does not match '$1'"; }
}

# expect_out PATTERN: stdout of the last expect_exit matches grep -E PATTERN.
expect_out() {
    grep -Eq -- "$1" "$T/out" || { cat "$T/out" >&2; fail "stdout does not match '$1'"; }
}

ld() { "$LIANDAN" "$@"; }

# Valid USCCs (GB 32100-2015 check characters verified by test_uscc).
P1=91350100M000100Y43
P2=914403001922038216
P3=91440300708461136T

# setup_ledger: regulator key (unencrypted), ledger at $LIANDAN_DB.
setup_ledger() {
    ld keygen --name regulator.test --no-passphrase -o "$T/reg.key" >/dev/null
    ld init --origin test.example/ledger --regulator "$T/reg.key.pub" >/dev/null
}

# keyed_party ID KEYNAME ROLE DISTRICT NAME: the regulator (reg.key) registers
# the party and certifies a new unencrypted key KEYNAME.key for it.
keyed_party() {
    ld party register --key reg.key --id "$1" --name "$5" --role "$3" --district "$4" >/dev/null
    ld keygen --name "$2" --no-passphrase -o "$2.key" >/dev/null
    ld party key --key reg.key --id "$1" --pub "$2.key.pub" >/dev/null
}

# licence_hw08 ID KIND NUMBER: a disposal or collection licence for HW08 with
# methods R9 and D10, valid 2026-01-01 to 2027-12-31.
licence_hw08() {
    cat > lic.json <<J
{"id":"$1","kind":"$2","number":"$3","valid_from":"2026-01-01","valid_until":"2027-12-31",
 "codes":["HW08"],"methods":["R9","D10"]}
J
    expect_exit 0 ld party licence --key reg.key --body lic.json
}

# expect_nonzero CMD...: CMD must fail (any non-zero status).
expect_nonzero() {
    set +e
    "$@" >"$T/out" 2>"$T/err"
    got=$?
    set -e
    [ "$got" != 0 ] || fail "'$*' succeeded, expected a failure"
}
