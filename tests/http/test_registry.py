"""The registry endpoints of api.md and what came with them: GET /v1/keys/{keyid}
(a key and the party.key event that certified it), GET /v1/directory (who a
filer can name), GET /v1/capacity (licensed annual capacity and its use),
GET /v1/stats?by=state, "prev" and "sig" on the events of GET
/v1/manifests/{number} (every signature checked here), "vehicles" on a
transport permit, GET /data/FILE (the embedded reference data) and the static
pages' ETag, If-None-Match and HEAD.

The module has its own server (the `world` fixture), started with --web on a
directory of pages written here, and its own parties: the registry checks
below are exact over them.
"""
import datetime
import hashlib
import json
import os

import pytest

import ldclient as ld

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
CATALOGUE = os.path.join(ROOT, "data", "hw-catalogue-2021.csv")

INDEX_HTML = "<!doctype html>\n<title>联单</title>\n<p>registry test page</p>\n".encode("utf-8")
APP_JS = b"export const answer = 42;\n"


def _web(d):
    """--web DIR for the module's server: an index.html and a nested script."""
    web = os.path.join(d, "web")
    os.makedirs(os.path.join(web, "js"), exist_ok=True)
    with open(os.path.join(web, "index.html"), "wb") as f:
        f.write(INDEX_HTML)
    with open(os.path.join(web, "js", "app.js"), "wb") as f:
        f.write(APP_JS)
    return ["--web", web]


SERVER_ARGS = _web

Y = ld.today_cst().year
STATES = ["filed", "in_transit", "arrived", "received", "received_with_discrepancy", "rejected",
          "closed", "cancelled"]
HW49_LINE = dict(code="900-041-49", category="HW49", name="废弃包装物", hazard=("T", "In"),
                 constituents="沾染矿物油的包装桶", packaging="吨袋")


# --------------------------------------------------------------------------
# helpers


def get(w, url, who="regulator", expect=200, **kw):
    tok = None if who is None else w.L.token(who)
    r = w.c.get(url, token=tok, **kw)
    if expect is not None:
        assert r.status == expect, "GET %s as %s: expected %d, got %r" % (url, who, expect, r)
    return r


def day(y, m, d):
    return datetime.date(y, m, d).isoformat()


def licence(L, party, kind, codes, valid_from, valid_until, capacity=None, number=None):
    body = {"id": party.id, "kind": kind,
            "number": number or "辽环危废%s字21%05d号" % ("经" if kind == "disposal" else "收", L.rng.randrange(100000)),
            "valid_from": valid_from, "valid_until": valid_until, "codes": list(codes)}
    if kind == "disposal":
        body["methods"] = ["R9", "D10"]
    if capacity:
        body["capacity_g"] = dict(capacity)
    L.reg_event("party.licence", party.id, body)
    return body


def permit(L, carrier, valid_from, valid_until, vehicles):
    body = {"id": carrier.id, "number": "辽交运管许可大字2102%05d号" % L.rng.randrange(100000),
            "valid_from": valid_from, "valid_until": valid_until, "vehicles": list(vehicles)}
    L.reg_event("party.permit", carrier.id, body)
    return body


def signed_events_of(L, uscc):
    """The party events this client submitted for a party, by id."""
    return {eid: s for eid, s in L.signed.items()
            if s["event"]["manifest"] is None and s["event"]["body"].get("id") == uscc}


def log_keys(w):
    r = w.c.get("/v1/log/keys")
    assert r.status == 200, r
    return r.json()


def walk(L, w, n, lines=None):
    """Carry manifest n from filed to arrived."""
    L.pickup(w.carr, n, packages=[ln["packages"] for ln in lines] if lines else (4,))
    L.arrive(w.carr, n)


# --------------------------------------------------------------------------
# the parties of this module


@pytest.fixture(scope="module")
def D(world):
    """Receivers, collectors and carriers with licences and permits of known validity.

    recv   (world) disposal 900-214-08, 900-249-08, HW49; Y-1-01-01..Y+1-12-31; capacity HW08
    cat    disposal HW08 (the category only); Y-1-01-01..Y+1-12-31
    old    disposal HW08, HW49; Y-4-01-01..Y-2-12-31 (expired)
    future disposal HW08, HW49; Y+1-01-01..Y+3-12-31 (not yet valid)
    bare   a receiver without a licence
    capo   disposal 900-047-49 only; a capacity figure for HW09, a category it is not licensed for
    coll   collector, collection HW08; Y-1-01-01..Y+1-12-31
    carr   (world) permit Y-1-01-01..Y+2-12-31, 辽B12345 and 辽B1234挂
    carr_old  permit Y-4-01-01..Y-2-12-31;  carr_none  no permit
    """
    w, L = world, world.L
    d = {"recv": w.recv, "carr": w.carr, "prod": w.prod, "other": w.other}
    d["cat"] = L.new_party("大连类别处置有限公司", ["receiver"], "210211")
    licence(L, d["cat"], "disposal", ["HW08"], day(Y - 1, 1, 1), day(Y + 1, 12, 31))
    d["old"] = L.new_party("大连过期处置有限公司", ["receiver"], "210204")
    licence(L, d["old"], "disposal", ["HW08", "HW49"], day(Y - 4, 1, 1), day(Y - 2, 12, 31))
    d["future"] = L.new_party("大连新建处置有限公司", ["receiver"], "210214")
    licence(L, d["future"], "disposal", ["HW08", "HW49"], day(Y + 1, 1, 1), day(Y + 3, 12, 31))
    d["bare"] = L.new_party("大连待批处置有限公司", ["receiver"], "210212")
    d["capo"] = L.new_party("大连单项处置有限公司", ["receiver"], "210281")
    licence(L, d["capo"], "disposal", ["900-047-49"], day(Y - 1, 1, 1), day(Y + 1, 12, 31),
            capacity={"HW09": 2000000000})
    d["coll"] = L.new_party("大连废油收集站有限公司", ["collector"], "210213")
    licence(L, d["coll"], "collection", ["HW08"], day(Y - 1, 1, 1), day(Y + 1, 12, 31))
    d["carr_old"] = L.new_party("大连旧证运输有限公司", ["carrier"], "210211")
    d["carr_old_permit"] = permit(L, d["carr_old"], day(Y - 4, 1, 1), day(Y - 2, 12, 31), ["辽B70001"])
    d["carr_none"] = L.new_party("大连无证运输有限公司", ["carrier"], "210211")
    d["receivers"] = {p.id for p in (d["recv"], d["cat"], d["old"], d["future"], d["bare"], d["capo"])}
    return d


def ids(r):
    body = r.json()
    assert set(body) == {"items"}, body
    got = [it["id"] for it in body["items"]]
    assert len(got) == len(set(got)), "a party listed twice: %r" % got
    return set(got)


# --------------------------------------------------------------------------
# GET /v1/keys/{keyid}


def check_cert(w, info, party_id, key):
    """info is a certified key's reply: its cert is a party.key event signed by the
    regulator's key whose body names this party and this key."""
    want = {"keyid", "party", "vkey", "from", "until", "revoked_at", "cert_index", "revoked_index",
            "cert"}
    if info.get("revoked_index") is not None:
        want.add("revocation")
    assert set(info) == want, info
    assert isinstance(info["cert_index"], int) and info["cert_index"] >= 0, info
    # the certificate is the entry at cert_index, byte for byte (as the log serves it)
    raw = get(w, "/v1/log/entries/%d" % info["cert_index"]).body
    assert json.loads(raw) == info["cert"], (raw, info["cert"])
    assert info["keyid"] == key.key_id and info["party"] == party_id and info["vkey"] == key.vkey, info
    ld.parse_rfc3339(info["from"])
    cert = info["cert"]
    assert set(cert) == {"event", "sig"}, cert
    ev = cert["event"]
    assert set(ev) == {"v", "type", "manifest", "prev", "at", "actor", "key", "body"}, ev
    assert ev["type"] == "party.key" and ev["actor"] == "regulator" and ev["manifest"] is None, ev
    keys = log_keys(w)
    assert ev["key"] == keys["regulator_key_id"] == w.files.reg.key_id, ev
    reg_pub = ld.parse_vkey(keys["regulator_key"])[2]
    assert reg_pub == w.files.reg.pub
    assert ld.verify_sig(reg_pub, ld.PURPOSE_EVENT + ld.jcs(ev), ld.unb64(cert["sig"])), \
        "the cert's signature does not verify under the regulator's key: %r" % cert
    assert ev["body"]["pub"] == info["vkey"] and ev["body"]["id"] == party_id, ev
    # the certified key is the one in the body: its id is SHA-256(0x01 || pub)[0:16]
    assert ld.key_id_of(ld.parse_vkey(ev["body"]["pub"])[2]) == info["keyid"]
    return cert


def test_key_of_a_party_carries_its_certificate(world, D):
    w, L = world, world.L
    info = get(w, "/v1/keys/" + w.carr.key.key_id, who=w.prod).json()
    cert = check_cert(w, info, w.carr.id, w.carr.key)
    # the very event this client submitted, byte for byte once canonical
    eid = ld.event_id(cert)
    assert eid in L.signed, "the cert is not the party.key event submitted for %s" % w.carr.id
    assert ld.jcs(L.signed[eid]) == ld.jcs(cert)
    assert info["until"] is None and info["revoked_at"] is None, info
    assert abs((ld.parse_rfc3339(info["from"]) - ld.parse_rfc3339(cert["event"]["at"])).total_seconds()) < 1, info


def test_key_any_token_reads_any_key(world, D):
    w = world
    want = get(w, "/v1/keys/" + w.recv.key.key_id).json()
    for who in (w.prod, w.other, w.carr, w.recv, D["coll"]):
        r = get(w, "/v1/keys/" + w.recv.key.key_id, who=who)
        assert r.ctype == "application/json", r.headers
        assert r.json() == want, (who, r)
    check_cert(w, want, w.recv.id, w.recv.key)


def test_key_of_the_regulator(world, D):
    w = world
    keys = log_keys(w)
    for who in ("regulator", w.prod):
        info = get(w, "/v1/keys/" + keys["regulator_key_id"], who=who).json()
        assert info == {"keyid": keys["regulator_key_id"], "party": "regulator",
                        "vkey": keys["regulator_key"]}, info
        assert info["vkey"] == w.files.reg.vkey


def test_key_revoked_and_limited(world, D):
    """A second key with an end, then revoked: still answered, with until and revoked_at."""
    w, L = world, world.L
    p = L.new_party("大连换钥化工有限公司", ["producer"], "210213")
    k2 = ld.Key("大连换钥化工有限公司-2")
    until = ld.rfc3339(ld.now_utc() + datetime.timedelta(days=400))
    L.certify(p, k2, until=until)
    info = get(w, "/v1/keys/" + k2.key_id, who=p.keys[0]).json()
    check_cert(w, info, p.id, k2)
    assert info["until"] == until and info["cert"]["event"]["body"]["until"] == until, info
    assert info["revoked_at"] is None, info
    L.revoke(p, k2)
    info = get(w, "/v1/keys/" + k2.key_id, who=p.keys[0]).json()
    check_cert(w, info, p.id, k2)
    assert info["revoked_at"] is not None, info
    # revocation counts by log position: the revoking event, signed by the regulator
    assert info["revoked_index"] > info["cert_index"], info
    rev = info["revocation"]
    assert rev["event"]["type"] == "party.revoke" and rev["event"]["actor"] == "regulator", rev
    assert rev["event"]["body"]["key"] == k2.key_id, rev
    assert rev["event"]["at"] == info["revoked_at"], (rev, info)
    assert ld.verify_sig(w.files.reg.pub, ld.PURPOSE_EVENT + ld.jcs(rev["event"]),
                         ld.unb64(rev["sig"])), rev
    assert abs((ld.parse_rfc3339(info["revoked_at"]) - ld.now_utc()).total_seconds()) < 600, info
    # the first key is untouched
    first = get(w, "/v1/keys/" + p.keys[0].key_id, who=p.keys[0]).json()
    check_cert(w, first, p.id, p.keys[0])
    assert first["revoked_at"] is None and first["revoked_index"] is None, first
    assert "revocation" not in first, first


def test_key_unknown_is_404(world, D):
    w = world
    for kid in ("0" * 32, ld.Key("nobody").key_id, "f" * 32):
        r = get(w, "/v1/keys/" + kid, expect=404)
        ld.is_error_body(r, "notfound", 7)
    # a party's name is not a key id
    r = get(w, "/v1/keys/" + w.prod.id, who=w.prod, expect=404)
    ld.is_error_body(r, "notfound", 7)


def test_key_needs_a_token(world, D):
    w = world
    for kid in (w.carr.key.key_id, w.files.reg.key_id, "0" * 32):
        r = get(w, "/v1/keys/" + kid, who=None, expect=401)
        ld.is_error_body(r, "unauthorized", 0)
        assert r.headers.get("www-authenticate", "").startswith("Bearer"), r.headers
        r = w.c.get("/v1/keys/" + kid, token="not-a-token")
        assert r.status == 401, r


# --------------------------------------------------------------------------
# GET /v1/directory


def directory(w, query, who="regulator", expect=200):
    return get(w, "/v1/directory?" + query, who=who, expect=expect)


def test_directory_shape_is_a_party_without_keys_and_head(world, D):
    w = world
    r = directory(w, "role=receiver")
    assert r.ctype == "application/json", r.headers
    items = {it["id"]: it for it in r.json()["items"]}
    for uscc, it in items.items():
        assert set(it) == {"id", "name", "roles", "district", "licences"}, it
        full = get(w, "/v1/parties/" + uscc).json()
        assert {k: v for k, v in full.items() if k not in ("keys", "head")} == it, (full, it)
    assert items[w.recv.id]["licences"][0]["kind"] == "disposal", items[w.recv.id]


def test_directory_receivers_without_codes_lists_every_receiver(world, D):
    w = world
    assert ids(directory(w, "role=receiver")) == D["receivers"]
    assert ids(directory(w, "role=collector")) == {D["coll"].id}
    assert ids(directory(w, "role=producer")) >= {w.prod.id, w.other.id}
    assert w.recv.id not in ids(directory(w, "role=producer"))
    assert ids(directory(w, "role=carrier")) & {w.recv.id, w.prod.id, D["coll"].id} == set()


def test_directory_receivers_by_code_and_category(world, D):
    w = world
    # 900-214-08: recv by the code, cat by its category HW08; old expired, future not yet, bare none
    assert ids(directory(w, "role=receiver&code=900-214-08")) == {w.recv.id, D["cat"].id}
    # 900-210-08: HW08 but not one of recv's codes (recv has codes of HW08, not the category)
    assert ids(directory(w, "role=receiver&code=900-210-08")) == {D["cat"].id}
    # 900-041-49: recv by its category HW49; cat covers HW08 only
    assert ids(directory(w, "role=receiver&code=900-041-49")) == {w.recv.id}
    # every code must be covered
    assert ids(directory(w, "role=receiver&code=900-214-08&code=900-041-49")) == {w.recv.id}
    assert ids(directory(w, "role=receiver&code=900-210-08&code=900-041-49")) == set()
    # 900-047-49: recv by the category, capo by the code
    assert ids(directory(w, "role=receiver&code=900-047-49")) == {w.recv.id, D["capo"].id}
    assert ids(directory(w, "role=receiver&code=900-047-49&code=900-041-49")) == {w.recv.id}
    # a code nobody is licensed for; capo's HW09 is a capacity figure, not a licence
    assert ids(directory(w, "role=receiver&code=841-001-01")) == set()
    assert ids(directory(w, "role=receiver&code=900-005-09")) == set()
    # a category stands for itself: only a licence listing the whole category covers it
    assert ids(directory(w, "role=receiver&code=HW08")) == {D["cat"].id}
    assert ids(directory(w, "role=receiver&code=HW49")) == {w.recv.id}
    # the same code twice is one condition
    assert ids(directory(w, "role=receiver&code=900-214-08&code=900-214-08")) == {w.recv.id, D["cat"].id}


def test_directory_licence_validity_on_a_day(world, D):
    w = world
    q = "role=receiver&code=900-214-08&on="
    assert ids(directory(w, q + day(Y + 1, 6, 1))) == {w.recv.id, D["cat"].id, D["future"].id}
    # the first and last days count (Beijing dates)
    assert ids(directory(w, q + day(Y + 1, 1, 1))) == {w.recv.id, D["cat"].id, D["future"].id}
    assert ids(directory(w, q + day(Y + 1, 12, 31))) == {w.recv.id, D["cat"].id, D["future"].id}
    assert ids(directory(w, q + day(Y + 2, 1, 1))) == {D["future"].id}
    assert ids(directory(w, q + day(Y, 12, 31))) == {w.recv.id, D["cat"].id}
    assert ids(directory(w, q + day(Y - 2, 12, 31))) == {D["old"].id}
    assert ids(directory(w, q + day(Y - 1, 1, 1))) == {w.recv.id, D["cat"].id}
    assert ids(directory(w, q + day(Y - 2, 12, 31).replace("-12-31", "-12-30"))) == {D["old"].id}
    # default: today
    assert ids(directory(w, q + ld.today_cst().isoformat())) == ids(directory(w, "role=receiver&code=900-214-08"))


def test_directory_collectors(world, D):
    w = world
    assert ids(directory(w, "role=collector&code=900-214-08")) == {D["coll"].id}
    assert ids(directory(w, "role=collector&code=900-041-49")) == set()
    assert ids(directory(w, "role=collector&code=900-214-08&on=" + day(Y + 2, 1, 1))) == set()
    # a collector is not a receiver, whatever its scope
    assert D["coll"].id not in ids(directory(w, "role=receiver&code=900-214-08"))
    it = directory(w, "role=collector&code=900-214-08").json()["items"][0]
    assert [l["kind"] for l in it["licences"]] == ["collection"], it


def test_directory_carriers_with_permits(world, D):
    w = world
    mine = {w.carr.id, D["carr_old"].id, D["carr_none"].id}  # later tests add carriers of their own
    assert ids(directory(w, "role=carrier")) & mine == {w.carr.id}
    assert ids(directory(w, "role=carrier&on=" + day(Y - 2, 6, 30))) & mine == {D["carr_old"].id}
    assert ids(directory(w, "role=carrier&on=" + day(Y + 2, 12, 31))) & mine == {w.carr.id}
    assert ids(directory(w, "role=carrier&on=" + day(Y + 3, 1, 1))) & mine == set()
    it = [x for x in directory(w, "role=carrier").json()["items"] if x["id"] == w.carr.id][0]
    tr = [l for l in it["licences"] if l["kind"] == "transport"]
    assert len(tr) == 1 and sorted(tr[0]["vehicles"]) == sorted(["辽B12345", "辽B1234挂"]), it
    old = [x for x in directory(w, "role=carrier&on=" + day(Y - 2, 6, 30)).json()["items"]
           if x["id"] == D["carr_old"].id][0]
    assert old["licences"][0]["number"] == D["carr_old_permit"]["number"], old
    assert old["licences"][0]["vehicles"] == ["辽B70001"], old


def test_directory_any_token(world, D):
    w = world
    want = directory(w, "role=receiver&code=900-214-08").json()
    for who in (w.prod, w.carr, w.recv, D["coll"], D["bare"]):
        assert directory(w, "role=receiver&code=900-214-08", who=who).json() == want, who


def test_directory_sixteen_codes_but_not_seventeen(world, D):
    w = world
    codes = ["900-214-08"] * 15 + ["900-249-08"]
    assert ids(directory(w, "role=receiver&" + "&".join("code=" + c for c in codes))) == {w.recv.id, D["cat"].id}
    r = directory(w, "role=receiver&" + "&".join("code=" + c for c in codes + ["900-214-08"]), expect=400)
    e = ld.is_error_body(r, "bad_query", 0)
    assert e["field"] == "code", e


def test_directory_bad_queries(world, D):
    w = world
    for q, field in (("role=inspector", "role"), ("role=", "role"), ("", "role"), ("code=900-214-08", "role"),
                     ("role=receivers", "role"),
                     ("role=receiver&code=900-214-8", "code"), ("role=receiver&code=HW8", "code"),
                     ("role=receiver&code=abc", "code"), ("role=receiver&code=", "code"),
                     ("role=receiver&code=900-214-08&code=9002140-8", "code"),
                     ("role=receiver&on=tomorrow", "on"), ("role=receiver&on=2026-13-45", "on")):
        r = directory(w, q, expect=400)
        e = ld.is_error_body(r, "bad_query", 0)
        assert e["field"] == field, (q, e)


def test_directory_needs_a_token(world, D):
    w = world
    for q in ("role=receiver", "role=carrier", "role=x"):
        r = directory(w, q, who=None, expect=401)
        ld.is_error_body(r, "unauthorized", 0)
        assert r.headers.get("www-authenticate", "").startswith("Bearer"), r.headers


# --------------------------------------------------------------------------
# GET /v1/capacity


def capacity_row(w, uscc, category, year=None):
    r = get(w, "/v1/capacity" + ("?year=%d" % year if year is not None else ""))
    body = r.json()
    assert set(body) == {"year", "items"}, body
    rows = [it for it in body["items"] if it["receiver"] == uscc and it["category"] == category]
    assert len(rows) <= 1, rows
    return body, (rows[0] if rows else None)


def test_capacity_is_for_the_regulator(world, D):
    w = world
    for who in (w.recv, w.prod, w.carr, D["coll"]):
        r = get(w, "/v1/capacity", who=who, expect=403)
        ld.is_error_body(r, "forbidden", 0)
    r = get(w, "/v1/capacity", who=None, expect=401)
    ld.is_error_body(r, "unauthorized", 0)


def test_capacity_rows(world, D):
    w, L = world, world.L
    body, row = capacity_row(w, w.recv.id, "HW08")
    assert body["year"] == Y, body
    assert row is not None, body
    assert set(row) == {"receiver", "name", "licence", "category", "capacity_g", "used_g"}, row
    assert row["capacity_g"] == 5000000000 and row["name"] == w.recv.name, row
    lic = [l for l in get(w, "/v1/parties/" + w.recv.id).json()["licences"] if l["kind"] == "disposal"]
    assert row["licence"] == lic[0]["number"], (row, lic)
    # only capacities: HW49 is licensed without one; cat, old, future, bare have none
    assert capacity_row(w, w.recv.id, "HW49")[1] is None
    assert {it["receiver"] for it in body["items"]} - {D["capo"].id} == {w.recv.id}, body


def test_capacity_counts_accepted_grams_of_the_year(world, D):
    w, L = world, world.L
    _, before = capacity_row(w, w.recv.id, "HW08")
    used0 = before["used_g"]
    accepted = 0
    # two received manifests, one with an HW49 line beside its oil
    n1 = L.file(w.prod, w.recv, w.carr, lines=[ld.oil_line(qty_g=1234567)])
    walk(L, w, n1)
    L.accept(w.recv, n1, lines=((1, 1234567, 1234567),))
    accepted += 1234567
    n2 = L.file(w.prod, w.recv, w.carr,
                lines=[ld.oil_line(qty_g=700000, code="900-249-08", packages=2),
                       ld.oil_line(qty_g=333000, packages=3, **HW49_LINE)])
    L.pickup(w.carr, n2, packages=(2, 3))
    L.arrive(w.carr, n2)
    L.accept(w.recv, n2, lines=((1, 700000, 700000), (2, 333000, 333000)))
    accepted += 700000
    # arrived but not received, and rejected whole: nothing accepted
    n3 = L.file(w.prod, w.recv, w.carr, lines=[ld.oil_line(qty_g=4000000)])
    walk(L, w, n3)
    n4 = L.file(w.prod, w.recv, w.carr, lines=[ld.oil_line(qty_g=5000000)])
    walk(L, w, n4)
    L.mevent(w.recv, "receipt.reject", n4, {"reason": "含水率过高，整车拒收"})
    _, row = capacity_row(w, w.recv.id, "HW08")
    assert row["used_g"] == used0 + accepted, (row, used0, accepted)
    # disposal does not change what was accepted
    L.dispose(w.recv, n1, lines=((1, "R9", 1234567),))
    _, row = capacity_row(w, w.recv.id, "HW08", year=Y)
    assert row["used_g"] == used0 + accepted, row
    # other years: nothing received then
    for y in (Y - 1, Y + 1):
        body, row = capacity_row(w, w.recv.id, "HW08", year=y)
        assert body["year"] == y and row is not None and row["used_g"] == 0, (y, row)


def test_capacity_bad_year(world, D):
    w = world
    for y in ("26", "abcd", "20266", "-2026", ""):
        r = get(w, "/v1/capacity?year=" + y, expect=400)
        e = ld.is_error_body(r, "bad_query", 0)
        assert e["field"] == "year", e


# --------------------------------------------------------------------------
# GET /v1/stats?by=state


def states(w):
    body = get(w, "/v1/stats?by=state").json()
    assert set(body) == {"by", "rows"} and body["by"] == "state", body
    keys = [r["key"] for r in body["rows"]]
    assert sorted(keys) == sorted(STATES), "every state once: %r" % keys
    for row in body["rows"]:
        assert set(row) == {"key", "manifests"} and isinstance(row["manifests"], int), row
    return {r["key"]: r["manifests"] for r in body["rows"]}


def test_stats_by_state_follows_manifests(world, D):
    w, L = world, world.L
    c = states(w)
    listed = get(w, "/v1/manifests?limit=1000").json()["items"]
    assert sum(c.values()) == len(listed), (c, len(listed))
    for s in STATES:
        assert c[s] == sum(1 for it in listed if it["state"] == s), (s, c)

    def expect(**delta):
        nonlocal c
        now = states(w)
        want = {s: c[s] + delta.get(s, 0) for s in STATES}
        assert now == want, "by=state %r, expected %r" % (now, want)
        c = now

    n = L.file(w.prod, w.recv, w.carr)
    expect(filed=1)
    L.pickup(w.carr, n)
    expect(filed=-1, in_transit=1)
    L.arrive(w.carr, n)
    expect(in_transit=-1, arrived=1)
    L.accept(w.recv, n)
    expect(arrived=-1, received=1)
    L.dispose(w.recv, n)
    expect(received=-1, closed=1)
    m = L.file(w.prod, w.recv, w.carr)
    expect(filed=1)
    L.mevent(w.prod, "manifest.cancel", m, {"reason": "计划变更"})
    expect(filed=-1, cancelled=1)
    k = L.file(w.other, w.recv, w.carr)
    walk(L, w, k)
    expect(arrived=1)
    L.mevent(w.recv, "receipt.reject", k, {"reason": "与联单所载特性不符，整车拒收"})
    expect(arrived=-1, rejected=1)
    j = L.file(w.prod, w.recv, w.carr)
    walk(L, w, j)
    L.mevent(w.recv, "receipt.accept", j, {"lines": [{
        "line": 1, "received_g": 800000, "accepted_g": 800000,
        "discrepancy": {"kinds": ["packaging"], "description": "一个钢桶渗漏"}}]})
    expect(received_with_discrepancy=1)
    # a refused event changes nothing
    L.mevent(w.prod, "manifest.cancel", n, {"reason": "太晚了"}, expect=422)
    expect()


def test_stats_by_state_is_for_the_regulator(world, D):
    w = world
    for who in (w.prod, w.recv):
        r = get(w, "/v1/stats?by=state", who=who, expect=403)
        ld.is_error_body(r, "forbidden", 0)
    get(w, "/v1/stats?by=state", who=None, expect=401)


def test_stats_by_state_has_no_year_and_no_csv(world, D):
    """api.md: `by=state` (JSON, no year): a year or CSV is refused, or the year is
    not part of the answer."""
    w = world
    r = get(w, "/v1/stats?by=state&year=%d" % Y, expect=None)
    if r.status == 200:
        assert set(r.json()) == {"by", "rows"}, r
    else:
        assert r.status == 400, r
        ld.is_error_body(r, "bad_query", 0)
    r = get(w, "/v1/stats?by=state&format=csv", expect=None)
    assert r.status == 400 or (r.status == 200 and r.ctype == "application/json"), r


# --------------------------------------------------------------------------
# prev and sig on the events of GET /v1/manifests/{number}


def check_events(w, L, n, who):
    m = get(w, "/v1/manifests/%d" % n, who=who).json()
    assert m["verified"] is True, m
    prev = None
    pubs = {}
    for e in m["events"]:
        assert set(e) == {"index", "id", "type", "at", "actor", "key", "prev", "sig", "verified", "body"}, e
        assert e["prev"] == prev, "event %s: prev %r, expected %r" % (e["id"], e["prev"], prev)
        ev = {"v": 1, "type": e["type"], "manifest": n, "prev": e["prev"], "at": e["at"],
              "actor": e["actor"], "key": e["key"], "body": e["body"]}
        signed = {"event": ev, "sig": e["sig"]}
        # the key: from GET /v1/keys/{keyid}, checked against its certificate
        if e["key"] not in pubs:
            info = get(w, "/v1/keys/" + e["key"], who=who).json()
            assert info["party"] == e["actor"], (info, e)
            pubs[e["key"]] = ld.parse_vkey(info["vkey"])[2]
        assert ld.verify_sig(pubs[e["key"]], ld.PURPOSE_EVENT + ld.jcs(ev), ld.unb64(e["sig"])), \
            "event %d (%s) of %d: the signature does not verify" % (e["index"], e["type"], n)
        assert e["verified"] is True, e
        assert ld.event_id(signed) == e["id"], "event %d: the id is not the hash of the rebuilt entry" % e["index"]
        # what this client signed and submitted, and what the log holds
        assert ld.jcs(L.signed[e["id"]]) == ld.jcs(signed)
        r = get(w, "/v1/log/entries/%d" % e["index"], who=who)
        assert r.body == ld.jcs(signed), "entry %d differs from the rebuilt event" % e["index"]
        prev = e["id"]
    assert m["head"] == prev, m
    return m


def test_manifest_events_carry_prev_and_sig(world, D):
    w, L = world, world.L
    n = L.file(w.prod, w.recv, w.carr,
               lines=[ld.oil_line(qty_g=500000, packages=2),
                      ld.oil_line(qty_g=120000, packages=1, **HW49_LINE)])
    L.pickup(w.carr, n, packages=(2, 1))
    L.arrive(w.carr, n)
    L.accept(w.recv, n, lines=((1, 500000, 500000), (2, 120000, 120000)))
    L.dispose(w.recv, n, lines=((1, "R9", 500000), (2, "D10", 120000)))
    # and one signed by the regulator (its pinned key: GET /v1/keys gives it too)
    chain = "m:%d" % n
    s = ld.build_event(L.reg, "manifest.correct", "regulator",
                       {"part": "producer", "reason": "抽查发现主要有害成分不完整，请核实更正", "request": True},
                       manifest=n, prev=L.heads[chain])
    L.submit(s, chain)
    L.manifests[n]["events"].append(ld.event_id(s))
    for who in ("regulator", w.prod, w.carr, w.recv):
        m = check_events(w, L, n, who)
        assert [e["type"] for e in m["events"]] == ["manifest.file", "transport.pickup", "transport.arrive",
                                                   "receipt.accept", "disposal.complete",
                                                   "manifest.correct"], m
        assert m["events"][-1]["actor"] == "regulator" and m["events"][-1]["key"] == L.reg.key_id, m
        assert [e["id"] for e in m["events"]] == L.manifests[n]["events"]


def test_manifest_events_prev_and_sig_of_a_cancelled_one(world, D):
    w, L = world, world.L
    n = L.file(w.other, w.recv, w.carr)
    L.mevent(w.other, "manifest.cancel", n, {"reason": "接受单位停炉检修"})
    m = check_events(w, L, n, w.other)
    assert m["state"] == "cancelled" and len(m["events"]) == 2, m
    # a tampered copy does not verify: the check above is not vacuous
    e = m["events"][1]
    ev = {"v": 1, "type": e["type"], "manifest": n, "prev": m["events"][0]["id"], "at": e["at"],
          "actor": e["actor"], "key": e["key"], "body": dict(e["body"], reason="改过的理由")}
    assert not ld.verify_sig(w.other.key.pub, ld.PURPOSE_EVENT + ld.jcs(ev), ld.unb64(e["sig"]))


# --------------------------------------------------------------------------
# vehicles on a transport permit


def transport(w, uscc, who="regulator"):
    p = get(w, "/v1/parties/" + uscc, who=who).json()
    tr = [l for l in p["licences"] if l["kind"] == "transport"]
    assert len(tr) == 1, p
    return tr[0]


def test_permit_lists_its_vehicles(world, D):
    w, L = world, world.L
    for who in ("regulator", w.carr):
        tr = transport(w, w.carr.id, who)
        assert set(tr) >= {"kind", "number", "valid_from", "valid_until", "scope", "vehicles"}, tr
        assert sorted(tr["vehicles"]) == sorted(["辽B12345", "辽B1234挂"]), tr
        assert tr["scope"] == [], tr
    for l in get(w, "/v1/parties/" + w.recv.id).json()["licences"]:
        assert l["kind"] != "transport" and "vehicles" not in l, l


def test_a_new_permit_replaces_the_vehicles(world, D):
    w, L = world, world.L
    c = L.new_party("大连换证运输有限公司", ["carrier"], "210213")
    permit(L, c, day(Y - 1, 1, 1), day(Y + 1, 12, 31), ["辽B11111", "辽B2222挂", "辽B33333"])
    assert sorted(transport(w, c.id)["vehicles"]) == ["辽B11111", "辽B2222挂", "辽B33333"]
    body = permit(L, c, day(Y, 1, 1), day(Y + 3, 12, 31), ["辽B44444", "辽B11111"])
    tr = transport(w, c.id, who=c)
    assert tr["number"] == body["number"] and tr["valid_until"] == body["valid_until"], tr
    assert sorted(tr["vehicles"]) == ["辽B11111", "辽B44444"], tr
    d = {it["id"]: it for it in directory(w, "role=carrier").json()["items"]}
    assert sorted(d[c.id]["licences"][0]["vehicles"]) == ["辽B11111", "辽B44444"], d[c.id]


# --------------------------------------------------------------------------
# GET /data/FILE


def test_data_catalogue_is_the_repository_file(world, D):
    w = world
    with open(CATALOGUE, "rb") as f:
        want = f.read()
    for tok in (None, w.L.token("regulator")):
        r = w.c.get("/data/hw-catalogue-2021.csv", token=tok)
        assert r.status == 200, r
        assert r.ctype == "text/csv", r.headers
        assert r.body == want, "GET /data/hw-catalogue-2021.csv differs from data/hw-catalogue-2021.csv " \
            "(%d bytes, sha256 %s; file %d bytes, sha256 %s)" % (
                len(r.body), hashlib.sha256(r.body).hexdigest()[:16], len(want), hashlib.sha256(want).hexdigest()[:16])


def test_data_other_files(world, D):
    w = world
    for name in ("disposal-methods.csv", "dalian-districts.csv"):
        r = w.c.get("/data/" + name)
        assert r.status == 200 and r.ctype == "text/csv", (name, r)
        with open(os.path.join(ROOT, "data", name), "rb") as f:
            assert r.body == f.read(), name
    for name in ("nope.csv", "README.md", "..%2Fschema%2Fapi.md", ".hidden.csv"):
        r = w.c.get("/data/" + name)
        assert r.status == 404, (name, r)
        ld.is_error_body(r)


# --------------------------------------------------------------------------
# static pages: ETag, If-None-Match, HEAD


def head(w, path, headers=None):
    return w.c.request("HEAD", path, headers=headers)


def test_static_page_has_an_etag_and_304(world, D):
    w = world
    r = w.c.get("/")
    assert r.status == 200 and r.body == INDEX_HTML, r
    assert r.ctype == "text/html", r.headers
    tag = r.headers.get("etag")
    assert tag, "no ETag on GET /: %r" % r.headers
    assert w.c.get("/index.html").headers.get("etag") == tag
    r = w.c.get("/", headers={"If-None-Match": tag})
    assert r.status == 304 and r.body == b"", r
    assert r.headers.get("etag") == tag, r.headers
    r = w.c.get("/index.html", headers={"If-None-Match": tag})
    assert r.status == 304 and r.body == b"", r
    r = w.c.get("/", headers={"If-None-Match": '"0-0"'})
    assert r.status == 200 and r.body == INDEX_HTML, r


def test_static_head(world, D):
    w = world
    g = w.c.get("/")
    r = head(w, "/")
    assert r.status == 200 and r.body == b"", r
    assert r.headers.get("etag") == g.headers["etag"], (r.headers, g.headers)
    assert r.ctype == "text/html", r.headers
    assert int(r.headers.get("content-length", "-1")) == len(INDEX_HTML), r.headers
    r = head(w, "/", headers={"If-None-Match": g.headers["etag"]})
    assert r.status == 304 and r.body == b"", r
    assert r.headers.get("etag") == g.headers["etag"], r.headers
    r = head(w, "/no-such-page.html")
    assert r.status == 404 and r.body == b"", r


def test_static_nested_file_and_a_changed_file(world, D):
    w = world
    r = w.c.get("/js/app.js")
    assert r.status == 200 and r.body == APP_JS and r.ctype == "text/javascript", r
    tag = r.headers.get("etag")
    assert tag and tag != w.c.get("/").headers.get("etag"), r.headers
    assert w.c.get("/js/app.js", headers={"If-None-Match": tag}).status == 304
    path = os.path.join(w.files.dir, "web", "js", "app.js")
    with open(path, "wb") as f:
        f.write(APP_JS + b"export const more = 1;\n")
    r = w.c.get("/js/app.js", headers={"If-None-Match": tag})
    assert r.status == 200 and r.body == APP_JS + b"export const more = 1;\n", r
    assert r.headers.get("etag") and r.headers["etag"] != tag, r.headers
    with open(path, "wb") as f:
        f.write(APP_JS)


def test_static_pages_need_no_token(world, D):
    w = world
    for path in ("/", "/index.html", "/js/app.js", "/data/hw-catalogue-2021.csv"):
        assert w.c.get(path).status == 200, path
        assert head(w, path).status == 200, path
    r = w.c.get("/missing.js")
    assert r.status == 404, r
    ld.is_error_body(r, "notfound", 7)
