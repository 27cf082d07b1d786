#!/bin/sh
# tests/web/run.sh - the pages of web/ in a real Chromium (issue 5).
#
# Makes a fresh demo-like ledger with gen-demo, starts `$LIANDAN serve` on
# port 0 with the project's web/ directory, and drives Debian's Chromium with
# npm's playwright-core (no browser download) through tests/web/e2e.mjs:
# sign in as each role, file -> pickup -> arrive -> accept -> dispose through
# the pages, dashboard and trace before/after, a refusal next to its field,
# print view, language switch, phone viewport, an encrypted key file; a
# cancellation, a whole and a per-line rejection, a hand-over to a second
# carrier (registered, permitted and keyed through the pages) that then has
# its key revoked, a licence and a permit recorded (refusals first), the
# anomaly list in Chinese and English, the server's refusals said in Chinese
# (its English kept as a detail) and as they are under the English switch; every
# event signature of the ledger checked by the page code against certified
# keys, a tampered event and a forged key certificate caught; the requests
# each page makes; every page loaded LOADS times, timed (reported, not asserted).
# Screenshots, a PDF and timings go to $ART (default build/web-artifacts/).
#
# Environment: BUILD (build dir, default build), LIANDAN, GEN (binaries), SHARED,
# CHROMIUM (default /usr/bin/chromium), ART, MANIFESTS (demo size, 300), LOADS (5).
# Exit: 0 all passed, 1 a scenario failed, 2 setup failed.
set -eu
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac
LIANDAN=${LIANDAN:-$BUILD/liandan}
GEN=${GEN:-$BUILD/gen-demo}
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
ART=${ART:-$ROOT/build/web-artifacts}
HERE=$ROOT/tests/web

die() { echo "web/run.sh: $*" >&2; exit 2; }
[ -x "$LIANDAN" ] || die "'$LIANDAN' is missing (make)"
[ -x "$GEN" ] || die "'$GEN' is missing (make $BUILD/gen-demo)"
command -v node >/dev/null 2>&1 || die "node is missing (Debian: apt-get install nodejs npm)"
if [ ! -x "$CHROMIUM" ]; then
    echo "web/run.sh: $CHROMIUM is missing; installing it with tools/install-deps" >&2
    sh "$ROOT/tools/install-deps" >&2 || true
    [ -x "$CHROMIUM" ] || die "no Chromium at $CHROMIUM"
fi
if [ ! -f "$HERE/node_modules/playwright-core/package.json" ]; then
    (cd "$HERE" && npm ci --no-audit --no-fund --loglevel=error) >&2 || die "npm ci failed in tests/web"
fi
# The pages read the catalogue from GET /data/FILE: the copy the ledger embeds.

# The pages' crypto and formats in Node first (no browser): shared vectors, keygen's files.
SHARED=${SHARED:-$ROOT/../shared}
SHARED=$SHARED LIANDAN=$LIANDAN node "$HERE/unit.mjs" || die "unit checks of the page code failed"

T=$(mktemp -d /tmp/liandan-web.XXXXXX)
SERVER_PID=
cleanup() {
    if [ -n "$SERVER_PID" ]; then
        kill -TERM "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
    fi
    rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' HUP INT PIPE TERM

"$GEN" "$T/demo" --seed "${SEED:-2026}" --manifests "${MANIFESTS:-300}" > "$T/summary.txt" || die "gen-demo failed"
mkdir -p "$ART"
"$LIANDAN" serve --db "$T/demo/ledger.db" --listen 127.0.0.1:0 --port-file "$T/port" \
    --web "$ROOT/web" --rate 0 --log "$T/requests.log" > "$T/serve.out" 2> "$T/serve.err" &
SERVER_PID=$!
i=0
while [ ! -s "$T/port" ]; do
    i=$((i + 1))
    if [ $i -gt 100 ] || ! kill -0 "$SERVER_PID" 2>/dev/null; then
        cat "$T/serve.out" "$T/serve.err" >&2
        die "the server did not start"
    fi
    sleep 0.1
done
BASE="http://127.0.0.1:$(cat "$T/port")"
echo "web/run.sh: server at $BASE, ledger $T/demo, artefacts in $ART"

rc=0
BASE=$BASE DEMO=$T/demo LIANDAN=$LIANDAN CHROMIUM=$CHROMIUM ART=$ART TMPDIR=$T \
    node "$HERE/e2e.mjs" || rc=$?
if [ $rc -ne 0 ]; then
    echo "--- server stderr (last 30 lines)" >&2
    tail -n 30 "$T/serve.err" >&2 || true
fi
exit $rc
