# liandan trace: lineage through a collector and a rejection. Three small
# producers ship to a collector, which consolidates their batches into one
# load to receiver R1; R1 accepts 600 kg of 800 kg and disposes of it, and
# ships the 200 kg it refused (batch N4-01R) on to receiver R2, which
# disposes of it. Every trace must show every source and the final disposal
# with quantities that balance, in text, JSON, DOT and SVG; a broken balance
# (tampered derived table) is flagged and exits 1.
. "$(dirname "$0")/lib.sh"
setup_ledger
export LIANDAN_NOW=2026-03-02T01:00:00Z
P1=9121021300000001X5 P2=9121021100000002X9 P3=9121028100000003XN
COL=9121021300000004X8 R1=9121020400000005X8 R2=9121021100000006XD CARR=91210200MA0QD6W09B
for p in "$P1 p1 producer 210213 大连一号化工有限公司" "$P2 p2 producer 210211 大连二号机械厂" \
         "$P3 p3 producer 210281 瓦房店三号汽修厂" "$COL col collector 210213 金州危废收集站" \
         "$R1 r1 receiver 210204 大连东泰处置中心" "$R2 r2 receiver 210211 大连甘井子再生资源" \
         "$CARR carr carrier 210204 大连危货运输公司"; do
    set -- $p
    keyed_party "$1" "$2" "$3" "$4" "$5"
done
licence_hw08 "$COL" collection 辽危废收集2102001号
licence_hw08 "$R1" disposal 辽危废经许可证2102001号
licence_hw08 "$R2" disposal 辽危废经许可证2102002号
cat > permit.json <<J
{"id":"$CARR","number":"辽交运管许可大字210200001号","valid_from":"2026-01-01",
 "valid_until":"2028-12-31","vehicles":["辽B12345"]}
J
expect_exit 0 ld party permit --key reg.key --body permit.json

# manifest FILER RECEIVER QTY [FROM-JSON]: a one-line waste-oil manifest body in m.json.
manifest() {
    from=${4:+, \"from\": $4}
    cat > m.json <<J
{"producer": {"id": "$1", "name": "n", "address": "大连", "contact": "王工", "phone": "0411-1",
              "emergency_phone": "0411-110"},
 "consignor": "producer", "receiver": "$2", "carrier": "$CARR",
 "lines": [{"name": "废矿物油", "catalogue": "2021", "code": "900-214-08", "category": "HW08",
            "hazard": ["T", "I"], "form": "liquid", "constituents": "矿物油", "packaging": "钢桶",
            "packages": 1, "qty_g": $3, "emergency": "沙土吸附"$from}]}
J
}
# transfer NUMBER RECEIVER-KEY [LINE-SPEC]: pickup, arrival, receipt.
transfer() {
    expect_exit 0 ld pickup --key carr.key --manifest "$1" --vehicle 辽B12345 \
        --driver 张三:210200123456 --escort 李四:210200654321 --start 大连 --packages 1
    expect_exit 0 ld arrive --key carr.key --manifest "$1" --place 大连
    expect_exit 0 ld receive --key "$2" --manifest "$1" ${3:+--line "$3"}
}
N1=20262102000001 N2=20262102000002 N3=20262102000003 N4=20262102000004 N5=20262102000005
manifest "$P1" "$COL" 300000;  expect_exit 0 ld file --key p1.key --body m.json
manifest "$P2" "$COL" 250000;  expect_exit 0 ld file --key p2.key --body m.json
manifest "$P3" "$COL" 250000;  expect_exit 0 ld file --key p3.key --body m.json
for n in $N1 $N2 $N3; do transfer $n col.key; done
# The collector consolidates the three batches into one load to R1.
manifest "$COL" "$R1" 800000 \
    "[{\"batch\": \"$N1-01\", \"qty_g\": 300000}, {\"batch\": \"$N2-01\", \"qty_g\": 250000},
      {\"batch\": \"$N3-01\", \"qty_g\": 250000}]"
expect_exit 0 ld file --key col.key --body m.json
transfer $N4 r1.key 1:800000:600000
expect_exit 0 ld dispose --key r1.key --manifest $N4 --method R9
# R1 ships the refused 200 kg on to R2.
manifest "$R1" "$R2" 200000 "[{\"batch\": \"$N4-01R\", \"qty_g\": 200000}]"
expect_exit 0 ld file --key r1.key --body m.json
transfer $N5 r2.key
expect_exit 0 ld dispose --key r2.key --manifest $N5 --method D10

# From one producer's batch: downstream to both disposals, upstream to every source.
expect_exit 0 ld trace $N1-01
expect_out "^trace $N1-01: 6 batches, 2 disposals; balance ok$"
for b in $N1-01 $N2-01 $N3-01 $N4-01 $N4-01R $N5-01; do expect_out "$b"; done
expect_out "draw 300.000 kg ▶ $N4-01 "
expect_out "reject 200.000 kg ▶ $N4-01R "
expect_out "draw 200.000 kg ▶ $N5-01 "
expect_out "dispose 600.000 kg ▶ $N4-01:disposal  600.000 kg disposed of by 大连东泰处置中心 \(R9\)"
expect_out "dispose 200.000 kg ▶ $N5-01:disposal  200.000 kg disposed of by 大连甘井子再生资源 \(D10\)"
expect_out "in 600.000 kg: filed 800.000, received 800.000, accepted 600.000, rejected 200.000; from sources 800.000"
expect_out "◀ traced"
if grep -q BROKEN "$T/out"; then cat "$T/out" >&2; fail "a balanced lineage is flagged"; fi
# Every node's left is zero: everything went on or was disposed of.
[ "$(grep -c 'left 0.000 kg' "$T/out")" -eq 6 ] || { cat "$T/out" >&2; fail "not every batch is balanced to 0"; }

# From the last manifest (by number): the same sources upstream.
expect_exit 0 ld trace $N5
expect_out "^trace $N5: 6 batches, 1 disposal; balance ok$"
for b in $N1-01 $N2-01 $N3-01 $N4-01 $N4-01R $N5-01; do expect_out "$b"; done
# From the rejected part.
expect_exit 0 ld trace $N4-01R
expect_out "$N4-01R  rejected part of $N4-01, held by 大连东泰处置中心  ◀ traced"

# JSON: nodes with their balance and edges with grams.
expect_exit 0 ld trace --json $N4-01
expect_out '"balanced":true'
expect_out "\"from\":\"$N1-01\",\"kind\":\"draw\",\"qty_g\":300000,\"to\":\"$N4-01\""
expect_out "\"from\":\"$N4-01\",\"kind\":\"reject\",\"qty_g\":200000,\"to\":\"$N4-01R\""
expect_out "\"from\":\"$N4-01R\",\"kind\":\"draw\",\"qty_g\":200000,\"to\":\"$N5-01\""
expect_out "\"from\":\"$N5-01\",\"kind\":\"dispose\",\"qty_g\":200000,\"to\":\"$N5-01:disposal\""
expect_out "\"accepted_g\":600000,\"broken\":false,\"category\":\"HW08\""
expect_out "\"from_g\":800000,\"id\":\"$N4-01\",\"in_g\":600000"
if command -v "${PYTHON:-python3}" >/dev/null 2>&1; then
    "${PYTHON:-python3}" - "$T/out" <<'P' || fail "the JSON trace does not balance"
import json, sys
t = json.load(open(sys.argv[1]))
nodes = {n["id"]: n for n in t["nodes"]}
assert len(nodes) == 8, len(nodes)
for n in t["nodes"]:
    assert n["left_g"] == 0 and not n["broken"], n
    assert n["in_g"] - n["drawn_g"] - n["disposed_g"] == n["left_g"], n
into = {}
for e in t["edges"]:
    into[e["to"]] = into.get(e["to"], 0) + e["qty_g"]
# What flows into each line equals what it ships; disposals are what flows in.
assert into["20262102000004-01"] == 800000, into
assert into["20262102000005-01"] == 200000, into
sinks = sum(n["in_g"] for n in t["nodes"] if n["kind"] == "disposal")
assert sinks == 800000, sinks
P
fi

# DOT and SVG.
expect_exit 0 ld trace --dot $N1
expect_out '^digraph trace \{'
expect_out "\"$N1-01\" -> \"$N4-01\" \[label=\"draw 300.000 kg\""
expect_out "\"$N4-01\" -> \"$N4-01R\" \[label=\"reject 200.000 kg\", style=dashed\]"
expect_exit 0 ld trace --svg $N4-01
head -c 5 "$T/out" | grep -q '<?xml' || fail "the SVG does not start with an XML declaration"
expect_out '<svg xmlns="http://www.w3.org/2000/svg"'
expect_out '</svg>'
expect_out '大连东泰处置中心'
[ "$(grep -c '<rect x=' "$T/out")" -eq 8 ] || fail "the SVG does not draw 8 nodes"
[ "$(grep -c 'marker-end=' "$T/out")" -eq 7 ] || fail "the SVG does not draw 7 edges"
if command -v xmllint >/dev/null 2>&1; then
    xmllint --noout "$T/out" || fail "the SVG is not well-formed XML"
elif command -v "${PYTHON:-python3}" >/dev/null 2>&1; then
    "${PYTHON:-python3}" -c 'import sys, xml.dom.minidom; xml.dom.minidom.parse(sys.argv[1])' \
        "$T/out" || fail "the SVG is not well-formed XML"
fi

# Usage and lookups.
expect_exit 0 ld trace --help
expect_out "^usage: liandan trace"
expect_exit 2 ld trace
expect_err 'missing BATCH or NUMBER'
expect_exit 2 ld trace --json --svg $N1
expect_exit 1 ld trace 2026210200009-01
expect_err 'not a batch'
expect_exit 1 ld trace $N1-02
expect_err "no batch $N1-02"
expect_exit 1 ld trace $N1-01R
expect_err "no rejected part"
expect_exit 1 ld trace 20262102000099
expect_err "no manifest"

# A cancelled manifest is left out, and its draw does not count.
manifest "$P1" "$COL" 1000; expect_exit 0 ld file --key p1.key --body m.json
expect_exit 0 ld cancel --key p1.key --manifest 20262102000006 --reason 计划变更
expect_exit 1 ld trace 20262102000006
expect_err 'cancelled'

# Damage a derived table: R1 disposed of more than it accepted. Trace flags it.
sqlite3 "$LIANDAN_DB" "UPDATE lines SET disposed_g = 650000 WHERE batch = '$N4-01'"
expect_exit 1 ld trace $N1-01
expect_out 'balance BROKEN at 1'
expect_out "BROKEN: out 650000 g exceeds in 600000 g"
expect_exit 1 ld trace --json $N1-01
expect_out '"balanced":false'
expect_exit 0 ld reindex
expect_exit 0 ld trace $N1-01
expect_out 'balance ok'
