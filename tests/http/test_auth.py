"""Authentication without passwords: challenge, signed nonce, bearer token."""
import datetime
import re
import time

import ldclient as ld


def challenge(c, key):
    return c.post("/v1/auth/challenge", {"key": key.key_id if isinstance(key, ld.Key) else key})


def signed_token_request(key, nonce, origin, signer=None):
    msg = ld.PURPOSE_AUTH + ld.jcs({"key": key.key_id, "nonce": nonce, "origin": origin})
    return {"key": key.key_id, "nonce": nonce, "sig": ld.b64((signer or key).sign(msg))}


def assert_401(r):
    assert r.status == 401, r
    ld.is_error_body(r, "unauthorized")


def assert_bearer_401(r):
    assert_401(r)
    assert r.headers.get("www-authenticate", "").lower().startswith("bearer"), r.headers


def test_keys_origin(world):
    r = world.c.get("/v1/log/keys")
    assert r.status == 200, r
    assert r.json()["origin"] == world.L.origin


def test_challenge_and_token_for_a_party(world):
    c, p = world.c, world.prod
    r = challenge(c, p.key)
    assert r.status == 200, r
    ch = r.json()
    assert re.fullmatch(r"[0-9a-f]{64}", ch["nonce"]), ch
    left = (ld.parse_rfc3339(ch["expires_at"]) - ld.now_utc()).total_seconds()
    assert 100 <= left <= 125, ch
    r = c.post("/v1/auth/token", signed_token_request(p.key, ch["nonce"], world.L.origin))
    assert r.status == 200, r
    t = r.json()
    assert set(t) >= {"token", "party", "key", "expires_at", "expires_in"}, t
    assert t["party"] == p.id and t["key"] == p.key.key_id, t
    assert t["expires_in"] == 900, t
    left = (ld.parse_rfc3339(t["expires_at"]) - ld.now_utc()).total_seconds()
    assert 890 <= left <= 905, t
    r = c.get("/v1/manifests", token=t["token"])
    assert r.status == 200, r
    # Two challenges give two different nonces.
    assert challenge(c, p.key).json()["nonce"] != ch["nonce"]


def test_token_for_the_pinned_regulator_key(world):
    t = ld.login(world.c, world.L.reg, world.L.origin)
    assert t["party"] == "regulator" and t["key"] == world.L.reg.key_id, t
    r = world.c.get("/v1/parties", token=t["token"])
    assert r.status == 200, r


def test_unknown_key_gets_no_challenge(world):
    assert_401(challenge(world.c, ld.Key("nobody")))
    # A registered party whose key was never certified.
    p = world.L.new_party("未备案密钥公司", ["producer"], "210213", certify=False)
    assert_401(challenge(world.c, p.key))


def test_nonce_is_single_use(world):
    c, p = world.c, world.carr
    nonce = challenge(c, p.key).json()["nonce"]
    req = signed_token_request(p.key, nonce, world.L.origin)
    r = c.post("/v1/auth/token", req)
    assert r.status == 200, r
    assert_401(c.post("/v1/auth/token", req))


def test_forged_or_misdirected_signatures(world):
    c, p, L = world.c, world.recv, world.L
    # Signed by a key other than the one named.
    nonce = challenge(c, p.key).json()["nonce"]
    assert_401(c.post("/v1/auth/token", signed_token_request(p.key, nonce, L.origin, signer=ld.Key("x"))))
    # Signed over another origin (a phishing site relaying the challenge).
    nonce = challenge(c, p.key).json()["nonce"]
    assert_401(c.post("/v1/auth/token", signed_token_request(p.key, nonce, "evil.example/liandan")))
    # Signed without the purpose prefix.
    nonce = challenge(c, p.key).json()["nonce"]
    raw = ld.jcs({"key": p.key.key_id, "nonce": nonce, "origin": L.origin})
    assert_401(c.post("/v1/auth/token", {"key": p.key.key_id, "nonce": nonce, "sig": ld.b64(p.key.sign(raw))}))
    # A nonce issued to another key.
    nonce = challenge(c, world.prod.key).json()["nonce"]
    assert_401(c.post("/v1/auth/token", signed_token_request(p.key, nonce, L.origin)))
    # A nonce never issued.
    assert_401(c.post("/v1/auth/token", signed_token_request(p.key, "ab" * 32, L.origin)))
    # A fresh, correct request still works after all that.
    nonce = challenge(c, p.key).json()["nonce"]
    r = c.post("/v1/auth/token", signed_token_request(p.key, nonce, L.origin))
    assert r.status == 200, r


def test_missing_or_malformed_tokens(world):
    c = world.c
    path = "/v1/manifests"
    assert_bearer_401(c.get(path))
    good = world.L.token(world.prod)
    for h in ("Bearer", "Bearer ", "Bearer garbage", "Basic dXNlcjpwYXNz", "bearer" + good[:-1],
              "Bearer " + good[:-2] + ("A" if good[-2] != "A" else "B") + good[-1], good):
        assert_bearer_401(c.get(path, headers={"Authorization": h}))
    assert c.get(path, token=good).status == 200


def test_revoked_key_loses_its_token(world):
    L, c = world.L, world.c
    p = L.new_party("吊销密钥公司", ["producer"], "210213")
    k1 = p.key
    k2 = ld.Key("second")
    L.certify(p, k2)
    p.keys = [k1]
    n = L.file(p, world.recv, world.carr)  # signed with k1 before its revocation
    t1 = ld.login(c, k1, L.origin)["token"]
    t2 = ld.login(c, k2, L.origin)["token"]
    path = "/v1/manifests"
    assert c.get(path, token=t1).status == 200
    L.revoke(p, k1)
    assert_bearer_401(c.get(path, token=t1))
    assert c.get(path, token=t2).status == 200
    # No new token for the revoked key.
    r = challenge(c, k1)
    if r.status == 200:
        r = c.post("/v1/auth/token", signed_token_request(k1, r.json()["nonce"], L.origin))
    assert_401(r)
    # Nor does it sign events any more.
    r = L.file(p, world.recv, world.carr, expect=422)
    assert r.json()["error"] == "wrongkey", r
    # What it signed before stays valid.
    d = c.get("/v1/manifests/%d" % n, token=t2).json()
    assert d["verified"] is True and d["events"][0]["verified"] is True, d
    assert d["events"][0]["key"] == k1.key_id


def test_token_expiry_and_key_validity(spawn):
    w = spawn(["--token-ttl", "2"])
    L, c = w.L, w.c
    # A key certified until a moment from now.
    p = L.new_party("短期密钥公司", ["producer"], "210213", certify=False)
    short = ld.Key("short")
    until = ld.now_utc() + datetime.timedelta(seconds=2)
    L.certify(p, short, until=ld.rfc3339(until))
    t = ld.login(c, w.prod.key, L.origin)
    assert t["expires_in"] == 2, t
    exp = ld.parse_rfc3339(t["expires_at"])
    assert 0 <= (exp - ld.now_utc()).total_seconds() <= 3, t
    path = "/v1/manifests"
    assert c.get(path, token=t["token"]).status == 200
    ts = ld.login(c, short, L.origin)["token"]
    assert c.get(path, token=ts).status == 200
    # Wait until the token's expiry and the key's end are past.
    wait = max((exp - ld.now_utc()).total_seconds(), (until - ld.now_utc()).total_seconds()) + 1.05
    time.sleep(max(wait, 0))
    assert_bearer_401(c.get(path, token=t["token"]))
    assert_bearer_401(c.get(path, token=ts))
    r = challenge(c, short)
    if r.status == 200:
        r = c.post("/v1/auth/token", signed_token_request(short, r.json()["nonce"], L.origin))
    assert_401(r)
    # A new login works for a key that is still valid.
    t2 = ld.login(c, w.prod.key, L.origin)
    assert c.get(path, token=t2["token"]).status == 200


def test_auth_endpoints_take_only_json(world):
    import json
    body = json.dumps({"key": world.prod.key.key_id}).encode()
    r = world.c.post("/v1/auth/challenge", body, ctype="text/plain")
    assert r.status == 415, r
    ld.is_error_body(r, "media_type")
    r = world.c.post("/v1/auth/challenge", b"{not json", ctype="application/json")
    assert r.status == 400, r
    ld.is_error_body(r, "parse", 3)
    r = world.c.get("/v1/auth/challenge")
    assert r.status == 405 and "POST" in r.headers.get("allow", ""), r
