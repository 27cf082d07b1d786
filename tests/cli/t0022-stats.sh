# liandan stats: totals by producer, receiver, category, code, district and
# month checked against known inputs (a cancelled manifest left out, the year
# boundary in China Standard Time), the table in tonnes, and a CSV that Excel
# opens with its Chinese text: UTF-8 BOM, CRLF line ends, RFC 4180 quoting.
. "$(dirname "$0")/lib.sh"
setup_ledger
at() { export LIANDAN_NOW="$1"; }
at 2025-12-01T01:00:00Z
P1=9121021300000001X5 P2=9121021100000002X9 R1=9121020400000005X8 CARR=91210200MA0QD6W09B
for p in "$P1 p1 producer 210213 大连一号化工有限公司" "$P2 p2 producer 210211 大连\"二号\",机械厂" \
         "$R1 r1 receiver 210204 =大连东泰" "$CARR carr carrier 210204 大连危货运输"; do
    id=${p%% *}; rest=${p#* }; key=${rest%% *}; rest=${rest#* }; role=${rest%% *}; rest=${rest#* }
    district=${rest%% *}; name=${rest#* }
    ld party register --key reg.key --id "$id" --name "$name" --role "$role" \
        --district "$district" >/dev/null
    ld keygen --name "$key" --no-passphrase -o "$key.key" >/dev/null
    ld party key --key reg.key --id "$id" --pub "$key.key.pub" >/dev/null
done
cat > lic.json <<J
{"id":"$R1","kind":"disposal","number":"辽危废经许可证2102001号","valid_from":"2025-12-01",
 "valid_until":"2027-12-31","codes":["HW08","HW49"],"methods":["R9","D10"]}
J
expect_exit 0 ld party licence --key reg.key --body lic.json
cat > permit.json <<J
{"id":"$CARR","number":"辽交运管许可大字210200001号","valid_from":"2025-12-01",
 "valid_until":"2028-12-31","vehicles":["辽B12345"]}
J
expect_exit 0 ld party permit --key reg.key --body permit.json
line() { # CODE CATEGORY HAZARD QTY
    printf '{"name": "废物", "catalogue": "2021", "code": "%s", "category": "%s", "hazard": %s,
      "form": "liquid", "constituents": "c", "packaging": "桶", "packages": 1, "qty_g": %s,
      "emergency": "e"}' "$1" "$2" "$3" "$4"
}
file() { # KEY FILER LINES-JSON
    cat > m.json <<J
{"producer": {"id": "$2", "name": "n", "address": "a", "contact": "c", "phone": "p",
              "emergency_phone": "e"},
 "consignor": "producer", "receiver": "$R1", "carrier": "$CARR", "lines": [$3]}
J
    expect_exit 0 ld file --key "$1" --body m.json
}
deliver() { # NUMBER PACKAGES
    expect_exit 0 ld pickup --key carr.key --manifest "$1" --vehicle 辽B12345 \
        --driver 张三:1 --escort 李四:2 --start 金州 --packages "$2"
    expect_exit 0 ld arrive --key carr.key --manifest "$1" --place 大连
}
# 23:59:59 CST on 2025-12-31 is in 2025; a second later is 2026-01-01 CST.
at 2025-12-31T15:59:59Z
file p1.key "$P1" "$(line 900-214-08 HW08 '["T","I"]' 200000)"
at 2025-12-31T16:00:00Z
file p1.key "$P1" "$(line 900-214-08 HW08 '["T","I"]' 100000)"
M0=20252102000001 M5=20262102000001
at 2026-01-15T02:00:00Z
file p1.key "$P1" "$(line 900-214-08 HW08 '["T","I"]' 800000), $(line 900-041-49 HW49 '["T","In"]' 50000)"
M1=20262102000002
deliver $M1 1,1
expect_exit 0 ld receive --key r1.key --manifest $M1 --line 1:795000 --line 2:50000
expect_exit 0 ld dispose --key r1.key --manifest $M1 --method R9
at 2026-02-10T02:00:00Z
file p1.key "$P1" "$(line 900-249-08 HW08 '["T","I"]' 300000)"
M2=20262102000003
deliver $M2 1
expect_exit 0 ld receive --key r1.key --manifest $M2 --line 1:300000:250000
expect_exit 0 ld dispose --key r1.key --manifest $M2 --method D10
at 2026-02-12T02:00:00Z
file p2.key "$P2" "$(line 900-214-08 HW08 '["T","I"]' 1000000)"
M3=20262102000004
deliver $M3 1
at 2026-03-02T02:00:00Z
file p2.key "$P2" "$(line 900-214-08 HW08 '["T","I"]' 500000)"
expect_exit 0 ld cancel --key p2.key --manifest 20262102000005 --reason 计划变更

# row KEY: the CSV row of KEY (CR removed), from the last output.
row() { tr -d '\r' < "$T/out" | grep "^$1,"; }
want() { [ "$(row "$1")" = "$2" ] || { cat "$T/out" >&2; fail "row '$1' is '$(row "$1")', expected '$2'"; }; }

expect_exit 0 ld stats --year 2026 --by producer --csv
want "$P1" "$P1,大连一号化工有限公司,3,1250000,1145000,1095000,1095000"
want "$P2" "$P2,\"大连\"\"二号\"\",机械厂\",1,1000000,0,0,0"
want total "total,,4,2250000,1145000,1095000,1095000"
# Excel: a UTF-8 byte order mark first, CRLF after every line, nothing else.
[ "$(head -c 3 "$T/out" | od -An -tx1 | tr -d ' \n')" = efbbbf ] || fail "no UTF-8 BOM"
[ "$(tr -cd '\n' < "$T/out" | wc -c)" -eq 4 ] || fail "4 lines expected"
[ "$(tr -cd '\r' < "$T/out" | wc -c)" -eq 4 ] || fail "every line must end with CRLF"
if tr -d '\r' < "$T/out" | grep -q "$(printf '\r')"; then fail "a bare CR"; fi
[ "$(tail -c 2 "$T/out" | od -An -tx1 | tr -d ' \n')" = 0d0a ] || fail "the last line must end with CRLF"
head -n 1 "$T/out" | tr -d '\r' | grep -q "producer,name,manifests,filed_g,received_g,accepted_g,disposed_g$" \
    || fail "CSV header"
# A name that a spreadsheet would run as a formula is quoted and defused.
expect_exit 0 ld stats --year 2026 --by receiver --csv
want "$R1" "$R1,\"'=大连东泰\",4,2250000,1145000,1095000,1095000"

expect_exit 0 ld stats --year 2026 --by category --csv
want HW08 "HW08,,4,2200000,1095000,1045000,1045000"
want HW49 "HW49,,1,50000,50000,50000,50000"
want total "total,,4,2250000,1145000,1095000,1095000"
expect_exit 0 ld stats --year 2026 --by code --csv
want 900-214-08 "900-214-08,,3,1900000,795000,795000,795000"
want 900-249-08 "900-249-08,,1,300000,300000,250000,250000"
want 900-041-49 "900-041-49,,1,50000,50000,50000,50000"
expect_exit 0 ld stats --year 2026 --by district --csv
want 210211 "210211,甘井子区,1,1000000,0,0,0"
want 210213 "210213,金州区,3,1250000,1145000,1095000,1095000"
expect_exit 0 ld stats --year 2026 --by month --csv
want 2026-01 "2026-01,,2,950000,845000,845000,845000"
want 2026-02 "2026-02,,2,1300000,300000,250000,250000"
[ -z "$(row 2026-03)" ] || fail "the cancelled manifest of March is counted"
expect_exit 0 ld stats --year 2025 --by month --csv
want 2025-12 "2025-12,,1,200000,0,0,0"
expect_exit 0 ld stats --csv
want total "total,,5,2450000,1145000,1095000,1095000"
expect_exit 0 ld stats --year 2024 --csv
want total "total,,0,0,0,0,0"

# The table: tonnes with three decimals, names last.
expect_exit 0 ld stats --year 2026 --by producer
expect_out "^PRODUCER +MANIFESTS +FILED_T +RECEIVED_T +ACCEPTED_T +DISPOSED_T  NAME$"
expect_out "^$P1 +3 +1\.250 +1\.145 +1\.095 +1\.095  大连一号化工有限公司$"
expect_out "^TOTAL +4 +2\.250 +1\.145 +1\.095 +1\.095$"
expect_exit 0 ld stats
expect_out "^TOTAL +5 +2\.450 +1\.145 +1\.095 +1\.095$"

# Usage.
expect_exit 0 ld stats --help
expect_out "^usage: liandan stats"
expect_exit 2 ld stats --by colour
expect_err "--by 'colour'"
expect_exit 2 ld stats --year 26
expect_exit 2 ld stats --year 2026 --year 2025
expect_exit 2 ld stats extra
