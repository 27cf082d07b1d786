# liandan bundle: export the trace bundle of a batch (DESIGN.md §4.5) and
# check it offline with nothing but the regulator's verifier key, both with
# `liandan bundle --verify` and with the standalone build/liandan-verify
# (libsodium + cJSON only). Two producers ship to a collector, which
# consolidates their batches into one load to a receiver; the receiver
# accepts part and disposes of it. A tampered copy of the bundle fails with
# exit 1, naming the failing item.
. "$(dirname "$0")/lib.sh"
VERIFY=${LIANDAN_VERIFY:-$(dirname "$LIANDAN")/liandan-verify}
[ -x "$VERIFY" ] || fail "no standalone verifier at '$VERIFY'"
setup_ledger
export LIANDAN_NOW=2026-03-02T01:00:00Z
P1=9121021300000001X5 P2=9121021100000002X9 COL=9121021300000004X8
R1=9121020400000005X8 CARR=91210200MA0QD6W09B OTHER=9121028100000003XN
for p in "$P1 p1 producer 210213 大连一号化工有限公司" "$P2 p2 producer 210211 大连二号机械厂" \
         "$COL col collector 210213 金州危废收集站" "$R1 r1 receiver 210204 大连东泰处置中心" \
         "$CARR carr carrier 210204 大连危货运输公司" "$OTHER other producer 210281 瓦房店三号汽修厂"; do
    set -- $p
    keyed_party "$1" "$2" "$3" "$4" "$5"
done
licence_hw08 "$COL" collection 辽危废收集2102001号
licence_hw08 "$R1" disposal 辽危废经许可证2102001号
cat > permit.json <<J
{"id":"$CARR","number":"辽交运管许可大字210200001号","valid_from":"2026-01-01",
 "valid_until":"2028-12-31","vehicles":["辽B12345"]}
J
expect_exit 0 ld party permit --key reg.key --body permit.json
ld checkpoint > old.note # a checkpoint older than any bundle's below

manifest() { # FILER RECEIVER QTY [FROM-JSON]
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
transfer() { # NUMBER RECEIVER-KEY [LINE-SPEC]
    expect_exit 0 ld pickup --key carr.key --manifest "$1" --vehicle 辽B12345 \
        --driver 张三:210200123456 --escort 李四:210200654321 --start 大连 --packages 1
    expect_exit 0 ld arrive --key carr.key --manifest "$1" --place 大连
    expect_exit 0 ld receive --key "$2" --manifest "$1" ${3:+--line "$3"}
}
N1=20262102000001 N2=20262102000002 N3=20262102000003 N4=20262102000004
manifest "$P1" "$COL" 300000;  expect_exit 0 ld file --key p1.key --body m.json
manifest "$P2" "$COL" 250000;  expect_exit 0 ld file --key p2.key --body m.json
for n in $N1 $N2; do transfer $n col.key; done
manifest "$COL" "$R1" 550000 \
    "[{\"batch\": \"$N1-01\", \"qty_g\": 300000}, {\"batch\": \"$N2-01\", \"qty_g\": 250000}]"
expect_exit 0 ld file --key col.key --body m.json
transfer $N3 r1.key 1:550000:500000
expect_exit 0 ld dispose --key r1.key --manifest $N3 --method R9
# Unrelated: another producer's manifest, not part of the trace.
manifest "$OTHER" "$COL" 1000; expect_exit 0 ld file --key other.key --body m.json

# Export: the events of N1, N2, N3 (not N4), the registry chains of their five signers.
expect_exit 0 ld bundle -o b.json $N1-01
[ ! -s "$T/out" ] || fail "bundle -o wrote to stdout"
expect_exit 0 ld bundle $N1-01
cmp -s "$T/out" b.json || fail "bundle to stdout differs from bundle -o"
grep -q '^{"checkpoint":"test.example/ledger\\n' b.json || fail "bundle does not start with the checkpoint"
grep -q '"version":1}$' b.json || fail "bundle does not end with the version"
if grep -q "\"manifest\":$N4" b.json; then fail "an unrelated manifest is in the bundle"; fi
if grep -q "\"id\":\"$OTHER\"" b.json; then fail "an unrelated party is in the bundle"; fi
grep -q "\"manifest\":$N3" b.json || fail "the consolidated load is missing"
if command -v "${PYTHON:-python3}" >/dev/null 2>&1; then
    "${PYTHON:-python3}" - b.json <<'P' || fail "the bundle's shape is wrong"
import json, sys
b = json.load(open(sys.argv[1]))
assert sorted(b) == ["checkpoint", "events", "ledger_key", "parties", "proofs", "version"], sorted(b)
# N1, N2: file, pickup, arrive, accept; N3: the same and dispose.
assert len(b["events"]) == 13, len(b["events"])
# P1, P2, COL, R1: register, key (+ licence for COL, R1); CARR: register, key, permit.
assert len(b["parties"]) == 13, len(b["parties"])
assert len(b["proofs"]) == 26
size = int(b["checkpoint"].split("\n")[1])
for p in b["proofs"]:
    assert sorted(p) == ["inclusion", "leaf_hash", "leaf_index", "tree_size"], p
    assert p["tree_size"] == size and p["leaf_index"] < size, p
idx = [p["leaf_index"] for p in b["proofs"]]
assert idx[:13] == sorted(idx[:13]) and idx[13:] == sorted(idx[13:]), idx
P
fi

# Verify with the library, and with the standalone verifier.
expect_exit 0 ld bundle --verify b.json --regulator reg.key.pub
expect_out '^ok 13 events of 3 manifests signed by 5 parties, 13 party events, checkpoint test.example/ledger size [0-9]+$'
[ "$(wc -l < "$T/out")" -eq 1 ] || fail "more than one ok line"
expect_exit 0 ld bundle --verify b.json --regulator "$(cat reg.key.pub)"
expect_exit 0 "$VERIFY" --regulator reg.key.pub b.json
expect_out '^ok 13 events of 3 manifests signed by 5 parties, 13 party events, checkpoint test.example/ledger size [0-9]+$'
expect_exit 0 "$VERIFY" --regulator "$(cat reg.key.pub)" - < b.json
# Pinning the ledger key.
ld ledger-key > ledger.pub
expect_exit 0 ld bundle --verify b.json --regulator reg.key.pub --ledger-key ledger.pub
expect_exit 0 "$VERIFY" --regulator reg.key.pub --ledger-key ledger.pub b.json
expect_exit 1 ld bundle --verify b.json --regulator reg.key.pub --ledger-key p1.key.pub
expect_err "ledger_key: .*not .*pinned"
expect_exit 1 "$VERIFY" --regulator reg.key.pub --ledger-key p1.key.pub b.json
expect_err "ledger_key"
# The wrong regulator: the first party event fails.
expect_exit 1 ld bundle --verify b.json --regulator p1.key.pub
expect_err "'b.json': parties\[0\]\.event\.key: .*not the regulator's key"
expect_exit 1 "$VERIFY" --regulator p1.key.pub b.json
expect_err "'b.json': parties\[0\]\.event\.key: .*not the regulator's key"
# -q: status only.
expect_exit 1 ld bundle --verify b.json --regulator p1.key.pub -q
[ ! -s "$T/out" ] && [ ! -s "$T/err" ] || fail "-q printed something"
# The whole ledger still verifies: the bundle's checkpoint is a stored one.
expect_exit 0 ld verify

# Tampered copies fail with exit 1, naming the item.
# A quantity in an event body: its signature no longer verifies.
sed 's/"qty_g":300000/"qty_g":300001/' b.json > t1.json
cmp -s b.json t1.json && fail "sed did not tamper"
expect_exit 1 ld bundle --verify t1.json --regulator reg.key.pub
expect_err "'t1.json': events\[0\]\.sig: event [0-9a-f]{64}: signature does not verify"
expect_exit 1 "$VERIFY" --regulator reg.key.pub t1.json
expect_err "'t1.json': events\[0\]\.sig: event [0-9a-f]{64}: signature does not verify"
# Truncated, and not JSON.
head -c 2000 b.json > t2.json
expect_exit 1 ld bundle --verify t2.json --regulator reg.key.pub
expect_err "not JSON"
expect_exit 1 "$VERIFY" --regulator reg.key.pub t2.json
expect_err "not JSON"
# Every kind of tampering, both verifiers: exit 1, and the same item named.
if command -v "${PYTHON:-python3}" >/dev/null 2>&1; then
    "${PYTHON:-python3}" - b.json old.note > cases <<'P'
import base64, json, sys
src = open(sys.argv[1], encoding="utf-8").read()
old = open(sys.argv[2], encoding="utf-8").read()
def load():
    return json.loads(src)
def find(b, arr, typ, key, val):
    for i, s in enumerate(b[arr]):
        e = s["event"]
        if e["type"] == typ and (e["manifest"] if key == "manifest" else e["body"].get("id")) == val:
            return i
    raise SystemExit("no %s %s" % (typ, val))
def drop(b, arr, i):
    np = len(b["parties"])
    del b[arr][i]
    del b["proofs"][i if arr == "parties" else np + i]
def flip(s, byte):
    raw = bytearray(base64.b64decode(s))
    raw[byte] ^= 1
    return base64.b64encode(bytes(raw)).decode()
n = 0
def case(b, field):
    global n
    n += 1
    with open("c%d.json" % n, "w", encoding="utf-8") as f:
        json.dump(b, f, ensure_ascii=False, separators=(",", ":"))
    print("c%d.json %s" % (n, field))
N1, N2, P1, COL = 20262102000001, 20262102000002, "9121021300000001X5", "9121021300000004X8"
np = len(load()["parties"])
b = load(); k = find(b, "events", "transport.arrive", "manifest", N1)
b["events"][k]["sig"] = flip(b["events"][k]["sig"], 10); case(b, "events[%d].sig" % k)
b = load(); k = find(b, "parties", "party.key", "id", COL)
b["parties"][k]["sig"] = flip(b["parties"][k]["sig"], 63); case(b, "parties[%d].sig" % k)
b = load(); k = find(b, "events", "transport.pickup", "manifest", N1)
drop(b, "events", k); case(b, "events[%d].event.prev" % k)
b = load(); drop(b, "events", find(b, "events", "manifest.file", "manifest", N2))
case(b, "events[%d].event.prev" % find(b, "events", "transport.pickup", "manifest", N2))
b = load(); drop(b, "parties", find(b, "parties", "party.key", "id", P1))
case(b, "events[%d].event.key" % find(b, "events", "manifest.file", "manifest", N1))
b = load(); drop(b, "parties", find(b, "parties", "party.key", "id", COL))
case(b, "parties[%d].event.prev" % find(b, "parties", "party.licence", "id", COL))
b = load(); b["checkpoint"] = old; case(b, "proofs[0].tree_size")
b = load(); b["proofs"][np + 3]["inclusion"][0] = flip(b["proofs"][np + 3]["inclusion"][0], 0)
case(b, "proofs[%d].inclusion" % (np + 3))
b = load(); b["proofs"][2]["leaf_hash"] = b["proofs"][3]["leaf_hash"]; case(b, "proofs[2].leaf_hash")
b = load(); e, p = b["events"], b["proofs"]
e[1], e[2] = e[2], e[1]; p[np + 1], p[np + 2] = p[np + 2], p[np + 1]; case(b, "events[2]")
b = load()
for k in reversed(range(len(b["events"]))):
    if b["events"][k]["event"]["manifest"] == N2:
        drop(b, "events", k)
case(b, "parties[%d]" % find(b, "parties", "party.register", "id", "9121021100000002X9"))
b = load(); b["events"][0]["event"]["body"]["lines"][0]["qty_g"] += 1; case(b, "events[0].sig")
b = load(); b["version"] = 2; case(b, "version")
b = load(); b["extra"] = 1; case(b, "extra")
b = load(); del b["proofs"][0]; case(b, "proofs")
P
    [ "$(wc -l < cases)" -eq 15 ] || fail "the tamper cases were not all written"
    while read -r c item; do
        expect_exit 1 ld bundle --verify "$c" --regulator reg.key.pub
        grep -Fq "'$c': $item: " "$T/err" || { cat "$T/err" >&2; fail "liandan: $c does not fail at $item"; }
        expect_exit 1 "$VERIFY" --regulator reg.key.pub "$c"
        grep -Fq "'$c': $item: " "$T/err" || { cat "$T/err" >&2; fail "liandan-verify: $c does not fail at $item"; }
    done < cases
fi

# A new event on N3 after the latest checkpoint (a regulator's request for a
# correction, signed by the regulator itself): bundle signs a fresh checkpoint.
expect_exit 0 ld correct --key reg.key --manifest $N3 --part receiver --reason 请核对数量 --request
expect_exit 0 ld bundle -o b3.json $N3
expect_exit 0 ld bundle --verify b3.json --regulator reg.key.pub
expect_out '^ok 14 events of 3 manifests signed by 5 parties, 13 party events, '
expect_exit 0 "$VERIFY" --regulator reg.key.pub b3.json
expect_out '^ok 14 events of 3 manifests signed by 5 parties, 13 party events, '
# ... and stores it: it is the latest checkpoint, of the whole tree.
size=$(sed -n 's/^{"checkpoint":"[^\\]*\\n\([0-9]*\)\\n.*/\1/p' b3.json)
expect_exit 0 ld checkpoint
[ "$(sed -n 2p "$T/out")" = "$size" ] || fail "bundle did not store its checkpoint (size '$size')"
[ "$(ld log | wc -l)" -ge "$size" ] || fail "checkpoint size $size is not the tree size"

# Usage and lookups.
expect_exit 0 ld bundle --help
expect_out "^usage: liandan bundle"
expect_exit 2 ld bundle
expect_err "missing BATCH or NUMBER"
expect_exit 2 ld bundle --verify b.json
expect_err "missing --regulator"
expect_exit 2 ld bundle --verify b.json --regulator reg.key.pub $N1
expect_exit 2 ld bundle --regulator reg.key.pub $N1
expect_exit 2 ld bundle -o a -o b $N1
expect_err "given twice"
expect_exit 2 ld bundle --verify nonexistent.json --regulator reg.key.pub
expect_err "cannot read 'nonexistent.json'"
expect_exit 2 ld bundle --verify b.json --regulator nonexistent.pub
expect_exit 1 ld bundle $N1-02
expect_err "no batch $N1-02"
expect_exit 1 ld bundle 2026210200009-01
expect_exit 2 "$VERIFY" b.json
expect_err "missing --regulator"
expect_exit 2 "$VERIFY" --regulator reg.key.pub
expect_exit 2 "$VERIFY" --regulator reg.key.pub nonexistent.json
expect_exit 0 "$VERIFY" --help
expect_out "^usage: liandan-verify"
