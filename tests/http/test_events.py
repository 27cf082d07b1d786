"""POST /v1/events: receipts, idempotence, forks, refusals and the request gate."""
import threading
import time

import pytest

import ldclient as ld


def size(world):
    r = world.c.get("/healthz")
    assert r.status == 200, r
    return r.json()["size"]


def test_receipt_201_signed_by_ledger(world):
    L = world.L
    before = size(world)
    s = ld.build_event(L.reg, "party.register", "regulator",
                       {"id": ld.make_uscc("210213"), "name": "大连新港化工", "roles": ["producer"]})
    r = world.c.post("/v1/events", s)
    assert r.status == 201, r
    assert r.ctype == "application/json"
    rec = r.json()
    assert set(rec) == {"id", "leaf_index", "accepted_at", "sig"}, rec
    assert rec["id"] == ld.event_id(s)
    assert rec["leaf_index"] == before
    assert ld.receipt_ok(rec, L.ledger_pub), "receipt signature does not verify under ledger_key"
    forged = dict(rec, leaf_index=rec["leaf_index"] + 1)
    assert not ld.receipt_ok(forged, L.ledger_pub)
    at = ld.parse_rfc3339(rec["accepted_at"])
    assert abs((at - ld.now_utc()).total_seconds()) < 60
    assert size(world) == before + 1


def test_identical_resubmission_returns_original_receipt(world):
    L = world.L
    p = L.new_party("大连重复提交公司", ["producer"], "210213", certify=False)
    eid = L.heads["p:" + p.id]
    first = L.receipts[eid]
    n = size(world)
    r = world.c.post("/v1/events", L.signed[eid])
    assert r.status == 200, r
    assert r.json() == first
    assert size(world) == n
    # The same event written with other whitespace and member order is the same event.
    import json
    text = json.dumps({"sig": L.signed[eid]["sig"], "event": L.signed[eid]["event"]}, indent=2,
                      ensure_ascii=True).encode()
    r = world.c.post("/v1/events", text, ctype="application/json")
    assert r.status == 200, r
    assert r.json() == first


def test_fork_409_conflict(world):
    L, w = world.L, world
    n = L.file(w.prod, w.recv, w.carr)
    file_id = L.heads["m:%d" % n]
    L.pickup(w.carr, n)
    before = size(world)
    # A different event extending the same prev (the filing): a fork.
    r = L.mevent(w.carr, "transport.pickup", n,
                 {"vehicle": "辽B12345", "driver": {"name": "王五", "licence": "210200999999"},
                  "escort": {"name": "李四", "licence": "210200654321"}, "start": "长兴岛", "packages": [4]},
                 expect=409, prev=file_id)
    e = ld.is_error_body(r, "conflict", 8)
    assert size(world) == before


def violations(r):
    e = r.json()
    assert isinstance(e.get("violations"), list) and e["violations"], "no violations list: %r" % e
    for v in e["violations"]:
        assert set(v) >= {"code", "field", "message"}, v
        assert isinstance(v["message"], str) and v["message"], v
    return e["violations"]


def test_422_invalid_uscc_with_violations(world):
    L = world.L
    bad = ld.make_uscc("210213")
    bad = bad[:17] + ("0" if bad[17] != "0" else "1")
    before = size(world)
    r = L.reg_event("party.register", bad, {"id": bad, "name": "坏代码公司", "roles": ["producer"]},
                    expect=422)
    ld.is_error_body(r, "invalid", 4)
    vs = violations(r)
    assert any("body.id" in (v["field"] or "") for v in vs), vs
    assert any(v["code"] == "invalid" for v in vs), vs
    assert size(world) == before


def test_422_lists_every_violation_of_a_registration_and_a_pickup(world):
    w, L = world, world.L
    uscc = ld.make_uscc("210213")
    before = size(world)
    r = L.reg_event("party.register", uscc,
                    {"id": uscc, "name": "", "roles": ["producer", "pirate"], "district": "2102"}, expect=422)
    fields = [v["field"] for v in violations(r)]
    assert fields == ["event.body.name", "event.body.roles[1]", "event.body.district"], fields
    assert size(world) == before
    # A pickup with a bad plate, no driver and a track that is no hash.
    n = L.file(w.prod, w.recv, w.carr)
    before = size(world)
    r = L.mevent(w.carr, "transport.pickup", n,
                 {"vehicle": "京X", "escort": {"name": "李四", "licence": "210200654321"},
                  "start": "长兴岛", "packages": [4], "track": "e3b0"}, expect=422)
    fields = [v["field"] for v in violations(r)]
    assert fields == ["event.body.vehicle", "event.body.driver", "event.body.track"], fields
    assert size(world) == before


def test_422_badsig(world):
    L = world.L
    s = ld.build_event(L.reg, "party.register", "regulator",
                       {"id": ld.make_uscc("210213"), "name": "签名错误公司", "roles": ["producer"]})
    sig = bytearray(ld.unb64(s["sig"]))
    sig[5] ^= 1
    s["sig"] = ld.b64(bytes(sig))
    r = world.c.post("/v1/events", s)
    assert r.status == 422, r
    ld.is_error_body(r, "badsig", 5)
    assert violations(r)
    # A valid signature over other content: also badsig.
    s2 = ld.build_event(L.reg, "party.register", "regulator",
                        {"id": ld.make_uscc("210213"), "name": "签名错误公司", "roles": ["producer"]})
    s2["event"]["body"]["name"] = "改过的名字"
    r = world.c.post("/v1/events", s2)
    assert r.status == 422, r
    ld.is_error_body(r, "badsig", 5)


def test_422_wrongkey(world):
    stranger = ld.Key("stranger")
    s = ld.build_event(stranger, "party.register", "regulator",
                       {"id": ld.make_uscc("210213"), "name": "无名公司", "roles": ["producer"]})
    r = world.c.post("/v1/events", s)
    assert r.status == 422, r
    ld.is_error_body(r, "wrongkey", 6)
    # A party's certified key used under another actor's name.
    w = world
    s = ld.build_event(w.prod.key, "manifest.file", w.other.id,
                       w.L.file_body(w.other, w.recv, w.carr), manifest=w.L.next_number(w.other))
    r = world.c.post("/v1/events", s)
    assert r.status == 422, r
    assert r.json()["error"] in ("wrongkey", "rule"), r


def test_422_rule_receiver_not_licensed(world):
    w, L = world, world.L
    line = ld.oil_line(code="841-001-01", category="HW01", hazard=["In"], name="感染性废物")
    r = L.file(w.prod, w.recv, w.carr, lines=[line], expect=422)
    ld.is_error_body(r, "rule", 10)
    vs = violations(r)
    assert any("lines[0]" in (v["field"] or "") for v in vs), vs
    # The carrier may not cancel the producer's manifest.
    n = L.file(w.prod, w.recv, w.carr)
    r = L.mevent(w.carr, "manifest.cancel", n, {"reason": "x"}, expect=422)
    assert r.json()["error"] in ("rule", "wrongkey"), r
    violations(r)


def test_422_time_window_and_unknown_member(world):
    L = world.L
    for delta in (3600, -3 * 86400):
        at = ld.rfc3339(ld.now_utc() + __import__("datetime").timedelta(seconds=delta))
        s = ld.build_event(L.reg, "party.register", "regulator",
                           {"id": ld.make_uscc("210213"), "name": "时钟公司", "roles": ["producer"]}, at=at)
        r = world.c.post("/v1/events", s)
        assert r.status == 422, (delta, r)
        e = ld.is_error_body(r, "invalid", 4)
        assert e["field"] == "event.at" or any(v["field"] == "event.at" for v in violations(r)), e
    s = ld.build_event(L.reg, "party.register", "regulator",
                       {"id": ld.make_uscc("210213"), "name": "多余字段公司", "roles": ["producer"], "colour": "red"})
    r = world.c.post("/v1/events", s)
    assert r.status == 422, r
    ld.is_error_body(r, "invalid", 4)
    # An envelope member missing: JSON, envelope-shaped, judged invalid.
    s = ld.build_event(L.reg, "party.register", "regulator",
                       {"id": ld.make_uscc("210213"), "name": "缺字段公司", "roles": ["producer"]})
    del s["event"]["at"]
    r = world.c.post("/v1/events", s)
    assert r.status in (400, 422), r
    assert r.json()["error"] in ("invalid", "parse"), r


NOT_EVENTS = [b"{not json", b"", b"[1,2]", b'"event"', b"42", b'{"hello":"world"}',
              b'{"event":{"v":1},"sig":"AAAA"} trailing', b"\xff\xfe{}"]


@pytest.mark.parametrize("body", NOT_EVENTS, ids=[repr(b)[2:-1][:30] for b in NOT_EVENTS])
def test_400_not_json_or_not_an_envelope(world, body):
    before = size(world)
    r = world.c.post("/v1/events", body, ctype="application/json")
    assert r.status == 400, (body, r)
    ld.is_error_body(r, "parse", 3)
    assert size(world) == before


def test_413_declared_length_over_cap_before_body(world):
    head = ("POST /v1/events HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            "Content-Length: %d\r\n\r\n" % (1024 * 1024 + 1)).encode()
    t0 = time.monotonic()
    status, hdrs, body, raw = ld.raw_request("127.0.0.1", world.srv.port, head, read_timeout=5)
    assert status == 413, raw[:300]
    assert time.monotonic() - t0 < 4, "413 only after waiting for the body"
    if body:
        ld.is_error_body(ld.Response(status, hdrs, body), "too_large")
    # Just at the cap is not refused for its size (it is not JSON: 400).
    head = ("POST /v1/events HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            "Content-Length: 20\r\nConnection: close\r\n\r\n").encode() + b"x" * 20
    status, _, _, raw = ld.raw_request("127.0.0.1", world.srv.port, head)
    assert status == 400, raw[:300]


def test_413_body_over_cap_sent(world):
    big = b'{"event":' + b" " * (1024 * 1024 + 100) + b"}"
    req = (b"POST /v1/events HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
           b"Content-Length: %d\r\n\r\n" % len(big)) + big
    before = size(world)
    status, hdrs, body, raw = ld.raw_request("127.0.0.1", world.srv.port, req)
    assert status == 413, raw[:300]
    ld.is_error_body(ld.Response(status, hdrs, body), "too_large")
    assert size(world) == before


def test_415_media_type(world):
    s = ld.build_event(world.L.reg, "party.register", "regulator",
                       {"id": ld.make_uscc("210213"), "name": "类型公司", "roles": ["producer"]})
    import json
    raw = json.dumps(s).encode()
    for ct in ("text/plain", "application/x-www-form-urlencoded"):
        r = world.c.post("/v1/events", raw, ctype=ct)
        assert r.status == 415, (ct, r)
        ld.is_error_body(r, "media_type")
    r = world.c.post("/v1/events", raw, ctype="application/json; charset=utf-8")
    assert r.status == 201, r


def test_405_wrong_method(world):
    r = world.c.get("/v1/events")
    assert r.status == 405, r
    assert "POST" in r.headers.get("allow", ""), r.headers
    ld.is_error_body(r, "method")
    r = world.c.request("DELETE", "/v1/log/checkpoint")
    assert r.status == 405, r
    assert "GET" in r.headers.get("allow", ""), r.headers


def test_concurrent_submissions_each_get_their_own_leaf(world):
    L = world.L
    before = size(world)
    events = [ld.build_event(L.reg, "party.register", "regulator",
                             {"id": ld.make_uscc("210212"), "name": "并发公司%d" % i, "roles": ["carrier"]})
              for i in range(40)]
    results = [None] * len(events)

    def go(i):
        results[i] = world.c.post("/v1/events", events[i])
    threads = [threading.Thread(target=go, args=(i,)) for i in range(len(events))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert all(r is not None and r.status == 201 for r in results), [r for r in results if not r or r.status != 201]
    idx = sorted(r.json()["leaf_index"] for r in results)
    assert idx == list(range(before, before + len(events))), idx
    for s, r in zip(events, results):
        assert r.json()["id"] == ld.event_id(s)
        assert ld.receipt_ok(r.json(), L.ledger_pub)
    assert size(world) == before + len(events)
