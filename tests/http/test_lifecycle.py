"""A whole manifest through the API: file, pickup, arrive, accept, dispose; the
refusals of each step; and a server restart in the middle of it."""
import ldclient as ld


def state(w, n, who):
    r = w.c.get("/v1/manifests/%d" % n, token=w.L.token(who))
    assert r.status == 200, r
    return r.json()["state"]


def size(w):
    return w.c.get("/healthz").json()["size"]


def test_full_lifecycle_with_refusals(world):
    w, L = world, world.L
    n = L.file(w.prod, w.recv, w.carr, lines=[ld.oil_line(qty_g=800000),
                                               ld.oil_line(code="900-041-49", category="HW49", hazard=["T", "In"],
                                                           name="废包装桶", qty_g=50000, packages=2)])
    assert state(w, n, w.prod) == "filed"
    before = size(w)
    # Out of order or by the wrong party: refused, nothing stored.
    r = L.arrive(w.carr, n, expect=422)
    assert r.json()["error"] == "rule", r
    r = L.accept(w.recv, n, lines=((1, 800000, 800000), (2, 50000, 50000)), expect=422)
    r = L.pickup(w.prod, n, packages=(4, 2), expect=422)
    assert r.json()["error"] in ("rule", "wrongkey"), r
    r = L.pickup(w.carr, n, packages=(4,), expect=422)  # one count per line
    assert size(w) == before
    L.pickup(w.carr, n, packages=(4, 2), trailer="辽B1234挂", route="长兴岛—G15—金州")
    assert state(w, n, w.carr) == "in_transit"
    r = L.mevent(w.prod, "manifest.cancel", n, {"reason": "太晚了"}, expect=422)
    assert r.json()["error"] == "rule", r
    L.arrive(w.carr, n)
    assert state(w, n, w.recv) == "arrived"
    r = L.accept(w.recv, n, lines=((1, 800000, 800000),), expect=422)  # every line
    r = L.accept(w.recv, n, lines=((1, 800000, 900000), (2, 50000, 50000)), expect=422)  # accepted > received
    L.accept(w.recv, n, lines=((1, 795000, 795000), (2, 50000, 50000)))
    assert state(w, n, w.prod) == "received"
    r = L.dispose(w.recv, n, lines=((1, "R9", 800000),), expect=422)  # more than accepted
    r = L.dispose(w.recv, n, lines=((1, "R1", 795000),), expect=422)  # method not licensed
    L.dispose(w.recv, n, lines=((1, "R9", 795000),))
    assert state(w, n, w.prod) == "received"
    L.dispose(w.recv, n, lines=((2, "D10", 50000),))
    assert state(w, n, w.prod) == "closed"
    assert size(w) == L.count()
    # The whole story, verified, as the regulator sees it.
    d = w.c.get("/v1/manifests/%d" % n, token=L.token("regulator")).json()
    assert d["verified"] is True and d["head"] == L.manifests[n]["events"][-1]
    assert [e["type"] for e in d["events"]] == ["manifest.file", "transport.pickup", "transport.arrive",
                                                "receipt.accept", "disposal.complete", "disposal.complete"]
    r = w.c.get("/v1/manifests?state=closed", token=L.token(w.carr))
    assert n in [it["number"] for it in r.json()["items"]]
    # Every receipt is in the log under the latest checkpoint.
    _, _, cp_size, root = L.checkpoint(min_size=L.count())
    assert cp_size == L.count()
    for eid in L.manifests[n]["events"]:
        p = w.c.get("/v1/log/proof/inclusion?id=" + eid).json()
        assert ld.verify_inclusion(p["leaf_index"], p["tree_size"], bytes.fromhex(eid),
                                   [ld.unb64(x) for x in p["inclusion"]], root)


def test_restart_in_the_middle(spawn):
    w = spawn()
    L, c = w.L, w.c
    n = L.file(w.prod, w.recv, w.carr)
    L.pickup(w.carr, n)
    t_recv = L.token(w.recv)
    t_carr = L.token(w.carr)
    note1, _, size1, root1 = L.checkpoint(min_size=L.count())
    assert size1 == L.count()
    early = dict(L.receipts)
    keys1 = c.get("/v1/log/keys").json()

    w.restart()

    assert c.get("/v1/log/keys").json() == keys1
    # Tokens stay valid across a restart.
    r = c.get("/v1/manifests/%d" % n, token=t_recv)
    assert r.status == 200 and r.json()["state"] == "in_transit", r
    assert c.get("/v1/manifests/%d" % n, token=t_carr).status == 200
    # The checkpoint of before is still the latest (or a later one of the same tree).
    _, _, s, root = L.checkpoint()
    assert s == size1 and root == root1
    # Continue the lifecycle on the same chain.
    L.arrive(w.carr, n)
    L.accept(w.recv, n)
    L.dispose(w.recv, n)
    assert c.get("/v1/manifests/%d" % n, token=t_recv).json()["state"] == "closed"
    # A resubmission of an event from before the restart: the original receipt.
    eid = L.manifests[n]["events"][1]
    r = c.post("/v1/events", L.signed[eid])
    assert r.status == 200 and r.json() == early[eid], r
    _, _, size2, root2 = L.checkpoint(min_size=L.count())
    assert size2 == L.count() > size1
    # Earlier receipts verify against the later checkpoint.
    for eid, rec in early.items():
        assert ld.receipt_ok(rec, L.ledger_pub)
        p = c.get("/v1/log/proof/inclusion?id=%s&tree_size=%d" % (eid, size2)).json()
        assert p["tree_size"] == size2 and p["leaf_index"] == rec["leaf_index"], p
        assert ld.verify_inclusion(rec["leaf_index"], size2, bytes.fromhex(eid),
                                   [ld.unb64(x) for x in p["inclusion"]], root2), eid
    # And the two checkpoints are consistent.
    p = c.get("/v1/log/proof/consistency?old=%d&new=%d" % (size1, size2)).json()
    assert ld.unb64(p["old_root"]) == root1 and ld.unb64(p["new_root"]) == root2, p
    assert ld.verify_consistency(size1, size2, root1, root2, [ld.unb64(x) for x in p["consistency"]])


def test_list_names_the_carrier_holding_the_load(world):
    """A list item's `leg_carrier`: null before pickup, the picking-up carrier
    in transit, the next leg's carrier once it signs the hand-over (so the
    first carrier's work list can tell it no longer holds the load)."""
    w, L = world, world.L
    carr2 = L.new_party("大连联运物流有限公司", ["carrier"], "210211")
    L.permit(carr2)
    n = L.file(w.prod, w.recv, w.carr)

    def item(who, **q):
        qs = "&".join("%s=%s" % kv for kv in sorted(dict(party=who.id, limit=1000, **q).items()))
        r = w.c.get("/v1/manifests?" + qs, token=L.token(who))
        assert r.status == 200, r
        got = [it for it in r.json()["items"] if it["number"] == n]
        return got[0] if got else None

    it = item(w.prod)
    assert it["state"] == "filed" and "leg_carrier" in it and it["leg_carrier"] is None, it
    L.pickup(w.carr, n)
    it = item(w.carr, role="carrier", state="in_transit")
    assert it["carrier"] == w.carr.id and it["leg_carrier"] == w.carr.id, it
    assert item(carr2, role="carrier") is None  # not on the manifest yet
    body = {"from": w.carr.id, "place": "大连港大窑湾", "vehicle": "辽B12345",
            "driver": {"name": "赵六", "licence": "210200777001"},
            "escort": {"name": "钱七", "licence": "210200777002"}}
    L.mevent(carr2, "transport.handover", n, body)
    # Both carriers still find it (each carried a leg); both are told who holds it now.
    for who in (w.carr, carr2, w.prod):
        it = item(who, **({"role": "carrier"} if who is not w.prod else {}))
        assert it["state"] == "in_transit" and it["carrier"] == w.carr.id, (who, it)
        assert it["leg_carrier"] == carr2.id, (who, it)
    # The regulator's unfiltered list says the same, and the ledger agrees: the
    # first carrier's arrival is refused, the holder's accepted.
    it = [x for x in w.c.get("/v1/manifests?state=in_transit&limit=1000",
                             token=L.token("regulator")).json()["items"] if x["number"] == n][0]
    assert it["leg_carrier"] == carr2.id, it
    r = L.arrive(w.carr, n, expect=422)
    assert r.json()["field"] == "event.actor" and carr2.id in r.json()["hint"], r
    L.arrive(carr2, n)
    it = item(carr2, role="carrier")
    assert it["state"] == "arrived" and it["leg_carrier"] == carr2.id, it
