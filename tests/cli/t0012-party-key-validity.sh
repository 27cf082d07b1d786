# A party's key signs only while certified: not before its certification, not
# at or after its --until, never after its revocation; what it signed before
# stays valid (verify passes). Exercised with manifest filings.
. "$(dirname "$0")/lib.sh"
setup_ledger
export LIANDAN_NOW=2026-03-02T01:00:00Z
PROD=91210213MA0U8XKX3M CARR=91210200MA0QD6W09B RECV=91210200MA0XR3RL2D
for p in "$PROD producer 210213" "$CARR carrier 210204" "$RECV receiver 210213"; do
    set -- $p
    ld party register --key reg.key --id "$1" --name "N$2" --role "$2" --district "$3" >/dev/null
    ld keygen --name "$2" --no-passphrase -o "$2.key" >/dev/null
done
ld party key --key reg.key --id "$PROD" --pub producer.key.pub --until 2026-03-05 >/dev/null
printf '{"id":"%s","kind":"disposal","number":"L1","valid_from":"2026-01-01","valid_until":"2027-12-31","codes":["HW08"],"methods":["R9"]}' \
    "$RECV" > lic.json
ld party licence --key reg.key --body lic.json >/dev/null
sed -e "s/PRODUCER/$PROD/; s/RECEIVER/$RECV/; s/CARRIER/$CARR/" \
    "$LIANDAN_ROOT/tests/cli/data/manifest-oil.json" > body.json

# Within validity: accepted.
expect_exit 0 ld file --key producer.key --body body.json
# Before its certification (at 30 minutes before the party.key event).
NEXT=20262102000002
printf '{"type":"manifest.file","manifest":%s,"prev":null,"at":"2026-03-02T00:30:00Z","actor":"%s","body":%s}' \
    "$NEXT" "$PROD" "$(cat body.json)" > early.json
ld sign --key producer.key early.json > early.signed
expect_exit 1 ld submit early.signed
expect_err 'event.key: key [0-9a-f]+ is valid from 2026-03-02T01:00:00Z'
# At its until: refused.
LIANDAN_NOW=2026-03-05T00:00:00Z expect_exit 1 ld file --key producer.key --body body.json
expect_err 'expired at 2026-03-05T00:00:00Z'
# A key that was never certified.
expect_exit 1 ld file --key carrier.key --body body.json
expect_err 'not a certified key'
# Revoked: refused from then on, even with an earlier at inside the window.
LIANDAN_NOW=2026-03-03T00:00:00Z expect_exit 0 ld file --key producer.key --body body.json
LIANDAN_NOW=2026-03-03T01:00:00Z expect_exit 0 ld party revoke --key reg.key --id "$PROD" --pub producer.key.pub
printf '{"type":"manifest.file","manifest":20262102000003,"prev":null,"at":"2026-03-03T00:59:00Z","actor":"%s","body":%s}' \
    "$PROD" "$(cat body.json)" > late.json
ld sign --key producer.key late.json > late.signed
LIANDAN_NOW=2026-03-03T01:10:00Z expect_exit 1 ld submit late.signed
expect_err 'revoked'
# What the key signed before its revocation still verifies.
expect_exit 0 ld verify
expect_out '^ok '
