#!/bin/sh
# tools/bench-http.sh - the HTTP figures of `make bench` (issue 4, "Performance"),
# all taken in one run on this machine and printed as ratios to its own limits:
#   - signed-event ingest (POST /v1/events, CONNS connections, durable group
#     commit) against the library's batched append of the same events
#     (100/commit, THREADS signature threads; and on one thread) and against
#     raw Ed25519 verify/s;
#   - GET /v1/log/checkpoint and GET /v1/manifests/NUMBER (regulator token)
#     against a bare libmicrohttpd handler (tools/bare-mhd.c): rps and p99;
#   - resident memory of the server with N events in the ledger after reads.
# A shared machine's speed drifts by the second, so each comparison runs in
# ROUNDS interleaved rounds (library, HTTP, library, HTTP...; bare, checkpoint,
# manifest, bare...) and a ratio is the median of its rounds' ratios.
# Environment: N (ledger size for the memory figure, default 10^6; also
# BENCH_HTTP_EVENTS), INGEST (events POSTed, default min(N, 100000)), CONNS (64),
# SECS (seconds per GET figure and round, 3), ROUNDS (3), THREADS (server and
# signature threads, 2), WRK=1 (also run wrk for the GET figures), KEEP=1 (keep
# the work directory), SERVE_OPTS (extra `liandan serve` options).
set -eu
BUILD=${BUILD:-build}
PYTHON=${PYTHON:-/usr/bin/python3}
N=${BENCH_HTTP_EVENTS:-${N:-1000000}}
INGEST=${INGEST:-$((N < 100000 ? N : 100000))}
CONNS=${CONNS:-64}
SECS=${SECS:-3}
ROUNDS=${ROUNDS:-3}
THREADS=${THREADS:-2}
# The per-address rate limit would turn a load test from one address into 429s.
SERVE_OPTS=${SERVE_OPTS:---rate 0}

W=$(mktemp -d "${TMPDIR:-/tmp}/liandan-bench-http-XXXXXX")
SPID= BPID=
cleanup() {
    [ -n "$SPID" ] && kill "$SPID" 2>/dev/null || :
    [ -n "$BPID" ] && kill "$BPID" 2>/dev/null || :
    if [ "${KEEP:-0}" = 1 ]; then echo "bench-http: kept $W" >&2; else rm -rf "$W"; fi
}
trap cleanup EXIT
trap 'exit 2' INT TERM

fail() { echo "bench-http: $*" >&2; exit 2; }

# wait_port FILE PID: the port a server wrote to FILE.
wait_port() {
    i=0
    while [ ! -s "$1" ]; do
        kill -0 "$2" 2>/dev/null || fail "server exited before listening (see $W/*.log)"
        i=$((i + 1))
        [ $i -le 300 ] || fail "server did not write '$1' within 30 s"
        sleep 0.1
    done
    cat "$1"
}

serve() {
    rm -f "$W/port"
    "$BUILD/liandan" serve --db "$DB" --listen 127.0.0.1:0 --port-file "$W/port" \
        --threads "$THREADS" $SERVE_OPTS >>"$W/serve.out" 2>>"$W/serve.log" &
    SPID=$!
    PORT=$(wait_port "$W/port" "$SPID")
    URL=http://127.0.0.1:$PORT
}

# stop_server: SIGTERM must drain, commit, sign a checkpoint and exit 0.
stop_server() {
    kill -TERM "$SPID"
    rc=0
    wait "$SPID" || rc=$?
    SPID=
    [ $rc -eq 0 ] || echo "bench-http: PROBLEM: liandan serve exited $rc after SIGTERM" >&2
}

# cpu_ticks [PID]: process CPU time of the server (or PID), in clock ticks.
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/${1:-$SPID}/stat"; }

# get NAME URL PID OPTION...: one GET figure with loadgen into $W/NAME.json, and
# the CPU time the server PID spent meanwhile into $W/NAME.cpu: unlike
# requests/s, CPU per request hardly moves when other processes take the cores.
get() {
    name=$1 url=$2 pid=$3
    shift 3
    c0=$(cpu_ticks "$pid")
    "$BUILD/loadgen" --url "$url" --conns "$CONNS" --duration "$SECS" "$@" >"$W/$name.json"
    echo "$(($(cpu_ticks "$pid") - c0)) $(getconf CLK_TCK)" >"$W/$name.cpu"
}

# A regulator token (schema/api.md "Authentication"), or the failing step on stdout.
token() {
    origin=$(curl -s "$URL/v1/log/keys" | tee "$W/keys.json" | "$PYTHON" -c \
        'import json,sys; print(json.load(sys.stdin)["origin"])' 2>/dev/null) ||
        { echo "GET /v1/log/keys: $(cat "$W/keys.json")"; return 1; }
    keyid=$("$BUILD/gen-events" keyid --key "$REG")
    nonce=$(curl -s -X POST -H 'Content-Type: application/json' -d "{\"key\":\"$keyid\"}" \
        "$URL/v1/auth/challenge" | tee "$W/challenge.json" | "$PYTHON" -c \
        'import json,sys; print(json.load(sys.stdin)["nonce"])' 2>/dev/null) ||
        { echo "POST /v1/auth/challenge: $(cat "$W/challenge.json")"; return 1; }
    "$BUILD/gen-events" auth --key "$REG" --nonce "$nonce" --origin "$origin" >"$W/auth.json"
    curl -s -X POST -H 'Content-Type: application/json' --data-binary @"$W/auth.json" \
        "$URL/v1/auth/token" | tee "$W/token.json" | "$PYTHON" -c \
        'import json,sys; print(json.load(sys.stdin)["token"])' 2>/dev/null ||
        { echo "POST /v1/auth/token: $(cat "$W/token.json")"; return 1; }
}

echo "liandan bench-http: $(nproc) cores, server --threads $THREADS, $CONNS connections," \
    "$INGEST events ingested, $N in the ledger for the memory figure"

# The ledger: parties, licences and manifests from gen-demo, its regulator key.
"$BUILD/gen-demo" "$W/demo" --manifests "${MANIFESTS:-300}" >"$W/gen-demo.out"
DB=$W/demo/ledger.db
REG=$W/demo/regulator.key
"$BUILD/gen-events" sign --key "$REG" --count "$INGEST" --out "$W/events.jsonl"
"$BUILD/gen-events" manifests --db "$DB" --count 50 | sed 's|^|/v1/manifests/|' >"$W/manifests.txt"
[ -s "$W/manifests.txt" ] || fail "gen-demo made no manifests"
per=$(((INGEST + ROUNDS - 1) / ROUNDS))
r=1
while [ $r -le "$ROUNDS" ]; do
    sed -n "$(((r - 1) * per + 1)),$((r * per))p" "$W/events.jsonl" >"$W/events-$r.jsonl"
    r=$((r + 1))
done

# (a)+(b) The library appends each round's events to a copy of the ledger,
# then the server ingests the same events over HTTP: both ledgers grow alike.
mkdir "$W/lib" "$W/lib1"
cp "$DB" "$DB.ledger.key" "$W/lib/"
cp "$DB" "$DB.ledger.key" "$W/lib1/"
"$BUILD/gen-events" raw-verify --threads "$THREADS" >"$W/raw1.json"
serve
r=1
while [ $r -le "$ROUNDS" ]; do
    if [ -s "$W/events-$r.jsonl" ]; then
        "$BUILD/gen-events" append --db "$W/lib/ledger.db" --bodies "$W/events-$r.jsonl" \
            --batch 100 --threads "$THREADS" >"$W/lib-$r.json" ||
            fail "library append refused events: $(cat "$W/lib-$r.json")"
        "$BUILD/gen-events" append --db "$W/lib1/ledger.db" --bodies "$W/events-$r.jsonl" \
            --batch 100 --threads 1 >"$W/lib1-$r.json" ||
            fail "library append refused events: $(cat "$W/lib1-$r.json")"
        c0=$(cpu_ticks)
        "$BUILD/loadgen" --url "$URL" --conns "$CONNS" --bodies "$W/events-$r.jsonl" \
            >"$W/ingest-$r.json"
        echo "$(($(cpu_ticks) - c0)) $(getconf CLK_TCK)" >"$W/ingest-$r.cpu"
    fi
    r=$((r + 1))
done
rm -rf "$W/lib" "$W/lib1"
curl -s "$URL/metrics" >"$W/metrics.txt" || :
"$BUILD/gen-events" raw-verify --threads "$THREADS" >"$W/raw2.json"

# (c) GETs beside the bare handler, in interleaved rounds.
"$BUILD/bare-mhd" --threads "$THREADS" --port-file "$W/bare.port" >"$W/bare.log" 2>&1 &
BPID=$!
BURL=http://127.0.0.1:$(wait_port "$W/bare.port" "$BPID")
if TOKEN=$(token); then
    AUTH="Authorization: Bearer $TOKEN"
else
    echo "bench-http: PROBLEM: no regulator token, no manifest figure: $TOKEN" >&2
    AUTH=
fi
r=1
while [ $r -le "$ROUNDS" ]; do
    get "bare-$r" "$BURL" "$BPID" --path /
    get "checkpoint-$r" "$URL" "$SPID" --path /v1/log/checkpoint
    [ -z "$AUTH" ] ||
        get "manifest-$r" "$URL" "$SPID" --paths "$W/manifests.txt" --header "$AUTH"
    r=$((r + 1))
done
if [ "${WRK:-0}" = 1 ] && command -v wrk >/dev/null; then
    for t in "bare $BURL/" "checkpoint $URL/v1/log/checkpoint" \
        "manifest $URL$(head -n 1 "$W/manifests.txt")"; do
        set -- $t
        wrk -t2 -c"$CONNS" -d"${SECS}s" --latency -H "${AUTH:-X-No-Token: 1}" "$2" \
            >"$W/wrk-$1.txt" 2>&1 || :
    done
fi
kill "$BPID"
wait "$BPID" || :
BPID=
stop_server

# (d) Memory with N events: grow the ledger, restart, serve reads, then a few writes.
"$BUILD/gen-events" grow --db "$DB" --key "$REG" --to "$N" --threads "$(nproc)" >"$W/grow.json"
"$BUILD/gen-events" sign --key "$REG" --count 2000 --first 500000000 --out "$W/more.jsonl"
serve
"$PYTHON" -c 'import json,random,sys
n=json.load(open(sys.argv[1]))["events"]; r=random.Random(1)
for _ in range(2000): print("/v1/log/proof/inclusion?index=%d" % r.randrange(n))' \
    "$W/grow.json" >"$W/proofs.txt"
get mem-checkpoint "$URL" "$SPID" --path /v1/log/checkpoint
[ -z "$AUTH" ] || get mem-manifest "$URL" "$SPID" --paths "$W/manifests.txt" --header "$AUTH"
get mem-proof "$URL" "$SPID" --paths "$W/proofs.txt"
"$BUILD/loadgen" --url "$URL" --conns "$CONNS" --bodies "$W/more.jsonl" >"$W/mem-ingest.json"
grep -E '^Vm(RSS|HWM)' "/proc/$SPID/status" >"$W/mem.txt"
stop_server

"$PYTHON" - "$W" "$THREADS" "$ROUNDS" <<'EOF'
import json, os, re, statistics, sys
w, threads, rounds = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
def j(name):
    try:
        with open(os.path.join(w, name + ".json")) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None
def runs(name):
    return [x for x in (j("%s-%d" % (name, r)) for r in range(1, rounds + 1)) if x]
def st(rs):
    tot = {}
    for r in rs:
        for k, v in r["status"].items():
            tot[k] = tot.get(k, 0) + v
    err = sum(r["errors"] for r in rs)
    return (" ".join("%s:%d" % kv for kv in sorted(tot.items())) +
            (" errors:%d" % err if err else ""))
def ok_rps(r, code):
    return r["status"].get(code, 0) / r["seconds"] if r["seconds"] else 0
med = statistics.median
raw1, raw2 = j("raw1"), j("raw2")
one = (raw1["verify_1core"] + raw2["verify_1core"]) / 2
allc = (raw1["verify_all"] + raw2["verify_all"]) / 2
print("raw Ed25519 verify/s: %.0f on 1 core, %.0f on %d threads (mean of before and after)"
      % (one, allc, threads))

def cpu_of(name):
    """CPU seconds the server spent during run NAME."""
    ticks, hz = open(os.path.join(w, name + ".cpu")).read().split()
    return int(ticks) / int(hz)
def cpu_per_req(name, code):
    """CPU microseconds per good response over all rounds of NAME."""
    rs = [(r, j("%s-%d" % (name, r))) for r in range(1, rounds + 1)]
    n = sum(x["status"].get(code, 0) for _, x in rs if x)
    return sum(cpu_of("%s-%d" % (name, r)) for r, x in rs if x) / n * 1e6 if n else 0
libs, ings = runs("lib"), runs("ingest")
cpu = [cpu_of("ingest-%d" % r) for r in range(1, len(ings) + 1)]
lib_rate = sum(l["events"] for l in libs) / sum(l["seconds"] for l in libs)
ok = sum(i["status"].get("201", 0) for i in ings)
http_rate = ok / sum(i["seconds"] for i in ings)
ratio = med([ok_rps(i, "201") / l["rate"] for i, l in zip(ings, libs)])
print("library append, synchronous=FULL, 100/commit, %d sig threads: %.0f events/s  (rounds: %s)"
      % (threads, lib_rate, ", ".join("%.0f" % l["rate"] for l in libs)))
print("HTTP ingest, POST /v1/events, %d events: %.0f 201/s  (rounds: %s)"
      % (sum(i["requests"] for i in ings), http_rate,
         ", ".join("%.0f" % ok_rps(i, "201") for i in ings)))
print("  = %.2f x library batched append (median of rounds; target >= 0.8)"
      " = %.2f x raw 1-core verify = %.2f x raw %d-thread verify"
      % (ratio, http_rate / one, http_rate / allc, threads))
lib1s = runs("lib1")
if lib1s:
    print("  = %.2f x the library's batched append on 1 thread (%.0f events/s; median of rounds)"
          % (med([ok_rps(i, "201") / l["rate"] for i, l in zip(ings, lib1s)]),
             sum(l["events"] for l in lib1s) / sum(l["seconds"] for l in lib1s)))
lib_cpu = sum(l["cpu_seconds"] for l in libs) / sum(l["events"] for l in libs)
srv_cpu = sum(cpu) / ok if ok else 0
print("  p50 %.1f ms, p99 %.1f ms (median of rounds); statuses %s"
      % (med([i["p50_ms"] for i in ings]), med([i["p99_ms"] for i in ings]), st(ings)))
print("  CPU per event: server %.0f us = %.2f x library (%.0f us); one raw verify %.0f us"
      % (srv_cpu * 1e6, srv_cpu / lib_cpu if lib_cpu else 0, lib_cpu * 1e6, 1e6 / one))
try:
    m = dict(re.findall(r"^(liandan_commit_batch_size_(?:sum|count)) (\d+)",
                        open(os.path.join(w, "metrics.txt")).read(), re.M))
    print("  group commit: %.1f events per commit on average (/metrics)"
          % (int(m["liandan_commit_batch_size_sum"]) / int(m["liandan_commit_batch_size_count"])))
except (OSError, KeyError, ValueError, ZeroDivisionError):
    print("  group commit: no liandan_commit_batch_size in /metrics")

bare = runs("bare")
bare_cpu = cpu_per_req("bare", "200")
print("bare libmicrohttpd GET: %.0f req/s (rounds: %s), p99 %.2f ms; CPU %.1f us/request"
      % (med([ok_rps(b, "200") for b in bare]),
         ", ".join("%.0f" % ok_rps(b, "200") for b in bare), med([b["p99_ms"] for b in bare]),
         bare_cpu))
for name, label, target in (("checkpoint", "GET /v1/log/checkpoint", 0.5),
                            ("manifest", "GET /v1/manifests/NUMBER", 0.2)):
    rs = runs(name)
    if not rs:
        print("%s: not measured" % label)
        continue
    print("%s: %.0f req/s = %.2f x bare (median of rounds; target >= %.1f), p50 %.2f ms, "
          "p99 %.2f ms%s; statuses %s"
          % (label, med([ok_rps(r, "200") for r in rs]),
             med([ok_rps(r, "200") / ok_rps(b, "200") for r, b in zip(rs, bare)]), target,
             med([r["p50_ms"] for r in rs]), med([r["p99_ms"] for r in rs]),
             " (target < 10)" if name == "checkpoint" else "", st(rs)))
    c = cpu_per_req(name, "200")
    print("  CPU %.1f us/request = bare's x %.2f (CPU-bound ratio %.2f)"
          % (c, c / bare_cpu if bare_cpu else 0, bare_cpu / c if c else 0))
for name in ("bare", "checkpoint", "manifest"):
    try:
        t = open(os.path.join(w, "wrk-%s.txt" % name)).read()
    except OSError:
        continue
    rps = re.search(r"Requests/sec:\s+([\d.]+)", t)
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)", t)
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", t)
    if rps and p99:
        scale = {"us": 1e-3, "ms": 1, "s": 1e3}[p99.group(2)]
        print("  wrk %-10s %8.0f req/s, p99 %.2f ms%s" % (name, float(rps.group(1)),
              float(p99.group(1)) * scale, ", %s non-2xx" % non2xx.group(1) if non2xx else ""))

mem = dict(re.findall(r"^(Vm\w+):\s+(\d+) kB", open(os.path.join(w, "mem.txt")).read(), re.M))
g, mi = j("grow"), j("mem-ingest")
reads = [r for r in (j(n) for n in ("mem-checkpoint", "mem-manifest", "mem-proof")) if r]
print("server memory with %d events, after %d reads and %d writes: VmRSS %.1f MiB, "
      "VmHWM %.1f MiB (target < 64)"
      % (g["events"] + mi["status"].get("201", 0), sum(r["requests"] for r in reads),
         mi["requests"], int(mem["VmRSS"]) / 1024, int(mem["VmHWM"]) / 1024))
for n in ("mem-checkpoint", "mem-manifest", "mem-proof", "mem-ingest"):
    r = j(n)
    if r and (set(r["status"]) - {"200", "201"} or r["errors"]):
        print("  PROBLEM %s: statuses %s" % (n, st([r])))
EOF
