#!/usr/bin/env bash
# Builds the emulated Metal device (device/, kernels/, executor/) against a ggml-metal source tree and runs
# GGML_OP_FLASH_ATTN_EXT decode cases through ggml-metal's real host code on it, each compared with ggml's CPU
# backend (device/fa_decode_check.cpp). Only the decode kernels (kernel_flash_attn_ext_vec of the K/V pairs and head
# sizes asked for, and its reduce) are compiled into the emulated library: the host asking for any other kernel
# fails with that kernel's name.
#
# usage: native/metal-check/emulate-fa.sh [--metal-dir GGML_METAL_DIR] CASE...
#   CASE: K_TYPE/V_TYPE/HEAD_SIZE/N_KV, e.g. q8_0/q4_0/128/512
#   GGML_METAL_DIR: default the patched tree native/build.sh linked into native/bin/ (its libggml-base.a and
#                   libggml-cpu.a are linked in either way)
# env: CLANGXX (default clang++-19), KVSPLIT_NATIVE_BIN, KVSPLIT_CACHE_DIR
set -euo pipefail

prog="native/metal-check/emulate-fa"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=../common.sh
source "$here/common.sh"
check="$here/metal-check"
# shellcheck source=msl/rewrite.sh
source "$check/msl/rewrite.sh"

metal_tree "$@"
shift "$metal_args_used"
[ "$#" -gt 0 ] || die "usage: $0 [--metal-dir GGML_METAL_DIR] K_TYPE/V_TYPE/HEAD_SIZE/N_KV..."
metal_clangxx

# the vec kernels the cases need, by host name (the baseline variant: the host picks it for mixed pairs)
keep=()
for c in "$@"; do
    IFS=/ read -r tk tv hs n_kv <<<"$c"
    [ -n "$n_kv" ] || die "case '$c': expected K_TYPE/V_TYPE/HEAD_SIZE/N_KV"
    pair="$tk"
    [ "$tk" = "$tv" ] || pair="${tk}_$tv"
    keep+=("kernel_flash_attn_ext_vec_${pair}_dk${hs}_dv${hs}")
done
mapfile -t keep < <(printf '%s\n' "${keep[@]}" | sort -u) # two KV lengths of one pair need one kernel
keep_re="^($(printf '%s|' "${keep[@]}" | sed 's/|$//'))\$"

cache_root
key="$({
    cat "$0" "$check"/msl/* "$check"/executor/* "$check"/kernels/* "$check"/device/*
    "$clangxx" --version | sed -n 1p
    cat "$metal"/kernels/*.metal "$metal"/kernels/*.h "$metal"/*.h "$metal"/*.cpp "$build/ggml/src/libggml-base.a"
    echo "$keep_re"
} | sha256_hex | cut -c1-16)"
out="$cache/metal-check/emulated/$key"
exe="$out/fa-decode-check"

if [ ! -x "$exe" ]; then
    rm -rf "$out" && mkdir -p "$out/src"
    for f in "$metal"/kernels/*.metal "$metal"/kernels/*.h; do msl_rewrite "$f" "$out/src/$(basename "$f")"; done
    # the explicit instantiations the cases need become registrations (which instantiate them), the others go; every
    # function constant registers where it lives; line for line, so that clang's line numbers stay fa.metal's
    KEEP_RE="$keep_re" perl -ne '
        if (m{^template /\*host_name "([^"]*)"\*/\s+kernel\s+flash_attn_ext_vec_t\s+(kernel_flash_attn_ext_vec<.*>);\s*$}) {
            my ($name, $kernel) = ($1, $2);
            print $name =~ /$ENV{KEEP_RE}/ ? "static msl_kernels::kernel_registrar register_$.(\"$name\", &run_flash_attn_ext_vec<&$kernel>);\n" : "\n";
        } elsif (m{^template /\*host_name}) {
            print "\n";
        } elsif (m{^static\s+\w+\s+(FC_\w+)\s*\[\[function_constant\((.*)\)\]\];\s*$}) {
            chomp; print "$_ static msl_kernels::function_constant_registrar register_fc_$.($2, &$1, sizeof($1));\n";
        } else { print }' "$out/src/fa.metal" >"$out/src/fa_emulated.metal"
    n_kept="$(count_matching 'kernel_registrar register_' "$out/src/fa_emulated.metal")"
    [ "$n_kept" = "${#keep[@]}" ] || die "fa.metal has $n_kept of the ${#keep[@]} kernels the cases need (${keep[*]})"

    say "compiling the emulated device and ${#keep[@]} decode kernels (clang, -O1, lockstep at threadgroup memory)"
    inc=(-I "$check/msl" -I "$out/src" -I "$metal" -I "$src/ggml/src" -I "$src/ggml/include" -I "$check/device")
    # the kernels: every load and store reports to the executor (executor/fibers.h, lockstep)
    nice -n 10 "$clangxx" -std=c++17 -O1 -w -fsanitize-coverage=inline-8bit-counters,trace-loads,trace-stores \
        -Xclang -ffloat16-excess-precision=none "${inc[@]}" -DFA_METAL_SOURCE='"fa_emulated.metal"' \
        -c "$check/kernels/fa_vec.cpp" -o "$out/fa_vec.o"
    # libggml-cpu is built by gcc, with OpenMP where it has it: its runtime is GNU's libgomp
    openmp=()
    if grep -q 'GOMP_' < <(nm "$build/ggml/src/libggml-cpu.a" "$build/ggml/src/libggml-base.a" 2>/dev/null); then
        openmp=(-lgomp)
    fi
    nice -n 10 "$clangxx" -std=c++17 -O1 -w "${inc[@]}" \
        "$check/device/fa_decode_check.cpp" "$check/device/emulated_device.cpp" "$out/fa_vec.o" \
        "$metal/ggml-metal-device.cpp" "$metal/ggml-metal-ops.cpp" "$metal/ggml-metal-tuning.cpp" \
        "$metal/ggml-metal-common.cpp" "$build/ggml/src/libggml-cpu.a" "$build/ggml/src/libggml-base.a" \
        "${openmp[@]}" -lpthread -lm -o "$exe.tmp"
    mv "$exe.tmp" "$exe"
fi

failed=0
for c in "$@"; do
    IFS=/ read -r tk tv hs n_kv <<<"$c"
    "$exe" "$tk" "$tv" "$hs" "$n_kv" || failed=$((failed + 1))
done
[ "$failed" = 0 ] || die "$failed of $# cases failed"
say "all $# cases matched the CPU backend"
