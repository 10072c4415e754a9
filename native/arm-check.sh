#!/usr/bin/env bash
# Checks KVSplit's CPU flash attention on ARM (Apple's CPU cores) from an x86-64 Linux machine: cross-compiles the
# patched llama.cpp's test-backend-ops for aarch64 and runs its mixed K/V FLASH_ATTN_EXT cases (type_K != type_V)
# on the CPU backend under qemu-aarch64, against the CPU's reference path. Patch 0006 adds x86-only (AVX2) code to
# these kernels; this proves the portable paths it falls back to on ARM are right, and the NEON code patch 0023 adds
# for iq3_nl/iq2_nl (K dot products, V decoders).
#
# The source and patches are native/build.sh's; the build is cached the same way (llama.cpp tag + patches + options,
# ccache for what a patch did not touch). The binary is linked statically, so qemu needs no aarch64 sysroot.
#
# usage: native/arm-check.sh [--build-only] [--force] [-p REGEX]
#   --build-only  cross-compile (or reuse the cached build) and stop
#   --force       rebuild even if a cached build exists
#   -p REGEX      run the cases whose parameters match REGEX instead of every mixed pair (test-backend-ops -p)
# env: KVSPLIT_CACHE_DIR (cache root), KVSPLIT_JOBS (parallel jobs)
# Exits 0 only when every selected case passed; prints "passed N/M" and the time either way.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
prog=native/arm-check.sh
# shellcheck source=native/common.sh
. "$here/common.sh"

# every case whose V type differs from its K type (std::regex ECMAScript: back-reference in a negative look-ahead)
# patch 0020's decode case with 4352 K/V rows is for CUDA's many-Q-heads-per-block path; on the CPU it takes the
# split-KV path that the 1024-row cases already reach, and under qemu it costs minutes
mixed_filter='^(?!.*kv=4352,).*type_K=([^,]+),type_V=(?!\1,)'

build_only=0
force=0
filter="$mixed_filter"
while [ $# -gt 0 ]; do
    case "$1" in
        --build-only) build_only=1 ;;
        --force) force=1 ;;
        -p)
            [ $# -ge 2 ] && [ -n "$2" ] || { echo "$prog: -p needs a regex (see --help)" >&2; exit 2; }
            filter="$2"
            shift
            ;;
        -h|--help) sed -n '2,15p' "${BASH_SOURCE[0]}"; exit 0 ;;
        *) echo "$prog: unknown option '$1' (see --help)" >&2; exit 2 ;;
    esac
    shift
done

# --- tools -----------------------------------------------------------------------------------------------------
cc=aarch64-linux-gnu-gcc
cxx=aarch64-linux-gnu-g++
missing=()
command -v "$cxx" >/dev/null && command -v "$cc" >/dev/null || missing+=("g++-aarch64-linux-gnu (provides $cxx)")
qemu=""
for q in qemu-aarch64 qemu-aarch64-static; do
    if command -v "$q" >/dev/null; then qemu="$q"; break; fi
done
[ "$build_only" = 1 ] || [ -n "$qemu" ] || missing+=("qemu-user (provides qemu-aarch64)")
if [ "${#missing[@]}" -gt 0 ]; then
    die "missing $(IFS=,; echo "${missing[*]}" | sed 's/,/, /g'); npm run setup installs them (on Debian or Ubuntu:
    sudo apt-get install -y g++-aarch64-linux-gnu qemu-user ccache)"
fi

llama_source
list_patches

# --- build options ---------------------------------------------------------------------------------------------
# Never GGML_NATIVE: that would mean the build machine's CPU. armv8.2-a with dot product and fp16 arithmetic is
# what every Apple Silicon core has (and more), and what ggml's ARM kernels key their fast paths on. No OpenMP:
# Apple's clang has none, so on a Mac ggml runs its own thread pool (and CMake would link libgomp.so, which a
# static binary cannot take).
arm_arch=armv8.2-a+dotprod+fp16
cmake_flags=(-DCMAKE_BUILD_TYPE=Release -DBUILD_SHARED_LIBS=OFF -DLLAMA_CURL=OFF -DLLAMA_OPENSSL=OFF
             -DLLAMA_BUILD_TESTS=ON -DLLAMA_BUILD_EXAMPLES=OFF -DLLAMA_BUILD_TOOLS=OFF -DLLAMA_BUILD_SERVER=OFF
             -DCMAKE_SYSTEM_NAME=Linux -DCMAKE_SYSTEM_PROCESSOR=aarch64
             -DCMAKE_C_COMPILER="$cc" -DCMAKE_CXX_COMPILER="$cxx"
             -DCMAKE_FIND_ROOT_PATH=/usr/aarch64-linux-gnu -DCMAKE_FIND_ROOT_PATH_MODE_PROGRAM=NEVER
             -DCMAKE_FIND_ROOT_PATH_MODE_LIBRARY=ONLY -DCMAKE_FIND_ROOT_PATH_MODE_INCLUDE=ONLY
             -DCMAKE_EXE_LINKER_FLAGS=-static
             -DGGML_NATIVE=OFF -DGGML_CPU_ARM_ARCH="$arm_arch" -DGGML_OPENMP=OFF)
targets=(test-backend-ops)
compiler="$("$cxx" --version | sed -n 1p)"

# --- cache key: tag + patches + options + compiler -------------------------------------------------------------
cache_key "tag=$tag" "arch=aarch64" "compiler=$compiler"

cache_root
work="$cache/native/llama.cpp-$tag-kvsplit-aarch64-$key"
src="$work/src"
build="$work/build"
stamp="$build/.kvsplit-build.json"
binary="$build/bin/test-backend-ops"

lock_build "$work"
if [ "$force" = 0 ] && [ -f "$stamp" ]; then
    say "cached aarch64 build $work"
else
    clone_patched "$work" "$src" "${patches[@]}"
    cmake_build "$work" "$src" "$build" "${targets[@]}"
    [ -x "$binary" ] || die "build finished but $binary is missing"
    cat >"$stamp" <<EOF
{
  "llamaCppTag": "$tag",
  "variant": "kvsplit-aarch64",
  "patchHash": "$patch_hash",
  "patches": [$(for p in "${patches[@]}"; do printf '"%s",' "$(basename "$p")"; done | sed 's/,$//')],
  "cacheKey": "$key",
  "compiler": "$compiler",
  "cmakeFlags": "${cmake_flags[*]}",
  "builtAt": "$(date -u +%Y-%m-%dT%H:%M:%SZ)"
}
EOF
fi
unlock_build
say "aarch64 test-backend-ops: $binary (llama.cpp $tag, patches $patch_hash, $compiler, -march=$arm_arch)"
[ "$build_only" = 0 ] || exit 0

# --- run the cases under qemu ----------------------------------------------------------------------------------
# qemu's "max" CPU has every feature the build asks for (dotprod, fp16); a CPU without them would die on SIGILL.
export QEMU_CPU=max
qemu_version="$("$qemu" --version | sed -n 1p)"
say "running FLASH_ATTN_EXT cases matching '$filter' on the CPU backend under $qemu_version"
log="$work/arm-check.log"
start=$(date +%s)
set +e
"$qemu" "$binary" -o FLASH_ATTN_EXT -b CPU -p "$filter" 2>&1 | tee "$log"
status="${PIPESTATUS[0]}"
set -e
seconds=$(( $(date +%s) - start ))

# one "FLASH_ATTN_EXT(params): OK|FAIL|not supported" line per case (OK and FAIL in colour; a failing case's error
# is printed on the same line, before it), then "N/M tests passed"
plain_log="$work/arm-check.plain.log"
sed 's/\x1b\[[0-9;]*m//g' "$log" >"$plain_log"
read -r ok failed unsupported passed total < <(awk '
    /(^|[ \t])FLASH_ATTN_EXT\(.*\): .*OK$/ { ok++ }
    /(^|[ \t])FLASH_ATTN_EXT\(.*\): .*FAIL$/ { failed++ }
    /(^|[ \t])FLASH_ATTN_EXT\(.*\): not supported/ { unsupported++ }
    /^ *[0-9]+\/[0-9]+ tests passed/ { split($1, n, "/"); passed = n[1]; total = n[2] }
    END { print ok + 0, failed + 0, unsupported + 0, passed + 0, total + 0 }' "$plain_log")
summary="passed $passed/$total FLASH_ATTN_EXT cases on aarch64 (CPU backend, $qemu_version, -cpu $QEMU_CPU) in $seconds s"
[ "$failed" = 0 ] || die "$summary; $failed failed, listed above under 'Failing tests' (full log: $log)"
[ "$status" = 0 ] || die "$summary; test-backend-ops exited with $status, expected 0 (full log: $log)"
[ "$unsupported" = 0 ] || die "$summary, but the CPU backend refused $unsupported cases: expected none (full log: $log)"
[ "$total" -gt 0 ] || die "no FLASH_ATTN_EXT case matches '$filter' (full log: $log)"
[ "$passed" = "$total" ] && [ "$ok" = "$total" ] ||
    die "$summary, but $ok cases printed OK; expected $total (full log: $log)"
say "$summary"
