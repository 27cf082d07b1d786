#!/bin/sh
# tools/bench.sh - run the benchmarks (make bench). BENCH_EVENTS sets the
# ledger size (default 10^6: a few minutes on a 2-core machine).
set -eu
BUILD=${BUILD:-build}
"$BUILD/bench" "${BENCH_EVENTS:-1000000}"
