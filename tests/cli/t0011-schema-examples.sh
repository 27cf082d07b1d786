# The example body of every schema in schema/events/ is accepted by the
# ledger, in one coherent story (calendar, register, certify, licence, permit,
# file, pick up, hand over, arrive, accept, dispose, correct and approve; a
# second filing cancelled, a third rejected; the producer's key revoked), so
# the examples cannot drift from the rules. Each example is also checked
# against its own schema: with python3-jsonschema when it is installed, and
# always with a small checker of members, required members, enums, patterns
# and ranges.
ROOT=${LIANDAN_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$(dirname "$0")/lib.sh"
PY=${PYTHON:-/usr/bin/python3}
S=$ROOT/schema/events
TYPES="party.register party.key party.revoke party.licence party.permit manifest.file
manifest.cancel transport.pickup transport.handover transport.arrive receipt.accept
receipt.reject disposal.complete manifest.correct manifest.approve calendar.load"

# The parties the examples name.
P=91210281MA10LD0P3W  # producer, 瓦房店市 (长兴岛经济区)
C1=91210213MA10LD0C7E # carrier of the first leg
C2=91210211MA10LD0K29 # carrier of the second leg
R=91210213MA10LD0RX0  # receiver

# ex TYPE [OLD NEW]...: the example body of TYPE, with literal replacements, on stdout.
cat > ex.py <<'PY'
import json, sys
doc = json.load(open(sys.argv[1], encoding="utf-8"))
assert len(doc["examples"]) == 1, "one example per schema"
text = json.dumps(doc["examples"][0], ensure_ascii=False)
args = sys.argv[2:]
for old, new in zip(args[::2], args[1::2]):
    assert old in text, "'%s' is not in the example" % old
    text = text.replace(old, new)
print(text)
PY
ex() { t=$1; shift; "$PY" ex.py "$S/$t.json" "$@"; }
# member FILE NAME: a top-level string member of a JSON file.
member() { "$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$1" "$2"; }
# keyid PUBFILE: DESIGN.md §4.2 key id of a verifier key line.
keyid() {
    "$PY" -c 'import base64,hashlib,sys
k = open(sys.argv[1]).read().strip().split("+", 2)[2]
print(hashlib.sha256(base64.b64decode(k)).hexdigest()[:32])' "$1"
}
# party_event TYPE PREV BODYFILE: sign a regulator event (no manifest) with
# body BODYFILE and submit it; the receipt is in $T/out.
party_event() {
    prev=null
    [ "$2" = null ] || prev="\"$2\""
    printf '{"v":1,"type":"%s","manifest":null,"prev":%s,"actor":"regulator","body":%s}\n' \
        "$1" "$prev" "$(cat "$3")" > ev.json
    ld sign --key reg.key ev.json > ev.signed
    expect_exit 0 ld submit ev.signed
}

# ---- every schema: present, documented, and its example fits it ----------
for t in $TYPES; do
    [ -f "$S/$t.json" ] || fail "no schema for $t"
done
# Every schema takes part in the story below.
for f in "$S"/*; do
    case " $(echo $TYPES) " in
    *" $(basename "$f" .json) "*) ;;
    *) fail "$f: not an event type this test exercises" ;;
    esac
done
cat > check.py <<'PY'
import json, sys

def walk(s, v, path, errs):
    """Members, required members, enums, const, types and patterns; enough to
    catch an example drifting from its schema without python3-jsonschema."""
    import re
    t = s.get("type")
    types = t if isinstance(t, list) else [t] if t else []
    kinds = {"object": dict, "array": list, "string": str, "null": type(None)}
    if types:
        ok = any((k == "integer" and isinstance(v, int) and not isinstance(v, bool)) or
                 (k in kinds and isinstance(v, kinds[k])) for k in types)
        if not ok:
            errs.append("%s: not %s" % (path, "/".join(types)))
            return
    if "enum" in s and v not in s["enum"]:
        errs.append("%s: %r not in enum" % (path, v))
    if "const" in s and v != s["const"]:
        errs.append("%s: not %r" % (path, s["const"]))
    if isinstance(v, str) and "pattern" in s and not re.search(s["pattern"], v):
        errs.append("%s: %r does not match %s" % (path, v, s["pattern"]))
    if isinstance(v, int) and not isinstance(v, bool):
        if v < s.get("minimum", v) or v > s.get("maximum", v):
            errs.append("%s: %d out of range" % (path, v))
    if isinstance(v, dict):
        props = s.get("properties", {})
        for k in s.get("required", []):
            if k not in v:
                errs.append("%s: missing required '%s'" % (path, k))
        for k, x in v.items():
            if k in props:
                walk(props[k], x, path + "." + k, errs)
            elif s.get("additionalProperties") is False:
                errs.append("%s: '%s' is not in the schema's properties" % (path, k))
            elif isinstance(s.get("additionalProperties"), dict):
                walk(s["additionalProperties"], x, path + "." + k, errs)
        cond = s.get("if")
        if cond:
            hit = all(v.get(k) == c.get("const", v.get(k))
                      for k, c in cond.get("properties", {}).items()) \
                and all(k in v for k in cond.get("required", []))
            branch = s.get("then" if hit else "else", {})
            for k in branch.get("required", []):
                if k not in v:
                    errs.append("%s: missing '%s' (if/then/else)" % (path, k))
            for k in branch.get("not", {}).get("required", []):
                if k in v:
                    errs.append("%s: '%s' not allowed here (if/then/else)" % (path, k))
    if isinstance(v, list) and "items" in s:
        for n, x in enumerate(v):
            walk(s["items"], x, "%s[%d]" % (path, n), errs)

def objects_closed(s, path, errs):
    if isinstance(s, dict):
        if s.get("type") == "object" and "properties" in s and s.get("additionalProperties") is not False:
            errs.append("%s: object without additionalProperties false" % path)
        for k, x in s.items():
            if k != "examples":
                objects_closed(x, path + "/" + k, errs)
    elif isinstance(s, list):
        for n, x in enumerate(s):
            objects_closed(x, "%s/%d" % (path, n), errs)

errs = []
for f in sys.argv[1:]:
    s = json.load(open(f, encoding="utf-8"))
    name = f.rsplit("/", 1)[-1]
    for k in ("$schema", "title", "description", "examples"):
        if k not in s:
            errs.append("%s: no %s" % (name, k))
    if s.get("$schema") != "https://json-schema.org/draft/2020-12/schema":
        errs.append("%s: not draft 2020-12" % name)
    objects_closed(s, name, errs)
    for ex in s.get("examples", []):
        walk(s, ex, name + ":example", errs)
try:
    import jsonschema
except ImportError:
    jsonschema = None
if jsonschema is not None:
    for f in sys.argv[1:]:
        s = json.load(open(f, encoding="utf-8"))
        jsonschema.Draft202012Validator.check_schema(s)
        for ex in s["examples"]:
            for e in jsonschema.Draft202012Validator(s).iter_errors(ex):
                errs.append("%s: jsonschema: %s" % (f.rsplit("/", 1)[-1], e.message))
print("\n".join(errs) if errs else "ok%s" % ("" if jsonschema else " (without jsonschema)"))
sys.exit(1 if errs else 0)
PY
expect_exit 0 "$PY" check.py "$S"/*.json

# ---- the story -------------------------------------------------------------
setup_ledger
export LIANDAN_NOW=2026-03-02T00:30:00Z
# calendar.load: the 2023 holidays (the first event of the chain c:calendar).
ex calendar.load > cal.json
party_event calendar.load null cal.json
expect_exit 0 ld calendar show --year 2023
expect_out '2023-01-28'
ld keygen --name hengtai --no-passphrase -o p.key >/dev/null
for k in c1 c2 r; do ld keygen --name "$k" --no-passphrase -o "$k.key" >/dev/null; done

# party.register (the producer) and party.key, from the examples.
ex party.register > reg.json
[ "$(member reg.json id)" = "$P" ] || fail "the party.register example is not the producer $P"
party_event party.register null reg.json
head=$(member out id)
ex party.key > key.json
ex party.key "$(member key.json pub)" "$(cat p.key.pub)" > key.json
party_event party.key "$head" key.json
head=$(member out id)
# The other parties through the CLI.
ld party register --key reg.key --id "$C1" --name 大连安运危险货物运输有限公司 --role carrier \
    --district 210213 >/dev/null
ld party register --key reg.key --id "$C2" --name 大连港通危险品物流有限公司 --role carrier \
    --district 210211 >/dev/null
ld party register --key reg.key --id "$R" --name 大连鑫海环保科技有限公司 --role receiver \
    --district 210213 >/dev/null
ld party key --key reg.key --id "$C1" --pub c1.key.pub --until 2027-12-31 >/dev/null
ld party key --key reg.key --id "$C2" --pub c2.key.pub --until 2027-12-31 >/dev/null
ld party key --key reg.key --id "$R" --pub r.key.pub --until 2027-12-31 >/dev/null

# party.licence (the receiver) and party.permit (the first carrier).
ex party.licence > lic.json
expect_exit 0 ld party licence --key reg.key --body lic.json
ex party.permit > permit.json
expect_exit 0 ld party permit --key reg.key --body permit.json
# The second carrier's permit covers the hand-over example's vehicles.
cat > permit2.json <<J
{"id":"$C2","number":"辽交运管许可大字210211000233号","valid_from":"2025-01-01",
 "valid_until":"2028-12-31","vehicles":["辽B3R918","辽B4471挂"]}
J
expect_exit 0 ld party permit --key reg.key --body permit2.json

# manifest.file, then the carrier part with a hand-over, receipt and disposal.
N1=20262102000001
export LIANDAN_NOW=2026-03-02T01:00:00Z
ex manifest.file > m.json
expect_exit 0 ld file --key p.key --body m.json
expect_out "\"leaf_index\""
export LIANDAN_NOW=2026-03-02T02:10:00Z
ex transport.pickup > pickup.json
expect_exit 0 ld pickup --key c1.key --manifest $N1 --body pickup.json
export LIANDAN_NOW=2026-03-02T04:40:00Z
ex transport.handover > handover.json
expect_exit 0 ld handover --key c2.key --manifest $N1 --body handover.json
export LIANDAN_NOW=2026-03-02T05:30:00Z
ex transport.arrive > arrive.json
expect_exit 0 ld arrive --key c2.key --manifest $N1 --body arrive.json
export LIANDAN_NOW=2026-03-03T01:20:00Z
ex receipt.accept > accept.json
expect_exit 0 ld receive --key r.key --manifest $N1 --body accept.json
expect_exit 0 ld show --json $N1
expect_out '"state":"received_with_discrepancy"'
export LIANDAN_NOW=2026-03-06T08:00:00Z
ex disposal.complete > dispose.json
expect_exit 0 ld dispose --key r.key --manifest $N1 --body dispose.json
expect_exit 0 ld show --json $N1
expect_out '"state":"closed"'

# manifest.correct by the receiver, and manifest.approve by the three others.
export LIANDAN_NOW=2026-03-09T00:40:00Z
ex manifest.correct > correct.json
expect_exit 0 ld correct --key r.key --manifest $N1 --body correct.json \
    --reason "$(member correct.json reason)"
CID=$(member out id)
ex manifest.approve > approve.json
ex manifest.approve "$(member approve.json correction)" "$CID" > approve.json
for k in p c1 c2; do
    expect_exit 0 ld approve --key $k.key --manifest $N1 --body approve.json
done
expect_exit 1 ld approve --key c2.key --manifest $N1 --body approve.json
expect_err 'already in effect'

# manifest.cancel: the same filing again, cancelled before pickup.
N2=20262102000002
export LIANDAN_NOW=2026-03-09T01:00:00Z
expect_exit 0 ld file --key p.key --body m.json
ex manifest.cancel > cancel.json
expect_exit 0 ld cancel --key p.key --manifest $N2 --body cancel.json \
    --reason "$(member cancel.json reason)"
expect_exit 0 ld show --json $N2
expect_out '"state":"cancelled"'

# receipt.reject: a third filing, carried in one leg, refused on arrival.
N3=20262102000003
export LIANDAN_NOW=2026-03-10T01:00:00Z
expect_exit 0 ld file --key p.key --body m.json
export LIANDAN_NOW=2026-03-10T02:00:00Z
expect_exit 0 ld pickup --key c1.key --manifest $N3 --body pickup.json
export LIANDAN_NOW=2026-03-10T06:00:00Z
expect_exit 0 ld arrive --key c1.key --manifest $N3 --body arrive.json
export LIANDAN_NOW=2026-03-10T07:30:00Z
ex receipt.reject > reject.json
expect_exit 0 ld reject --key r.key --manifest $N3 --body reject.json \
    --reason "$(member reject.json reason)"
expect_exit 0 ld show --json $N3
expect_out '"state":"rejected"'

# party.revoke: the producer's key, from the example; it then signs nothing.
export LIANDAN_NOW=2026-03-11T01:00:00Z
ex party.revoke > revoke.json
ex party.revoke "$(member revoke.json key)" "$(keyid p.key.pub)" > revoke.json
party_event party.revoke "$head" revoke.json
expect_exit 1 ld file --key p.key --body m.json
expect_err 'revoked'

expect_exit 0 ld verify
expect_out 'ok'
