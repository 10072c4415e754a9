#!/usr/bin/env bash
# Checks the iq3_nl/iq2_nl block codecs of a ggml-metal source tree (patch 0022) against ggml's CPU reference: the
# quantizers SET_ROWS and CPY run (kernels/quantize.h) and the decoders (kernels/dequantize.h), compiled as C++ with
# clang 19 against the stand-in metal_stdlib (msl/), and run on N_BLOCKS test blocks (device/iq_nl_codec_check.cpp).
# Only the codec functions run: the SET_ROWS/CPY/GET_ROWS kernels and the prompt route's dequantize-to-F16 kernel
# around them are compiled (compile-kernels.sh), not run.
#
# usage: native/metal-check/iq-nl-codec-check.sh [--metal-dir GGML_METAL_DIR] [N_BLOCKS (default 20000)]
#   GGML_METAL_DIR: default the patched tree native/build.sh linked into native/bin/ (its libggml-base.a is the
#                   reference either way)
# env: CLANGXX (default clang++-19), KVSPLIT_NATIVE_BIN, KVSPLIT_CACHE_DIR
set -euo pipefail

prog="native/metal-check/iq-nl-codec-check"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=../common.sh
source "$here/common.sh"
check="$here/metal-check"
# shellcheck source=msl/rewrite.sh
source "$check/msl/rewrite.sh"

metal_tree "$@"
shift "$metal_args_used"
n_blocks="${1:-20000}"
base_lib="$build/ggml/src/libggml-base.a"
[ -f "$base_lib" ] || die "$base_lib not found: the native build is incomplete (run native/build.sh --force)"
common_h="$(dirname "$metal")/ggml-common.h"
[ -f "$common_h" ] || die "$common_h not found: the kernels include it"
metal_clangxx

cache_root
key="$({
    cat "$0" "$check"/msl/* "$check/device/iq_nl_codec_check.cpp"
    "$clangxx" --version | sed -n 1p
    cat "$metal"/kernels/*.h "$metal/ggml-metal-impl.h" "$common_h" "$base_lib"
} | sha256_hex | cut -c1-16)"
out="$cache/metal-check/iq-nl-codec/$key"
exe="$out/iq-nl-codec-check"

if [ ! -x "$exe" ]; then
    rm -rf "$out" && mkdir -p "$out/src"
    for f in "$metal"/kernels/*.h; do msl_rewrite "$f" "$out/src/$(basename "$f")"; done
    cp "$common_h" "$out/src/ggml-common.h"
    say "compiling kernels/quantize.h and dequantize.h as C++ (clang, -O1) against libggml-base"
    openmp=()
    if grep -q 'GOMP_' < <(nm "$base_lib" 2>/dev/null); then openmp=(-lgomp); fi
    # no fast math: Metal's quantizers ask for safe math (#pragma METAL fp math_mode(safe)), as the CPU's run
    nice -n 10 "$clangxx" -std=c++17 -O1 -w -Xclang -ffloat16-excess-precision=none \
        -I "$check/msl" -I "$out/src" -I "$metal" \
        "$check/device/iq_nl_codec_check.cpp" "$base_lib" "${openmp[@]}" -lpthread -lm -o "$exe.tmp"
    mv "$exe.tmp" "$exe"
fi

"$exe" "$n_blocks" || die "the Metal codecs differ from ggml's CPU reference"
say "the iq3_nl and iq2_nl codecs match ggml's CPU reference"
