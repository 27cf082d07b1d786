"""Transparency: log keys, the signed checkpoint, entries, inclusion and consistency
proofs, all checked with this suite's own RFC 6962 and signed-note code."""
import json
import time

import pytest

import ldclient as ld


@pytest.fixture(scope="module")
def T(world):
    w, L = world, world.L
    for _ in range(3):
        n = L.file(w.prod, w.recv, w.carr)
        L.pickup(w.carr, n)
    text, origin, size, root = L.checkpoint(min_size=L.count())
    assert size == L.count(), "no checkpoint covers the log within 5 s (size %d of %d)" % (size, L.count())
    # Every entry, fetched as the regulator.
    reg = L.token("regulator")
    entries = []
    for i in range(size):
        r = w.c.get("/v1/log/entries/%d" % i, token=reg)
        assert r.status == 200, (i, r)
        entries.append(r.body)
    return {"w": w, "L": L, "size": size, "root": root, "note": text, "entries": entries,
            "leaves": [ld.leaf_hash(e) for e in entries]}


def test_log_keys(world):
    r = world.c.get("/v1/log/keys")
    assert r.status == 200 and r.ctype == "application/json", r
    k = r.json()
    assert k == {"origin": world.L.origin, "ledger_key": world.files.ledger_vkey,
                 "regulator_key": world.L.reg.vkey, "regulator_key_id": world.L.reg.key_id}, k


def test_checkpoint_is_a_signed_note(T):
    w, L = T["w"], T["L"]
    r = w.c.get("/v1/log/checkpoint")
    assert r.status == 200 and r.ctype == "text/plain", r.headers
    text = ld.note_verify(r.text, L.ledger_vkey)
    assert text is not None
    origin, size, root = ld.parse_checkpoint(text)
    assert origin == L.origin and size == T["size"] and root == T["root"]
    # Negative controls: the verifier catches an altered size and a foreign key.
    assert ld.note_verify(r.text.replace("\n%d\n" % size, "\n%d\n" % (size + 1), 1), L.ledger_vkey) is None
    assert ld.note_verify(r.text, ld.Key(L.ledger_vkey.split("+")[0]).vkey) is None
    hz = w.c.get("/healthz").json()
    assert hz == {"status": "ok", "size": size}, hz


def test_entries_are_the_canonical_signed_events(T):
    L = T["L"]
    by_index = {rec["leaf_index"]: eid for eid, rec in L.receipts.items()}
    assert sorted(by_index) == list(range(T["size"]))
    for i, e in enumerate(T["entries"]):
        eid = by_index[i]
        assert e == ld.jcs(L.signed[eid]), i
        assert ld.leaf_hash(e).hex() == eid
    assert ld.mth(T["leaves"]) == T["root"], "checkpoint root differs from the root of the entries"


def test_inclusion_proofs_by_id_and_index(T):
    w, L = T["w"], T["L"]
    for eid, rec in L.receipts.items():
        for q in ("id=" + eid, "index=%d" % rec["leaf_index"]):
            r = w.c.get("/v1/log/proof/inclusion?" + q)
            assert r.status == 200, (q, r)
            p = r.json()
            assert set(p) == {"leaf_index", "tree_size", "leaf_hash", "inclusion"}, p
            assert p["leaf_index"] == rec["leaf_index"] and p["tree_size"] == T["size"], p
            assert ld.unb64(p["leaf_hash"]).hex() == eid
            path = [ld.unb64(x) for x in p["inclusion"]]
            assert ld.verify_inclusion(p["leaf_index"], p["tree_size"], ld.unb64(p["leaf_hash"]), path, T["root"])
            if path:
                assert not ld.verify_inclusion(p["leaf_index"], p["tree_size"], ld.unb64(p["leaf_hash"]),
                                               path[::-1] if len(path) > 1 else [b"\0" * 32], T["root"])


def test_inclusion_in_older_trees(T):
    w = T["w"]
    for size in (1, 2, 5, 7, 8, T["size"] - 1):
        root = ld.mth(T["leaves"][:size])
        for i in sorted({0, size // 2, size - 1}):
            r = w.c.get("/v1/log/proof/inclusion?index=%d&tree_size=%d" % (i, size))
            assert r.status == 200, (i, size, r)
            p = r.json()
            assert p["tree_size"] == size and p["leaf_index"] == i
            assert ld.unb64(p["leaf_hash"]) == T["leaves"][i]
            assert ld.verify_inclusion(i, size, T["leaves"][i], [ld.unb64(x) for x in p["inclusion"]], root), p


def test_consistency_proofs(T):
    w, n = T["w"], T["size"]
    pairs = [(1, n), (2, n), (3, 7), (4, 8), (5, n - 1), (n - 1, n), (n, n), (6, 6), (7, n)]
    for old, new in pairs:
        r = w.c.get("/v1/log/proof/consistency?old=%d&new=%d" % (old, new))
        assert r.status == 200, (old, new, r)
        p = r.json()
        assert set(p) == {"old_size", "new_size", "old_root", "new_root", "consistency"}, p
        assert (p["old_size"], p["new_size"]) == (old, new)
        old_root, new_root = ld.unb64(p["old_root"]), ld.unb64(p["new_root"])
        assert old_root == ld.mth(T["leaves"][:old]) and new_root == ld.mth(T["leaves"][:new]), (old, new)
        proof = [ld.unb64(x) for x in p["consistency"]]
        assert ld.verify_consistency(old, new, old_root, new_root, proof), (old, new, p)
        if proof:
            assert not ld.verify_consistency(old, new, old_root, new_root, proof[:-1])


def test_proofs_carry_no_manifest_content(T):
    w, L = T["w"], T["L"]
    n = next(iter(L.manifests))
    eid = L.manifests[n]["events"][0]
    r = w.c.get("/v1/log/proof/inclusion?id=" + eid)
    for secret in (w.prod.id, w.prod.name, "900-214-08", "矿物油", str(n)):
        assert secret.encode() not in r.body, secret
    r = w.c.get("/v1/log/checkpoint")
    assert w.prod.id.encode() not in r.body


@pytest.mark.parametrize("q", ["inclusion?index=abc", "inclusion?index=-1", "inclusion", "inclusion?id=xyz",
                               "inclusion?index=0&tree_size=0", "consistency?old=5&new=3",
                               "consistency?old=0&new=3", "consistency?old=1", "consistency?old=a&new=2"])
def test_proof_bad_queries(T, q):
    r = T["w"].c.get("/v1/log/proof/" + q)
    assert r.status == 400, (q, r)
    ld.is_error_body(r, "bad_query")


def test_proof_unknown_leaf_404(T):
    w = T["w"]
    for q in ("inclusion?id=" + "ab" * 32, "inclusion?index=%d" % (T["size"] + 100),
              "consistency?old=1&new=%d" % (T["size"] + 100)):
        r = w.c.get("/v1/log/proof/" + q)
        assert r.status in (400, 404), (q, r)
        ld.is_error_body(r)


def test_checkpoint_interval_and_final_checkpoint_at_exit(spawn):
    w = spawn(["--checkpoint-interval", "3600"], parties=False)
    L, c = w.L, w.c
    p = L.new_party("检查点公司", ["producer"], "210213")  # two events
    deadline = time.monotonic() + 3
    cp = 0
    while time.monotonic() < deadline:
        r = c.get("/v1/log/checkpoint")
        if r.status == 200:
            cp = ld.parse_checkpoint(ld.note_verify(r.text, L.ledger_vkey))[1]
            if cp >= 1:
                break
        time.sleep(0.1)
    L.certify(p, ld.Key("k2"))
    last = L.heads["p:" + p.id]
    idx = L.receipts[last]["leaf_index"]
    time.sleep(0.3)
    r = c.get("/v1/log/proof/inclusion?id=" + last)
    now_cp = ld.parse_checkpoint(ld.note_verify(c.get("/v1/log/checkpoint").text, L.ledger_vkey))[1]
    if cp >= 1:
        assert now_cp == cp, "a second checkpoint within --checkpoint-interval 3600"
    if now_cp <= idx:
        assert r.status == 404, r
        e = ld.is_error_body(r)
        assert e["hint"], e
    w.restart()
    text = ld.note_verify(c.get("/v1/log/checkpoint").text, L.ledger_vkey)
    _, size, root = ld.parse_checkpoint(text)
    assert size == L.count(), "no final checkpoint at exit (size %d of %d)" % (size, L.count())
    r = c.get("/v1/log/proof/inclusion?id=" + last)
    assert r.status == 200, r
    pr = r.json()
    assert ld.verify_inclusion(pr["leaf_index"], pr["tree_size"], ld.unb64(pr["leaf_hash"]),
                               [ld.unb64(x) for x in pr["inclusion"]], root)
