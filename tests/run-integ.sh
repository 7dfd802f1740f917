#!/usr/bin/env bash
# Runs the integration test programs (build/tests/test_* built from
# tests/integ/test_*.c).  Each starts its own private server with
# build/instance.sh (MIT KDC, TLS, httpd with mod_auth_gssapi and
# build/mod_mapi.so, a fresh data directory, a free loopback port) and
# stops it when done; see tests/integ/harness.h.  Output and the final
# "N passed, M failed" line come from tests/run-unit.sh.
#
# Needs root (httpd's children run as www-data; instance.sh chowns),
# the packages of build/install-deps.sh, and `make all` done (module,
# mapi-admin, build/tests/mapi-post-event).
#
# Usage: tests/run-integ.sh [PROGRAM...]   default: every integration program
# Environment: MAPI_INTEG_KEEP=1 keeps every instance directory (a failed
#              program's is always kept); MAPI_INTEG_TIMEOUT (s, default
#              300) stops a program that hangs.
#              MAPI_BUILD_DIR (default REPO/build): the tree whose module,
#              mapi-admin, mapi-deliver and test tools are used (make
#              sanitize-integ: build/asan, with MAPI_SANITIZE=1).
#
# Licensed under the Apache License, Version 2.0.
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/.." && pwd)

progs=()
for p in "$@"; do
    [[ $p == /* ]] || p=$PWD/$p
    progs+=("$p")
done
if ((${#progs[@]} == 0)); then
    for src in "$repo"/tests/integ/test_*.c; do
        [[ -e $src ]] || continue
        n=$(basename "$src" .c)
        progs+=("$repo/build/tests/$n")
    done
fi

build=${MAPI_BUILD_DIR:-$repo/build}
export MAPI_BUILD_DIR=$build MAPI_MODULE=$build/mod_mapi.so MAPI_ADMIN=$build/mapi-admin
missing=()
((EUID == 0)) || missing+=("root (instance.sh start chowns to www-data)")
for f in mod_mapi.so mapi-admin tests/mapi-post-event; do
    [[ -e $build/$f ]] || missing+=("$build/$f (make all)")
done
if ((${#missing[@]})); then
    printf 'run-integ: cannot run the integration tests; missing:\n' >&2
    printf '  %s\n' "${missing[@]}" >&2
    printf '\n0 passed, %d failed\n' "${#progs[@]}"
    exit 1
fi

cd "$repo" || exit 2
exec "$here/run-unit.sh" --timeout "${MAPI_INTEG_TIMEOUT:-300}" "${progs[@]}"
