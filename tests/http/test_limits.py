"""Limits: path traversal, slow clients, oversized headers, the request rate."""
import os
import socket
import threading
import time

import pytest

import ldclient as ld

SECRET = b"TOPSECRET-outside-the-web-root"
INDEX = b"<!doctype html><title>liandan</title><p>web root</p>"


def SERVER_ARGS(d):
    """--timeout 2 and a web root d/web; a secret file lies beside it in d."""
    web = os.path.join(d, "web")
    os.makedirs(os.path.join(web, "sub"))
    with open(os.path.join(web, "index.html"), "wb") as f:
        f.write(INDEX)
    with open(os.path.join(web, "sub", "page.txt"), "wb") as f:
        f.write(b"sub page")
    with open(os.path.join(web, ".hidden"), "wb") as f:
        f.write(SECRET)
    with open(os.path.join(d, "secret.txt"), "wb") as f:
        f.write(SECRET)
    return ["--timeout", "2", "--web", web]

TRAVERSALS = [
    "/../../etc/passwd", "/../../../../../../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd",
    "/%2e%2e%2f%2e%2e%2fetc%2fpasswd", "/..%2f..%2f..%2fetc%2fpasswd", "/.%2e/.%2e/.%2e/etc/passwd",
    "/static/../../../../etc/passwd", "/static/%2e%2e/%2e%2e/%2e%2e/etc/passwd", "//etc/passwd",
    "/index.html/../../../../etc/passwd", "/%252e%252e/%252e%252e/etc/passwd", "/..\\..\\etc\\passwd",
    "/%2e%2e/ledger.db", "/../ledger.db", "/%2e%2e/serve.stderr", "/etc/passwd%00.html",
    "/../secret.txt", "/%2e%2e/secret.txt", "/%2E%2E/secret.txt", "/..%2fsecret.txt", "/sub/../../secret.txt",
    "/sub/%2e%2e/%2e%2e/secret.txt", "/sub/..%2f..%2fsecret.txt", "/.hidden", "/sub/../.hidden",
    "/%2ehidden", "/index.html%00/../../secret.txt", "/..%5csecret.txt", "/%c0%ae%c0%ae/secret.txt",
]


def test_static_pages_are_served(world):
    r = world.c.get("/index.html")
    assert r.status == 200 and r.body == INDEX and r.ctype == "text/html", r
    r = world.c.get("/sub/page.txt")
    assert r.status == 200 and r.body == b"sub page", r
    r = world.c.get("/sub/missing.txt")
    assert r.status == 404, r


@pytest.mark.parametrize("path", TRAVERSALS)
def test_path_traversal(world, path):
    req = ("GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n" % path).encode()
    status, hdrs, body, raw = ld.raw_request("127.0.0.1", world.srv.port, req)
    assert status in (400, 403, 404), (path, raw[:300])
    for leak in (b"root:", b"SQLite format", b"/bin/", world.files.dir.encode(), SECRET):
        assert leak not in raw, (path, leak)


def _wait_closed(sock, limit):
    """Seconds until the peer closes (EOF, reset, or a 408 reply), or None after limit."""
    t0 = time.monotonic()
    sock.settimeout(0.2)
    while time.monotonic() - t0 < limit:
        try:
            data = sock.recv(4096)
            if not data or data.startswith(b"HTTP/1.1 408") or data.startswith(b"HTTP/1.0 408"):
                return time.monotonic() - t0
        except socket.timeout:
            continue
        except (ConnectionResetError, BrokenPipeError):
            return time.monotonic() - t0
    return None


def test_slow_clients_are_disconnected(world):
    port = world.srv.port
    out = {}

    def idle():
        s = socket.create_connection(("127.0.0.1", port))
        s.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        out["idle"] = _wait_closed(s, 6)
        s.close()

    def drip():
        # One byte every 0.4 s: never idle for the whole --timeout, but the
        # headers are still not complete after several timeouts.
        s = socket.create_connection(("127.0.0.1", port))
        msg = b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + b"a" * 200
        t0 = time.monotonic()
        s.settimeout(0.4)
        out["drip"] = None
        for b in msg:
            try:
                s.send(bytes([b]))
            except (BrokenPipeError, ConnectionResetError):
                out["drip"] = time.monotonic() - t0
                break
            try:
                data = s.recv(4096)
                if not data or b" 408 " in data[:20]:
                    out["drip"] = time.monotonic() - t0
                    break
            except socket.timeout:
                pass
            except ConnectionResetError:
                out["drip"] = time.monotonic() - t0
                break
            if time.monotonic() - t0 > 8:
                break
        s.close()

    threads = [threading.Thread(target=idle), threading.Thread(target=drip)]
    for t in threads:
        t.start()
    time.sleep(0.3)
    # Others are served meanwhile.
    assert world.c.get("/healthz").status == 200
    for t in threads:
        t.join(15)
    problems = []
    if out["idle"] is None or not 1.0 <= out["idle"] <= 5.0:
        problems.append("idle half-sent headers: closed after %s s (want about 2 s)" % out["idle"])
    if out["drip"] is None or out["drip"] > 6.5:
        problems.append("headers dripped one byte per 0.4 s: closed after %s s (want within a few s "
                        "of --timeout 2; None = still open after 8 s)" % out["drip"])
    assert not problems, problems
    assert world.c.get("/healthz").status == 200


def test_oversized_headers(world):
    port = world.srv.port
    for req in (b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: " + b"a" * (128 * 1024) + b"\r\n\r\n",
                b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n" +
                b"".join(b"X-H%d: %s\r\n" % (i, b"b" * 100) for i in range(2000)) + b"\r\n",
                b"GET /healthz?" + b"q" * (256 * 1024) + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"):
        status, hdrs, body, raw = ld.raw_request("127.0.0.1", port, req)
        assert status != 200, raw[:200]
        if status is not None:
            assert status in (400, 413, 414, 431), raw[:200]
    assert world.c.get("/healthz").status == 200


def test_rate_limit_429(spawn):
    w = spawn(["--rate", "5"], parties=False)
    statuses, limited = [], None
    for _ in range(60):
        r = w.c.get("/v1/log/keys")
        statuses.append(r.status)
        if r.status == 429 and limited is None:
            limited = r
    assert set(statuses) <= {200, 429}, statuses
    assert statuses[:5] == [200] * 5, statuses
    assert limited is not None, "60 requests in a burst were all served under --rate 5"
    first = statuses.index(429)
    assert statuses[first:].count(429) >= len(statuses[first:]) - 2, statuses  # and it stays limited
    ld.is_error_body(limited, "rate_limited")
    ra = limited.headers.get("retry-after", "")
    assert ra.isdigit() and 1 <= int(ra) <= 60, limited.headers
    # Another address is not limited.
    other = w.srv.client(source="127.0.0.2")
    assert other.get("/v1/log/keys").status == 200
    # After Retry-After seconds the first address is served again.
    time.sleep(int(ra) + 0.1)
    assert w.c.get("/v1/log/keys").status == 200
