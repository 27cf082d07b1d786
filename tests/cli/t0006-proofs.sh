# checkpoint, ledger-key, entry, prove inclusion/consistency: formats of
# DESIGN.md §4.4, and errors for out-of-range requests.
. "$(dirname "$0")/lib.sh"
setup_ledger

expect_exit 0 ld checkpoint
printf 'test.example/ledger\n0\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n' > want0
head -n 3 "$T/out" > got0
cmp -s want0 got0 || fail "empty-tree checkpoint body differs"
for id in "$P1" "$P2" "$P3"; do
    ld party register --key reg.key --id "$id" --name "N $id" --role producer >/dev/null
done
expect_exit 0 ld checkpoint
cp "$T/out" cp3
sed -n 2p cp3 | grep -qx 3 || fail "checkpoint size is not 3"
sed -n 4p cp3 | grep -qx '' || fail "no blank line before the signature"
sed -n 5p cp3 | grep -q "^— test.example/ledger " || fail "no signature line by the ledger key"
# Stable: no growth, same note.
expect_exit 0 ld checkpoint
cmp -s "$T/out" cp3 || fail "checkpoint changed without growth"
expect_exit 0 ld ledger-key
expect_out '^test\.example/ledger\+[0-9a-f]{8}\+'

# entry: raw bytes, its SHA-256(0x00||entry) is the id.
expect_exit 0 ld entry 1
ID1=$(ld log | awk '$1 == 1 { print $2 }')
H=$( (printf '\000'; cat "$T/out") | sha256sum | cut -c1-64)
[ "$H" = "$ID1" ] || fail "leaf hash of entry 1 is $H, log says $ID1"
expect_exit 0 ld entry "$ID1"
expect_exit 1 ld entry 99
expect_err "no such event"
expect_exit 1 ld entry zz
expect_err "not an event id or index"

expect_exit 0 ld prove inclusion 1
expect_out '^\{"inclusion":\["[A-Za-z0-9+/=]{44}","[A-Za-z0-9+/=]{44}"\],"leaf_hash":"[^"]+","leaf_index":1,"tree_size":3\}$'
expect_exit 0 ld prove inclusion 0 --size 1
expect_out '"inclusion":\[\]'
expect_exit 1 ld prove inclusion 2 --size 2
expect_exit 0 ld prove consistency 1 3
expect_out '^\{"consistency":\[.*\],"new_root":"[^"]+","new_size":3,"old_root":"[^"]+","old_size":1\}$'
expect_exit 1 ld prove consistency 0 3
expect_exit 1 ld prove consistency 2 9
expect_exit 2 ld prove consistency a 3
