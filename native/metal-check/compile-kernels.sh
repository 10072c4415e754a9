#!/usr/bin/env bash
# Compiles every Metal kernel file of a ggml-metal source tree with clang++-19 against the stand-in metal_stdlib in
# msl/, so that a type error in any kernel instantiation shows up without a Mac. ggml-metal builds one Metal library
# per file in kernels/ (its CMakeLists.txt), when the backend loads on the user's machine: one error there and that
# user has no GPU. Each file is checked twice, as a device with bfloat and one without compile it
# (GGML_METAL_HAS_BF16), with every `template [[host_name(...)]]` explicit instantiation, i.e. every kernel the
# library exports. clang only checks (-fsyntax-only): no code is generated and nothing runs.
#
# Not covered: the GGML_METAL_HAS_TENSOR path (MetalPerformancePrimitives, no stand-in), address spaces (erased:
# device/threadgroup/constant pointers mix freely here), and anything only Apple's compiler rejects.
#
# A file whose inputs (it, the shared kernel headers, ggml-metal-impl.h, ggml-common.h, msl/, this script, the
# compiler) are unchanged since it last compiled cleanly is not compiled again: the result is cached by their hash.
#
# usage: native/metal-check/compile-kernels.sh GGML_METAL_DIR
#   GGML_METAL_DIR: ggml/src/ggml-metal of a llama.cpp tree (kernels/*.metal inside, ggml-common.h one level up),
#                   e.g. the patched tree native/build.sh builds, or a modified copy of it
# env: CLANGXX (default clang++-19), JOBS (parallel compiles, default 2), KVSPLIT_CACHE_DIR (see native/common.sh)
set -euo pipefail

prog="native/metal-check/compile-kernels"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)" # native/, for common.sh
# shellcheck source=../common.sh
source "$here/common.sh"
check="$here/metal-check"
msl="$check/msl"

[ "$#" = 1 ] || die "usage: $0 GGML_METAL_DIR (ggml/src/ggml-metal of a llama.cpp tree)"
metal="$(cd "$1" 2>/dev/null && pwd)" || die "$1: no such directory"
common_h="$(dirname "$metal")/ggml-common.h"
[ -f "$metal/ggml-metal-impl.h" ] || die "$metal/ggml-metal-impl.h not found: pass ggml/src/ggml-metal of a llama.cpp tree"
[ -f "$common_h" ] || die "$common_h not found: the kernels include it"
files=()
while IFS= read -r -d '' f; do files+=("$f"); done < <(find "$metal/kernels" -maxdepth 1 -name '*.metal' -print0 | sort -z)
[ "${#files[@]}" -gt 0 ] || die "no .metal files in $metal/kernels"

clangxx="${CLANGXX:-clang++-19}"
command -v "$clangxx" >/dev/null ||
    die "$clangxx not found: install the Debian package clang-19 (apt-get install clang-19), or set CLANGXX to a clang++ of version 17 or later (it needs _Float16 and __bf16)"
clang_version="$("$clangxx" --version | sed -n 1p)"

cache_root
cache_dir="$cache/metal-check/compiled"
log_dir="$cache/metal-check/logs/$(printf '%s' "$metal" | sha256_hex | cut -c1-12)" # one folder per source tree
mkdir -p "$cache_dir" "$log_dir"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# shellcheck source=msl/rewrite.sh
source "$msl/rewrite.sh"
mkdir -p "$work/src"
for f in "$metal"/kernels/*.metal "$metal"/kernels/*.h; do
    if [ -e "$f" ]; then msl_rewrite "$f" "$work/src/$(basename "$f")"; fi
done

shared_inputs_hash="$(
    {
        cat "$0" "$msl"/*
        echo "$clang_version"
        cat "$metal"/kernels/*.h "$metal/ggml-metal-impl.h" "$common_h"
    } | sha256_hex
)"

# compile FILE VARIANT: writes $work/FILE.VARIANT.result (one summary line) and, on failure, a log in $log_dir
compile() {
    local name="$1" variant="$2" defines=() key log start rc
    if [ "$variant" = bf16 ]; then defines=(-DGGML_METAL_HAS_BF16); fi
    key="$({ echo "$shared_inputs_hash $variant"; cat "$metal/kernels/$name"; } | sha256_hex | cut -c1-24)"
    if [ -f "$cache_dir/$key" ]; then
        echo "ok   $(cat "$cache_dir/$key") (cached)" >"$work/$name.$variant.result"
        return 0
    fi
    log="$log_dir/${name%.metal}.$variant.log"
    start="$(date +%s)"
    local flags=(-x c++ -std=c++17 -include "$msl/metal_stdlib" -I "$msl" -I "$work/src" -I "$metal"
        -I "$(dirname "$metal")" "${defines[@]}")
    rc=0
    nice -n 10 "$clangxx" "${flags[@]}" -fsyntax-only -ferror-limit=0 -fno-color-diagnostics \
        -Wno-unknown-attributes -Wno-duplicate-decl-specifier -Wno-vla-cxx-extension -Wno-c99-designator \
        "$work/src/$name" >"$log" 2>&1 || rc=$?
    # clang names the rewritten copy: name the real file instead
    sed -i -e "s#$work/src/#$metal/kernels/#g" "$log"
    # the kernels this variant exports: the explicit instantiations left after the preprocessor (-C keeps comments)
    local n_kernels preprocessed="$work/$name.$variant.i"
    if "$clangxx" "${flags[@]}" -E -C "$work/src/$name" >"$preprocessed" 2>>"$log"; then
        n_kernels="$(count_matching '^template /\*host_name' "$preprocessed")"
    else
        rc=1 # the preprocessor's errors are in the log; a file it cannot read is a failed compile
        n_kernels=0
    fi
    local summary="$name ($variant): $n_kernels instantiations, $(($(date +%s) - start)) s"
    if [ "$rc" = 0 ] && ! grep -q ' error: ' "$log"; then
        echo "$summary" >"$cache_dir/$key"
        echo "ok   $summary" >"$work/$name.$variant.result"
    else
        echo "FAIL $summary: $(count_matching ' error: ' "$log") errors (log: $log)" >"$work/$name.$variant.result"
    fi
}

# report FILE VARIANT: the summary line; on failure, the kernels the errors are in and the first errors
report() {
    local name="$1" variant="$2" result
    if [ ! -f "$work/$name.$variant.result" ]; then # its job was killed (out of memory?) before it finished
        echo "FAIL $name ($variant): 0 instantiations, the compile ended without a result" >"$work/$name.$variant.result"
    fi
    result="$(cat "$work/$name.$variant.result")"
    echo "$result"
    case "$result" in FAIL*) ;; *) return 0 ;; esac
    local log="$log_dir/${name%.metal}.$variant.log"
    # a diagnostic at an explicit instantiation's line (an error in it, or clang's "in instantiation of ...
    # requested here" note) belongs to the kernel that line names
    local failed_kernels="${log%.log}.kernels"
    awk -v file="$metal/kernels/$name" '
        FNR == NR { if (match($0, /^template \/\*host_name "[^"]*"/)) host[FNR] = substr($0, RSTART + 22, RLENGTH - 23); next }
        index($0, file ":") == 1 {
            split(substr($0, length(file) + 2), loc, ":")
            if ((loc[1] + 0) in host && !seen[host[loc[1] + 0]]++) print host[loc[1] + 0]
        }' "$work/src/$name" "$log" >"$failed_kernels"
    if [ -s "$failed_kernels" ]; then
        echo "     kernels with errors: $(wc -l <"$failed_kernels") ($failed_kernels), first: $(head -n 3 "$failed_kernels" | paste -sd ' ')"
    fi
    # (awk reads the whole log: `grep | head` would end grep with SIGPIPE, which pipefail turns into a failure)
    awk '/ error: / && n++ < 5 { print "     " $0 }' "$log"
}

jobs_max="${JOBS:-2}"
running=0
for f in "${files[@]}"; do
    for variant in plain bf16; do
        compile "$(basename "$f")" "$variant" &
        running=$((running + 1))
        if [ "$running" -ge "$jobs_max" ]; then
            wait -n
            running=$((running - 1))
        fi
    done
done
wait

failed=0
kernels=0
for f in "${files[@]}"; do
    for variant in plain bf16; do
        report "$(basename "$f")" "$variant"
        result="$(cat "$work/$(basename "$f").$variant.result")"
        case "$result" in FAIL*) failed=$((failed + 1)) ;; esac
        kernels=$((kernels + $(sed -E 's/.*: ([0-9]+) instantiations,.*/\1/' <<<"$result")))
    done
done
if [ "$failed" -gt 0 ]; then
    say "$failed of $((2 * ${#files[@]})) compiles failed ($clang_version, $metal)"
    exit 1
fi
say "all ${#files[@]} kernel files compiled, with and without bf16: $kernels explicit instantiations ($clang_version, $metal)"
