#!/usr/bin/env bash
# Builds the emulated Metal device (device/, kernels/, executor/) against a ggml-metal source tree and runs the K/V
# cache's writes (SET_ROWS, CPY into a cache type and back) and the prompt route's dequantization to F16 through
# ggml-metal's real host code on it, each compared with ggml's CPU backend (device/cache_check.cpp). Only the kernels
# the cases need are compiled into the emulated library (kernels/cache_rows.cpp): quantize.metal's SET_ROWS and CPY
# kernels of the types asked for, and fa.metal's kernel_flash_attn_ext_kv_<type>_f16.
#
# usage: native/metal-check/emulate-cache.sh [--metal-dir GGML_METAL_DIR] CASE...
#   CASE: set_rows/TYPE/HEAD_SIZE/N_ROWS, cpy/TYPE/HEAD_SIZE/N_ROWS or kv_f16/K_TYPE/V_TYPE/HEAD_SIZE/N_KV,
#         e.g. set_rows/iq3_nl/128/37 kv_f16/iq3_nl/q4_0/128/512
#   GGML_METAL_DIR: default the patched tree native/build.sh linked into native/bin/ (its libggml-base.a and
#                   libggml-cpu.a are linked in either way)
# env: CLANGXX (default clang++-19), KVSPLIT_NATIVE_BIN, KVSPLIT_CACHE_DIR
set -euo pipefail

prog="native/metal-check/emulate-cache"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=../common.sh
source "$here/common.sh"
check="$here/metal-check"
# shellcheck source=msl/rewrite.sh
source "$check/msl/rewrite.sh"

metal_tree "$@"
shift "$metal_args_used"
[ "$#" -gt 0 ] || die "usage: $0 [--metal-dir GGML_METAL_DIR] set_rows/TYPE/HEAD_SIZE/N_ROWS | cpy/TYPE/HEAD_SIZE/N_ROWS | kv_f16/K_TYPE/V_TYPE/HEAD_SIZE/N_KV..."
metal_clangxx

# the kernels the cases need, by host name
keep=()
for c in "$@"; do
    IFS=/ read -r mode a b d e <<<"$c"
    case "$mode" in
        set_rows | cpy)
            [ -n "$d" ] && [ -z "$e" ] || die "case '$c': expected $mode/TYPE/HEAD_SIZE/N_ROWS"
            if [ "$mode" = set_rows ]; then
                keep+=("kernel_set_rows_f32_i64_$a")
            else
                keep+=("kernel_cpy_f32_$a")
                case "$a" in f32 | f16 | bf16) ;; *) keep+=("kernel_cpy_${a}_f32" "kernel_cpy_${a}_f16") ;; esac
            fi
            ;;
        kv_f16)
            [ -n "$e" ] || die "case '$c': expected kv_f16/K_TYPE/V_TYPE/HEAD_SIZE/N_KV"
            for t in "$a" "$b"; do [ "$t" = f16 ] || keep+=("kernel_flash_attn_ext_kv_${t}_f16"); done
            ;;
        *) die "case '$c': expected set_rows/..., cpy/... or kv_f16/..." ;;
    esac
done
mapfile -t keep < <(printf '%s\n' "${keep[@]}" | sort -u)
keep_re="^($(printf '%s|' "${keep[@]}" | sed 's/|$//'))\$"

cache_root
key="$({
    cat "$0" "$check"/msl/* "$check"/executor/* "$check"/kernels/* "$check"/device/*
    "$clangxx" --version | sed -n 1p
    cat "$metal"/kernels/*.metal "$metal"/kernels/*.h "$metal"/*.h "$metal"/*.cpp "$build/ggml/src/libggml-base.a"
    echo "$keep_re"
} | sha256_hex | cut -c1-16)"
out="$cache/metal-check/emulated-cache/$key"
exe="$out/cache-check"

# register FILE PREFIX: the explicit instantiations of FILE the cases need become registrations with the runner of
# their signature (by the typedef they are declared with), the others go; line for line, so that clang's line numbers
# stay the file's
register() {
    KEEP_RE="$keep_re" PREFIX="$2" perl -ne '
        my %runner = (set_rows_f_t => "run_set_rows", set_rows_q32_t => "run_set_rows", set_rows_qK_t => "run_set_rows",
                      kernel_cpy_t => "run_cpy", cpy_f_q_t => "run_cpy", cpy_q_f_t => "run_cpy",
                      kernel_flash_attn_ext_kv_f16_t => "run_flash_attn_ext_kv_f16");
        my ($name, $type, $kernel) = m{^template /\*host_name "([^"]*)"\*/\s+kernel\s+(\w+)\s+(\w+<.*>);\s*$};
        if (defined $name && $name =~ /$ENV{KEEP_RE}/ && $runner{$type}) {
            print "static msl_kernels::kernel_registrar register_$ENV{PREFIX}_$.(\"$name\", &$runner{$type}<&$kernel>);\n";
        } elsif (m{^template /\*host_name}) {
            print "\n";
        } elsif (m{^static\s+\w+\s+(FC_\w+)\s*\[\[function_constant\((.*)\)\]\];\s*$}) {
            chomp; print "$_ static msl_kernels::function_constant_registrar register_fc_$ENV{PREFIX}_$.($2, &$1, sizeof($1));\n";
        } else { print }' "$1"
}

if [ ! -x "$exe" ]; then
    rm -rf "$out" && mkdir -p "$out/src"
    for f in "$metal"/kernels/*.metal "$metal"/kernels/*.h; do msl_rewrite "$f" "$out/src/$(basename "$f")"; done
    register "$out/src/quantize.metal" q >"$out/src/quantize_emulated.metal"
    register "$out/src/fa.metal" fa >"$out/src/fa_emulated.metal"
    n_kept="$(cat "$out"/src/*_emulated.metal | count_matching 'kernel_registrar register_')"
    [ "$n_kept" = "${#keep[@]}" ] || die "the kernel files have $n_kept of the ${#keep[@]} kernels the cases need (${keep[*]})"

    say "compiling the emulated device and ${#keep[@]} cache kernels (clang, -O1, lockstep at threadgroup memory)"
    inc=(-I "$check/msl" -I "$out/src" -I "$metal" -I "$src/ggml/src" -I "$src/ggml/include" -I "$check/device")
    nice -n 10 "$clangxx" -std=c++17 -O1 -w -fsanitize-coverage=inline-8bit-counters,trace-loads,trace-stores \
        -Xclang -ffloat16-excess-precision=none "${inc[@]}" -DQUANTIZE_METAL_SOURCE='"quantize_emulated.metal"' \
        -DFA_METAL_SOURCE='"fa_emulated.metal"' -c "$check/kernels/cache_rows.cpp" -o "$out/cache_rows.o"
    # libggml-cpu is built by gcc, with OpenMP where it has it: its runtime is GNU's libgomp
    openmp=()
    if grep -q 'GOMP_' < <(nm "$build/ggml/src/libggml-cpu.a" "$build/ggml/src/libggml-base.a" 2>/dev/null); then
        openmp=(-lgomp)
    fi
    nice -n 10 "$clangxx" -std=c++17 -O1 -w "${inc[@]}" \
        "$check/device/cache_check.cpp" "$check/device/emulated_device.cpp" "$out/cache_rows.o" \
        "$metal/ggml-metal-device.cpp" "$metal/ggml-metal-ops.cpp" "$metal/ggml-metal-tuning.cpp" \
        "$metal/ggml-metal-common.cpp" "$build/ggml/src/libggml-cpu.a" "$build/ggml/src/libggml-base.a" \
        "${openmp[@]}" -lpthread -lm -o "$exe.tmp"
    mv "$exe.tmp" "$exe"
fi

failed=0
for c in "$@"; do
    IFS=/ read -r -a words <<<"$c"
    "$exe" "${words[@]}" || failed=$((failed + 1))
done
[ "$failed" = 0 ] || die "$failed of $# cases failed"
say "all $# cases matched the CPU backend"
