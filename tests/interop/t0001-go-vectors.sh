#!/bin/sh
# tests/interop/t0001-go-vectors.sh - the Go checker (ldcheck) agrees with the
# shared vectors, and its note/inclusion/consistency commands accept good
# inputs and reject tampered ones.
#
# ldcheck wraps golang.org/x/mod/sumdb/note and sumdb/tlog, an independent
# implementation of what liandan does in C; t0002 will feed it the CLI's
# actual checkpoints and proofs. Fixtures below are the golden checkpoints of
# vectors/signed-note and the 8-leaf tree of vectors/rfc6962 (leaf 6 is the
# ASCII bytes "PQRSTUVW"), with the proofs re-encoded from hex to base64.
# Environment: LIANDAN_SHARED (absolute path of shared/), LIANDAN_ROOT (repo root).
set -eu
: "${LIANDAN_SHARED:?set LIANDAN_SHARED to the shared/ folder}"
: "${LIANDAN_ROOT:?set LIANDAN_ROOT to the repository root}"
export LIANDAN_SHARED
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
ldcheck=$(sh "$LIANDAN_ROOT/tests/interop/build-ldcheck.sh" "$tmp/bin")

fail() { echo "t0001: $*" >&2; exit 1; }
expect() { # expected-output, command...
    want=$1; shift
    got=$("$@") || fail "'$*' failed"
    [ "$got" = "$want" ] || fail "'$*' printed '$got', want '$want'"
}
reject() { # command... (must exit 1)
    if "$@" >/dev/null 2>"$tmp/err"; then fail "'$*' accepted bad input"; fi
    grep -q . "$tmp/err" || fail "'$*' failed without a message"
}

# Self-tests: 7 signed-note cases + 4 golden checkpoints; 36 + 36 RFC 6962 proofs.
expect "ok 11" "$ldcheck" sign-vectors
expect "ok 72" "$ldcheck" rfc6962-vectors

# Fixtures.
o=example.com/hwm-ledger-test
dash=$(printf '\342\200\224')
echo "$o+2679cd85+AddamAGCsQq31Uv+08lkBzoO4XLz2qYjJa8CGmj3B1Ea" >"$tmp/vkey"
echo "example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k" >"$tmp/otherkey"
r6=duZ9rbzfHhDht03cYIq9L5jfsW+851J3tSMqEn8gh+8=
r8=XcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=
printf '%s\n6\n%s\n\n%s %s JnnNhVVZFCJ9+VtMtASio1L06tICsDKsWdVOps31EcOiZDhojJ3crcTrhbxgG1qTH6+ZxBWi3vOiz3aVq+4RL41meAI=\n' \
    "$o" "$r6" "$dash" "$o" >"$tmp/cp6"
printf '%s\n8\n%s\n\n%s %s JnnNhdhpawPeilVhoRGHMEV6dNF5f2mNu0Ei5wvMk1cObn+TimXNs3I3ti8uaovZ2KRfdbLQ3aXB42eX6ZknhbsQKAU=\n' \
    "$o" "$r8" "$dash" "$o" >"$tmp/cp8"
sed 's/^8$/9/' "$tmp/cp8" >"$tmp/cp8-tampered"
printf 'PQRSTUVW' >"$tmp/entry6"
printf 'PQRSTUVW\n' >"$tmp/entry6-nl"
h7=Rvb/rdPQagn/PFhg0nVci5gZ2330QlF4jH2OMYDejrE=
h45=DrxdNDf74tsVi58Sah0RjjCBgQMdCpSfje3t68VY72o=
h03=037kGJdt2VdTwcc4Yrk5j6Kiz5tP8P3+izDNlSCWFLc=
h67=yoVOoSjtBQtBs1/8G4e46yveRh6eO1WW7Oa51ZdaCuA=
leaf6=sIaT7C5yFZcTBkHoIR5+7cy0wmQTlj7ubB4u0W/7Gl8=
incl() { printf '{"leaf_index":%s,"tree_size":8,"leaf_hash":"%s","inclusion":[%s]}' "$1" "$leaf6" "$2"; }
incl 6 "\"$h7\",\"$h45\",\"$h03\"" >"$tmp/incl"
incl 6 "\"$h03\",\"$h45\",\"$h7\"" >"$tmp/incl-reversed"
incl 5 "\"$h7\",\"$h45\",\"$h03\"" >"$tmp/incl-index"
incl 6 "\"$h7\",\"$h45\"" >"$tmp/incl-short"
cons() { printf '{"old_size":6,"new_size":8,"old_root":"%s","new_root":"%s","consistency":[%s]}' "$r6" "$r8" "$1"; }
cons "\"$h45\",\"$h67\",\"$h03\"" >"$tmp/cons"
cons "\"$h03\",\"$h67\",\"$h45\"" >"$tmp/cons-reversed"
cons "\"$h45\",\"$h67\",\"$h03\",\"$h03\"" >"$tmp/cons-long"

# note
expect "ok $o 8 $r8" "$ldcheck" note "$tmp/vkey" "$tmp/cp8"
reject "$ldcheck" note "$tmp/vkey" "$tmp/cp8-tampered"
reject "$ldcheck" note "$tmp/otherkey" "$tmp/cp8"
# inclusion of leaf 6 in the size-8 checkpoint
expect ok "$ldcheck" inclusion "$tmp/vkey" "$tmp/cp8" "$tmp/incl" "$tmp/entry6"
reject "$ldcheck" inclusion "$tmp/vkey" "$tmp/cp8" "$tmp/incl" "$tmp/entry6-nl"
reject "$ldcheck" inclusion "$tmp/vkey" "$tmp/cp6" "$tmp/incl" "$tmp/entry6"
for bad in reversed index short; do
    reject "$ldcheck" inclusion "$tmp/vkey" "$tmp/cp8" "$tmp/incl-$bad" "$tmp/entry6"
done
# consistency 6 -> 8
expect ok "$ldcheck" consistency "$tmp/vkey" "$tmp/cp6" "$tmp/cp8" "$tmp/cons"
reject "$ldcheck" consistency "$tmp/vkey" "$tmp/cp8" "$tmp/cp6" "$tmp/cons"
for bad in reversed long; do
    reject "$ldcheck" consistency "$tmp/vkey" "$tmp/cp6" "$tmp/cp8" "$tmp/cons-$bad"
done
echo "t0001: ok"
