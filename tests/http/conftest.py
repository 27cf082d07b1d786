"""Fixtures for the HTTP suite: a fresh ledger per server, `liandan serve` on a
free port, and a small world of parties registered through the API.

The liandan CLI is used for `liandan init` only; everything else goes through
HTTP as events signed here in Python (ldclient).
"""
import os
import re
import shutil
import signal
import subprocess
import threading
import time

import pytest

import ldclient as ld

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
LIANDAN = os.path.abspath(os.environ.get("LIANDAN") or os.path.join(ROOT, "build", "liandan"))
SHARED = os.environ.get("LIANDAN_SHARED") or os.path.join(os.path.dirname(ROOT), "shared")
ORIGIN = "test.example/liandan-http"
LISTEN_RE = re.compile(r"listening on http://([0-9.]+):([0-9]+)")


def _env():
    env = dict(os.environ)
    for k in ("LIANDAN_NOW", "LIANDAN_PASSPHRASE", "LIANDAN_DB"):
        env.pop(k, None)
    return env


class LedgerFiles:
    """A ledger created with `liandan init` and a regulator key made in Python."""

    def __init__(self, workdir, origin=ORIGIN):
        self.dir = str(workdir)
        self.origin = origin
        self.reg = ld.Key("regulator.test")
        self.reg_pub = os.path.join(self.dir, "regulator.pub")
        with open(self.reg_pub, "w") as f:
            f.write(self.reg.vkey + "\n")
        self.db = os.path.join(self.dir, "ledger.db")
        r = subprocess.run([LIANDAN, "init", "--db", self.db, "--origin", origin, "--regulator", self.reg_pub],
                           capture_output=True, text=True, env=_env(), timeout=30)
        assert r.returncode == 0, "liandan init failed: %s %s" % (r.stdout, r.stderr)
        self.ledger_vkey = r.stdout.strip().splitlines()[-1].strip()
        ld.parse_vkey(self.ledger_vkey)


class Server:
    """`liandan serve` on 127.0.0.1 with a kernel-chosen port."""

    def __init__(self, files, args=(), name="serve"):
        self.files = files
        self.args = list(args)
        self.name = name
        self.proc = None
        self.port = None
        self.stdout_lines = []
        self.stderr_path = os.path.join(files.dir, name + ".stderr")
        self.port_file = os.path.join(files.dir, name + ".port")
        self.starts = 0

    def start(self, timeout=15.0):
        if os.path.exists(self.port_file):
            os.unlink(self.port_file)
        self.stdout_lines = []
        err = open(self.stderr_path, "ab")
        cmd = [LIANDAN, "serve", "--db", self.files.db, "--listen", "127.0.0.1:0",
               "--port-file", self.port_file] + self.args
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=err, stdin=subprocess.DEVNULL,
                                     env=_env(), cwd=self.files.dir)
        err.close()
        self.starts += 1
        t = threading.Thread(target=self._read_stdout, args=(self.proc,), daemon=True)
        t.start()
        deadline = time.monotonic() + timeout
        port = None
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                pytest.fail("liandan serve exited with %s at start-up: %s" % (self.proc.returncode, self.stderr()))
            try:
                with open(self.port_file) as f:
                    txt = f.read().strip()
                if txt.isdigit():
                    port = int(txt)
            except FileNotFoundError:
                pass
            for line in list(self.stdout_lines):
                m = LISTEN_RE.search(line)
                if m and port is None:
                    port = int(m.group(2))
            if port:
                break
            time.sleep(0.02)
        if not port:
            self.proc.kill()
            pytest.fail("liandan serve did not report its port within %ss: %s" % (timeout, self.stderr()))
        self.port = port
        return self

    def _read_stdout(self, proc):
        for raw in proc.stdout:
            self.stdout_lines.append(raw.decode("utf-8", "replace"))

    def client(self, **kw):
        return ld.Client("127.0.0.1", self.port, forbidden=(self.files.db, self.files.dir), **kw)

    def stderr(self):
        try:
            with open(self.stderr_path, "rb") as f:
                return f.read().decode("utf-8", "replace")
        except FileNotFoundError:
            return ""

    def running(self):
        return self.proc is not None and self.proc.poll() is None

    def stop(self, timeout=20.0):
        """SIGTERM; return the exit status."""
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                pytest.fail("liandan serve did not exit within %ss of SIGTERM" % timeout)
        return self.proc.returncode


class World:
    """A running server with a regulator and four parties, ready for manifests.

    prod:  producer in 210213 (金州区)       carr: carrier with a permit
    recv:  receiver with a disposal licence  other: an unrelated producer in 210211
    """

    def __init__(self, workdir, args=(), parties=True):
        self.files = LedgerFiles(workdir)
        args = list(args)
        if "--rate" not in args:
            args += ["--rate", "0"]  # the suite's own request rate must not trip the limiter
        self.srv = Server(self.files, args).start()
        self.c = self.srv.client()
        self.L = ld.Ledger(self.c, self.files.reg, self.files.origin, self.files.ledger_vkey)
        if parties:
            L = self.L
            self.prod = L.new_party("大连长兴岛石化有限公司", ["producer"], "210213")
            self.carr = L.new_party("大连危货运输有限公司", ["carrier"], "210204")
            self.recv = L.new_party("大连东泰处置中心", ["receiver"], "210213")
            self.other = L.new_party("大连甘井子机械厂", ["producer"], "210211")
            L.licence(self.recv)
            L.permit(self.carr)

    def restart(self):
        rc = self.srv.stop()
        assert rc == 0, "liandan serve exited %s on SIGTERM: %s" % (rc, self.srv.stderr()[-2000:])
        self.srv.start()
        self.c.port = self.srv.port
        return self

    def close(self):
        if self.srv.running():
            rc = self.srv.stop()
            assert rc == 0, "liandan serve exited %s on SIGTERM: %s" % (rc, self.srv.stderr()[-2000:])


def _need_serve():
    if not os.path.exists(LIANDAN):
        pytest.fail("no liandan binary at %s (set LIANDAN)" % LIANDAN)
    r = subprocess.run([LIANDAN, "serve", "--help"], capture_output=True, text=True, env=_env())
    if r.returncode != 0 or "serve" not in (r.stdout + r.stderr):
        pytest.fail("%s has no working 'serve' command: %s" % (LIANDAN, r.stderr.strip()[:300]))


@pytest.fixture(scope="module")
def world(request, tmp_path_factory):
    """One server with the standard parties, shared by the tests of a module
    (extra `liandan serve` options from the module's SERVER_ARGS: a list, or a
    function of the ledger's directory that returns one)."""
    _need_serve()
    d = tmp_path_factory.mktemp("world")
    args = getattr(request.module, "SERVER_ARGS", ())
    w = World(d, args(str(d)) if callable(args) else args)
    yield w
    w.close()


@pytest.fixture(autouse=True)
def _server_survives(request):
    """After each test on the module's server: the server must still run. If it
    died, this test is reported and the server restarted for the next tests."""
    yield
    if "world" not in request.fixturenames:
        return
    w = request.getfixturevalue("world")
    if w.srv.running():
        try:
            w.c.get("/healthz")
        except OSError:  # refused or reset: it is dying; let it finish
            try:
                w.srv.proc.wait(3)
            except subprocess.TimeoutExpired:
                pass
    if not w.srv.running():
        rc = w.srv.proc.returncode
        tail = w.srv.stderr()[-600:]
        w.srv.start()
        w.c.port = w.srv.port
        pytest.fail("liandan serve died during this test (exit status %s); restarted. stderr tail:\n%s" % (rc, tail))


@pytest.fixture
def spawn(tmp_path_factory):
    """spawn(args=(), parties=True) -> a fresh World on its own server, stopped after the test."""
    _need_serve()
    made = []

    def make(args=(), parties=True):
        w = World(tmp_path_factory.mktemp("spawn"), args, parties)
        made.append(w)
        return w
    yield make
    for w in made:
        w.close()
