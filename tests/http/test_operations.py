"""Operations: /healthz, /metrics, the request log, error hygiene, start-up and signals."""
import json
import os
import re
import signal
import time

import pytest

import ldclient as ld
from conftest import LISTEN_RE


def log_lines(srv, path=None):
    text = open(path).read() if path else srv.stderr()
    out = []
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("{"):
            try:
                d = json.loads(line)
            except ValueError:
                continue
            if isinstance(d, dict) and "method" in d:
                out.append(d)
    return out


def wait_lines(srv, n, path=None, timeout=2.0):
    deadline = time.monotonic() + timeout
    while True:
        lines = log_lines(srv, path)
        if len(lines) >= n or time.monotonic() > deadline:
            return lines
        time.sleep(0.05)


def test_startup_line_and_port_file(world):
    srv = world.srv
    lines = [m for m in (LISTEN_RE.search(x) for x in srv.stdout_lines) if m]
    assert lines, "no 'listening on http://ADDR:PORT' on stdout: %r" % srv.stdout_lines
    assert lines[0].group(1) == "127.0.0.1" and int(lines[0].group(2)) == srv.port
    assert open(srv.port_file).read().strip() == str(srv.port)


def test_healthz(world):
    r = world.c.get("/healthz")
    assert r.status == 200 and r.ctype == "application/json", r
    assert r.json() == {"status": "ok", "size": world.L.count()}


def metric(text, name, **labels):
    total, found = 0.0, False
    for line in text.splitlines():
        if line.startswith("#") or not line.startswith(name):
            continue
        m = re.match(r"^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})?\s+(\S+)", line)
        if not m or m.group(1) != name:
            continue
        lab = dict(re.findall(r'(\w+)="((?:[^"\\]|\\.)*)"', m.group(2) or ""))
        if all(lab.get(k) == v or (v.startswith("~") and v[1:] in lab.get(k, "")) for k, v in labels.items()):
            total += float(m.group(3))
            found = True
    return total if found else None


def test_metrics(world):
    c = world.c
    r = c.get("/metrics")
    assert r.status == 200 and r.ctype == "text/plain", r.headers
    before = metric(r.text, "liandan_http_requests_total", route="~healthz", status="200") or 0
    for _ in range(3):
        c.get("/healthz")
    text = c.get("/metrics").text
    for name in ("liandan_http_requests_total", "liandan_http_request_seconds_bucket",
                 "liandan_http_request_seconds_count", "liandan_http_request_seconds_sum",
                 "liandan_events_appended_total", "liandan_log_size", "liandan_commit_batch_size_bucket",
                 "liandan_commit_batch_size_count"):
        assert metric(text, name) is not None, "metric %s missing:\n%s" % (name, text[:2000])
    assert "# TYPE liandan_http_request_seconds histogram" in text
    assert "# TYPE liandan_commit_batch_size histogram" in text
    after = metric(text, "liandan_http_requests_total", route="~healthz", status="200")
    assert after is not None and after >= before + 3, (before, after)
    assert metric(text, "liandan_log_size") == world.L.count()
    assert metric(text, "liandan_events_appended_total") == world.L.count()
    assert metric(text, "liandan_commit_batch_size_count") >= 1
    assert metric(text, "liandan_http_request_seconds_bucket", le="+Inf") == \
        metric(text, "liandan_http_request_seconds_count")


def test_one_json_log_line_per_request(world):
    c, srv = world.c, world.srv
    time.sleep(0.1)
    n0 = len(wait_lines(srv, 0))
    tok = world.L.token(world.prod)
    n0 = len(wait_lines(srv, n0 + 2, timeout=0.5))  # the login's two requests
    c.get("/healthz")
    c.get("/v1/manifests", token=tok)
    c.get("/v1/no-such-route-xyz")
    c.post("/v1/events", b"nope", ctype="application/json")
    c.get("/v1/parties", token=tok)
    lines = wait_lines(srv, n0 + 5)
    new = lines[n0:]
    assert len(new) == 5, new
    for d in new:
        assert set(d) >= {"t", "method", "route", "status", "us", "bytes", "party"}, d
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z", d["t"]), d
        assert isinstance(d["us"], int) and d["us"] >= 0 and isinstance(d["bytes"], int), d
    # Lines may be written when a reply completes, so compare without order.
    assert sorted((d["method"], d["status"]) for d in new) == sorted(
        [("GET", 200), ("GET", 200), ("GET", 404), ("POST", 400), ("GET", 403)]), new
    mine = [d for d in new if d["party"] == world.prod.id]
    assert sorted(d["status"] for d in mine) == [200, 403], new
    assert not any(d["party"] for d in new if d["status"] in (404, 400)), new
    hz = [d for d in new if "healthz" in d["route"]]
    assert len(hz) == 1 and hz[0]["party"] in (None, "", "-") and hz[0]["status"] == 200, new
    # No token ever appears in the log.
    assert tok not in srv.stderr()


def test_errors_leak_no_internals(world):
    c, L = world.c, world.L
    reg = L.token("regulator")
    db = world.files.db
    probes = [
        ("GET", "/v1/manifests/99999999999999999999999", reg),
        ("GET", "/v1/manifests?state=%27%20OR%201%3D1--", reg),
        ("GET", "/v1/manifests?party=x%27%3BDROP%20TABLE%20events--", reg),
        ("GET", "/v1/manifests?cursor=%27%22%5C", reg),
        ("GET", "/v1/parties/%27%20OR%20%271%27%3D%271", reg),
        ("GET", "/v1/heads/m:1%27--", reg),
        ("GET", "/v1/log/entries/-1", reg),
        ("GET", "/v1/log/entries/1e9", reg),
        ("GET", "/v1/log/proof/inclusion?id=%27", None),
        ("GET", "/v1/trace/%27%3B--", reg),
        ("GET", "/v1/anomalies?filter=%27%3B--", reg),
        ("GET", "/v1/stats?year=2026%27", reg),
        ("GET", "/v1/attachments/..%2F..%2Fledger.db", reg),
    ]
    for method, path, tok in probes:
        r = c.request(method, path, token=tok)
        assert r.status < 500, (path, r)
        body = r.body.decode("utf-8", "replace")
        for bad in ("SELECT", "sqlite", "SQLite", db, os.path.basename(db), "/tmp/"):
            assert bad not in body, (path, bad, body)
        if r.status >= 400:
            ld.is_error_body(r)
    for body in (b'{"event":' * 1000, b'{"event":{"v":1,"type":"\'; DROP TABLE events;--"}}'):
        r = c.post("/v1/events", body, ctype="application/json")
        assert r.status in (400, 422), r
        assert b"SELECT" not in r.body and b"sqlite" not in r.body
    for method, path, resp in c.errors:
        assert resp.status != 500, (method, path, resp)


def _raw413(world):
    head = ("POST /v1/events HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            "Content-Length: 5000000\r\n\r\n").encode()
    status, hdrs, body, raw = ld.raw_request("127.0.0.1", world.srv.port, head)
    return ld.Response(status, hdrs, body)


ERROR_CASES = [
    ("no_route", lambda w: w.c.get("/v1/nope"), 404, 0),
    ("method", lambda w: w.c.request("PUT", "/v1/events", b"{}"), 405, 0),
    ("parse", lambda w: w.c.post("/v1/events", b"[", ctype="application/json"), 400, 3),
    ("media_type", lambda w: w.c.post("/v1/events", b"{}", ctype="text/csv"), 415, 0),
    ("unauthorized", lambda w: w.c.get("/v1/parties"), 401, 0),
    ("unauthorized", lambda w: w.c.get("/v1/manifests", token="not-a-token"), 401, 0),
    ("unauthorized", lambda w: w.c.post("/v1/auth/challenge", {"key": ld.Key("x").key_id}), 401, 0),
    ("forbidden", lambda w: w.c.get("/v1/parties", token=w.L.token(w.other)), 403, 0),
    ("bad_query", lambda w: w.c.get("/v1/manifests?limit=x", token=w.L.token(w.other)), 400, 0),
    ("bad_query", lambda w: w.c.get("/v1/log/proof/consistency?old=x&new=2"), 400, 0),
    ("too_large", _raw413, 413, 0),
]


@pytest.mark.parametrize("name,fn,status,code", ERROR_CASES,
                         ids=["%s-%d" % (c[0], i) for i, c in enumerate(ERROR_CASES)])
def test_error_shapes(world, name, fn, status, code):
    r = fn(world)
    assert r.status == status, (status, name, r)
    e = ld.is_error_body(r, name)
    assert e["code"] == code, "error %s has code %r, api.md says %d: %r" % (name, e["code"], code, e)
    assert e["hint"], e


def test_sighup_reopens_log_file(spawn, tmp_path):
    logf = str(tmp_path / "requests.log")
    w = spawn(["--log", logf], parties=False)
    w.c.get("/healthz")
    assert wait_lines(w.srv, 1, path=logf), "no request line in --log FILE"
    os.rename(logf, logf + ".1")
    w.srv.proc.send_signal(signal.SIGHUP)
    deadline = time.monotonic() + 3
    while not os.path.exists(logf) and time.monotonic() < deadline:
        time.sleep(0.05)
        w.c.get("/healthz")
    w.c.get("/v1/log/keys")
    deadline = time.monotonic() + 3
    while True:
        lines = log_lines(w.srv, logf)
        if any("keys" in d["route"] for d in lines) or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert any("keys" in d["route"] for d in lines), lines
    old = log_lines(w.srv, logf + ".1")
    assert old and not any("keys" in d["route"] for d in old)
    assert w.srv.running()


def test_sigterm_exits_0_and_keeps_every_receipted_event(spawn):
    w = spawn(parties=False)
    L = w.L
    for i in range(5):
        L.new_party("终止公司%d" % i, ["carrier"], "210204", certify=False)
    rc = w.srv.stop()
    assert rc == 0, w.srv.stderr()[-2000:]
    w.srv.start()
    w.c.port = w.srv.port
    assert w.c.get("/healthz").json() == {"status": "ok", "size": 5}
    for eid in L.receipts:
        r = w.c.post("/v1/events", L.signed[eid])
        assert r.status == 200 and r.json() == L.receipts[eid], r
