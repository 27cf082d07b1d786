"""An accepted event survives a kill at any instant (issue 4, "a 201 is sent
only after its commit is on disk"): clients post events concurrently, the
server is killed with SIGKILL in the middle of the stream, and after a restart
every event a client got a 201 for is in the log at its receipt's index, its
receipt verifies, and the whole ledger verifies (`liandan verify`).

SIGKILL leaves the page cache alone, so this checks the order of things (no
reply before the commit that holds the event), not the fsync itself."""
import os
import queue
import signal
import subprocess
import threading
import time

import ldclient as ld
from conftest import LIANDAN, _env

CLIENTS = 16
EVENTS = 600
KILL_AFTER = 150  # 201s seen before the kill


def test_every_receipted_event_survives_sigkill(spawn):
    w = spawn(parties=False)
    L = w.L
    events = [ld.build_event(L.reg, "party.register", "regulator",
                             {"id": ld.make_uscc("210213"), "name": "压测企业%d" % i, "roles": ["producer"]})
              for i in range(EVENTS)]
    by_id = {ld.event_id(e): e for e in events}
    todo = queue.Queue()
    for e in events:
        todo.put(e)
    got = {}  # event id -> receipt of a 201
    lock = threading.Lock()
    enough = threading.Event()

    def client():
        c = w.srv.client()
        while True:
            try:
                e = todo.get_nowait()
            except queue.Empty:
                return
            try:
                r = c.post("/v1/events", e)
            except OSError:
                return  # the server is gone
            if r.status == 201:
                with lock:
                    got[r.json()["id"]] = r.json()
                    if len(got) >= KILL_AFTER:
                        enough.set()

    threads = [threading.Thread(target=client, daemon=True) for _ in range(CLIENTS)]
    for t in threads:
        t.start()
    assert enough.wait(60), "only %d events accepted before the kill" % len(got)
    w.srv.proc.send_signal(signal.SIGKILL)
    w.srv.proc.wait(10)
    for t in threads:
        t.join(30)
    with lock:
        receipted = dict(got)
    assert len(receipted) >= KILL_AFTER
    assert len(receipted) < EVENTS, "the kill came after the last event: nothing was in flight"

    w.srv.start()
    w.c.port = w.srv.port
    size = w.c.get("/healthz").json()["size"]
    assert size >= max(rc["leaf_index"] for rc in receipted.values()) + 1
    for eid, rc in receipted.items():
        assert eid in by_id
        assert ld.receipt_ok(rc, L.ledger_pub), rc
        p = w.c.get("/v1/log/proof/inclusion?id=%s" % eid)
        assert p.status == 200, (eid, p)
        assert p.json()["leaf_index"] == rc["leaf_index"], (eid, p.json(), rc)
        # An identical resubmission after the restart: the receipt of before.
        r = w.c.post("/v1/events", by_id[eid])
        assert r.status == 200 and r.json() == rc, (eid, r)
    assert w.srv.stop() == 0
    v = subprocess.run([LIANDAN, "verify", "--db", w.files.db], capture_output=True, text=True,
                       env=_env(), timeout=120)
    assert v.returncode == 0, v.stdout + v.stderr
    w.srv.start()  # the fixture stops it
    w.c.port = w.srv.port
