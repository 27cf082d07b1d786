"""Reads: manifest list and detail, heads, next number, trace, bundle, anomalies,
stats, parties and attachments (tests run in file order; the last one files more)."""
import csv
import datetime
import hashlib
import io
import json
import os
import urllib.parse
import xml.dom.minidom

import pytest

import ldclient as ld
from conftest import ROOT

TRACK = b'{"type":"LineString","coordinates":[[121.38,39.40],[121.80,39.05]]}'


@pytest.fixture(scope="module")
def S(world):
    """M1 closed (with a GPS track), M2 arrived in a truck outside the permit,
    M3 filed (code 900-249-08), M4 filed by the unrelated producer (210211), M5 cancelled."""
    w, L = world, world.L
    reg = L.token("regulator")
    r = w.c.post("/v1/attachments", TRACK, token=L.token(w.carr), ctype="application/geo+json")
    assert r.status in (200, 201), r
    track = hashlib.sha256(TRACK).hexdigest()
    m1 = L.file(w.prod, w.recv, w.carr)
    L.pickup(w.carr, m1, track=track)
    L.arrive(w.carr, m1)
    L.accept(w.recv, m1)
    L.dispose(w.recv, m1)
    m2 = L.file(w.prod, w.recv, w.carr)
    L.pickup(w.carr, m2, vehicle="辽B54321")
    L.arrive(w.carr, m2)
    m3 = L.file(w.prod, w.recv, w.carr,
                lines=[ld.oil_line(code="900-249-08", name="废包装物", qty_g=300000, packages=2)])
    m4 = L.file(w.other, w.recv, w.carr)
    m5 = L.file(w.prod, w.recv, w.carr)
    L.mevent(w.prod, "manifest.cancel", m5, {"reason": "计划变更"})
    return {"m": [m1, m2, m3, m4, m5], "reg": reg, "track": track, "w": w, "L": L}


def get(S, url, who="reg", expect=200):
    tok = S["reg"] if who == "reg" else S["L"].token(who)
    r = S["w"].c.get(url, token=tok)
    assert r.status == expect, "GET %s: %r" % (url, r)
    return r


def numbers(S, query, who="reg"):
    r = get(S, "/v1/manifests" + query, who)
    body = r.json()
    assert set(body) >= {"items", "next_cursor"}, body
    return [it["number"] for it in body["items"]]


def test_list_all_items(S):
    m1, m2, m3, m4, m5 = S["m"]
    w = S["w"]
    body = get(S, "/v1/manifests").json()
    assert body["next_cursor"] is None
    items = {it["number"]: it for it in body["items"]}
    assert [it["number"] for it in body["items"]] == sorted(items)
    assert set(S["m"]) <= set(items), items.keys()
    want_state = {m1: "closed", m2: "arrived", m3: "filed", m4: "filed", m5: "cancelled"}
    for n, st in want_state.items():
        it = items[n]
        assert set(it) >= {"number", "state", "filed_at", "producer", "carrier", "receiver", "district"}, it
        assert it["state"] == st, it
        assert it["carrier"] == w.carr.id and it["receiver"] == w.recv.id, it
        assert abs((ld.parse_rfc3339(it["filed_at"]) - ld.now_utc()).total_seconds()) < 600, it
    assert items[m4]["producer"] == w.other.id and items[m4]["district"] == "210211", items[m4]
    assert items[m1]["producer"] == w.prod.id and items[m1]["district"] == "210213", items[m1]


def test_list_filters(S):
    m1, m2, m3, m4, m5 = S["m"]
    w = S["w"]
    today = ld.today_cst()
    day = datetime.timedelta(days=1)
    assert numbers(S, "?state=filed") == [m3, m4]
    assert numbers(S, "?state=closed") == [m1]
    assert numbers(S, "?party=%s&role=producer" % w.prod.id) == [m1, m2, m3, m5]
    assert numbers(S, "?party=%s" % w.other.id) == [m4]
    assert numbers(S, "?party=%s&role=carrier" % w.carr.id) == S["m"]
    assert numbers(S, "?party=%s&role=producer" % w.carr.id) == []
    assert numbers(S, "?code=900-249-08") == [m3]
    assert numbers(S, "?district=210211") == [m4]
    # As `liandan list`: from is inclusive, to exclusive.
    assert numbers(S, "?from=%s&to=%s" % (today, today + day)) == S["m"]
    assert numbers(S, "?from=%s" % today) == S["m"]
    assert numbers(S, "?from=%s" % (today + day)) == []
    assert numbers(S, "?to=%s" % today) == []
    assert numbers(S, "?state=filed&district=210213") == [m3]


def test_list_as_a_party(S):
    m1, m2, m3, m4, m5 = S["m"]
    w = S["w"]
    assert numbers(S, "", w.prod) == [m1, m2, m3, m5]
    assert numbers(S, "", w.other) == [m4]
    assert numbers(S, "", w.recv) == S["m"]
    assert numbers(S, "?party=%s" % w.prod.id, w.prod) == [m1, m2, m3, m5]
    assert numbers(S, "?state=filed", w.prod) == [m3]


@pytest.mark.parametrize("limit", [1, 2, 3])
def test_list_cursor_pagination(S, limit):
    seen, cursor, pages = [], None, 0
    while True:
        q = "?limit=%d" % limit + ("&cursor=" + urllib.parse.quote(cursor, safe="") if cursor else "")
        body = get(S, "/v1/manifests" + q).json()
        assert 0 < len(body["items"]) <= limit or (not body["items"] and body["next_cursor"] is None), body
        seen += [it["number"] for it in body["items"]]
        pages += 1
        cursor = body["next_cursor"]
        assert pages <= 10
        if cursor is None:
            break
        assert isinstance(cursor, str) and cursor
    assert seen == S["m"]
    assert pages == -(-len(S["m"]) // limit) or pages == -(-len(S["m"]) // limit) + 1
    # With a filter, the cursor keeps the filter's order.
    body = get(S, "/v1/manifests?state=filed&limit=1").json()
    assert [it["number"] for it in body["items"]] == [S["m"][2]] and body["next_cursor"]
    body = get(S, "/v1/manifests?state=filed&limit=1&cursor=" + urllib.parse.quote(body["next_cursor"], safe="")).json()
    assert [it["number"] for it in body["items"]] == [S["m"][3]]


@pytest.mark.parametrize("q", ["limit=0", "limit=1001", "limit=ten", "state=lost", "cursor=%00%ff",
                               "role=wizard&party={prod}", "from=yesterday", "to=2026-13-45"])
def test_list_bad_query(S, q):
    r = get(S, "/v1/manifests?" + q.format(prod=S["w"].prod.id), expect=400)
    ld.is_error_body(r, "bad_query")


def test_manifest_detail_with_verified_events(S):
    L, w = S["L"], S["w"]
    m1 = S["m"][0]
    for who in (w.prod, w.carr, w.recv, "reg"):
        d = get(S, "/v1/manifests/%d" % m1, who).json()
        assert d["number"] == m1 and d["state"] == "closed", d
        assert (d["producer"], d["carrier"], d["receiver"]) == (w.prod.id, w.carr.id, w.recv.id), d
        assert d["verified"] is True
        ids = L.manifests[m1]["events"]
        assert d["head"] == ids[-1]
        assert [e["id"] for e in d["events"]] == ids
        assert [e["type"] for e in d["events"]] == ["manifest.file", "transport.pickup", "transport.arrive",
                                                    "receipt.accept", "disposal.complete"]
        prev = None
        for e in d["events"]:
            signed = L.signed[e["id"]]
            ev = signed["event"]
            assert e["index"] == L.receipts[e["id"]]["leaf_index"]
            assert (e["at"], e["actor"], e["key"]) == (ev["at"], ev["actor"], ev["key"]), e
            assert e["verified"] is True, e
            assert e["body"] == ev["body"], e
            # What the server shows is exactly what was signed.
            rebuilt = {"v": 1, "type": e["type"], "manifest": m1, "prev": prev, "at": e["at"],
                       "actor": e["actor"], "key": e["key"], "body": e["body"]}
            pub = {p.key.key_id: p.key.pub for p in (w.prod, w.carr, w.recv)}[e["key"]]
            assert ld.verify_sig(pub, ld.PURPOSE_EVENT + ld.jcs(rebuilt), ld.unb64(signed["sig"]))
            prev = e["id"]
        assert d["events"][1]["body"]["track"] == S["track"]


def test_heads(S):
    L, w = S["L"], S["w"]
    m1 = S["m"][0]
    h = get(S, "/v1/heads/m:%d" % m1).json()
    last = L.manifests[m1]["events"][-1]
    assert h == {"chain": "m:%d" % m1, "id": last, "index": L.receipts[last]["leaf_index"]}, h
    h = get(S, "/v1/heads/p:%s" % w.recv.id, w.recv).json()
    assert h["chain"] == "p:" + w.recv.id and h["id"] == L.heads["p:" + w.recv.id], h
    # The calendar chain, after the regulator loads a year (the 2023 notice, before the built-in years).
    cal = json.load(open(os.path.join(ROOT, "schema", "events", "calendar.load.json")))["examples"][0]
    s = ld.build_event(L.reg, "calendar.load", "regulator", cal, prev=None)
    L.submit(s, "c:calendar")
    h = get(S, "/v1/heads/c:calendar").json()
    assert h == {"chain": "c:calendar", "id": ld.event_id(s), "index": L.receipts[ld.event_id(s)]["leaf_index"]}, h
    for bad in ("x:1", "m:abc", "p:123"):
        r = S["w"].c.get("/v1/heads/" + bad, token=S["reg"])
        assert r.status in (400, 404), (bad, r)
        ld.is_error_body(r)


def test_trace_formats(S):
    m1 = S["m"][0]
    t = get(S, "/v1/trace/%d?format=json" % m1)
    assert t.ctype == "application/json"
    t = t.json()
    nodes = {n["id"]: n for n in t["nodes"]}
    b = "%d-01" % m1
    assert b in nodes and nodes[b]["in_g"] == 800000 and nodes[b]["left_g"] == 0, nodes
    assert {"from": b, "kind": "dispose", "qty_g": 800000, "to": b + ":disposal"} in \
        [{k: e[k] for k in ("from", "kind", "qty_g", "to")} for e in t["edges"]], t["edges"]
    assert t.get("balanced") is True, t
    # the carrier stage of the graph: each line names the legs that carried it
    legs = nodes[b]["carriers"]
    assert [(g["leg"], g["carrier"], g["vehicle"]) for g in legs] == [(1, S["w"].carr.id, "辽B12345")], legs
    assert legs[0]["name"] == S["w"].carr.name and legs[0]["trailer"] is None, legs
    ld.parse_rfc3339(legs[0]["started_at"])
    assert "carriers" not in nodes[b + ":disposal"], nodes[b + ":disposal"]
    assert get(S, "/v1/trace/%s" % b).json()["nodes"] == t["nodes"]
    svg = get(S, "/v1/trace/%d?format=svg" % m1)
    assert svg.ctype == "image/svg+xml", svg.headers
    doc = xml.dom.minidom.parseString(svg.body)
    assert doc.documentElement.tagName == "svg"
    assert b.encode() in svg.body and S["w"].recv.name.encode() in svg.body
    dot = get(S, "/v1/trace/%d?format=dot" % m1)
    assert dot.ctype == "text/vnd.graphviz", dot.headers
    assert dot.text.startswith("digraph") and '"%s"' % b in dot.text
    r = get(S, "/v1/trace/%d?format=png" % m1, expect=400)
    ld.is_error_body(r, "bad_query")
    r = get(S, "/v1/trace/%d-02" % m1, expect=404)
    ld.is_error_body(r)
    r = S["w"].c.get("/v1/trace/not-a-batch", token=S["reg"])
    assert r.status in (400, 404), r


def test_trace_bundle_verifies_offline(S):
    """Only the regulator's public key is trusted (DESIGN.md §4.5)."""
    L, w = S["L"], S["w"]
    m1 = S["m"][0]
    L.checkpoint(min_size=L.count())
    r = get(S, "/v1/trace/%d/bundle" % m1)
    bundle = r.json()
    assert bundle["version"] == 1
    assert bundle["ledger_key"] == L.ledger_vkey
    text = ld.note_verify(bundle["checkpoint"], bundle["ledger_key"])
    assert text is not None, "bundle checkpoint does not verify"
    origin, size, root = ld.parse_checkpoint(text)
    assert origin == L.origin
    # Party certificates, signed by the regulator; collect the keys they certify.
    keys = {}
    for p in bundle["parties"]:
        ev = p["event"]
        assert ev["actor"] == "regulator" and ev["key"] == L.reg.key_id, ev
        assert ld.verify_sig(L.reg.pub, ld.PURPOSE_EVENT + ld.jcs(ev), ld.unb64(p["sig"])), ev["type"]
        if ev["type"] == "party.key":
            name, kh, pub = ld.parse_vkey(ev["body"]["pub"])
            keys[ld.key_id_of(pub)] = (ev["body"]["id"], pub)
    for p in (w.prod, w.carr, w.recv):
        assert p.key.key_id in keys, "bundle lacks the certificate of %s" % p
    # Event signatures under certified keys; per-manifest chains.
    heads = {}
    ids = set()
    for s in bundle["events"]:
        ev = s["event"]
        actor, pub = keys[ev["key"]]
        assert actor == ev["actor"], ev
        assert ld.verify_sig(pub, ld.PURPOSE_EVENT + ld.jcs(ev), ld.unb64(s["sig"])), ev
        assert ev["prev"] == heads.get(ev["manifest"]), "chain of %s broken" % ev["manifest"]
        heads[ev["manifest"]] = ld.event_id(s)
        ids.add(ld.event_id(s))
    assert set(L.manifests[m1]["events"]) <= ids
    # Inclusion of every event in the checkpoint.
    proved = set()
    for pr in bundle["proofs"]:
        assert pr["tree_size"] == size, pr
        leaf = ld.unb64(pr["leaf_hash"])
        ok = ld.verify_inclusion(pr["leaf_index"], pr["tree_size"], leaf,
                                 [ld.unb64(x) for x in pr["inclusion"]], root)
        assert ok, pr
        proved.add(leaf.hex())
    assert ids <= proved, "events without an inclusion proof: %s" % (ids - proved)


def test_anomalies_now(S):
    m2 = S["m"][1]
    body = get(S, "/v1/anomalies").json()
    assert set(body) >= {"now", "items"}
    assert abs((ld.parse_rfc3339(body["now"]) - ld.now_utc()).total_seconds()) < 60
    for it in body["items"]:
        assert set(it) >= {"batch", "deadline", "deadline_day", "detail", "manifest", "party", "provisional",
                           "rule"}, it
    fleet = [it for it in body["items"] if it["rule"] == "vehicle.not_in_fleet"]
    assert [it["manifest"] for it in fleet] == [m2], body
    assert "辽B54321" in fleet[0]["detail"] and fleet[0]["party"] == S["w"].carr.id
    assert not any(it["rule"] == "receipt.overdue" for it in body["items"]), body


LATER = ld.rfc3339(ld.now_utc() + datetime.timedelta(days=40))


def test_anomalies_at_a_later_now(S):
    m2 = S["m"][1]
    body = get(S, "/v1/anomalies?now=" + LATER).json()
    assert body["now"] == LATER
    over = [it for it in body["items"] if it["rule"] == "receipt.overdue"]
    assert [it["manifest"] for it in over] == [m2] and over[0]["party"] == S["w"].recv.id, body
    assert over[0]["deadline"] and over[0]["deadline_day"], over
    assert any(it["rule"] == "vehicle.not_in_fleet" for it in body["items"]), body


def test_anomalies_filter_by_rule(S):
    body = get(S, "/v1/anomalies?filter=vehicle.not_in_fleet&now=" + LATER).json()
    assert [(it["rule"], it["manifest"]) for it in body["items"]] == [("vehicle.not_in_fleet", S["m"][1])], body
    body = get(S, "/v1/anomalies?filter=receipt&now=" + LATER).json()  # a rule prefix
    assert body["items"] and {it["rule"] for it in body["items"]} == {"receipt.overdue"}, body


@pytest.mark.parametrize("what", ["manifest", "party", "batch"])
def test_anomalies_filter_by_subject(S, what):
    m1, m2 = S["m"][:2]
    f = {"manifest": str(m2), "party": S["w"].carr.id, "batch": "%d-01" % m2}[what]
    body = get(S, "/v1/anomalies?filter=%s" % f).json()
    assert [it["manifest"] for it in body["items"]] == [m2], body
    other = {"manifest": str(m1), "party": S["w"].other.id, "batch": "%d-01" % m1}[what]
    assert get(S, "/v1/anomalies?filter=%s" % other).json()["items"] == []


@pytest.mark.parametrize("q", ["now=tomorrow", "now=2026-02-30T00:00:00Z"])
def test_anomalies_bad_query(S, q):
    r = get(S, "/v1/anomalies?" + q, expect=400)
    ld.is_error_body(r, "bad_query")


def test_stats(S):
    w = S["w"]
    year = ld.today_cst().year
    r = get(S, "/v1/stats?by=producer&year=%d&format=csv" % year)
    assert r.ctype == "text/csv", r.headers
    assert r.body.startswith(b"\xef\xbb\xbf"), r.body[:10]
    text = r.body[3:].decode("utf-8")
    assert text.endswith("\r\n") and text.count("\n") == text.count("\r\n")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["producer", "name", "manifests", "filed_g", "received_g", "accepted_g", "disposed_g"], rows
    byid = {row[0]: row for row in rows[1:]}
    assert byid[w.prod.id][2:] == ["3", "1900000", "800000", "800000", "800000"], byid
    assert byid[w.other.id][2:] == ["1", "800000", "0", "0", "0"], byid
    assert byid["total"][2:] == ["4", "2700000", "800000", "800000", "800000"], byid
    js = get(S, "/v1/stats?by=producer&year=%d&format=json" % year)
    assert js.ctype == "application/json"
    vals = set(ld.walk_values(js.json()))
    assert {w.prod.id, 1900000, 2700000, 800000}.issubset(vals), js.json()
    r = get(S, "/v1/stats?by=code&year=%d&format=csv" % year)
    rows = {row[0]: row for row in csv.reader(io.StringIO(r.body[3:].decode()))}
    assert rows["900-249-08"][2:4] == ["1", "300000"] and rows["900-214-08"][2:4] == ["3", "2400000"], rows
    r = get(S, "/v1/stats?by=month&year=%d&format=csv" % year)
    rows = {row[0]: row for row in csv.reader(io.StringIO(r.body[3:].decode()))}
    assert rows[ld.today_cst().strftime("%Y-%m")][2] == "4", rows
    r = get(S, "/v1/stats?year=%d&format=csv" % (year - 3))
    rows = {row[0]: row for row in csv.reader(io.StringIO(r.body[3:].decode()))}
    assert rows["total"][2:] == ["0", "0", "0", "0", "0"], rows
    for q in ("by=colour", "format=xml", "year=twenty"):
        r = get(S, "/v1/stats?" + q, expect=400)
        ld.is_error_body(r, "bad_query")


def test_parties(S):
    L, w = S["L"], S["w"]
    items = get(S, "/v1/parties").json()["items"]
    ids = {it["id"] for it in items}
    assert {w.prod.id, w.carr.id, w.recv.id, w.other.id} <= ids
    d = get(S, "/v1/parties/" + w.prod.id, w.prod).json()
    assert set(d) >= {"id", "name", "roles", "district", "head", "keys", "licences"}, d
    assert (d["id"], d["name"], d["roles"], d["district"]) == (w.prod.id, w.prod.name, ["producer"], "210213")
    assert d["head"] == L.heads["p:" + w.prod.id]
    assert w.prod.key.key_id in json.dumps(d["keys"]), d["keys"]
    assert d["licences"] == []
    d = get(S, "/v1/parties/" + w.recv.id).json()
    assert len(d["licences"]) == 1, d
    assert "HW49" in json.dumps(d["licences"]) and "disposal" in json.dumps(d["licences"]), d
    r = S["w"].c.get("/v1/parties/not-a-uscc", token=S["reg"])
    assert r.status in (400, 404), r


def test_attachments(S):
    w, L = S["w"], S["L"]
    tok = L.token(w.carr)
    r = w.c.post("/v1/attachments", TRACK, token=tok, ctype="application/geo+json")
    assert r.status == 200, r  # stored by the fixture already
    assert r.json() == {"hash": S["track"], "size": len(TRACK), "media_type": "application/geo+json"}
    note = "运输途中无异常\n".encode()
    r = w.c.post("/v1/attachments", note, token=L.token(w.recv), ctype="text/plain")
    assert r.status == 201, r
    h = hashlib.sha256(note).hexdigest()
    assert r.json() == {"hash": h, "size": len(note), "media_type": "text/plain"}
    r = w.c.get("/v1/attachments/" + S["track"], token=L.token(w.recv))
    assert r.status == 200 and r.body == TRACK and r.ctype == "application/geo+json", r
    r = w.c.get("/v1/attachments/" + h, token=S["reg"])
    assert r.status == 200 and r.body == note and r.ctype == "text/plain", r
    r = w.c.post("/v1/attachments", b"PK\x03\x04", token=tok, ctype="application/zip")
    assert r.status == 415, r
    ld.is_error_body(r, "media_type")
    r = w.c.post("/v1/attachments", note, ctype="text/plain")
    assert r.status == 401, r
    r = w.c.get("/v1/attachments/" + h[:-1] + "x", token=S["reg"])
    assert r.status in (400, 404), r


def test_attachment_size_cap(S):
    w, L = S["w"], S["L"]
    tok = L.token(w.carr)
    # Over the JSON cap (1 MiB) but under the attachment cap (16 MiB): stored.
    big = b"%PDF-1.4\n" + bytes(range(256)) * (2 * 4096)
    r = w.c.post("/v1/attachments", big, token=tok, ctype="application/pdf")
    assert r.status == 201, r
    assert r.json() == {"hash": hashlib.sha256(big).hexdigest(), "size": len(big), "media_type": "application/pdf"}
    r = w.c.get("/v1/attachments/" + hashlib.sha256(big).hexdigest(), token=tok)
    assert r.status == 200 and r.body == big and r.ctype == "application/pdf"
    # A declared length over 16 MiB: 413 before the body.
    head = ("POST /v1/attachments HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/pdf\r\n"
            "Authorization: Bearer %s\r\nContent-Length: %d\r\n\r\n" % (tok, 16 * 1024 * 1024 + 1)).encode()
    status, hdrs, body, raw = ld.raw_request("127.0.0.1", w.srv.port, head)
    assert status == 413, raw[:300]


def test_next_number(S):
    """Last: it files a manifest."""
    L, w = S["L"], S["w"]
    want = L.next_number(w.prod)
    r = get(S, "/v1/manifests:next-number", w.prod)
    assert r.json() == {"number": want}, r
    assert str(want).startswith("%d2102" % ld.today_cst().year)
    assert L.file(w.prod, w.recv, w.carr) == want
    assert get(S, "/v1/manifests:next-number", w.prod).json() == {"number": want + 1}
    # The number is the city's: the producer in 210211 (same city) gets the same next one.
    assert get(S, "/v1/manifests:next-number", w.other).json() == {"number": want + 1}
    # A number already taken is refused: the filing must be signed again.
    r = L.file(w.prod, w.recv, w.carr, number=want, expect=None, lines=[ld.oil_line(qty_g=123000)])
    assert r.status in (409, 422), r
