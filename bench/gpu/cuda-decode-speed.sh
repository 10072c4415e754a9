#!/usr/bin/env bash
# Decode and prompt speed of quantized and mixed K/V caches against f16 on an NVIDIA GPU, stock vs patched
# (the native CUDA patches, by default all of them: 0012, fewer instructions per quantized row, and 0013, the vector
# flash-attention kernel serving all query heads of a K/V head from one block, ..., and 0021, the iq3_nl and iq2_nl
# cache types), with the FLASH_ATTN_EXT, SET_ROWS and CPY tests and the GPU perplexity checks.
#
# "stock" is the tree with every native patch but those, "patched" the same tree with them: both are built with
# CUDA, sm_90 and GGML_CUDA_FA_ALL_QUANTS=ON (native/build.sh's choice when nvcc exists). The patched build reuses
# the stock build directory, so only the files the patches touch are compiled twice.
#
# usage:
#   bench/gpu/cuda-decode-speed.sh prepare [PATCH...] here: stock source + PATCHes -> .tmp/cuda-decode/ (to carry)
#                                                    PATCHes default to every native/patches/*-cuda-*.patch
#   bench/gpu/cuda-decode-speed.sh run WORK STAGE... on the GPU machine; STAGE: build, model, build+model (both at
#                                                    once), test, ppl, lowbit (iq3_nl/iq2_nl V, GPU against CPU
#                                                    perplexity), profile, kernels (decode time
#                                                    per kernel, ncu), graphs (a token as one
#                                                    CUDA graph; graphs off), interleave (settings
#                                                    in turn, round by round), bench,
#                                                    rot, pairs, sweep, all (= every stage but pairs, in that
#                                                    order). Logs in WORK/logs/.
#                                                    KVSPLIT_PATCHED_ONLY=1: build only the patched tree (when
#                                                    the device time left does not cover two builds).
#                                                    KVSPLIT_BENCH_SETTINGS=a,b: bench only these settings;
#                                                    KVSPLIT_BENCH_DEPTHS=32768: only these depths.
#   bench/gpu/cuda-decode-speed.sh table LOGS        here: LOGS/bench-*.json -> the markdown table (stdout)
#
# The GPU machine has no network: the source travels as a tarball, the model is made there by
# bench/gpu/make-random-llama.py (16 layers, 16 query / 4 K/V heads of size 128, n_ff 6912: 848 M parameters), and
# the logs come back to be committed under bench/results/cuda-decode-speed/.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
carry="$repo/.tmp/cuda-decode"
die() { echo "cuda-decode-speed.sh: error: $*" >&2; exit 1; }
say() { echo "cuda-decode-speed.sh: $*" >&2; }

# the K/V settings of the speed table: name, -ctk, -ctv and extra llama-bench arguments (the per-layer mix of issue 10)
settings=(
    "f16-f16|f16|f16|"
    "q8_0-q8_0|q8_0|q8_0|"
    "q8_0-q4_0|q8_0|q4_0|"
    "q4_0-q4_0|q4_0|q4_0|"
    "q5_1-q5_0|q5_1|q5_0|"
    "q4_1-q4_1|q4_1|q4_1|"
    "f16-q4_0|f16|q4_0|"
    "mix|q8_0|q4_0|-ctkl 0-7:q8_0,8-15:q5_1 -ctvl 0-7:q4_0,8-15:q5_0"
    "q8_0-iq3_nl|q8_0|iq3_nl|"
    "q8_0-iq2_nl|q8_0|iq2_nl|"
)
# the 3.25- and 2.25-bit types (patches 0018, CPU, and 0021, CUDA): stock has no CUDA kernels for them, so they are
# benchmarked on the patched build only
lowbit() { [[ "$1" == iq3_nl || "$1" == iq2_nl ]]; }
depths="${KVSPLIT_BENCH_DEPTHS:-0,8192,32768}"
test_ops="${KVSPLIT_TEST_OPS:-FLASH_ATTN_EXT,SET_ROWS,CPY,MUL_MAT_HADAMARD,HADAMARD_SET_ROWS,FLASH_ATTN_EXT_HADAMARD}"
reps="${KVSPLIT_BENCH_REPS:-5}"

prepare() {
    local cuda_patches=("$@") patch
    if [ "${#cuda_patches[@]}" = 0 ]; then
        mapfile -t cuda_patches < <(find "$repo/native/patches" -name '*-cuda-*.patch' | sort)
        [ "${#cuda_patches[@]}" -gt 0 ] || die "no native/patches/*-cuda-*.patch: name the CUDA patches (prepare PATCH...)"
    fi
    for patch in "${cuda_patches[@]}"; do [ -f "$patch" ] || die "patch $patch not found"; done
    local bundle="$repo/node_modules/node-llama-cpp/llama/gitRelease.bundle"
    [ -f "$bundle" ] || die "llama.cpp source bundle not found at $bundle: run 'npm ci' first"
    rm -rf "$carry" && mkdir -p "$carry"
    git clone --quiet "$bundle" "$carry/llama.cpp" 2>/dev/null || die "could not clone $bundle"
    local p name cuda_names=" ${cuda_patches[*]##*/} "
    for p in "$repo"/native/patches/*.patch; do
        name="$(basename "$p")"
        [[ "$cuda_names" == *" $name "* ]] && continue
        git -C "$carry/llama.cpp" apply "$p" || die "patch $name does not apply"
        echo "$name $(sha256sum "$p" | cut -c1-16)" >>"$carry/patches.txt"
    done
    : >"$carry/cuda.patch"
    for patch in "${cuda_patches[@]}"; do
        git -C "$carry/llama.cpp" apply "$patch" || die "$(basename "$patch") does not apply after the others"
        cat "$patch" >>"$carry/cuda.patch"
        echo "$(basename "$patch") $(sha256sum "$patch" | cut -c1-16) (patched build only)" >>"$carry/patches.txt"
    done
    # the tarball is the stock tree: the patched build applies cuda.patch there
    git -C "$carry/llama.cpp" apply -R "$carry/cuda.patch" || die "could not take the CUDA patches off again"
    # what a CUDA build of llama-bench and test-backend-ops reads: the carry limit is 64 MiB
    local skip=()
    for d in .git docs models tools/ui tools/server/public benches examples; do skip+=(--exclude="llama.cpp/$d"); done
    tar -C "$carry" -czf "$carry/llama.cpp.tar.gz" --anchored "${skip[@]}" llama.cpp
    rm -rf "$carry/llama.cpp"
    say "$(du -h "$carry/llama.cpp.tar.gz" | cut -f1) in ${carry#"$repo"/}/ with $(wc -l <"$carry/patches.txt") patches"
}

# one command, its output in <log>: the command line on top, its exit status at the end (a failure is a result)
record() { # <log> <cmd...>
    local log="$1" status=0; shift
    echo "\$ ${*#"$work/"}" >"$log"
    "$@" >>"$log" 2>&1 || status=$?
    echo "exit status: $status" >>"$log"
    return "$status"
}

# llama-bench with -o json: the JSON (stdout) in <out>.json, the command line, its stderr and exit status in <out>.log
bench_json() { # <out> <cmd...>
    local out="$1" status=0; shift
    echo "\$ ${*#"$work/"}" >"$out.log"
    "$@" >"$out.json" 2>>"$out.log" || status=$?
    echo "exit status: $status" >>"$out.log"
}

configure() {
    cmake -S "$src" -B "$work/build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DBUILD_SHARED_LIBS=OFF -DLLAMA_CURL=OFF \
        -DLLAMA_OPENSSL=OFF -DLLAMA_BUILD_TESTS=ON -DLLAMA_BUILD_EXAMPLES=OFF -DLLAMA_BUILD_SERVER=OFF \
        -DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON \
        -DGGML_CUDA=ON -DCMAKE_CUDA_ARCHITECTURES=90 -DGGML_CUDA_FA_ALL_QUANTS=ON >"$logs/cmake.log" 2>&1 ||
        { tail -n 30 "$logs/cmake.log"; die "cmake failed"; }
}

stage_build() {
    local build="$work/build" start patched_only="${KVSPLIT_PATCHED_ONLY:-0}"
    if [ "$patched_only" != 1 ] && [ ! -x "$work/bin-stock/llama-bench" ]; then
        rm -rf "$src" && tar -C "$work" -xzf "$carry/llama.cpp.tar.gz"
        start=$(date +%s)
        configure
        cmake --build "$build" --parallel "$(nproc)" --target llama-bench llama-perplexity test-backend-ops >"$logs/build-stock.log" 2>&1 ||
            { grep -B2 -A8 'error' "$logs/build-stock.log" | head -n 60; die "stock build failed"; }
        mkdir -p "$work/bin-stock" && cp "$build/bin/llama-bench" "$build/bin/llama-perplexity" "$build/bin/test-backend-ops" "$work/bin-stock/"
        echo "build stock (full): $(( $(date +%s) - start )) s" >>"$logs/provenance.txt"
    fi
    if [ ! -x "$work/bin-patched/llama-bench" ]; then
        start=$(date +%s)
        [ -d "$src" ] || tar -C "$work" -xzf "$carry/llama.cpp.tar.gz"
        [ -f "$src/.cuda-patch-applied" ] || { patch -d "$src" -p1 <"$carry/cuda.patch" >"$logs/patch.log" && touch "$src/.cuda-patch-applied"; }
        [ -f "$build/build.ninja" ] || configure
        cmake --build "$build" --parallel "$(nproc)" --target llama-bench llama-perplexity test-backend-ops >"$logs/build-patched.log" 2>&1 ||
            { grep -B2 -A8 'error' "$logs/build-patched.log" | head -n 60; die "patched build failed"; }
        mkdir -p "$work/bin-patched" && cp "$build/bin/llama-bench" "$build/bin/llama-perplexity" "$build/bin/test-backend-ops" "$work/bin-patched/"
        echo "build patched ($([ "$patched_only" = 1 ] && echo "full, no stock build" || echo "incremental over stock")): $(( $(date +%s) - start )) s" >>"$logs/provenance.txt"
    fi
}

stage_model() {
    [ -f "$model" ] && return 0
    # gguf-py in a folder of its own: the build stage may be replacing the source tree meanwhile
    mkdir -p "$work/gguf" && tar -C "$work/gguf" -xzf "$carry/llama.cpp.tar.gz" llama.cpp/gguf-py
    python3 "$here/make-random-llama.py" "$work/gguf/llama.cpp" "$model.part" --layers 16 --embd 2048 --heads 16 \
        --kv-heads 4 --ff 6912 --ctx 65536 | sed "s|$model.part|$(basename "$model")|" | tee -a "$logs/provenance.txt"
    mv "$model.part" "$model"
}

stage_test() {
    local b
    for b in patched stock; do
        [ -f "$logs/test-backend-ops-$b.log" ] && continue
        # the cache writes too: SET_ROWS and CPY into every cache type, iq3_nl and iq2_nl (patch 0020) included, and
        # the rotation of quantized K/V alone and fused with the cache write and the attention (patches 0024, 0025);
        # KVSPLIT_TEST_OPS=a,b: only these
        record "$logs/test-backend-ops-$b.log" "$work/bin-$b/test-backend-ops" -o "$test_ops" -b CUDA0 ||
            say "test-backend-ops ($b) failed: its log says which cases"
        tail -n 3 "$logs/test-backend-ops-$b.log"
        # the new types' cases must have run on the GPU, not been skipped as unsupported
        local t
        for t in iq3_nl iq2_nl; do
            say "$b: $t cases OK: FLASH_ATTN_EXT $(grep -c "FLASH_ATTN_EXT(.*$t.*OK" "$logs/test-backend-ops-$b.log"), SET_ROWS $(grep -c "SET_ROWS(.*type_dst=$t.*OK" "$logs/test-backend-ops-$b.log"), CPY $(grep -c "CPY(.*type_dst=$t.*OK" "$logs/test-backend-ops-$b.log"); not supported: $(grep -c "$t.*not supported" "$logs/test-backend-ops-$b.log")"
        done
        [ "${KVSPLIT_TEST_STOCK:-0}" = 1 ] || break
    done
}

# Perplexity on the GPU: a per-layer spelling of a setting must equal the uniform one exactly, the GPU must agree with
# the CPU (-dev none) within noise, and patched with stock. Prompt batches run the mma kernels; -ub 1 runs every token
# as a decode through the vector kernel, which the patches change (grouped from 8448 K/V rows on this model).
# The text is random words: the model is random too, so only the comparisons mean anything.
random_words() { # <file>: the perplexity text, made once
    [ -f "$1" ] || python3 -c 'import random; r = random.Random(0); w = "the of and to in is was for on that with as by at from".split(); print(" ".join(r.choice(w) for _ in range(20000)))' >"$1"
}

stage_ppl() {
    local text="$work/random-words.txt" b
    random_words "$text"
    ppl() { # <name> <args...>
        [ -f "$logs/ppl-$1.log" ] && return 0
        local name="$1"; shift
        record "$logs/ppl-$name.log" "$@" -m "$model" -f "$text" -fa on || say "llama-perplexity ($name) failed: see its log"
    }
    local batch=(-c 512 --chunks 8) decode=(-c 16384 --chunks 1 -ub 1)
    local uniform=(-ctk q8_0 -ctv q4_0) layers=(-ctk f16 -ctv f16 -ctkl 0-15:q8_0 -ctvl 0-15:q4_0)
    local mix=(-ctk q8_0 -ctv q4_0 -ctkl 8-15:q5_1 -ctvl 8-15:q5_0)
    local mix_spelled=(-ctk f16 -ctv f16 -ctkl 0-7:q8_0,8-15:q5_1 -ctvl 0-7:q4_0,8-15:q5_0)
    ppl cpu-batch-q8_0-q4_0 "$work/bin-patched/llama-perplexity" -dev none -ngl 0 "${batch[@]}" "${uniform[@]}"
    for b in stock patched; do
        ppl "$b-gpu-batch-q8_0-q4_0" "$work/bin-$b/llama-perplexity" -ngl 99 "${batch[@]}" "${uniform[@]}"
        ppl "$b-gpu-decode-q8_0-q4_0" "$work/bin-$b/llama-perplexity" -ngl 99 "${decode[@]}" "${uniform[@]}"
        ppl "$b-gpu-decode-f16" "$work/bin-$b/llama-perplexity" -ngl 99 "${decode[@]}" -ctk f16 -ctv f16
    done
    ppl patched-gpu-batch-layers-q8_0-q4_0 "$work/bin-patched/llama-perplexity" -ngl 99 "${batch[@]}" "${layers[@]}"
    ppl patched-gpu-decode-layers-q8_0-q4_0 "$work/bin-patched/llama-perplexity" -ngl 99 "${decode[@]}" "${layers[@]}"
    ppl patched-gpu-decode-mix "$work/bin-patched/llama-perplexity" -ngl 99 "${decode[@]}" "${mix[@]}"
    ppl patched-gpu-decode-mix-spelled "$work/bin-patched/llama-perplexity" -ngl 99 "${decode[@]}" "${mix_spelled[@]}"
    grep -H "Final estimate" "$logs"/ppl-*.log | sed "s|$logs/||" | tee "$logs/ppl-summary.txt"
}

# iq3_nl and iq2_nl V (patch 0021) end to end, rotation included: the GPU must agree with the CPU within noise, in
# prompt batches (K/V converted to f16 for the mma kernel) and in decode (-ub 1: the vector kernel)
stage_lowbit() {
    local text="$work/random-words.txt" v run
    random_words "$text"
    for v in iq3_nl iq2_nl; do
        local kv=(-ctk q8_0 -ctv "$v") name="q8_0-$v"
        for run in "cpu-batch|-dev none -ngl 0 -c 512 --chunks 8" "patched-gpu-batch|-ngl 99 -c 512 --chunks 8" \
                   "patched-gpu-decode|-ngl 99 -c 16384 --chunks 1 -ub 1"; do
            local log="$logs/ppl-${run%%|*}-$name.log"
            [ -f "$log" ] && continue
            # shellcheck disable=SC2086 # the run's arguments are a list
            record "$log" "$work/bin-patched/llama-perplexity" -m "$model" -f "$text" -fa on ${run#*|} "${kv[@]}" ||
                say "llama-perplexity (${run%%|*}, $name) failed: see its log"
        done
    done
    grep -H "Final estimate" "$logs"/ppl-*iq*_nl.log | sed "s|$logs/||" | tee "$logs/ppl-lowbit-summary.txt"
}

# one decode kernel (a token at depth 32768, layer 1) under Nsight Compute: what bounds it
stage_profile() {
    command -v ncu >/dev/null || export PATH="$PATH:/usr/local/cuda/bin"
    local b kv
    for b in stock patched; do
        for kv in f16:f16 q8_0:q4_0; do
            local log="$logs/ncu-$b-${kv/:/-}.log"
            [ -f "$log" ] && continue
            GGML_CUDA_DISABLE_GRAPHS=1 record "$log" ncu --kernel-name regex:flash_attn_ext_vec --launch-skip 17 \
                --launch-count 1 --section SpeedOfLight --section Occupancy --section WarpStateStats \
                --section LaunchStats --section MemoryWorkloadAnalysis \
                --metrics smsp__inst_executed.sum,smsp__issue_active.avg.pct_of_peak_sustained_active,dram__bytes_read.sum,lts__t_bytes.sum \
                "$work/bin-$b/llama-bench" -m "$model" -ngl 99 -fa 1 -p 0 -n 2 -r 1 -d 32768 --no-warmup \
                -ctk "${kv%%:*}" -ctv "${kv##*:}" || say "ncu ($b, $kv) failed: see $log"
        done
    done
}

# Where a decode token's time goes, kernel by kernel, under Nsight Compute (each kernel timed alone; caches and clocks
# left as they run): at depth 0 every kernel of 3 decode tokens, at depth 32768 the flash-attention kernels of 3
# tokens (nothing else depends on the depth). logs/kernels-summary.md: microseconds per token by kernel and setting.
stage_kernels() {
    command -v ncu >/dev/null || export PATH="$PATH:/usr/local/cuda/bin"
    local kv name depth filter
    for kv in ${KVSPLIT_KERNELS_SETTINGS:-f16:f16 q8_0:q4_0 q8_0:iq3_nl q8_0:iq2_nl}; do
        name="${kv/:/-}"
        for depth in 0 32768; do
            local out="$logs/kernels-d$depth-$name.csv"
            [ -f "$out" ] && continue
            filter=()
            [ "$depth" = 0 ] || filter=(--kernel-name "regex:flash_attn_ext_vec|flash_attn_combine")
            GGML_CUDA_DISABLE_GRAPHS=1 ncu --csv --log-file "$out.part" --metrics gpu__time_duration.sum --print-units base --print-kernel-base function \
                --cache-control none --clock-control none "${filter[@]}" \
                "$work/bin-patched/llama-bench" -m "$model" -ngl 99 -fa 1 -p 0 -n 3 -r 1 -d "$depth" --no-warmup \
                -ctk "${kv%%:*}" -ctv "${kv##*:}" >"$logs/kernels-d$depth-$name.out" 2>&1 ||
                { say "ncu ($name, depth $depth) failed: see $logs/kernels-d$depth-$name.out"; continue; }
            mv "$out.part" "$out"
        done
    done
    python3 "$here/kernel-times.py" "$logs" 3 | tee "$logs/kernels-summary.md"
}

# The same decode token as one CUDA graph, as llama.cpp runs it (ncu --graph-profiling graph: the graph's GPU time,
# kernels back to back), and decode with CUDA graphs off: whether a setting's tokens per second differ from its
# kernels' time on the GPU or on the host side. logs/graphs-summary.md.
stage_graphs() {
    command -v ncu >/dev/null || export PATH="$PATH:/usr/local/cuda/bin"
    local kv name
    for kv in ${KVSPLIT_KERNELS_SETTINGS:-f16:f16 q8_0:q4_0 q8_0:iq3_nl q8_0:iq2_nl}; do
        name="${kv/:/-}"
        [ -f "$logs/graphs-d0-$name.csv" ] && continue
        ncu --csv --log-file "$logs/graphs-d0-$name.csv.part" --graph-profiling graph --metrics gpu__time_duration.sum \
            --print-units base --cache-control none --clock-control none \
            "$work/bin-patched/llama-bench" -m "$model" -ngl 99 -fa 1 -p 0 -n 16 -r 1 -d 0 --no-warmup \
            -ctk "${kv%%:*}" -ctv "${kv##*:}" >"$logs/graphs-d0-$name.out" 2>&1 &&
            mv "$logs/graphs-d0-$name.csv.part" "$logs/graphs-d0-$name.csv" ||
            say "ncu graph profiling ($name) failed: see $logs/graphs-d0-$name.out"
        GGML_CUDA_DISABLE_GRAPHS=1 bench_json "$logs/nographs-patched-$name" "$work/bin-patched/llama-bench" -m "$model" \
            -ngl 99 -fa 1 -p 0 -n 128 -r 3 -d 0 -ctk "${kv%%:*}" -ctv "${kv##*:}" -o json
    done
    python3 - "$logs" <<'PY' | tee "$logs/graphs-summary.md"
import csv, json, statistics, sys
from pathlib import Path
logs = Path(sys.argv[1])
print("| K/V | graph GPU time per token, µs (median of graphs; n) | tg128 d0, graphs off (t/s) |")
print("| --- | ---: | ---: |")
for p in sorted(logs.glob("graphs-d0-*.csv")):
    name = p.name.removeprefix("graphs-d0-").removesuffix(".csv")
    rows = [l for l in p.read_text().splitlines() if l.startswith('"')]
    # the first tokens run kernel by kernel (before llama.cpp captures a graph): only the rows named "graph" count
    t = [float(r["Metric Value"].replace(",", "")) / 1000 for r in csv.DictReader(rows)
         if r["Metric Name"] == "gpu__time_duration.sum" and r["Kernel Name"] == "graph"]
    j = logs / f"nographs-patched-{name}.json"
    tg = [r for r in json.loads(j.read_text())] if j.exists() and j.stat().st_size else []
    tgs = f"{tg[0]['avg_ts']:.0f} ± {tg[0]['stddev_ts']:.0f}" if tg else "n/a"
    print(f"| {name} | {statistics.median(t):.1f} ({len(t)}) | {tgs} |" if t else f"| {name} | n/a | {tgs} |")
PY
}

# Decode of several settings in turn, one llama-bench process (-r 1) each, round after round, so that drift of the
# machine between processes falls on all of them alike: the ratio to the first setting, round by round.
# KVSPLIT_INTERLEAVE="q8_0:q4_0 q8_0:iq3_nl q8_0:iq2_nl" (the first is the reference), KVSPLIT_ROUNDS=5.
# logs/interleave-summary.md.
stage_interleave() {
    local kv round rounds="${KVSPLIT_ROUNDS:-5}" list="${KVSPLIT_INTERLEAVE:-q8_0:q4_0 q8_0:iq3_nl q8_0:iq2_nl}"
    for round in $(seq 1 "$rounds"); do
        for kv in $list; do
            local out="$logs/interleave-$round-${kv/:/-}"
            [ -f "$out.json" ] && continue
            bench_json "$out" "$work/bin-patched/llama-bench" -m "$model" -ngl 99 -fa 1 -p 0 -n 128 -r 1 -d "$depths" \
                -ctk "${kv%%:*}" -ctv "${kv##*:}" -o json
        done
    done
    python3 - "$logs" "$rounds" $list <<'PY' | tee "$logs/interleave-summary.md"
import json, statistics, sys
from pathlib import Path
logs, rounds, kvs = Path(sys.argv[1]), int(sys.argv[2]), sys.argv[3:]
names = [kv.replace(":", "-") for kv in kvs]
def tg(r, n):
    p = logs / f"interleave-{r}-{n}.json"
    return {row["n_depth"]: row["avg_ts"] for row in json.loads(p.read_text())} if p.exists() and p.stat().st_size else {}
data = {(r, n): tg(r, n) for r in range(1, rounds + 1) for n in names}
depths = sorted({d for v in data.values() for d in v})
print(f"tg128 t/s (median of {rounds} rounds, one process each, in turn) and the ratio to {names[0]}, round by round: median [min, max]\n")
print("| K/V | " + " | ".join(f"d{d} t/s | vs {names[0]}" for d in depths) + " |")
print("| --- | " + " | ".join("---: | ---:" for _ in depths) + " |")
for n in names:
    cells = []
    for d in depths:
        ts = [data[(r, n)][d] for r in range(1, rounds + 1) if d in data[(r, n)]]
        ratios = sorted(data[(r, n)][d] / data[(r, names[0])][d] for r in range(1, rounds + 1)
                        if d in data[(r, n)] and d in data[(r, names[0])])
        cells += [f"{statistics.median(ts):.0f}" if ts else "n/a",
                  f"{statistics.median(ratios):.3f} [{ratios[0]:.3f}, {ratios[-1]:.3f}]" if ratios else "n/a"]
    print(f"| {n.replace('-', ' / ', 1)} | " + " | ".join(cells) + " |")
PY
}

stage_bench() {
    local b s name k v extra only=",${KVSPLIT_BENCH_SETTINGS:-},"
    for s in "${settings[@]}"; do
        IFS='|' read -r name k v extra <<<"$s"
        [ "$only" = ",," ] || [[ "$only" == *",$name,"* ]] || continue
        for b in stock patched; do
            [ "$b" = stock ] && { lowbit "$k" || lowbit "$v" || [ ! -x "$work/bin-stock/llama-bench" ]; } && continue
            local out="$logs/bench-$b-$name"
            [ -f "$out.json" ] && continue
            # shellcheck disable=SC2086 # extra is a list of arguments
            bench_json "$out" "$work/bin-$b/llama-bench" -m "$model" -ngl 99 -fa 1 -p 512 -n 128 -r "$reps" \
                -d "$depths" -ctk "$k" -ctv "$v" $extra -o json
        done
    done
}

# Where decode time goes at depth 0, where there is almost no cache to read: the same decode with llama.cpp's
# Hadamard rotation of quantized K/V turned off (LLAMA_ATTN_ROT_DISABLE=1; it costs quality, this is for attribution
# only), off and then on, one process each, for the same pairs.
stage_rot() {
    local kv name
    for kv in f16:f16 q8_0:q8_0 q8_0:q4_0 q4_0:q4_0; do
        name="${kv/:/-}"
        [ -f "$logs/rot-off-patched-$name.json" ] && continue
        LLAMA_ATTN_ROT_DISABLE=1 bench_json "$logs/rot-off-patched-$name" "$work/bin-patched/llama-bench" -m "$model" \
            -ngl 99 -fa 1 -p 0 -n 128 -r "$reps" -d 0,32768 -ctk "${kv%%:*}" -ctv "${kv##*:}" -o json
        bench_json "$logs/rot-on-patched-$name" "$work/bin-patched/llama-bench" -m "$model" \
            -ngl 99 -fa 1 -p 0 -n 128 -r "$reps" -d 0,32768 -ctk "${kv%%:*}" -ctv "${kv##*:}" -o json
    done
}

# f16, q8_0 and q4_0 K against f16 and q4_0 V in one llama-bench process on the patched build: decode at 3 depths
stage_pairs() {
    local out="$logs/pairs-patched"
    [ -f "$out.json" ] && return 0
    bench_json "$out" "$work/bin-patched/llama-bench" -m "$model" -ngl 99 -fa 1 -p 0 -n 128 -r 3 -d "$depths" \
        -ctk f16,q8_0,q4_0 -ctv f16,q4_0 -o json
}

# every pair of f16, q8_0, q5_1, q5_0, q4_1, q4_0 on the patched build: decode and prompt at depths 0 and 32768
stage_sweep() {
    local types="f16,q8_0,q5_1,q5_0,q4_1,q4_0" out="$logs/sweep-patched"
    [ -f "$out.json" ] && return 0
    bench_json "$out" "$work/bin-patched/llama-bench" -m "$model" -ngl 99 -fa 1 -p 512 -n 128 -r 3 -d 0,32768 \
        -ctk "$types" -ctv "$types" -o json
}

run() {
    work="${1:?usage: run WORK STAGE...}"
    shift
    [ "$#" -gt 0 ] || die "name a stage: build, model, test, ppl, lowbit, profile, bench, rot, pairs, sweep or all"
    [ -f "$carry/llama.cpp.tar.gz" ] || die "no ${carry#"$repo"/}/llama.cpp.tar.gz: run 'prepare' here and carry .tmp/cuda-decode"
    src="$work/llama.cpp"
    logs="$work/logs"
    model="$work/random-llama-848m.gguf"
    mkdir -p "$logs"
    if [ ! -f "$logs/provenance.txt" ]; then
        {
            echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
            echo "gpu: $(nvidia-smi --query-gpu=name,memory.total,driver_version,clocks.max.sm,clocks.max.mem --format=csv,noheader)"
            echo "nvcc: $(nvcc --version | tail -n 2 | tr '\n' ' ')"
            echo "cpu: $(nproc) cores, $(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo)"
            echo "llama.cpp: node-llama-cpp's release, patches (sha256 prefix):"
            sed 's/^/  /' "$carry/patches.txt"
            echo "cmake: -DGGML_CUDA=ON -DCMAKE_CUDA_ARCHITECTURES=90 -DGGML_CUDA_FA_ALL_QUANTS=ON -DGGML_NATIVE=OFF -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON, Release, static"
            echo "bench: llama-bench -ngl 99 -fa 1 -p 512 -n 128 -r $reps -d $depths (sweep: -r 3 -d 0,32768)"
        } >"$logs/provenance.txt"
    fi
    local stage
    for stage in "$@"; do
        case "$stage" in
            build|model|test|ppl|lowbit|profile|kernels|graphs|interleave|bench|rot|pairs|sweep) say "stage $stage"; "stage_$stage" ;;
            all) for s in build model test ppl lowbit profile bench rot sweep; do say "stage $s"; "stage_$s"; done ;;
            build+model) # the model is written while the build compiles
                say "stage model (in the background) and build"
                stage_model >"$logs/model.log" 2>&1 &
                local model_pid=$!
                stage_build
                wait "$model_pid" || { cat "$logs/model.log"; die "making the model failed"; } ;;
            *) die "unknown stage '$stage' (build, model, build+model, test, ppl, lowbit, profile, kernels, graphs, interleave, bench, rot, pairs, sweep, all)" ;;
        esac
    done
}

# LOGS/bench-{stock,patched}-<setting>.json -> markdown: t/s (mean ± sd) and the ratio to f16/f16 of the same build
table() {
    local logs="${1:?usage: table LOGS}"
    python3 - "$logs" "${settings[@]}" <<'EOF'
import json, sys
from pathlib import Path

logs, settings = Path(sys.argv[1]), [s.split("|")[0] for s in sys.argv[2:]]

def load(build, name):
    p = logs / f"bench-{build}-{name}.json"
    if not p.exists() or p.stat().st_size == 0:
        return {}
    rows = json.loads(p.read_text())
    return {(r["n_prompt"] > 0 and "pp512" or "tg128", r["n_depth"]): (r["avg_ts"], r["stddev_ts"]) for r in rows}

data = {(b, n): load(b, n) for b in ("stock", "patched") for n in settings}
depths = sorted({d for rows in data.values() for (_, d) in rows})
for test in ("tg128", "pp512"):
    print(f"\n{test} (t/s, mean ± sd; ratio to f16/f16 of the same build)\n")
    print("| K/V | " + " | ".join(f"stock d{d} | patched d{d}" for d in depths) + " |")
    print("| --- | " + " | ".join("---: | ---:" for _ in depths) + " |")
    for n in settings:
        cells = []
        for d in depths:
            for b in ("stock", "patched"):
                v, f = data[(b, n)].get((test, d)), data[(b, "f16-f16")].get((test, d))
                cells.append("n/a" if v is None or f is None else f"{v[0]:.0f} ± {v[1]:.0f} ({v[0] / f[0]:.2f}x)")
        print(f"| {n.replace('-', ' / ', 1)} | " + " | ".join(cells) + " |")
EOF
}

case "${1:-}" in
    prepare) shift; prepare "$@" ;;
    run) shift; run "$@" ;;
    table) shift; table "$@" ;;
    *) sed -n '2,19p' "${BASH_SOURCE[0]}"; exit 2 ;;
esac
