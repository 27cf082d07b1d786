# The CLI's checkpoint, inclusion and consistency proofs verify with Go's
# golang.org/x/mod/sumdb/note and sumdb/tlog (tests/interop/go/ldcheck.go):
# an implementation independent of ours.
set -eu
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
ldcheck=$(sh "$LIANDAN_ROOT/tests/interop/build-ldcheck.sh" "$T/bin")
ld() { "$LIANDAN" "$@"; }
export LIANDAN_DB="$T/l.db"
cd "$T"
ld keygen --name regulator.test --no-passphrase -o reg.key >/dev/null
ld init --origin interop.example/log --regulator reg.key.pub >/dev/null
ld ledger-key > ledger.vkey
i=0
for id in 91350100M000100Y43 914403001922038216 91440300708461136T 91330100716105852F \
          91110108551385082Q; do
    ld party register --key reg.key --id "$id" --name "P$i" --role producer >/dev/null
    i=$((i + 1))
    [ $i -eq 2 ] && ld checkpoint > cp2
done
ld checkpoint > cp5
"$ldcheck" note ledger.vkey cp5 | grep -q '^ok interop.example/log 5 '
for idx in 0 1 2 3 4; do
    ld prove inclusion $idx > p$idx.json
    ld entry $idx > e$idx
    "$ldcheck" inclusion ledger.vkey cp5 p$idx.json e$idx | grep -qx ok
done
ld prove consistency 2 5 > c.json
"$ldcheck" consistency ledger.vkey cp2 cp5 c.json | grep -qx ok
# And a forgery must fail there too: the wrong entry for a proof.
if "$ldcheck" inclusion ledger.vkey cp5 p1.json e2 >/dev/null 2>&1; then
    echo "ldcheck accepted a proof for the wrong entry" >&2
    exit 1
fi
echo ok
