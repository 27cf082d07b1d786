"""Authorisation matrix: who may read what (api.md, Authorisation).

Rows: each read endpoint. Columns: producer, carrier and receiver named on the
manifest, an unrelated party, the regulator, and an anonymous caller.
"""
import hashlib

import pytest

import ldclient as ld

WHO = ("producer", "carrier", "receiver", "unrelated", "regulator", "anonymous")
TRACK = b'{"type":"LineString","coordinates":[[121.38,39.40],[121.80,39.05]]}'


@pytest.fixture(scope="module")
def scene(world):
    w, L = world, world.L
    n = L.file(w.prod, w.recv, w.carr)
    L.pickup(w.carr, n)
    file_id = w.L.manifests[n]["events"][0]
    tokens = {"producer": L.token(w.prod), "carrier": L.token(w.carr), "receiver": L.token(w.recv),
              "unrelated": L.token(w.other), "regulator": L.token("regulator"), "anonymous": None}
    r = w.c.post("/v1/attachments", TRACK, token=tokens["carrier"], ctype="application/geo+json")
    assert r.status in (200, 201), r
    try:  # let a checkpoint cover the filing, for the inclusion proof row
        L.checkpoint(min_size=L.count(), timeout=3)
    except AssertionError:
        pass
    return {"n": n, "file_index": L.receipts[file_id]["leaf_index"], "tokens": tokens,
            "att": hashlib.sha256(TRACK).hexdigest(), "w": w}


OK, UNAUTH, FORBID = 200, 401, 403
PARTY_ON = {"producer": OK, "carrier": OK, "receiver": OK, "unrelated": FORBID, "regulator": OK,
            "anonymous": UNAUTH}
REG_ONLY = {"producer": FORBID, "carrier": FORBID, "receiver": FORBID, "unrelated": FORBID,
            "regulator": OK, "anonymous": UNAUTH}
ANY_TOKEN = {"producer": OK, "carrier": OK, "receiver": OK, "unrelated": OK, "regulator": OK,
             "anonymous": UNAUTH}
PUBLIC = {k: OK for k in WHO}
OWN_PARTY = {"producer": OK, "carrier": FORBID, "receiver": FORBID, "unrelated": FORBID, "regulator": OK,
             "anonymous": UNAUTH}

MATRIX = [
    ("/v1/manifests", ANY_TOKEN),
    ("/v1/manifests?party={prod}", OWN_PARTY),
    ("/v1/manifests/{n}", PARTY_ON),
    ("/v1/heads/m:{n}", PARTY_ON),
    ("/v1/heads/p:{prod}", OWN_PARTY),
    ("/v1/log/entries/{file_index}", PARTY_ON),
    ("/v1/parties", REG_ONLY),
    ("/v1/parties/{prod}", OWN_PARTY),
    ("/v1/trace/{n}?format=json", REG_ONLY),
    ("/v1/trace/{n}?format=svg", REG_ONLY),
    ("/v1/trace/{n}/bundle", REG_ONLY),
    ("/v1/anomalies", REG_ONLY),
    ("/v1/stats", REG_ONLY),
    ("/v1/stats?by=producer&format=csv", REG_ONLY),
    ("/v1/attachments/{att}", ANY_TOKEN),
    ("/v1/manifests:next-number", {"producer": OK, "anonymous": UNAUTH}),
    ("/healthz", PUBLIC),
    ("/metrics", PUBLIC),
    ("/v1/log/checkpoint", PUBLIC),
    ("/v1/log/keys", PUBLIC),
    ("/v1/log/proof/inclusion?index={file_index}", PUBLIC),
    ("/v1/log/proof/consistency?old=1&new=2", PUBLIC),
]

CASES = [(path, who, want) for path, table in MATRIX for who, want in table.items()]


@pytest.mark.parametrize("path,who,want", CASES, ids=["%s-%s" % (p, w) for p, w, _ in CASES])
def test_read_matrix(scene, path, who, want):
    w = scene["w"]
    url = path.format(n=scene["n"], prod=w.prod.id, file_index=scene["file_index"], att=scene["att"])
    r = w.c.get(url, token=scene["tokens"][who])
    assert r.status == want, "GET %s as %s: expected %d, got %r" % (url, who, want, r)
    if want == UNAUTH:
        ld.is_error_body(r, "unauthorized")
        assert r.headers.get("www-authenticate", "").lower().startswith("bearer"), r.headers
    elif want == FORBID:
        ld.is_error_body(r, "forbidden")
        # A refusal tells nothing of the manifest.
        assert w.prod.name.encode() not in r.body and b"900-214-08" not in r.body


def test_party_sees_only_manifests_naming_it(scene):
    w = scene["w"]
    r = w.c.get("/v1/manifests", token=scene["tokens"]["unrelated"])
    assert r.status == 200, r
    assert all(scene["n"] != it["number"] for it in r.json()["items"]), r.json()
    for who in ("producer", "carrier", "receiver", "regulator"):
        r = w.c.get("/v1/manifests", token=scene["tokens"][who])
        assert any(scene["n"] == it["number"] for it in r.json()["items"]), (who, r.json())


def test_unknown_objects_404(scene):
    w, reg = scene["w"], scene["tokens"]["regulator"]
    year = ld.today_cst().year
    for url in ("/v1/manifests/%d2102999999" % year, "/v1/heads/m:%d2102999999" % year,
                "/v1/parties/" + ld.make_uscc("210213"), "/v1/attachments/" + "0" * 64,
                "/v1/trace/%d2102999999" % year, "/v1/log/entries/99999999",
                "/v1/no/such/route"):
        r = w.c.get(url, token=reg)
        assert r.status == 404, (url, r)
        ld.is_error_body(r)
