# The regulator registers parties and certifies and revokes keys; the USCC
# check character is enforced; only the regulator's key may sign party events.
. "$(dirname "$0")/lib.sh"
setup_ledger

expect_exit 0 ld party register --key reg.key --id "$P1" --name '大连某化工有限公司' --role producer
expect_out '^\{"accepted_at":"[0-9T:Z-]+","id":"[0-9a-f]{64}","leaf_index":0,"sig":"'
expect_exit 0 ld party register --key reg.key --id "$P2" --name 'Carrier Ltd' --role carrier,receiver --district 210213
expect_out '"leaf_index":1'

# Bad check character: refused naming the field, nothing stored.
BAD=$(echo "$P3" | sed 's/T$/U/')
expect_exit 1 ld party register --key reg.key --id "$BAD" --name X --role producer
expect_err 'event.body.id'
expect_err "check character"
# Unknown role, duplicate registration.
expect_exit 1 ld party register --key reg.key --id "$P3" --name X --role pilot
expect_err 'event.body.roles\[0\]'
expect_exit 1 ld party register --key reg.key --id "$P1" --name again --role producer
expect_err 'conflict|already registered'
expect_exit 0 ld log
[ "$(wc -l < "$T/out")" -eq 2 ] || fail "refused events were stored"

# Certify a key; revoke it.
ld keygen --name p1.example --no-passphrase -o p1.key >/dev/null
expect_exit 0 ld party key --key reg.key --id "$P1" --pub p1.key.pub --until 2099-01-01
expect_exit 1 ld party key --key reg.key --id "$P1" --pub p1.key.pub
expect_err 'already certified'
expect_exit 1 ld party key --key reg.key --id "$P3" --pub p1.key.pub
expect_err "not registered"
expect_exit 0 ld party revoke --key reg.key --id "$P1" --pub p1.key.pub --reason 'lost phone'
expect_exit 1 ld party revoke --key reg.key --id "$P1" --pub p1.key.pub
expect_err 'already revoked'

# Wrong key: a party's key cannot sign party events.
expect_exit 1 ld party register --key p1.key --id "$P3" --name X --role producer
expect_err "wrongkey"
# The log shows the chain per party.
expect_exit 0 ld log --json
expect_out '"type":"party.revoke"'
[ "$(wc -l < "$T/out")" -eq 4 ] || fail "expected 4 events"
expect_exit 0 ld verify
expect_out '^ok 4 events'
