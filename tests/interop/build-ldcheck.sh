#!/bin/sh
# tests/interop/build-ldcheck.sh OUTDIR - build the Go interop checker.
#
# Builds tests/interop/go/ldcheck.go into OUTDIR/ldcheck and prints that path
# on stdout. Needs no network: GOPATH mode against Debian's packaged sources
# (golang-go, golang-golang-x-mod-dev at /usr/share/gocode), with a private
# build cache in OUTDIR so it works as any user (root in CI) on a clean machine.
# Environment: LIANDAN_ROOT (repo root; default: two levels above this script),
# LDCHECK_GOPATH (default /usr/share/gocode).
set -eu
[ $# -eq 1 ] || { echo "usage: build-ldcheck.sh OUTDIR" >&2; exit 2; }
out=$1
root=${LIANDAN_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
gopath=${LDCHECK_GOPATH:-/usr/share/gocode}
command -v go >/dev/null 2>&1 || { echo "build-ldcheck: 'go' not found (apt-get install golang-go)" >&2; exit 1; }
[ -d "$gopath/src/golang.org/x/mod/sumdb/note" ] ||
    { echo "build-ldcheck: no golang.org/x/mod in '$gopath' (apt-get install golang-golang-x-mod-dev)" >&2; exit 1; }
mkdir -p "$out"
out=$(cd "$out" && pwd)
GO111MODULE=off GOPATH=$gopath GOCACHE=$out/gocache GOFLAGS= \
    go build -o "$out/ldcheck" "$root/tests/interop/go/ldcheck.go" >&2
echo "$out/ldcheck"
