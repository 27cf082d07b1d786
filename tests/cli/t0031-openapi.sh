# schema/openapi.yaml is the contract of schema/api.md in OpenAPI 3.1 and
# must not drift from it. Checked here, without the server:
# - it parses (python3-yaml) to plain JSON data, with the OpenAPI 3.1 skeleton
#   (version, info, bearer scheme, unique operation ids, a 2xx per operation,
#   path parameters declared and required), and every $ref resolves, the
#   schema/events/*.json ones included;
# - every "METHOD /path" of api.md is an operation here and every operation
#   here is in api.md; every other path api.md names (the authorisation table)
#   is here too; api.md's "Static pages:" item stands for its methods on / and
#   /{page} (any file of --web) and the operations it names, and a capitalised
#   segment (`GET /data/FILE`) for a parameter (/data/{file});
# - `security: []` on exactly the public operations: api.md's "anyone" row,
#   "need(s) no token" sentence, the static pages, and the two auth steps; an
#   operation api.md marks "(token)", "(regulator)"... is never public;
# - every schema is valid JSON Schema 2020-12 and uses no unknown keyword (a
#   typo, or an unquoted comma in a YAML flow mapping); every example (schema
#   `examples`, media type, parameter and header examples) validates against
#   its schema with python3-jsonschema; each JSON 2xx response has one;
# - the examples are real: the event, auth and receipt signatures, event ids,
#   checkpoint signatures and the proofs (the trace bundle's too) verify
#   (python3-nacl) against the keys the LogKeys and Party examples give.
ROOT=${LIANDAN_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
. "$(dirname "$0")/lib.sh"
PY=${PYTHON:-/usr/bin/python3}

cat > check.py <<'PY'
import base64, fnmatch, hashlib, json, os, re, sys

root = sys.argv[1]
errs = []
def err(msg):
    errs.append(msg)

try:
    import yaml
except ImportError:
    print("python3-yaml is missing (tools/install-deps installs it)")
    sys.exit(1)
import jsonschema

doc = yaml.safe_load(open(os.path.join(root, "schema/openapi.yaml"), encoding="utf-8"))
api = open(os.path.join(root, "schema/api.md"), encoding="utf-8").read()
METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")

# ---- plain JSON data: YAML 1.1 turns unquoted dates and yes/no into other types
def plain(v, path):
    if isinstance(v, dict):
        for k, x in v.items():
            if not isinstance(k, str):
                err("%s: key %r is not a string" % (path, k))
            plain(x, "%s/%s" % (path, k))
    elif isinstance(v, list):
        for n, x in enumerate(v):
            plain(x, "%s/%d" % (path, n))
    elif not (v is None or isinstance(v, (str, bool, int))):
        err("%s: %r is a %s, not JSON data (quote it)" % (path, v, type(v).__name__))
plain(doc, "")
if errs:
    print("\n".join(errs)); sys.exit(1)

# ---- skeleton ------------------------------------------------------------------
if not str(doc.get("openapi", "")).startswith("3.1."):
    err("openapi is not 3.1.x")
for k in ("title", "version"):
    if not doc.get("info", {}).get(k):
        err("info.%s missing" % k)
bearer = doc.get("components", {}).get("securitySchemes", {}).get("bearer", {})
if bearer.get("type") != "http" or bearer.get("scheme") != "bearer":
    err("components.securitySchemes.bearer is not http bearer")
if doc.get("security") != [{"bearer": []}]:
    err("the document's default security is not [{bearer: []}]")

def pointer(ptr):
    node = doc
    for part in ptr.lstrip("/").split("/"):
        part = part.replace("~1", "/").replace("~0", "~")
        node = node[int(part)] if isinstance(node, list) else node[part]
    return node

def deref(v):
    while isinstance(v, dict) and "$ref" in v and v["$ref"].startswith("#/"):
        v = pointer(v["$ref"][1:])
    return v

# Every $ref resolves; external ones are schema/events/*.json.
store = {}
def check_refs(v, path):
    if isinstance(v, dict):
        r = v.get("$ref")
        if isinstance(r, str):
            if r.startswith("#/"):
                try:
                    pointer(r[1:])
                except (KeyError, IndexError, ValueError):
                    err("%s: $ref %s does not resolve" % (path, r))
            else:
                f = os.path.join(root, "schema", r.split("#")[0])
                try:
                    store[r] = json.load(open(f, encoding="utf-8"))
                except (OSError, ValueError) as e:
                    err("%s: $ref %s: %s" % (path, r, e))
        for k, x in v.items():
            if k != "examples" and k != "example":
                check_refs(x, "%s/%s" % (path, k))
    elif isinstance(v, list):
        for n, x in enumerate(v):
            check_refs(x, "%s/%d" % (path, n))
check_refs(doc, "")

ops = {}  # (METHOD, path) -> operation
seen_ids = set()
for p, item in doc.get("paths", {}).items():
    for m in METHODS:
        if m not in item:
            continue
        op = item[m]
        ops[(m.upper(), p)] = op
        oid = op.get("operationId")
        if not oid or oid in seen_ids:
            err("%s %s: operationId missing or not unique" % (m.upper(), p))
        seen_ids.add(oid)
        responses = op.get("responses", {})
        if not any(str(s).startswith("2") for s in responses):
            err("%s %s: no 2xx response" % (m.upper(), p))
        for s, r in responses.items():
            if not re.fullmatch(r"[1-5][0-9][0-9]|default", str(s)):
                err("%s %s: response key %r" % (m.upper(), p, s))
            if "description" not in deref(r):
                err("%s %s %s: response without description" % (m.upper(), p, s))
        params = [deref(x) for x in item.get("parameters", []) + op.get("parameters", [])]
        inpath = {x["name"] for x in params if x.get("in") == "path"}
        for name in re.findall(r"\{([^}]+)\}", p):
            if name not in inpath:
                err("%s %s: path parameter {%s} not declared" % (m.upper(), p, name))
        for x in params:
            if x.get("in") == "path" and ("{%s}" % x["name"] not in p or x.get("required") is not True):
                err("%s %s: path parameter %s not in the path or not required" % (m.upper(), p, x["name"]))

# ---- api.md <-> openapi.yaml ---------------------------------------------------------
OP = r"\b(GET|POST|PUT|PATCH|DELETE) (/[^\s`?\[|]*)"
def templated(p):  # "/data/FILE": a segment in capitals is a parameter, "/data/{file}"
    return re.sub(r"/([A-Z][A-Z0-9_]*)(?=/|$)", lambda m: "/{%s}" % m.group(1).lower(), p)
api_ops = {(m, templated(p)) for m, p in re.findall(OP, api)}
if len(api_ops) < 20:
    err("only %d 'METHOD /path' found in api.md: has its style changed?" % len(api_ops))
# The "Static pages:" item: "any other `GET`/`HEAD` outside `/v1/` is a file of `--web DIR`
# (`/` is `index.html`)" is those methods on / and on /{page} (a path under the web
# directory); with the operations the item names (`GET /data/FILE`), the "static pages"
# of the authorisation table.
static_ops = set()
item = re.search(r"^- Static pages:(.*?)(?=^- |^#|\Z)", api, re.M | re.S)
if item:
    static_ops = {(m, templated(p)) for m, p in re.findall(OP, item.group(1))}
    other = re.search(r"any other ((?:`[A-Z]+`/?)+) outside `/v1/`", item.group(1))
    if not other:
        err("api.md: the 'Static pages:' item does not say which methods serve the pages")
    else:
        for m in re.findall(r"`([A-Z]+)`", other.group(1)):
            static_ops |= {(m, "/"), (m, "/{page}")}
api_ops |= static_ops
for m, p in sorted(api_ops - set(ops)):
    err("api.md has %s %s; openapi.yaml does not" % (m, p))
for m, p in sorted(set(ops) - api_ops):
    err("openapi.yaml has %s %s; api.md does not" % (m, p))
for p in sorted({x.split("?")[0] for x in re.findall(r"`(/[^`\s]+)`", api)}):
    if p.endswith("/"):  # a prefix ("outside `/v1/`")
        if not any(q.startswith(p) for q in doc["paths"]):
            err("api.md names %s; no path of openapi.yaml is under it" % p)
    elif not any(fnmatch.fnmatchcase(q, p) for q in doc["paths"]):
        err("api.md names %s; no path of openapi.yaml matches it" % p)

# ---- public operations -----------------------------------------------------------
row = re.search(r"^\| anyone \|(.*)$", api, re.M)
anyone = re.findall(r"`(/[^`]+)`", row.group(1)) if row else []
if not anyone:
    err("api.md: no '| anyone |' row in the authorisation table")
if row and "static pages" in row.group(1) and not static_ops:
    err("api.md: 'static pages' are public, but no 'Static pages:' item says what they are")
# "`POST /a` and `POST /b` need no token" / "`POST /a` needs no token"
notoken = set()
for m in re.finditer(r"((?:`(?:GET|POST) \S+`(?: and |, )?)+) needs? no token", api):
    notoken |= set(re.findall(r"`(GET|POST) (\S+)`", m.group(1)))
public = set()
for (m, p) in ops:
    if any(fnmatch.fnmatchcase(p, a) for a in anyone) or (m, p) in notoken \
            or p.startswith("/v1/auth/") or (row and "static pages" in row.group(1) and (m, p) in static_ops):
        public.add((m, p))
for (m, p), op in sorted(ops.items()):
    sec = op.get("security", doc.get("security"))
    if (m, p) in public and sec != []:
        err("%s %s is public in api.md; it needs security: []" % (m, p))
    if (m, p) not in public and sec == []:
        err("%s %s is marked public (security: []); api.md does not say so" % (m, p))
for m, p, note in re.findall(r"`(GET|POST) ([^`?\s]+)[^`]*`\s*\(([^)]*)\)", api):
    if re.search(r"token|regulator|party", note) and (m, p) in public:
        err("api.md marks %s %s '(%s)' but it is public here" % (m, p, note))

# ---- schemas and examples ------------------------------------------------------------
V = jsonschema.Draft202012Validator
base = "file://" + os.path.join(root, "schema", "openapi.yaml")
for r, s in list(store.items()):
    store[jsonschema.validators.urljoin(base, r)] = s
resolver = jsonschema.RefResolver(base, doc, store=store)
for name, s in doc["components"]["schemas"].items():
    try:
        V.check_schema(s)
    except jsonschema.SchemaError as e:
        err("components.schemas.%s: not a valid schema: %s" % (name, e.message))

# Unknown keywords are ignored by validators, so a typo or a YAML slip (an
# unquoted comma in a flow mapping makes a new key) would go unnoticed.
KEYWORDS = {"$schema", "$id", "$ref", "$defs", "$comment", "$anchor", "$dynamicRef", "$dynamicAnchor",
            "type", "enum", "const", "title", "description", "default", "examples", "deprecated",
            "readOnly", "writeOnly", "format", "pattern", "minLength", "maxLength", "minimum", "maximum",
            "exclusiveMinimum", "exclusiveMaximum", "multipleOf", "properties", "patternProperties",
            "additionalProperties", "required", "propertyNames", "minProperties", "maxProperties",
            "dependentRequired", "dependentSchemas", "unevaluatedProperties", "items", "prefixItems",
            "contains", "minContains", "maxContains", "minItems", "maxItems", "uniqueItems",
            "unevaluatedItems", "allOf", "anyOf", "oneOf", "not", "if", "then", "else",
            "contentMediaType", "contentEncoding", "contentSchema",
            "discriminator", "xml", "externalDocs", "example"}
def keywords(s, where):
    if not isinstance(s, dict):
        return
    for k, x in s.items():
        if k not in KEYWORDS:
            err("%s: '%s' is not a JSON Schema keyword" % (where, k))
        elif k in ("properties", "patternProperties", "$defs", "dependentSchemas"):
            for n, y in x.items():
                keywords(y, "%s/%s/%s" % (where, k, n))
        elif k in ("allOf", "anyOf", "oneOf", "prefixItems"):
            for n, y in enumerate(x):
                keywords(y, "%s/%s/%d" % (where, k, n))
        elif k in ("items", "not", "if", "then", "else", "additionalProperties", "contains",
                   "propertyNames", "unevaluatedProperties", "unevaluatedItems", "contentSchema"):
            keywords(x, "%s/%s" % (where, k))
def schemas_in(v, where):
    """Every schema object of the document outside components.schemas."""
    if isinstance(v, dict):
        for k, x in v.items():
            if k == "schema":
                keywords(x, where + "/schema")
            elif k != "examples" and k != "example":
                schemas_in(x, "%s/%s" % (where, k))
    elif isinstance(v, list):
        for n, x in enumerate(v):
            schemas_in(x, "%s/%d" % (where, n))
for name, s in doc["components"]["schemas"].items():
    keywords(s, "components.schemas." + name)
schemas_in(doc["paths"], "paths")
schemas_in({k: v for k, v in doc["components"].items() if k != "schemas"}, "components")

count = [0]
def validate(schema, value, where):
    count[0] += 1
    for e in V(schema, resolver=resolver).iter_errors(value):
        err("%s: %s (at /%s)" % (where, e.message, "/".join(map(str, e.absolute_path))))

def examples_of(obj):
    """Example values of a media type, parameter or header object."""
    out = []
    if "example" in obj:
        out.append(obj["example"])
    for x in obj.get("examples", {}).values():
        x = deref(x)
        if "value" in x:
            out.append(x["value"])
    return out

def schema_examples(s, where):
    """Validate the `examples` of a schema and of the schemas inside it."""
    if isinstance(s, dict):
        for n, x in enumerate(s.get("examples", []) if isinstance(s.get("examples"), list) else []):
            validate(s, x, "%s examples[%d]" % (where, n))
        for k, x in s.items():
            if k != "examples":
                schema_examples(x, "%s/%s" % (where, k))
    elif isinstance(s, list):
        for n, x in enumerate(s):
            schema_examples(x, "%s/%d" % (where, n))
for name, s in doc["components"]["schemas"].items():
    schema_examples(s, "components.schemas." + name)

def has_example(s):
    s = deref(s)
    if not isinstance(s, dict):
        return False
    return bool(s.get("examples")) or ("items" in s and has_example(s["items"]))

def media(content, where):
    for mt, obj in content.items():
        for n, x in enumerate(examples_of(obj)):
            if "schema" in obj:
                validate(obj["schema"], x, "%s %s example %d" % (where, mt, n))
            else:
                err("%s %s: an example without a schema" % (where, mt))

for (m, p), op in sorted(ops.items()):
    where = "%s %s" % (m, p)
    for x in [deref(x) for x in op.get("parameters", [])]:
        for v in examples_of(x):
            validate(x["schema"], v, "%s parameter %s" % (where, x["name"]))
    media(deref(op.get("requestBody", {})).get("content", {}), where + " request")
    for s, r in op.get("responses", {}).items():
        r = deref(r)
        media(r.get("content", {}), "%s %s" % (where, s))
        for h, x in r.get("headers", {}).items():
            x = deref(x)
            for v in examples_of(x):
                validate(x["schema"], v, "%s %s header %s" % (where, s, h))
        j = r.get("content", {}).get("application/json")
        if str(s).startswith("2") and j and not examples_of(j) and not has_example(j["schema"]):
            err("%s %s: a JSON response with no example" % (where, s))
for name, x in doc["components"].get("parameters", {}).items():
    for v in examples_of(x):
        validate(x["schema"], v, "components.parameters." + name)

# ---- the examples are real -------------------------------------------------------------
import nacl.signing, nacl.exceptions

def jcs(v):  # RFC 8785 for integers and BMP strings, all the examples hold
    return json.dumps(v, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()

def vkey(line):  # NAME+KEYHASH+BASE64(0x01 || pub) -> verify key
    return nacl.signing.VerifyKey(base64.b64decode(line.split("+", 2)[2])[1:])

def verify(key, msg, sig, what):
    try:
        key.verify(msg, base64.b64decode(sig))
    except nacl.exceptions.BadSignatureError:
        err("example %s: the signature does not verify" % what)

def sch(n):
    return doc["components"]["schemas"][n]
def ex(n):
    return doc["components"]["examples"][n]["value"]
keys = sch("LogKeys")["examples"][0]
party = sch("Party")["examples"][0]
reg, ledger = vkey(keys["regulator_key"]), vkey(keys["ledger_key"])
carrier = {k["keyid"]: vkey(k["vkey"]) for k in party["keys"]}
if hashlib.sha256(base64.b64decode(keys["regulator_key"].split("+", 2)[2])).hexdigest()[:32] \
        != keys["regulator_key_id"]:
    err("example LogKeys: regulator_key_id is not the key id of regulator_key")

signers = dict(carrier)
signers[keys["regulator_key_id"]] = reg
def check_event(signed, what):
    k = signers.get(signed["event"]["key"])
    if k is None:
        err("example %s: key %s is in neither the LogKeys nor the Party example" % (what, signed["event"]["key"]))
    else:
        verify(k, b"liandan/event/v1\n" + jcs(signed["event"]), signed["sig"], what)

def node(l, r):
    return hashlib.sha256(b"\1" + l + r).digest()

def checkpoint(note, what):
    """The root and size of a signed checkpoint, after checking its signature."""
    body, _, sigs = note.partition("\n\n")
    origin, size, root_b64 = body.split("\n")[:3]
    if origin != keys["origin"]:
        err("example %s: origin is not LogKeys' origin" % what)
    signed = False
    for line in sigs.splitlines():
        name, blob = line.split(" ")[1:3]
        if name == keys["ledger_key"].split("+")[0]:
            verify(ledger, (body + "\n").encode(), base64.b64encode(base64.b64decode(blob)[4:]).decode(), what)
            signed = True
    if not signed:
        err("example %s: no signature by the ledger key" % what)
    return base64.b64decode(root_b64), int(size)

def inclusion(proof, root_hash, size, what):
    # RFC 9162 2.1.3.2
    fn, sn, r = proof["leaf_index"], proof["tree_size"] - 1, base64.b64decode(proof["leaf_hash"])
    for p in map(base64.b64decode, proof["inclusion"]):
        if sn == 0:
            r = None; break
        if fn & 1 or fn == sn:
            r = node(p, r)
            while not fn & 1 and fn:
                fn >>= 1; sn >>= 1
        else:
            r = node(r, p)
        fn >>= 1; sn >>= 1
    if r != root_hash or sn != 0 or proof["tree_size"] != size:
        err("example %s: does not lead to the checkpoint's root" % what)

check_event(sch("SignedEvent")["examples"][0], "SignedEvent")
arrive = ex("ArriveEvent")
check_event(arrive, "ArriveEvent")
receipt = ex("Receipt")
if hashlib.sha256(b"\0" + jcs(arrive)).hexdigest() != receipt["id"]:
    err("example Receipt: id is not SHA-256(0x00 || entry) of ArriveEvent")
verify(ledger, b"liandan/receipt/v1\n" + jcs({k: receipt[k] for k in ("accepted_at", "id", "leaf_index")}),
       receipt["sig"], "Receipt")
treq = doc["paths"]["/v1/auth/token"]["post"]["requestBody"]["content"]["application/json"]["examples"]["regulator"]["value"]
verify(reg, b"liandan/auth/v1\n" + jcs({"key": treq["key"], "nonce": treq["nonce"], "origin": keys["origin"]}),
       treq["sig"], "token request")
if treq["nonce"] != ex("Challenge")["nonce"]:
    err("example token request: not the nonce of the Challenge example")

root_hash, size = checkpoint(sch("Checkpoint")["examples"][0], "Checkpoint")
inc = sch("InclusionProof")["examples"][0]
if base64.b64decode(inc["leaf_hash"]).hex() != receipt["id"] or inc["leaf_index"] != receipt["leaf_index"]:
    err("example InclusionProof: not the leaf of the Receipt example")
inclusion(inc, root_hash, size, "InclusionProof")
bundle = doc["paths"]["/v1/trace/{subject}/bundle"]["get"]["responses"]["200"]["content"]["application/json"]["examples"]["abridged"]["value"]
if bundle["ledger_key"] != keys["ledger_key"]:
    err("example trace bundle: ledger_key is not LogKeys' ledger_key")
b_root, b_size = checkpoint(bundle["checkpoint"], "trace bundle checkpoint")
for n, e in enumerate(bundle["parties"] + bundle["events"]):
    check_event(e, "trace bundle event %d" % n)
ids = [hashlib.sha256(b"\0" + jcs(e)).digest() for e in bundle["parties"] + bundle["events"]]
if [base64.b64decode(x["leaf_hash"]) for x in bundle["proofs"]] != ids:
    err("example trace bundle: not one proof per event of parties, then events, in order")
for n, x in enumerate(bundle["proofs"]):
    inclusion(x, b_root, b_size, "trace bundle proof %d" % n)
con = sch("ConsistencyProof")["examples"][0]
# RFC 9162 2.1.4.2
path = list(map(base64.b64decode, con["consistency"]))
first, second = con["old_size"], con["new_size"]
if first & (first - 1) == 0:
    path.insert(0, base64.b64decode(con["old_root"]))
fn, sn = first - 1, second - 1
while fn & 1:
    fn >>= 1; sn >>= 1
fr = sr = path[0]
for c in path[1:]:
    if sn == 0:
        fr = None; break
    if fn & 1 or fn == sn:
        fr, sr = node(c, fr), node(c, sr)
        while not fn & 1 and fn:
            fn >>= 1; sn >>= 1
    else:
        sr = node(sr, c)
    fn >>= 1; sn >>= 1
if fr != base64.b64decode(con["old_root"]) or sr != base64.b64decode(con["new_root"]) or sn != 0:
    err("example ConsistencyProof: does not verify")
if base64.b64decode(con["new_root"]) != root_hash or second != int(size):
    err("example ConsistencyProof: new_root is not the Checkpoint example's root")

print("\n".join(errs) if errs else "ok: %d operations, %d examples" % (len(ops), count[0]))
sys.exit(1 if errs else 0)
PY
expect_exit 0 "$PY" check.py "$ROOT"
expect_out '^ok: '
