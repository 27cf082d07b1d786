#!/bin/sh
# tests/http/run.sh - the HTTP API suite (schema/api.md) against `liandan serve`.
# Environment: LIANDAN (the binary; default build/liandan of this checkout; a
# relative path is taken from the current directory), LIANDAN_SHARED (the
# shared/ folder with the JCS, Merkle and signed-note vectors; default ../shared),
# PYTHON (default /usr/bin/python3: it needs the Debian packages python3-pytest
# and python3-nacl). Extra arguments go to pytest. Exit status: pytest's.
root=$(cd "$(dirname "$0")/../.." && pwd) || exit 2
case ${LIANDAN:-} in
    "") LIANDAN=$root/build/liandan ;;
    /*) ;;
    *) LIANDAN=$(pwd)/$LIANDAN ;;
esac
export LIANDAN
cd "$root" || exit 2
exec "${PYTHON:-/usr/bin/python3}" -m pytest -q -p no:cacheprovider tests/http "$@"
