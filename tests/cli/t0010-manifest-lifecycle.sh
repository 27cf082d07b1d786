# A manifest from filing to disposal through the CLI: number issued by the
# ledger, licence and catalogue checks, carrier and receiver parts, show,
# list and verify; then the refusals of each step.
. "$(dirname "$0")/lib.sh"
setup_ledger
export LIANDAN_NOW=2026-03-02T01:00:00Z
PROD=91210213MA0U8XKX3M CARR=91210200MA0QD6W09B RECV=91210200MA0XR3RL2D
for p in "$PROD producer 210213" "$CARR carrier 210204" "$RECV receiver 210213"; do
    set -- $p
    keyed_party "$1" "$2" "$2" "$3" "N$2"
done
cat > lic.json <<J
{"id":"$RECV","kind":"disposal","number":"辽危废经许可证2102001号","valid_from":"2026-01-01",
 "valid_until":"2027-12-31","codes":["900-214-08","HW49"],"methods":["R9","D10"],
 "capacity_g":{"HW08":5000000000}}
J
expect_exit 0 ld party licence --key reg.key --body lic.json
cat > permit.json <<J
{"id":"$CARR","number":"辽交运管许可大字210200001号","valid_from":"2026-01-01",
 "valid_until":"2028-12-31","vehicles":["辽B12345","辽B1234挂"]}
J
expect_exit 0 ld party permit --key reg.key --body permit.json
# Licence refusals: a producer cannot hold a disposal licence; bad method code.
sed "s/$RECV/$PROD/" lic.json > lic-bad.json
expect_exit 1 ld party licence --key reg.key --body lic-bad.json
expect_err 'not registered as a receiver'
sed 's/"R9"/"R99"/' lic.json > lic-bad2.json
expect_exit 1 ld party licence --key reg.key --body lic-bad2.json
expect_err 'methods\[0\]'

sed -e "s/PRODUCER/$PROD/; s/RECEIVER/$RECV/; s/CARRIER/$CARR/" \
    "$LIANDAN_ROOT/tests/cli/data/manifest-oil.json" > m1.json
expect_exit 0 ld file --key producer.key --body m1.json
N=20262102000001
expect_exit 0 ld list --state filed
expect_out "^$N filed "
printf '{"type":"LineString","coordinates":[[121.38,39.40],[121.80,39.05]]}' > track.geojson
expect_exit 0 ld pickup --key carrier.key --manifest $N --vehicle 辽B12345 --trailer 辽B1234挂 \
    --driver 张三:210200123456 --escort 李四:210200654321 --start 长兴岛 --packages 4 \
    --track track.geojson
TRACK=$(sha256sum track.geojson | cut -c1-64)
expect_exit 0 ld attachment "$TRACK"
cmp -s "$T/out" track.geojson || fail "attachment bytes differ"
expect_exit 0 ld show --json $N
expect_out "\"track\":\"$TRACK\""
expect_exit 0 ld arrive --key carrier.key --manifest $N --place 金州
expect_exit 0 ld receive --key receiver.key --manifest $N --line 1:795000
expect_exit 0 ld dispose --key receiver.key --manifest $N --method R9
expect_exit 0 ld show --json $N
expect_out '"state":"closed"'
expect_out '"verified":true'
expect_exit 0 ld show $N
expect_out "第一部分"
expect_out "every signature verifies"
expect_exit 0 ld list --party "$CARR" --role carrier --json
expect_out "\"number\":$N"
expect_exit 0 ld verify
expect_exit 0 ld reindex
expect_exit 0 ld show --json $N
expect_out '"state":"closed"'
# A tampered attachment is caught by verify.
cp "$LIANDAN_DB" t.db
sqlite3 t.db "DROP TRIGGER attachments_no_update; UPDATE attachments SET data = CAST('x' AS BLOB)"
expect_exit 1 ld verify --db t.db
expect_err "attachment $TRACK does not hash"
expect_exit 1 ld attachment 0000
expect_err 'no such attachment'

# The next filing gets the next serial.
expect_exit 0 ld file --key producer.key --body m1.json
N2=20262102000002
# Refusals, each naming its field; nothing stored.
before=$(ld log | wc -l)
sed 's/"900-214-08"/"841-001-01"/; s/"HW08"/"HW01"/; s/\["T", "I"\]/["In"]/' m1.json > bad-code.json
expect_exit 1 ld file --key producer.key --body bad-code.json
expect_err 'lines\[0\]\.code.*not licensed'
sed 's/\["T", "I"\]/["C"]/' m1.json > bad-hz.json
expect_exit 1 ld file --key producer.key --body bad-hz.json
expect_err 'lines\[0\]\.hazard'
sed 's/"900-214-08"/"900-999-08"/' m1.json > bad-cat.json
expect_exit 1 ld file --key producer.key --body bad-cat.json
expect_err 'not a waste code'
expect_exit 1 ld file --key producer.key --body m1.json --number 20262102000009
expect_err 'event.manifest'
expect_exit 1 ld file --key producer.key --body m1.json --number 20262102000001
expect_err 'conflict'
expect_exit 1 ld pickup --key producer.key --manifest $N2 --vehicle 辽B12345 \
    --driver a:1 --escort b:2 --start x --packages 4
expect_err 'carrier'
expect_exit 1 ld arrive --key carrier.key --manifest $N2 --place x
expect_err 'in transit'
expect_exit 1 ld pickup --key carrier.key --manifest $N2 --vehicle 京X --driver a:1 --escort b:2 \
    --start x --packages 4
expect_err 'vehicle'
expect_exit 1 ld cancel --key carrier.key --manifest $N2 --reason x
[ "$(ld log | wc -l)" -eq "$before" ] || fail "a refused event was stored"
expect_exit 0 ld cancel --key producer.key --manifest $N2 --reason '计划变更'
expect_exit 0 ld show --json $N2
expect_out '"state":"cancelled"'
expect_exit 0 ld verify

# Corrections of the closed manifest: the receiver corrects its own part; it
# takes effect when the producer and the carrier approve; versions stay visible.
printf '{"lines":[{"line":1,"received_g":796000}]}' > changes.json
expect_exit 1 ld correct --key producer.key --manifest $N --part receiver --reason x --changes changes.json
expect_err 'only its own part'
expect_exit 1 ld correct --key receiver.key --manifest $N2 --part receiver --reason x --changes changes.json
expect_err 'after closing'
expect_exit 0 ld correct --key receiver.key --manifest $N --part receiver --reason '地磅复核' --changes changes.json
CID=$(sed 's/.*"id":"\([0-9a-f]*\)".*/\1/' "$T/out")
expect_exit 1 ld approve --key receiver.key --manifest $N --correction "$CID"
expect_err 'no approval to give'
expect_exit 0 ld approve --key producer.key --manifest $N --correction "$CID"
expect_exit 1 ld approve --key producer.key --manifest $N --correction "$CID"
expect_exit 0 ld approve --key carrier.key --manifest $N --correction "$CID"
expect_exit 1 ld approve --key carrier.key --manifest $N --correction "$CID"
expect_err 'already in effect'
expect_exit 0 ld correct --key reg.key --manifest $N --part producer --reason '请核对名称' --request
expect_exit 0 ld show --json $N
expect_out '"type":"manifest.correct"'
expect_out '"type":"manifest.approve"'
expect_exit 0 ld verify
expect_exit 0 ld reindex

# A partly rejected load: the refused part (batch N-01R) is held by the
# receiver and can only leave under a new manifest that names it; here it
# goes back to its producer, who needs no disposal licence for that.
expect_exit 0 ld file --key producer.key --body m1.json
N3=20262102000003
expect_exit 0 ld pickup --key carrier.key --manifest $N3 --vehicle 辽B12345 --driver a:1 \
    --escort b:2 --start x --packages 4
expect_exit 0 ld arrive --key carrier.key --manifest $N3 --place y
expect_exit 0 ld receive --key receiver.key --manifest $N3 --line 1:800000:600000
expect_exit 0 ld show --json $N3
expect_out '"state":"received_with_discrepancy"'
sed -e "s/\"id\": \"$PROD\"/\"id\": \"$RECV\"/; s/\"receiver\": \"$RECV\"/\"receiver\": \"$PROD\"/" \
    -e "s/\"qty_g\": 800000,/\"qty_g\": 200000, \"from\": [{\"batch\": \"$N3-01R\", \"qty_g\": 200000}],/" \
    m1.json > back.json
expect_exit 0 ld file --key receiver.key --body back.json
# Drawing more than the rejected part holds is refused.
sed 's/"qty_g": 200000}/"qty_g": 1}/' back.json > back2.json
expect_exit 1 ld file --key receiver.key --body back2.json
expect_err 'holds 0 g'
expect_exit 0 ld verify

# What a receiver disposed of cannot be shipped on again: N is closed and
# disposed of in full, so a draw on N-01 finds nothing left.
sed -e "s/\"id\": \"$PROD\"/\"id\": \"$RECV\"/" \
    -e "s/\"qty_g\": 800000,/\"qty_g\": 1, \"from\": [{\"batch\": \"$N-01\", \"qty_g\": 1}],/" \
    m1.json > again.json
expect_exit 1 ld file --key receiver.key --body again.json
expect_err 'holds 0 g'
