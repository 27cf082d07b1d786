#!/bin/sh
# tools/bench.sh - run the benchmarks (make bench). BENCH_EVENTS sets the
# trust-layer ledger size (default 10^6: a few minutes on a 2-core machine),
# BENCH_MANIFESTS the manifest-domain size (default 10^6, about 90 s),
# BENCH_HTTP_EVENTS the ledger size of the HTTP memory figure (default 10^6;
# tools/bench-http.sh lists its other settings).
set -eu
BUILD=${BUILD:-build}
"$BUILD/bench" "${BENCH_EVENTS:-1000000}"
"$BUILD/bench-domain" "${BENCH_MANIFESTS:-1000000}"
BUILD=$BUILD sh tools/bench-http.sh
