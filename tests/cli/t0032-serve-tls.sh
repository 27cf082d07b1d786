# liandan serve over HTTPS (MHD's GnuTLS) with a development CA from
# certs/make-dev-certs.sh: a client that trusts the CA reads the checkpoint
# and signs in with `liandan auth`; one that does not is refused at the
# handshake; plain HTTP on the TLS port gets no answer; bad TLS options are
# usage errors; SIGTERM exits 0. Python's ssl module is the client.
. "$(dirname "$0")/lib.sh"
setup_ledger
ROOT=${LIANDAN_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
PY=${PYTHON:-/usr/bin/python3}

sh "$ROOT/certs/make-dev-certs.sh" --out "$T/certs" >/dev/null 2>&1 || fail "make-dev-certs failed"
[ "$(stat -c %a "$T/certs/server.key")" = 600 ] || fail "the server key is not mode 0600"

# Options: both files or neither; unreadable files are reported.
expect_exit 2 ld serve --listen 127.0.0.1:0 --tls-cert "$T/certs/server.crt"
expect_err 'both a certificate and a key'
expect_exit 2 ld serve --listen 127.0.0.1:0 --tls-cert "$T/certs/server.crt" --tls-key "$T/nope.key"
expect_err 'cannot read'

ld party register --key reg.key --id "$P1" --name 'TLS Co' --role producer >/dev/null
ld checkpoint >/dev/null
"$LIANDAN" serve --listen 127.0.0.1:0 --port-file "$T/port" --rate 0 \
    --tls-cert "$T/certs/server.crt" --tls-key "$T/certs/server.key" >"$T/serve.out" 2>"$T/serve.err" &
PID=$!
i=0
while [ ! -s "$T/port" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
PORT=$(cat "$T/port")
grep -q "^listening on https://127.0.0.1:$PORT\$" "$T/serve.out" || fail "no https start-up line"

cat > "$T/client.py" <<'PYEOF'
import json, ssl, subprocess, sys, urllib.request, urllib.error, socket
port, ca, liandan, key = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
base = "https://localhost:%s" % port
ctx = ssl.create_default_context(cafile=ca)
def req(path, body=None, token=None, context=ctx):
    r = urllib.request.Request(base + path, data=body)
    if body is not None:
        r.add_header("Content-Type", "application/json")
    if token:
        r.add_header("Authorization", "Bearer " + token)
    with urllib.request.urlopen(r, context=context, timeout=10) as f:
        return f.status, f.read()
st, note = req("/v1/log/checkpoint")
assert st == 200 and note.decode().split("\n")[1] == "1", note
keys = json.loads(req("/v1/log/keys")[1])
ch = subprocess.run([liandan, "auth", "--key", key], capture_output=True, check=True).stdout
nonce = json.loads(req("/v1/auth/challenge", ch)[1])["nonce"]
body = subprocess.run([liandan, "auth", "--key", key, "--origin", keys["origin"], nonce],
                      capture_output=True, check=True).stdout
tok = json.loads(req("/v1/auth/token", body)[1])["token"]
st, parties = req("/v1/parties", token=tok)
assert st == 200 and json.loads(parties)["items"][0]["name"] == "TLS Co", parties
# A client that does not trust the development CA is refused at the handshake.
try:
    req("/healthz", context=ssl.create_default_context())
    sys.exit("an untrusted certificate was accepted")
except urllib.error.URLError as e:
    assert isinstance(e.reason, ssl.SSLCertVerificationError), e
# Plain HTTP to the TLS port gets no HTTP answer.
s = socket.create_connection(("127.0.0.1", int(port)), timeout=5)
s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
try:
    got = s.recv(100)
except (ConnectionResetError, socket.timeout):
    got = b""
assert not got.startswith(b"HTTP/1.1 200"), got
print("ok")
PYEOF
expect_exit 0 "$PY" "$T/client.py" "$PORT" "$T/certs/ca.crt" "$LIANDAN" "$T/reg.key"
expect_out '^ok$'
kill -TERM "$PID"
set +e
wait "$PID"
rc=$?
set -e
[ "$rc" -eq 0 ] || { cat "$T/serve.err" >&2; fail "serve exited $rc on SIGTERM"; }
grep -q '"route":"/v1/parties","status":200' "$T/serve.err" || fail "no log line for the HTTPS request"
