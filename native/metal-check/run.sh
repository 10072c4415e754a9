#!/usr/bin/env bash
# Checks ggml-metal's host code without a Mac: compiles the C++ half of the patched ggml-metal (the op encoders and
# the kernel naming, ggml-metal-device.cpp and ggml-metal-ops.cpp) against stubs of its Objective-C half
# (metal_stubs.cpp), runs every flash-attention case that supports_op accepts (fa_kernel_names.cpp) and prints, as
# JSON, every Metal kernel the host would ask for. tuner/test/native/metalKernels.test.ts compares those names with
# the kernels in kernels/*.metal.
#
# Uses the source tree and libggml-base.a of the build native/build.sh linked into native/bin/.
# usage: native/metal-check/run.sh
set -euo pipefail

prog="native/metal-check"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=../common.sh
source "$here/common.sh"
here="$here/metal-check"
patched_tree
base_lib="$build/ggml/src/libggml-base.a"
[ -d "$metal" ] || die "no ggml-metal sources in $src"
[ -f "$base_lib" ] || die "$base_lib not found: the native build is incomplete (run native/build.sh --force)"

inputs=("$here/fa_kernel_names.cpp" "$here/metal_stubs.cpp" "$here/metal_stubs.h"
        "$metal/ggml-metal-device.cpp" "$metal/ggml-metal-ops.cpp" "$metal/ggml-metal-tuning.cpp"
        "$metal/ggml-metal-common.cpp" "$metal/ggml-metal-device.h" "$metal/ggml-metal-impl.h")
if command -v sha256sum >/dev/null; then sum=(sha256sum); else sum=(shasum -a 256); fi # macOS has only shasum
key="$(cat "${inputs[@]}" | "${sum[@]}" | cut -c1-16)"
exe="$build/metal-check/fa-kernel-names-$key"

if [ ! -x "$exe" ]; then
    mkdir -p "$build/metal-check"
    echo "native/metal-check: compiling ggml-metal's host code with stubs" >&2
    # libggml-base's quantizers use OpenMP where the compiler has it (not Apple's clang)
    openmp=()
    if grep -q 'GOMP_' < <(nm "$base_lib" 2>/dev/null); then openmp=(-fopenmp); fi
    ${CXX:-c++} -std=c++17 -O1 "${openmp[@]}" -I"$metal" -I"$src/ggml/include" -I"$src/ggml/src" -I"$here" \
        "$here/fa_kernel_names.cpp" "$here/metal_stubs.cpp" \
        "$metal/ggml-metal-device.cpp" "$metal/ggml-metal-ops.cpp" "$metal/ggml-metal-tuning.cpp" \
        "$metal/ggml-metal-common.cpp" "$base_lib" -lpthread -o "$exe.tmp"
    mv "$exe.tmp" "$exe"
fi

"$exe" "$metal/kernels"
