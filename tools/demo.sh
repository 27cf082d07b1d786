#!/bin/sh
# tools/demo.sh - `make demo`: a small demo ledger in demo/, built from
# scratch with the CLI and then verified. Development keys are generated into
# demo/ (ignored by git, never committed); rerunning starts afresh.
set -eu
BUILD=${BUILD:-build}
LIANDAN=$(pwd)/$BUILD/liandan
D=demo
rm -rf "$D"
mkdir -p "$D"
export LIANDAN_DB="$D/ledger.db"
ld() { "$LIANDAN" "$@"; }

echo "== keys (development only, unencrypted, in $D/)"
ld keygen --name dalian-eeb.regulator --no-passphrase -o "$D/regulator.key"
ld init --origin dalian.example/liandan --regulator "$D/regulator.key.pub" >/dev/null
echo "ledger key: $(ld ledger-key)"

echo "== parties"
# name, USCC (GB 32100-2015 check characters valid), roles, district
while IFS='|' read -r id name roles district; do
    ld party register --key "$D/regulator.key" --id "$id" --name "$name" --role "$roles" \
        --district "$district" >/dev/null
    slug=$(echo "$id" | tr 'A-Z' 'a-z')
    ld keygen --name "p$slug" --no-passphrase -o "$D/$id.key" >/dev/null
    ld party key --key "$D/regulator.key" --id "$id" --pub "$D/$id.key.pub" --until 2027-12-31 >/dev/null
    echo "  $id $name ($roles)"
done <<'EOF2'
91210213MA0U8XKX3M|大连长兴岛石化有限公司|producer|210281
91210200MA0QD6W09B|大连危险废物运输有限公司|carrier|210213
91210200MA0XR3RL2D|大连东泰资源再生有限公司|receiver,collector|210213
EOF2
echo "== checkpoint"
ld checkpoint
echo "== log"
ld log
echo "== verify"
ld verify
echo
echo "Demo ledger: $LIANDAN_DB. Try: LIANDAN_DB=$LIANDAN_DB $BUILD/liandan prove inclusion 1"
