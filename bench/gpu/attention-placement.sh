#!/usr/bin/env bash
# Where each layer's flash attention runs on an NVIDIA GPU, with and without GGML_CUDA_FA_ALL_QUANTS (native patch 0010).
#
# Stock CUDA builds have flash-attention kernels only for f16, q8_0/q8_0 and q4_0/q4_0; for any other K/V pair the
# scheduler runs that layer's attention on the CPU. This script builds the patched tree twice with CUDA, makes a
# small random-weight Llama (bench/gpu/make-random-llama.py) and records, for f16, q8_0/q8_0, q8_0/q4_0 and a
# per-layer mix, what llama-bench and llama-perplexity report: the per-layer placement lines, the fallback warning,
# llama-bench's per-test placement lines and its speed.
#
# usage:
#   bench/gpu/attention-placement.sh prepare        here: patched source -> .tmp/attn-gpu/llama.cpp.tar.gz (to carry)
#   bench/gpu/attention-placement.sh run <workdir>  on the GPU machine: build, run, write <workdir>/attention-placement.tar.gz
#
# The GPU machine has no network and maybe no Node: the source travels as a tarball of the patched tree, the model
# is made there with llama.cpp's gguf-py (numpy and pyyaml are there), and the logs come back to be committed under
# bench/results/cuda-attention-placement/ and read by the tuner's tests.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
die() { echo "attention-placement.sh: error: $*" >&2; exit 1; }
say() { echo "attention-placement.sh: $*" >&2; }

prepare() {
    local bundle="$repo/node_modules/node-llama-cpp/llama/gitRelease.bundle"
    local out="$repo/.tmp/attn-gpu"
    [ -f "$bundle" ] || die "llama.cpp source bundle not found at $bundle: run 'npm ci' first"
    rm -rf "$out" && mkdir -p "$out"
    git clone --quiet "$bundle" "$out/llama.cpp" 2>/dev/null || die "could not clone $bundle"
    for p in "$repo"/native/patches/*.patch; do
        git -C "$out/llama.cpp" apply "$p" || die "patch $(basename "$p") does not apply"
        echo "$(basename "$p") $(sha256sum "$p" | cut -c1-16)" >>"$out/patches.txt"
    done
    cp "$out/patches.txt" "$out/llama.cpp/KVSPLIT_PATCHES.txt"
    # only what a CUDA build of llama-bench and llama-perplexity reads: the carry limit is 64 MiB
    local skip=()
    for d in .git docs models tools/ui benches examples tests conversion; do skip+=(--exclude="llama.cpp/$d"); done
    tar -C "$out" -czf "$out/llama.cpp.tar.gz" --anchored "${skip[@]}" llama.cpp
    rm -rf "$out/llama.cpp"
    say "$(du -h "$out/llama.cpp.tar.gz" | cut -f1) in ${out#"$repo"/}/llama.cpp.tar.gz ($(wc -l <"$out/patches.txt") patches)"
}

build() { # <name> <ON|OFF>
    local name="$1" fa_all="$2" dir="$work/build-$1"
    if [ -x "$dir/bin/llama-bench" ] && [ -x "$dir/bin/llama-perplexity" ]; then return 0; fi
    local start; start=$(date +%s)
    cmake -S "$src" -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=Release -DBUILD_SHARED_LIBS=OFF -DLLAMA_CURL=OFF \
        -DLLAMA_OPENSSL=OFF -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF -DLLAMA_BUILD_SERVER=OFF \
        -DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON \
        -DGGML_CUDA=ON -DCMAKE_CUDA_ARCHITECTURES=90 -DGGML_CUDA_FA_ALL_QUANTS="$fa_all" >"$work/cmake-$name.log" 2>&1
    cmake --build "$dir" --parallel "$(nproc)" --target llama-bench llama-perplexity >"$work/build-$name.log" 2>&1
    echo "build $name (GGML_CUDA_FA_ALL_QUANTS=$fa_all): $(( $(date +%s) - start )) s" >>"$logs/provenance.txt"
}

# one command, its output in <log>: the command line on top, its exit status at the end (a failure is a result)
record() { # <log> <cmd...>
    local log="$1" status=0; shift
    echo "\$ ${*#"$work/"}" >"$log"
    "$@" >>"$log" 2>&1 || status=$?
    echo "exit status: $status" >>"$log"
}

run() {
    work="${1:?usage: run <workdir>}"
    src="$work/llama.cpp"
    logs="$work/logs"
    mkdir -p "$work" "$logs"
    rm -f "$work/done"
    [ -d "$src" ] || tar -C "$work" -xzf "$repo/.tmp/attn-gpu/llama.cpp.tar.gz"
    {
        echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
        echo "gpu: $(nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader)"
        echo "nvcc: $(nvcc --version | tail -n 2 | tr '\n' ' ')"
        echo "cpu: $(nproc) cores, $(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo)"
        echo "llama.cpp: node-llama-cpp's release (tools print the build), patches:"
        sed 's/^/  /' "$src/KVSPLIT_PATCHES.txt"
        echo "cmake: -DGGML_CUDA=ON -DCMAKE_CUDA_ARCHITECTURES=90 -DGGML_NATIVE=OFF -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON, GGML_CUDA_FA_ALL_QUANTS ON (fa-all-quants) or OFF (fa-default)"
    } >"$logs/provenance.txt"

    build fa-default OFF &
    local b1=$!
    build fa-all-quants ON &
    local b2=$!
    wait "$b1" || { tail -n 40 "$work/build-fa-default.log"; die "fa-default build failed"; }
    wait "$b2" || { tail -n 40 "$work/build-fa-all-quants.log"; die "fa-all-quants build failed"; }

    local model="$work/random-llama.gguf" text="$work/text.txt"
    [ -f "$model" ] || python3 "$here/make-random-llama.py" "$src" "$model" --layers 8 >>"$logs/provenance.txt"
    # any text: the vocabulary is bytes
    python3 -c 'import random; r = random.Random(0); w = "the of and to in is was for on that with as by at from".split(); print(" ".join(r.choice(w) for _ in range(6000)))' >"$text"

    local mix_k="0-1:f16,2-3:q8_0,4-5:q8_0,6-7:q4_0" mix_v="0-1:f16,2-3:q8_0,4-5:q4_0,6-7:q4_0"
    for name in fa-default fa-all-quants; do
        local bin="$work/build-$name/bin" d="$logs/$name"
        mkdir -p "$d"
        # the tuner's pair probe, as it runs llama-bench (tuner/src/search/probeTypes.ts), on the GPU
        record "$d/probe.log" "$bin/llama-bench" -m "$model" -ngl 99 -p 8 -n 1 -r 1 -fa 1 --no-warmup \
            -ctk f16,q8_0,q4_0 -ctv f16,q8_0,q4_0
        # speed of each setting (depth 0 and 4096), with the per-test placement lines
        record "$d/speed.log" "$bin/llama-bench" -m "$model" -ngl 99 -fa 1 -p 512 -n 64 -r 3 -d 0,4096 \
            -ctk f16,q8_0 -ctv f16,q8_0,q4_0
        record "$d/speed-mix.log" "$bin/llama-bench" -m "$model" -ngl 99 -fa 1 -p 512 -n 64 -r 3 -d 0,4096 \
            -ctk q8_0 -ctv q4_0 -ctkl "$mix_k" -ctvl "$mix_v"
        # the library's own log at default verbosity (the warning) and with -lv 4 (the per-layer lines)
        for setting in f16:f16 q8_0:q8_0 q8_0:q4_0 mix; do
            local k="${setting%%:*}" v="${setting##*:}" extra=()
            if [ "$setting" = mix ]; then k=q8_0 v=q4_0 extra=(-ctkl "$mix_k" -ctvl "$mix_v"); fi
            local tag="${setting/:/-}"
            record "$d/perplexity-$tag.log" "$bin/llama-perplexity" -m "$model" -f "$text" -c 256 --chunks 2 \
                -ngl 99 -fa on -ctk "$k" -ctv "$v" "${extra[@]}"
            record "$d/perplexity-$tag-lv4.log" "$bin/llama-perplexity" -m "$model" -f "$text" -c 256 --chunks 1 \
                -ngl 99 -fa on -ctk "$k" -ctv "$v" "${extra[@]}" -lv 4
        done
    done
    tar -C "$work" -czf "$work/attention-placement.tar.gz" logs
    touch "$work/done"
    say "done: $work/attention-placement.tar.gz"
}

case "${1:-}" in
    prepare) prepare ;;
    run) shift; run "$@" ;;
    *) sed -n '2,16p' "${BASH_SOURCE[0]}"; exit 2 ;;
esac
