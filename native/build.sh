#!/usr/bin/env bash
# Builds KVSplit's patched llama.cpp: llama-server, llama-perplexity, llama-bench, llama-cli (+ test-backend-ops).
#
# The source is the llama.cpp release that node-llama-cpp ships in its npm package (pinned in tuner/package.json),
# so nothing is downloaded. Patches in native/patches/ are applied in order; one that does not apply stops the build
# and names itself. The build lives in a cache outside the repo, keyed by the llama.cpp tag, the patches and the
# build options, and is reused when nothing changed. The binaries are linked into native/bin/.
#
# usage: native/build.sh [--stock] [--force]
#   --stock  build the same release without patches into native/bin-stock/ (for side-by-side benchmarks)
#   --force  rebuild even if a cached build exists
# env: KVSPLIT_CACHE_DIR (cache root), KVSPLIT_CMAKE_FLAGS (extra cmake flags), KVSPLIT_JOBS (parallel jobs)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
prog=native/build.sh
# shellcheck source=native/common.sh
. "$here/common.sh"

stock=0
force=0
for arg in "$@"; do
    case "$arg" in
        --stock) stock=1 ;;
        --force) force=1 ;;
        -h|--help) sed -n '2,15p' "${BASH_SOURCE[0]}"; exit 0 ;;
        *) echo "native/build.sh: unknown option '$arg' (see --help)" >&2; exit 2 ;;
    esac
done

# --- the pinned llama.cpp source -------------------------------------------------------------------------------
llama_source

# --- build options ---------------------------------------------------------------------------------------------
os="$(uname -s)"
cmake_flags=(-DCMAKE_BUILD_TYPE=Release -DBUILD_SHARED_LIBS=OFF -DLLAMA_CURL=OFF -DLLAMA_OPENSSL=OFF
             -DLLAMA_BUILD_TESTS=ON -DLLAMA_BUILD_EXAMPLES=OFF)
if [ "$os" = "Darwin" ]; then
    : # macOS keeps llama.cpp's defaults: Metal on, native CPU flags
else
    # GGML_NATIVE=ON enables AMX on these CPUs, and ggml_backend_amx_mul_mat segfaults on quantized weights:
    # name the x86 extensions explicitly instead, never AMX.
    cpu_flags=""
    [ -r /proc/cpuinfo ] && cpu_flags="$(awk '/^flags/ { print; exit }' /proc/cpuinfo)"
    has() { [[ " $cpu_flags " == *" $1 "* ]]; }
    cmake_flags+=(-DGGML_NATIVE=OFF -DGGML_AMX_TILE=OFF -DGGML_AMX_INT8=OFF -DGGML_AMX_BF16=OFF)
    if [ "$(uname -m)" = "x86_64" ]; then
        has avx2 && cmake_flags+=(-DGGML_AVX=ON -DGGML_AVX2=ON)
        has fma && cmake_flags+=(-DGGML_FMA=ON)
        has f16c && cmake_flags+=(-DGGML_F16C=ON)
        if has avx512f && has avx512bw && has avx512vl && has avx512dq; then
            cmake_flags+=(-DGGML_AVX512=ON)
            has avx512_vnni && cmake_flags+=(-DGGML_AVX512_VNNI=ON)
            has avx512_vbmi && cmake_flags+=(-DGGML_AVX512_VBMI=ON)
        fi
    fi
fi
if command -v nvcc >/dev/null 2>&1; then
    cmake_flags+=(-DGGML_CUDA=ON -DGGML_CUDA_FA_ALL_QUANTS=ON)
fi
# shellcheck disable=SC2206 # word splitting of user-given flags is intended
[ -n "${KVSPLIT_CMAKE_FLAGS:-}" ] && cmake_flags+=(${KVSPLIT_CMAKE_FLAGS})

targets=(llama-server llama-perplexity llama-bench llama-cli test-backend-ops test-arg-parser)

# --- cache key: tag + patches + options ------------------------------------------------------------------------
patches=()
if [ "$stock" = 0 ]; then list_patches; fi
cache_key "tag=$tag" "os=$os"

cache_root
if [ -n "${KVSPLIT_HOME:-}" ]; then
    support="$KVSPLIT_HOME"
elif [ "$os" = "Darwin" ]; then
    support="$HOME/Library/Application Support/kvsplit"
else
    support="${XDG_DATA_HOME:-$HOME/.local/share}/kvsplit"
fi
if [ "$stock" = 1 ]; then variant=stock; bin_name=bin-stock; else variant=kvsplit; bin_name=bin; fi
work="$cache/native/llama.cpp-$tag-$variant-$key"
src="$work/src"
build="$work/build"
bin_out="$repo/native/$bin_name"
stamp="$build/.kvsplit-build.json"

link_bins() {
    mkdir -p "$bin_out"
    for t in "${targets[@]}"; do
        [ -x "$build/bin/$t" ] || die "build finished but $build/bin/$t is missing"
        ln -sfn "$build/bin/$t" "$bin_out/$t"
    done
    cp "$stamp" "$bin_out/build-info.json"
    say "binaries in ${bin_out#"$repo"/} (llama.cpp $tag, $variant, patches $patch_hash)"
    if [ "$stock" = 0 ]; then
        # a bundled Raycast extension has no checkout around it: tell it where the binaries are
        mkdir -p "$support"
        printf '%s\n' "$bin_out" >"$support/native-bin"
    fi
}

lock_build "$work"

if [ "$force" = 0 ] && [ -f "$stamp" ]; then
    say "cached build $work"
    link_bins
    exit 0
fi

# --- fresh source tree with the patches applied, then the build ----------------------------------------------
clone_patched "$work" "$src" "${patches[@]}"
cmake_build "$work" "$src" "$build" "${targets[@]}"

cat >"$stamp" <<EOF
{
  "llamaCppTag": "$tag",
  "variant": "$variant",
  "patchHash": "$patch_hash",
  "patches": [$(for p in "${patches[@]}"; do printf '"%s",' "$(basename "$p")"; done | sed 's/,$//')],
  "cacheKey": "$key",
  "cmakeFlags": "${cmake_flags[*]}",
  "builtAt": "$(date -u +%Y-%m-%dT%H:%M:%SZ)"
}
EOF
link_bins
