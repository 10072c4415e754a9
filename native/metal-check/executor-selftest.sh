#!/usr/bin/env bash
# Builds executor/selftest.cpp, with the executor's lockstep (loads and stores traced) or without (--free-running),
# and runs the case named: see executor/selftest.cpp.
# usage: native/metal-check/executor-selftest.sh [--free-running] CASE
# env: CLANGXX (default clang++-19), KVSPLIT_CACHE_DIR
set -euo pipefail

prog="native/metal-check/executor-selftest"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=../common.sh
source "$here/common.sh"
check="$here/metal-check"

coverage=(-fsanitize-coverage=inline-8bit-counters,trace-loads,trace-stores)
variant=lockstep
if [ "${1:-}" = --free-running ]; then
    coverage=()
    variant=free-running
    shift
fi
[ "$#" = 1 ] || die "usage: $0 [--free-running] CASE"
metal_clangxx

cache_root
key="$({ cat "$0" "$check"/msl/* "$check"/executor/*; "$clangxx" --version | sed -n 1p; echo "$variant"; } | sha256_hex | cut -c1-16)"
exe="$cache/metal-check/executor/selftest-$key"
if [ ! -x "$exe" ]; then
    mkdir -p "$(dirname "$exe")"
    # compiled with the coverage flags, linked without them (they would pull in a sanitizer runtime)
    "$clangxx" -std=c++17 -O1 -w "${coverage[@]}" -I "$check/msl" -I "$check/executor" \
        -c "$check/executor/selftest.cpp" -o "$exe.o"
    "$clangxx" "$exe.o" -o "$exe.tmp"
    rm "$exe.o"
    mv "$exe.tmp" "$exe"
fi
exec "$exe" "$1"
