"""POST /v1/events:batch: in-order processing, per-item results, the 1000-item cap."""
import json
import urllib.parse

import ldclient as ld


def size(world):
    return world.c.get("/healthz").json()["size"]


def post_batch(world, items, expect=200):
    r = world.c.post("/v1/events:batch", items)
    assert r.status == expect, r
    return r


def results(r, n):
    body = r.json()
    assert isinstance(body.get("results"), list), body
    assert len(body["results"]) == n, body
    return body["results"]


def test_batch_in_order_later_items_see_earlier(world):
    L = world.L
    uscc = ld.make_uscc("210213")
    key = ld.Key("batchco")
    reg = ld.build_event(L.reg, "party.register", "regulator",
                         {"id": uscc, "name": "批量公司", "roles": ["producer"], "district": "210213"})
    cert = ld.build_event(L.reg, "party.key", "regulator", {"id": uscc, "pub": key.vkey},
                          prev=ld.event_id(reg))
    before = size(world)
    res = results(post_batch(world, [reg, cert]), 2)
    assert [x["status"] for x in res] == [201, 201], res
    for s, x in zip((reg, cert), res):
        assert x["receipt"]["id"] == ld.event_id(s)
        assert ld.receipt_ok(x["receipt"], L.ledger_pub)
    assert [x["receipt"]["leaf_index"] for x in res] == [before, before + 1]
    # The same batch again: both already accepted, original receipts.
    again = results(post_batch(world, [reg, cert]), 2)
    assert [x["status"] for x in again] == [200, 200], again
    assert [x["receipt"] for x in again] == [x["receipt"] for x in res]
    assert size(world) == before + 2
    # In the wrong order the certification comes before its party exists.
    uscc2 = ld.make_uscc("210213")
    reg2 = ld.build_event(L.reg, "party.register", "regulator",
                          {"id": uscc2, "name": "倒序公司", "roles": ["producer"]})
    cert2 = ld.build_event(L.reg, "party.key", "regulator", {"id": uscc2, "pub": ld.Key("x").vkey},
                           prev=ld.event_id(reg2))
    res = results(post_batch(world, [cert2, reg2]), 2)
    assert res[0]["status"] == 422 and res[1]["status"] == 201, res
    ld.is_error_body(ld.Response(422, {"content-type": "application/json"},
                                 json.dumps(res[0]["error"]).encode()))


def test_batch_mixed_results(world):
    L = world.L
    good = ld.build_event(L.reg, "party.register", "regulator",
                          {"id": ld.make_uscc("210213"), "name": "好公司", "roles": ["carrier"]})
    badsig = ld.build_event(L.reg, "party.register", "regulator",
                            {"id": ld.make_uscc("210213"), "name": "坏签名", "roles": ["carrier"]})
    badsig["sig"] = ld.b64(b"\x00" * 64)
    fork_a = ld.build_event(L.reg, "party.register", "regulator",
                            {"id": ld.make_uscc("210213"), "name": "分叉公司", "roles": ["carrier"]})
    uscc = fork_a["event"]["body"]["id"]
    k1, k2 = ld.Key("k1"), ld.Key("k2")
    fa = ld.build_event(L.reg, "party.key", "regulator", {"id": uscc, "pub": k1.vkey}, prev=ld.event_id(fork_a))
    fb = ld.build_event(L.reg, "party.key", "regulator", {"id": uscc, "pub": k2.vkey}, prev=ld.event_id(fork_a))
    before = size(world)
    res = results(post_batch(world, [good, badsig, 42, fork_a, fa, fb, good]), 7)
    st = [x["status"] for x in res]
    assert st == [201, 422, 400, 201, 201, 409, 200], res
    assert res[1]["error"]["error"] == "badsig" and res[1]["error"]["code"] == 5, res[1]
    assert res[2]["error"]["error"] == "parse" and res[2]["error"]["code"] == 3, res[2]
    assert res[5]["error"]["error"] == "conflict" and res[5]["error"]["code"] == 8, res[5]
    assert res[6]["receipt"] == res[0]["receipt"]
    for x in res:
        assert ("receipt" in x) == (x["status"] in (200, 201)), x
        assert ("error" in x) == (x["status"] >= 400), x
        if "error" in x:
            assert set(x["error"]) >= {"code", "error", "hint", "field"}, x
    assert size(world) == before + 3


def test_batch_limits(world):
    L = world.L
    one = ld.build_event(L.reg, "party.register", "regulator",
                         {"id": ld.make_uscc("210213"), "name": "上限公司", "roles": ["carrier"]})
    before = size(world)
    r = world.c.post("/v1/events:batch", [one] * 1001)
    assert r.status == 413, r
    ld.is_error_body(r, "too_large")
    assert size(world) == before
    # 1000 is allowed (all the same event: one 201, then 999 times 200).
    r = world.c.post("/v1/events:batch", [one] * 1000)
    assert r.status == 200, r
    st = [x["status"] for x in results(r, 1000)]
    assert st[0] == 201 and set(st[1:]) == {200}, st[:5]
    assert size(world) == before + 1
    # Not an array, or an empty one.
    for body in (b'{"event":1}', b"nope"):
        r = world.c.post("/v1/events:batch", body, ctype="application/json")
        assert r.status == 400, (body, r)
        ld.is_error_body(r)
    r = world.c.post("/v1/events:batch", b"[]", ctype="application/json")
    assert r.status in (400, 422), r  # 1..1000 items
    ld.is_error_body(r)
    r = world.c.post("/v1/events:batch", json.dumps([one]).encode(), ctype="text/plain")
    assert r.status == 415, r


def test_batch_of_filings_and_the_default_page_size(world):
    """101 filings in one batch, each taking the next number: a later item sees
    the earlier ones. The list's default limit is 100."""
    w, L = world, world.L
    p = L.new_party("批量填报公司", ["producer"], "210213")
    items = []
    numbers = []
    for i in range(101):
        n = L.next_number(p) + i
        body = L.file_body(p, w.recv, w.carr, [ld.oil_line(qty_g=1000 + i)])
        items.append(ld.build_event(p.key, "manifest.file", p.id, body, manifest=n))
        numbers.append(n)
    res = results(post_batch(world, items), 101)
    assert [x["status"] for x in res] == [201] * 101, [x for x in res if x["status"] != 201][:3]
    idx = [x["receipt"]["leaf_index"] for x in res]
    assert idx == list(range(idx[0], idx[0] + 101))
    for n in numbers:
        year, city = int(str(n)[:4]), str(n)[4:8]
        L.serial[(year, city)] = max(L.serial.get((year, city), 0), int(str(n)[8:]))
    tok = L.token(p)
    page = world.c.get("/v1/manifests", token=tok).json()
    assert [it["number"] for it in page["items"]] == numbers[:100] and page["next_cursor"], page["next_cursor"]
    page2 = world.c.get("/v1/manifests?cursor=" + urllib.parse.quote(page["next_cursor"], safe=""),
                        token=tok).json()
    assert [it["number"] for it in page2["items"]] == numbers[100:] and page2["next_cursor"] is None
    page = world.c.get("/v1/manifests?limit=1000", token=tok).json()
    assert [it["number"] for it in page["items"]] == numbers and page["next_cursor"] is None
