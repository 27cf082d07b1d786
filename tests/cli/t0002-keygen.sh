# keygen writes a secret file (0600) and a .pub verifier key line; encrypted
# keys open only with the right passphrase.
. "$(dirname "$0")/lib.sh"

expect_exit 0 ld keygen --name alice.example --no-passphrase -o a.key
expect_out '^alice\.example\+[0-9a-f]{8}\+[A-Za-z0-9+/]{44}$'
[ "$(stat -c %a a.key)" = 600 ] || fail "secret key file mode is $(stat -c %a a.key)"
[ "$(cat a.key.pub)" = "$(cat "$T/out")" ] || fail ".pub differs from the printed key"
head -n 1 a.key | grep -q ' key v1$' || fail "key file has no version line"
grep -q '^kdf: none' a.key || fail "unencrypted key not marked kdf: none"

# Refuses to overwrite.
expect_exit 2 ld keygen --name alice.example --no-passphrase -o a.key
expect_err "already exists"
# Bad key name.
expect_exit 2 ld keygen --name 'has space' --no-passphrase -o b.key
expect_err "key name"

# Encrypted key: passphrase from the environment.
LIANDAN_PASSPHRASE='correct horse' expect_exit 0 ld keygen --name bob.example -o b.key
grep -q '^kdf: argon2id' b.key || fail "encrypted key not marked argon2id"
echo '{"v":1,"type":"party.register","manifest":null,"prev":null,"actor":"regulator","body":{}}' > ev.json
LIANDAN_PASSPHRASE='correct horse' expect_exit 0 ld sign --key b.key ev.json
expect_out '"sig":"'
# Wrong passphrase: exit 1 (the key file judged, nothing signed), named.
LIANDAN_PASSPHRASE='wrong' expect_exit 1 ld sign --key b.key ev.json
expect_err "cannot open key 'b.key': wrong passphrase"
[ ! -s "$T/out" ] || fail "something was printed with a wrong passphrase"
# No passphrase and no terminal.
expect_exit 2 ld sign --key b.key ev.json </dev/null
# Not a key file.
echo garbage > g.key
expect_exit 1 ld sign --key g.key ev.json
expect_err "'g.key' is not a liandan key file"
