# sign + submit: receipts, idempotent resubmission, forks, malformed input,
# non-canonical numbers, unknown members, clock window.
. "$(dirname "$0")/lib.sh"
setup_ledger
export LIANDAN_NOW=2026-03-01T08:00:00Z

cat > reg1.json <<J
{"type":"party.register","manifest":null,"prev":null,"actor":"regulator",
 "body":{"id":"$P1","name":"Producer","roles":["producer"]}}
J
expect_exit 0 ld sign --key reg.key reg1.json
cp "$T/out" reg1.signed
expect_exit 0 ld submit reg1.signed
cp "$T/out" receipt1
expect_out '"accepted_at":"2026-03-01T08:00:00Z"'
ID=$(sed 's/.*"id":"\([0-9a-f]*\)".*/\1/' receipt1)

# Replay: same receipt back, exit 0, nothing new stored.
LIANDAN_NOW=2026-03-01T09:00:00Z expect_exit 0 ld submit reg1.signed
cmp -s "$T/out" receipt1 || fail "replay returned a different receipt"
expect_err "already accepted"
# stdin
LIANDAN_NOW=2026-03-01T09:00:00Z expect_exit 0 ld submit - < reg1.signed
cmp -s "$T/out" receipt1 || fail "replay via stdin returned a different receipt"

# Fork: two different events on the same prev; the second is a conflict.
ld keygen --name k1 --no-passphrase -o k1.key >/dev/null
ld keygen --name k2 --no-passphrase -o k2.key >/dev/null
for k in k1 k2; do
    printf '{"type":"party.key","manifest":null,"prev":"%s","actor":"regulator","body":{"id":"%s","pub":"%s","until":null}}' \
        "$ID" "$P1" "$(cat $k.key.pub)" > $k.json
    ld sign --key reg.key $k.json > $k.signed
done
expect_exit 0 ld submit k1.signed
expect_exit 1 ld submit k2.signed
expect_err "event.prev"
expect_err "conflict"
# Unknown prev.
sed "s/$ID/$(printf '%064d' 0)/" k2.json > k3.json
ld sign --key reg.key k3.json > k3.signed
expect_exit 1 ld submit k3.signed
expect_err "prev names no accepted event"

# Malformed JSON, truncated, not an object.
echo '{"event":' > bad.json
expect_exit 1 ld submit bad.json
expect_err "parse"
head -c 100 reg1.signed > trunc.json
expect_exit 1 ld submit trunc.json
echo '[]' > arr.json
expect_exit 1 ld submit arr.json
# Flipped byte in the signature.
sed 's/"sig":"A/"sig":"B/; t; s/"sig":"\(.\)/"sig":"A/' k2.signed > forged.json
expect_exit 1 ld submit forged.json
# A tampered body under a valid signature: badsig.
sed 's/"name":"Producer"/"name":"Producex"/' reg1.signed > tampered.json
expect_exit 1 ld submit tampered.json
expect_err "badsig"

# Non-canonical numbers: refused, naming the field.
sed 's/"manifest":null/"manifest":1.5/' reg1.json > num.json
expect_exit 1 ld sign --key reg.key num.json
expect_err 'manifest'
printf '{"event":{"actor":"regulator","at":"2026-03-01T08:00:00Z","body":{"n":1e400},"key":"%s","manifest":null,"prev":null,"type":"party.register","v":1},"sig":"x"}' 0 > big.json
expect_exit 1 ld submit big.json
printf '{"event":{"actor":"regulator","at":"2026-03-01T08:00:00Z","body":{"n":9007199254740993},"key":"%s","manifest":null,"prev":null,"type":"party.register","v":1},"sig":"x"}' 0 > big2.json
expect_exit 1 ld submit big2.json
expect_err 'body.n'
# Unknown member in the envelope.
sed 's/"actor":"regulator"/"actor":"regulator","extra":1/' reg1.json > extra.json
ld sign --key reg.key extra.json > extra.signed
expect_exit 1 ld submit extra.signed
expect_err "unknown member 'extra'"
# Clock window: at in the future.
LIANDAN_NOW=2026-03-01T07:00:00Z expect_exit 1 ld submit k2.signed
expect_err "in the future"

expect_exit 0 ld log
[ "$(wc -l < "$T/out")" -eq 2 ] || fail "expected exactly 2 stored events"
expect_exit 0 ld verify
