#!/usr/bin/env bash
# Compile ggml-cuda files for sm_90 on a machine without a GPU: CUDA 13.0's nvcc, ptxas and headers, unpacked from
# NVIDIA's PyPI wheels. Catches compile errors and, with -Xptxas -v, prints each kernel's registers and spills before
# any GPU time is spent (the GPU machine has no network and 30 minutes a session).
#
# usage: bench/gpu/cuda-compile-check.sh LLAMA_CPP_DIR FILE [NVCC_ARG...]
#   FILE relative to LLAMA_CPP_DIR/ggml/src/ggml-cuda, e.g. set-rows.cu or
#   template-instances/fattn-vec-instance-q8_0-q4_0.cu; the toolkit goes to $KVSPLIT_CACHE_DIR/cuda-13.0 (once)
set -euo pipefail
die() { echo "cuda-compile-check.sh: error: $*" >&2; exit 1; }

[ $# -ge 2 ] || die "usage: $0 LLAMA_CPP_DIR FILE [NVCC_ARG...]"
src="$(cd "$1" && pwd)" || die "$1 is not a directory"
file="$2"
shift 2
[ -f "$src/ggml/src/ggml-cuda/$file" ] || die "$src/ggml/src/ggml-cuda/$file not found"

toolkit="${KVSPLIT_CACHE_DIR:-$HOME/.cache/kvsplit}/cuda-13.0"
nvcc="$toolkit/nvidia/cu13/bin/nvcc"
if [ ! -x "$nvcc" ]; then
    # CUDA 13 splits the compiler: nvcc, its crt headers, cicc (nvvm), the runtime headers, cccl; cublas for headers
    wheels="$toolkit.wheels"
    mkdir -p "$wheels"
    python3 -m pip download --no-deps --quiet -d "$wheels" "nvidia-cuda-nvcc==13.0.88" "nvidia-cuda-crt==13.0.88" \
        "nvidia-nvvm==13.0.88" "nvidia-cuda-runtime==13.0.96" "nvidia-cuda-cccl==13.0.85" "nvidia-cublas==13.0.2.14" ||
        die "could not download the CUDA 13.0 wheels from PyPI"
    rm -rf "$toolkit.part" && mkdir -p "$toolkit.part"
    for w in "$wheels"/*.whl; do
        case "$w" in
            *cublas*) unzip -q -o "$w" 'nvidia/cu13/include/*' -d "$toolkit.part" ;; # headers only: the libraries are 400 MB
            *) unzip -q -o "$w" -d "$toolkit.part" ;;
        esac
    done
    rm -rf "$toolkit" && mv "$toolkit.part" "$toolkit"
fi

# the defines of a GGML_CUDA=ON, GGML_CUDA_FA_ALL_QUANTS=ON build (native/build.sh's choice where nvcc exists)
exec "$nvcc" -std=c++17 -arch=sm_90 -O3 -use_fast_math -extended-lambda \
    -I"$src/ggml/include" -I"$src/ggml/src" -I"$src/ggml/src/ggml-cuda" \
    -DGGML_CUDA_FA_ALL_QUANTS -DGGML_USE_CUDA -DGGML_CUDA_USE_GRAPHS -DGGML_SCHED_MAX_COPIES=4 -DNDEBUG \
    "$@" -c "$src/ggml/src/ggml-cuda/$file" -o /dev/null
