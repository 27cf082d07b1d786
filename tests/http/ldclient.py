"""ldclient - an independent Python client for the liandan HTTP API v1.

Written from DESIGN.md §4 and schema/api.md only: none of the C code is
called. It holds its own RFC 8785 canonical JSON, Ed25519 keys in C2SP
signed-note form, USCC check characters (GB 32100-2015), event building and
signing, RFC 6962 Merkle proofs, C2SP signed-note checking, and small HTTP
helpers including the challenge/token login.

Secret keys live only in memory (nacl SigningKey objects); nothing secret is
ever written to a file.
"""
import base64
import datetime
import decimal
import hashlib
import http.client
import json
import math
import os
import random
import socket
import time

import nacl.exceptions
import nacl.signing

PURPOSE_EVENT = b"liandan/event/v1\n"
PURPOSE_RECEIPT = b"liandan/receipt/v1\n"
PURPOSE_AUTH = b"liandan/auth/v1\n"

# --------------------------------------------------------------------------
# RFC 8785 JSON Canonicalization Scheme


def _jcs_string(s):
    out = ['"']
    for ch in s:
        o = ord(ch)
        if ch == '"':
            out.append('\\"')
        elif ch == "\\":
            out.append("\\\\")
        elif ch == "\b":
            out.append("\\b")
        elif ch == "\f":
            out.append("\\f")
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\r":
            out.append("\\r")
        elif ch == "\t":
            out.append("\\t")
        elif o < 0x20:
            out.append("\\u%04x" % o)
        elif 0xD800 <= o <= 0xDFFF:
            raise ValueError("lone surrogate in string")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def es6_number(x):
    """ECMAScript Number.prototype.toString for a finite double (RFC 8785 §3.2.2.3)."""
    if isinstance(x, bool):
        raise TypeError("bool is not a number")
    if isinstance(x, int):
        return str(x)
    if math.isnan(x) or math.isinf(x):
        raise ValueError("NaN and Infinity are not JSON")
    if x == 0:
        return "0"
    sign = "-" if x < 0 else ""
    # repr gives the shortest round-tripping decimal, as ECMAScript requires.
    _, dig, exp = decimal.Decimal(repr(abs(x))).normalize().as_tuple()
    digits = "".join(map(str, dig))
    k = len(digits)
    n = exp + k  # value = 0.DIGITS * 10^n
    if k <= n <= 21:
        s = digits + "0" * (n - k)
    elif 0 < n <= 21:
        s = digits[:n] + "." + digits[n:]
    elif -6 < n <= 0:
        s = "0." + "0" * (-n) + digits
    else:
        e = n - 1
        s = digits[0] + ("." + digits[1:] if k > 1 else "") + "e" + ("+" if e > 0 else "-") + str(abs(e))
    return sign + s


def _jcs(v, out):
    if v is None:
        out.append("null")
    elif v is True:
        out.append("true")
    elif v is False:
        out.append("false")
    elif isinstance(v, (int, float)):
        out.append(es6_number(v))
    elif isinstance(v, str):
        out.append(_jcs_string(v))
    elif isinstance(v, (list, tuple)):
        out.append("[")
        for i, item in enumerate(v):
            if i:
                out.append(",")
            _jcs(item, out)
        out.append("]")
    elif isinstance(v, dict):
        out.append("{")
        # Sort by UTF-16 code units: big-endian UTF-16 bytes compare the same way.
        for i, k in enumerate(sorted(v, key=lambda s: s.encode("utf-16-be"))):
            if not isinstance(k, str):
                raise TypeError("object keys must be strings")
            if i:
                out.append(",")
            out.append(_jcs_string(k))
            out.append(":")
            _jcs(v[k], out)
        out.append("}")
    else:
        raise TypeError("not JSON: %r" % type(v))


def jcs(v):
    """Canonical UTF-8 bytes of v (RFC 8785)."""
    out = []
    _jcs(v, out)
    return "".join(out).encode("utf-8")


# --------------------------------------------------------------------------
# Encodings, hashes, keys


def b64(b):
    return base64.b64encode(b).decode("ascii")


def unb64(s):
    return base64.b64decode(s.encode("ascii"), validate=True)


def sha256(b):
    return hashlib.sha256(b).digest()


def keyhash(name, pub):
    return sha256(name.encode("utf-8") + b"\n\x01" + pub)[:4]


def key_id_of(pub):
    return sha256(b"\x01" + pub)[:16].hex()


def parse_vkey(vkey):
    """NAME+KEYHASH+BASE64(0x01||pub32) -> (name, keyhash bytes, pub). Checks everything."""
    name, kh, rest = vkey.split("+", 2)
    raw = unb64(rest)
    if len(raw) != 33 or raw[0] != 1:
        raise ValueError("not an Ed25519 verifier key")
    pub = raw[1:]
    if bytes.fromhex(kh) != keyhash(name, pub):
        raise ValueError("key hash does not match")
    return name, bytes.fromhex(kh), pub


class Key:
    """An Ed25519 key held in memory only."""

    def __init__(self, name, seed=None):
        self.name = name
        self._sk = nacl.signing.SigningKey(seed if seed is not None else os.urandom(32))
        self.pub = bytes(self._sk.verify_key)
        self.key_id = key_id_of(self.pub)
        self.vkey = "%s+%s+%s" % (name, keyhash(name, self.pub).hex(), b64(b"\x01" + self.pub))

    def sign(self, msg):
        return self._sk.sign(msg).signature

    def __repr__(self):
        return "Key(%s %s)" % (self.name, self.key_id)


def verify_sig(pub, msg, sig):
    try:
        nacl.signing.VerifyKey(pub).verify(msg, sig)
        return True
    except (nacl.exceptions.BadSignatureError, ValueError):
        return False


# --------------------------------------------------------------------------
# USCC (GB 32100-2015) and its embedded organisation code (GB 11714)

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_W = [pow(3, i, 31) for i in range(17)]


def uscc_check_char(s17):
    assert len(s17) == 17
    total = sum(USCC_ALPHABET.index(c) * w for c, w in zip(s17, _USCC_W))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def uscc_valid(s):
    return (len(s) == 18 and all(c in USCC_ALPHABET for c in s)
            and s[2:8].isdigit() and uscc_check_char(s[:17]) == s[17])


def _org_check(body8):
    w = [3, 7, 9, 10, 5, 8, 4, 2]

    def val(c):
        return int(c) if c.isdigit() else ord(c) - ord("A") + 10
    c = 11 - sum(val(ch) * wi for ch, wi in zip(body8, w)) % 11
    return "X" if c == 10 else "0" if c == 11 else str(c)


def make_uscc(district, rng=random):
    """A fresh valid USCC of a company (91) registered in district (6 digits)."""
    alpha = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    body = "".join(rng.choice(alpha) for _ in range(8))
    s17 = "91" + district + body + _org_check(body)
    return s17 + uscc_check_char(s17)


# --------------------------------------------------------------------------
# Times

CST = datetime.timezone(datetime.timedelta(hours=8))


def now_utc():
    return datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)


def rfc3339(dt):
    return dt.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_rfc3339(s):
    return datetime.datetime.strptime(s, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=datetime.timezone.utc)


def today_cst():
    return datetime.datetime.now(CST).date()


# --------------------------------------------------------------------------
# Events


def build_event(key, type_, actor, body, manifest=None, prev=None, at=None):
    """A signed event envelope (DESIGN.md §4.3), as a dict."""
    ev = {"v": 1, "type": type_, "manifest": manifest, "prev": prev,
          "at": at if at is not None else rfc3339(now_utc()),
          "actor": actor, "key": key.key_id, "body": body}
    return {"event": ev, "sig": b64(key.sign(PURPOSE_EVENT + jcs(ev)))}


def entry_of(signed):
    return jcs(signed)


def leaf_hash(data):
    return sha256(b"\x00" + data)


def event_id(signed):
    return leaf_hash(entry_of(signed)).hex()


def receipt_ok(receipt, ledger_pub):
    payload = {"id": receipt["id"], "leaf_index": receipt["leaf_index"],
               "accepted_at": receipt["accepted_at"]}
    return verify_sig(ledger_pub, PURPOSE_RECEIPT + jcs(payload), unb64(receipt["sig"]))


# --------------------------------------------------------------------------
# RFC 6962 / RFC 9162 Merkle tree


def node_hash(left, right):
    return sha256(b"\x01" + left + right)


def mth(leaves):
    """Merkle tree hash of a list of leaf hashes."""
    n = len(leaves)
    if n == 0:
        return sha256(b"")
    if n == 1:
        return leaves[0]
    k = 1
    while k * 2 < n:
        k *= 2
    return node_hash(mth(leaves[:k]), mth(leaves[k:]))


def verify_inclusion(index, size, leaf, proof, root):
    """RFC 9162 §2.1.3.2."""
    if index >= size or len(leaf) != 32 or len(root) != 32:
        return False
    if any(len(p) != 32 for p in proof):
        return False
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while True:
                    fn >>= 1
                    sn >>= 1
                    if fn & 1 or fn == 0:
                        break
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == root


def verify_consistency(old_size, new_size, old_root, new_root, proof):
    """RFC 9162 §2.1.4.2."""
    if len(old_root) != 32 or len(new_root) != 32 or any(len(p) != 32 for p in proof):
        return False
    if old_size == 0 or old_size > new_size:
        return False
    if old_size == new_size:
        return not proof and old_root == new_root
    if old_size & (old_size - 1) == 0:  # a power of two
        proof = [old_root] + list(proof)
    if not proof:
        return False
    fn, sn = old_size - 1, new_size - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = proof[0]
    for c in proof[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            if not fn & 1:
                while True:
                    fn >>= 1
                    sn >>= 1
                    if fn & 1 or fn == 0:
                        break
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    return sn == 0 and fr == old_root and sr == new_root


# --------------------------------------------------------------------------
# C2SP signed notes and checkpoints

EM_DASH = "\u2014"


def note_verify(note, vkey):
    """Return the note text if note carries a good signature by vkey, else None."""
    name, kh, pub = parse_vkey(vkey)
    if not note.endswith("\n"):
        return None
    i = note.rfind("\n\n")
    if i < 0:
        return None
    text, sigs = note[:i + 1], note[i + 2:]
    ok = False
    for line in sigs.split("\n")[:-1]:
        if not line.startswith(EM_DASH + " "):
            return None
        parts = line[2:].split(" ")
        if len(parts) != 2:
            return None
        try:
            raw = unb64(parts[1])
        except Exception:
            return None
        if parts[0] == name and raw[:4] == kh and len(raw) == 68:
            if verify_sig(pub, text.encode("utf-8"), raw[4:]):
                ok = True
            else:
                return None
    return text if ok else None


def parse_checkpoint(text):
    lines = text.split("\n")
    assert len(lines) >= 4 and lines[-1] == "", text
    origin, size, root = lines[0], int(lines[1]), unb64(lines[2])
    assert str(size) == lines[1] and len(root) == 32, text
    return origin, size, root


# --------------------------------------------------------------------------
# HTTP

FORBIDDEN_IN_ERRORS = ("SELECT", "sqlite", "SQLITE")


class Response:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers  # lower-case name -> value
        self.body = body

    def json(self):
        """The body as JSON; api.md: numbers are integers, so a fraction or exponent fails."""
        def no_float(text):
            raise AssertionError("non-integer number %s in JSON reply: %r" % (text, self.body[:300]))
        return json.loads(self.body.decode("utf-8"), parse_float=no_float, parse_constant=no_float)

    @property
    def text(self):
        return self.body.decode("utf-8")

    @property
    def ctype(self):
        return self.headers.get("content-type", "").split(";")[0].strip().lower()

    def __repr__(self):
        return "<%d %s>" % (self.status, self.body[:400])


class Client:
    """One connection per request. Every error reply is checked for leaks."""

    def __init__(self, host, port, forbidden=(), source=None, timeout=20):
        self.host, self.port = host, port
        self.forbidden = tuple(FORBIDDEN_IN_ERRORS) + tuple(forbidden)
        self.source = source
        self.timeout = timeout
        self.errors = []  # (method, path, Response) of every reply >= 400

    def request(self, method, path, body=None, token=None, headers=None, ctype=None):
        h = dict(headers or {})
        if token is not None:
            h["Authorization"] = "Bearer " + token
        if body is not None and not isinstance(body, (bytes, bytearray)):
            body = json.dumps(body, ensure_ascii=False).encode("utf-8")
            h.setdefault("Content-Type", "application/json")
        if ctype is not None:
            h["Content-Type"] = ctype
        conn = http.client.HTTPConnection(
            self.host, self.port, timeout=self.timeout,
            source_address=(self.source, 0) if self.source else None)
        try:
            conn.request(method, path, body=body, headers=h)
            r = conn.getresponse()
            data = r.read()
            hdrs = {k.lower(): v for k, v in r.getheaders()}
            resp = Response(r.status, hdrs, data)
        finally:
            conn.close()
        if resp.status >= 400:
            self.errors.append((method, path, resp))
            text = resp.body.decode("utf-8", "replace")
            for bad in self.forbidden:
                assert bad not in text, "error reply to %s %s leaks %r: %s" % (method, path, bad, text)
        return resp

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def post(self, path, body=None, **kw):
        return self.request("POST", path, body=body, **kw)


def raw_request(host, port, data, read_timeout=5.0, source=None):
    """Send raw bytes, return (status or None, headers dict, body bytes, whole reply)."""
    s = socket.create_connection((host, port), timeout=read_timeout,
                                 source_address=(source, 0) if source else None)
    try:
        try:
            s.sendall(data)
        except (BrokenPipeError, ConnectionResetError):
            pass
        buf = b""
        deadline = time.monotonic() + read_timeout
        while time.monotonic() < deadline:
            try:
                chunk = s.recv(65536)
            except socket.timeout:
                break
            except ConnectionResetError:
                break
            if not chunk:
                break
            buf += chunk
            head, sep, rest = buf.partition(b"\r\n\r\n")
            if sep:
                hdrs = _parse_headers(head)
                n = int(hdrs.get("content-length", "-1"))
                if n >= 0 and len(rest) >= n:
                    break
    finally:
        s.close()
    return parse_raw_reply(buf)


def _parse_headers(head):
    hdrs = {}
    for line in head.split(b"\r\n")[1:]:
        k, _, v = line.decode("latin-1").partition(":")
        hdrs[k.strip().lower()] = v.strip()
    return hdrs


def parse_raw_reply(buf):
    if not buf.startswith(b"HTTP/"):
        return None, {}, b"", buf
    head, _, rest = buf.partition(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    return status, _parse_headers(head), rest, buf


def is_error_body(resp, name=None, code=None):
    """The error shape of api.md: {"code","error","hint","field"}."""
    assert resp.ctype == "application/json", "error is not JSON: %r %r" % (resp.headers, resp)
    e = resp.json()
    for k in ("code", "error", "hint", "field"):
        assert k in e, "error body lacks %r: %r" % (k, e)
    assert isinstance(e["code"], int) and isinstance(e["error"], str), e
    assert isinstance(e["hint"], str), e
    assert e["field"] is None or isinstance(e["field"], str), e
    if name is not None:
        assert e["error"] == name, "error %r, expected %r: %r" % (e["error"], name, e)
    if code is not None:
        assert e["code"] == code, "code %r, expected %r: %r" % (e["code"], code, e)
    return e


def login(client, key, origin):
    """Challenge/token flow; returns the token reply (dict)."""
    r = client.post("/v1/auth/challenge", {"key": key.key_id})
    assert r.status == 200, "challenge for %s: %r" % (key, r)
    nonce = r.json()["nonce"]
    msg = PURPOSE_AUTH + jcs({"key": key.key_id, "nonce": nonce, "origin": origin})
    r = client.post("/v1/auth/token", {"key": key.key_id, "nonce": nonce, "sig": b64(key.sign(msg))})
    assert r.status == 200, "token for %s: %r" % (key, r)
    return r.json()


# --------------------------------------------------------------------------
# A ledger seen through the API: parties, chains, manifests


class Party:
    def __init__(self, uscc, name, roles, district, key):
        self.id, self.name, self.roles, self.district, self.key = uscc, name, roles, district, key
        self.keys = [key]
        self._token = None

    def __repr__(self):
        return "Party(%s %s)" % (self.id, self.roles)


def oil_line(qty_g=800000, code="900-214-08", category="HW08", hazard=("T", "I"), packages=4, **extra):
    line = {"name": "废矿物油", "internal_name": "废润滑油", "catalogue": "2021", "code": code,
            "category": category, "hazard": list(hazard), "form": "liquid", "constituents": "矿物油",
            "packaging": "钢桶", "packages": packages,
            "containers": ["C%d" % (i + 1) for i in range(packages)], "qty_g": qty_g,
            "emergency": "泄漏时用沙土吸附，远离火源"}
    line.update(extra)
    return line


class Ledger:
    """Client-side book-keeping of chain heads, receipts and manifest numbers."""

    def __init__(self, client, regulator, origin, ledger_vkey):
        self.c = client
        self.reg = regulator
        self.origin = origin
        self.ledger_vkey = ledger_vkey
        self.ledger_pub = parse_vkey(ledger_vkey)[2]
        self.heads = {}        # chain -> event id
        self.receipts = {}     # event id -> receipt
        self.signed = {}       # event id -> signed event
        self.serial = {}       # (year, city) -> last serial
        self.tokens = {}       # key id -> token
        self.manifests = {}    # number -> dict(producer, carrier, receiver, lines, events)
        self.rng = random.Random()

    # -- submission
    def submit(self, signed, chain=None, expect=201):
        r = self.c.post("/v1/events", signed)
        if expect is not None:
            assert r.status == expect, "POST /v1/events %s: expected %d, got %r" % (
                signed["event"]["type"], expect, r)
        if r.status in (200, 201):
            rec = r.json()
            eid = event_id(signed)
            assert rec["id"] == eid, "receipt id %s, computed %s" % (rec["id"], eid)
            self.receipts[eid] = rec
            self.signed[eid] = signed
            if chain is not None:
                self.heads[chain] = eid
        return r

    def count(self):
        return len(self.receipts)

    def reg_event(self, type_, uscc, body, expect=201, key=None, prev="head"):
        chain = "p:" + uscc
        if prev == "head":
            prev = self.heads.get(chain)
        s = build_event(key or self.reg, type_, "regulator", body, prev=prev)
        return self.submit(s, chain, expect)

    # -- parties
    def new_party(self, name, roles, district, register=True, certify=True):
        uscc = make_uscc(district, self.rng)
        key = Key(name)
        p = Party(uscc, name, list(roles), district, key)
        if register:
            self.reg_event("party.register", uscc, {"id": uscc, "name": name, "roles": list(roles),
                                                     "district": district})
        if certify:
            self.certify(p, key)
        return p

    def certify(self, party, key, until=None, expect=201):
        body = {"id": party.id, "pub": key.vkey}
        if until is not None:
            body["until"] = until
        r = self.reg_event("party.key", party.id, body, expect=expect)
        if key not in party.keys:
            party.keys.append(key)
        return r

    def revoke(self, party, key, reason="签名手机遗失"):
        return self.reg_event("party.revoke", party.id, {"id": party.id, "key": key.key_id, "reason": reason})

    def licence(self, receiver, codes=("900-214-08", "900-249-08", "HW49"), methods=("R9", "D10"),
                kind="disposal"):
        y = today_cst().year
        body = {"id": receiver.id, "kind": kind, "number": "辽危废经许可证21%04d号" % self.rng.randrange(10000),
                "valid_from": "%d-01-01" % (y - 1), "valid_until": "%d-12-31" % (y + 1),
                "codes": list(codes)}
        if kind == "disposal":
            body["methods"] = list(methods)
            body["capacity_g"] = {"HW08": 5000000000}
        return self.reg_event("party.licence", receiver.id, body)

    def permit(self, carrier, vehicles=("辽B12345", "辽B1234挂")):
        y = today_cst().year
        body = {"id": carrier.id, "number": "辽交运管许可大字2102%05d号" % self.rng.randrange(100000),
                "valid_from": "%d-01-01" % (y - 1), "valid_until": "%d-12-31" % (y + 2),
                "vehicles": list(vehicles)}
        return self.reg_event("party.permit", carrier.id, body)

    # -- tokens
    def token(self, who):
        key = who if isinstance(who, Key) else (self.reg if who == "regulator" else who.keys[-1])
        if key.key_id not in self.tokens:
            self.tokens[key.key_id] = login(self.c, key, self.origin)["token"]
        return self.tokens[key.key_id]

    # -- manifests
    def next_number(self, filer):
        year = today_cst().year
        city = filer.district[:4]
        return int("%d%s%06d" % (year, city, self.serial.get((year, city), 0) + 1))

    def file_body(self, producer, receiver, carrier, lines=None):
        return {"producer": {"id": producer.id, "name": producer.name, "address": "大连市金州区",
                             "contact": "王工", "phone": "0411-80000001",
                             "emergency_phone": "0411-80000110"},
                "consignor": "producer", "receiver": receiver.id, "carrier": carrier.id,
                "lines": lines if lines is not None else [oil_line()]}

    def file(self, producer, receiver, carrier, lines=None, expect=201, number=None, body=None):
        n = number if number is not None else self.next_number(producer)
        body = body if body is not None else self.file_body(producer, receiver, carrier, lines)
        s = build_event(producer.keys[-1], "manifest.file", producer.id, body, manifest=n, prev=None)
        r = self.submit(s, "m:%d" % n, expect)
        if r.status == 201:
            year, city = int(str(n)[:4]), str(n)[4:8]
            self.serial[(year, city)] = max(self.serial.get((year, city), 0), int(str(n)[8:]))
            self.manifests[n] = {"producer": producer, "receiver": receiver, "carrier": carrier,
                                 "body": body, "events": [event_id(s)]}
        return n if expect == 201 else r

    def mevent(self, party, type_, number, body, expect=201, key=None, prev="head", at=None):
        chain = "m:%d" % number
        if prev == "head":
            prev = self.heads.get(chain)
        s = build_event(key or party.keys[-1], type_, party.id, body, manifest=number, prev=prev, at=at)
        r = self.submit(s, chain, expect)
        if r.status == 201 and number in self.manifests:
            self.manifests[number]["events"].append(event_id(s))
        return r

    def pickup(self, carrier, number, vehicle="辽B12345", packages=(4,), expect=201, **extra):
        body = {"vehicle": vehicle, "driver": {"name": "张三", "licence": "210200123456"},
                "escort": {"name": "李四", "licence": "210200654321"}, "start": "长兴岛",
                "packages": list(packages)}
        body.update(extra)
        return self.mevent(carrier, "transport.pickup", number, body, expect)

    def arrive(self, carrier, number, expect=201, **extra):
        body = {"place": "金州"}
        body.update(extra)
        return self.mevent(carrier, "transport.arrive", number, body, expect)

    def accept(self, receiver, number, lines=((1, 800000, 800000),), expect=201):
        body = {"lines": [{"line": ln, "received_g": rg, "accepted_g": ag} for ln, rg, ag in lines]}
        return self.mevent(receiver, "receipt.accept", number, body, expect)

    def dispose(self, receiver, number, lines=((1, "R9", 800000),), expect=201):
        body = {"on": today_cst().isoformat(),
                "lines": [{"line": ln, "method": m, "qty_g": q} for ln, m, q in lines]}
        return self.mevent(receiver, "disposal.complete", number, body, expect)

    # -- transparency
    def checkpoint(self, min_size=None, timeout=5.0):
        """The latest checkpoint (text, origin, size, root), waiting until it covers min_size."""
        deadline = time.monotonic() + timeout
        while True:
            r = self.c.get("/v1/log/checkpoint")
            assert r.status == 200, r
            text = note_verify(r.text, self.ledger_vkey)
            assert text is not None, "checkpoint signature does not verify: %r" % r.text
            origin, size, root = parse_checkpoint(text)
            if min_size is None or size >= min_size or time.monotonic() > deadline:
                return r.text, origin, size, root
            time.sleep(0.1)


def walk_values(v):
    """Every scalar inside a JSON value."""
    if isinstance(v, dict):
        for x in v.values():
            yield from walk_values(x)
    elif isinstance(v, list):
        for x in v:
            yield from walk_values(x)
    else:
        yield v
