#!/bin/sh
# certs/make-dev-certs.sh - a development CA and a TLS server certificate for
# `liandan serve --tls-cert F --tls-key F` on this machine (localhost,
# 127.0.0.1, ::1). `make certs` runs it. For development and tests only.
#
#   certs/make-dev-certs.sh [--out DIR] [--force]
#
# Writes into DIR (default certs/dev/, ignored by git):
#   ca.crt  ca.key          the development CA (ECDSA P-256, 10 years)
#   server.crt  server.key  the server (ECDSA P-256, 397 days), signed by the CA
# Private keys are created mode 0600 and are never committed. An existing CA
# is kept (so a client that trusts it keeps working) and an existing server
# certificate is kept while the CA verifies it; --force makes both afresh.
# Needs openssl (Debian package openssl). P-256 rather than Ed25519: Chromium
# does not accept Ed25519 certificates.
set -eu

out=$(cd "$(dirname "$0")" && pwd)/dev
force=0
while [ $# -gt 0 ]; do
    case $1 in
    --out) [ $# -ge 2 ] || { echo "make-dev-certs: --out takes a directory" >&2; exit 2; }
           out=$2; shift 2 ;;
    --force) force=1; shift ;;
    -h|--help) sed -n '2,16s/^# \{0,1\}//p' "$0"; exit 0 ;;
    *) echo "make-dev-certs: unknown argument '$1' (try --help)" >&2; exit 2 ;;
    esac
done
command -v openssl >/dev/null 2>&1 || {
    echo "make-dev-certs: openssl is missing; run: sudo apt-get install -y openssl" >&2; exit 2; }

umask 077
mkdir -p "$out"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

cat > "$tmp/openssl.cnf" <<'CNF'
[req]
distinguished_name = dn
prompt = no
[dn]
[ca]
basicConstraints = critical, CA:TRUE, pathlen:0
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[server]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost, IP:127.0.0.1, IP:::1
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
CNF

# newkey FILE: a fresh P-256 key, mode 0600, moved into place only when complete.
newkey() {
    openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1.tmp" 2>/dev/null
    chmod 600 "$1.tmp"
    mv "$1.tmp" "$1"
}
serial() { echo "0x$(openssl rand -hex 16)"; }

if [ "$force" = 1 ] || [ ! -s "$out/ca.key" ] || [ ! -s "$out/ca.crt" ]; then
    newkey "$out/ca.key"
    openssl req -x509 -new -config "$tmp/openssl.cnf" -extensions ca -key "$out/ca.key" \
        -subj "/O=liandan development/CN=liandan development CA $(hostname 2>/dev/null || echo host)" \
        -set_serial "$(serial)" -days 3650 -sha256 -out "$out/ca.crt.tmp"
    mv "$out/ca.crt.tmp" "$out/ca.crt"
    rm -f "$out/server.crt"
    echo "make-dev-certs: new development CA $out/ca.crt"
fi

if [ "$force" = 1 ] || [ ! -s "$out/server.key" ] || [ ! -s "$out/server.crt" ] ||
   ! openssl verify -CAfile "$out/ca.crt" "$out/server.crt" >/dev/null 2>&1 ||
   ! openssl x509 -in "$out/server.crt" -noout -checkend 86400 >/dev/null 2>&1; then
    newkey "$out/server.key"
    openssl req -new -config "$tmp/openssl.cnf" -key "$out/server.key" \
        -subj "/O=liandan development/CN=localhost" -out "$tmp/server.csr"
    openssl x509 -req -in "$tmp/server.csr" -CA "$out/ca.crt" -CAkey "$out/ca.key" \
        -set_serial "$(serial)" -days 397 -sha256 \
        -extfile "$tmp/openssl.cnf" -extensions server -out "$out/server.crt.tmp" 2>/dev/null
    mv "$out/server.crt.tmp" "$out/server.crt"
    echo "make-dev-certs: new server certificate $out/server.crt"
fi
chmod 600 "$out/ca.key" "$out/server.key"
chmod 644 "$out/ca.crt" "$out/server.crt"
openssl verify -CAfile "$out/ca.crt" "$out/server.crt" >/dev/null

cat <<EOF
  liandan serve --listen 127.0.0.1:8443 --tls-cert $out/server.crt --tls-key $out/server.key
  curl --cacert $out/ca.crt https://localhost:8443/healthz
EOF
