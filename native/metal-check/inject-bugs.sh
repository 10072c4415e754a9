#!/usr/bin/env bash
# Evidence that compile-kernels.sh can fail: injects one bug at a time into a copy of a ggml-metal source tree,
# runs the compile check on the copy and prints, as a Markdown table, whether it failed and which kernels it named.
# Some bugs compile (a wrong stride, a wrong block count, a missing barrier): only running the kernels finds those.
#
# usage: native/metal-check/inject-bugs.sh GGML_METAL_DIR   (e.g. the patched tree native/build.sh builds)
set -euo pipefail

prog="native/metal-check/inject-bugs"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=../common.sh
source "$here/common.sh"

[ "$#" = 1 ] || die "usage: $0 GGML_METAL_DIR"
metal="$(cd "$1" 2>/dev/null && pwd)" || die "$1: no such directory"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# file | sed script (extended regex) | what the bug is
bugs=(
    'fa.metal|s/device const vd4_t \* pv4 = \(device const vd4_t \*\) \(v \+ i11\*args\.nb21\);/device const kd4_t * pv4 = (device const kd4_t *) (v + i11*args.nb21);/|vec kernel: V read with K'"'"'s block type'
    'fa.metal|s/deq_v_t4\(pv4 \+ i\/nl_v, i%nl_v, mv\);/deq_k_t4(pv4 + i\/nl_v, i%nl_v, mv);/|vec kernel: V dequantized with K'"'"'s dequantizer'
    'fa.metal|/"kernel_flash_attn_ext_vec_q8_0_q4_0_dk128_dv128"/ s/block_q4_0, 8, dequantize_q4_0_t4/block_q4_0, 8, dequantize_q4_1_t4/|wrong template argument: q8_0/q4_0 instantiation with the q4_1 dequantizer for V'
    'fa.metal|/"kernel_flash_attn_ext_kv_q8_0_f16"/ s/dequantize_q8_0>/dequantize_q4_0>/|dequantize-to-F16 kernel: q8_0 blocks with the q4_0 dequantizer'
    'softmax.metal|0,/threadgroup_barrier\(mem_flags::mem_threadgroup\);/ s/threadgroup_barrier\(mem_flags::mem_threadgroup\);/threadgroup_barrier(mem_flags::mem_threadgroup)/|syntax error: a missing semicolon'
    'dequantize.h|0,/xb->qs;/ s/xb->qs;/xb->qz;/|shared header: a misspelt block field'
    'fa.metal|s/\(v \+ i11\*args\.nb21\)/(v + i11*args.nb11)/g|vec kernel: V rows at K'"'"'s row stride (nb11 for nb21)'
    'fa.metal|s/deq_v_t4\(pv4 \+ i\/nl_v, i%nl_v, mv\)/deq_v_t4(pv4 + i\/nl_k, i%nl_k, mv)/g|vec kernel: V block count from K (nl_k for nl_v)'
    'fa.metal|/^kernel void kernel_flash_attn_ext_vec\(/,/threadgroup_barrier/ { /threadgroup_barrier/d }|vec kernel: its first threadgroup barrier removed'
)

echo "| injected bug | file | compile check | kernels named |"
echo "|---|---|---|---|"
for bug in "${bugs[@]}"; do
    IFS='|' read -r file script what <<<"$bug"
    copy="$work/ggml/src/ggml-metal"
    rm -rf "$work/ggml" && mkdir -p "$work/ggml/src"
    cp -r "$metal" "$copy" && cp "$(dirname "$metal")/ggml-common.h" "$work/ggml/src/"
    sed -E -i -e "$script" "$copy/kernels/$file"
    cmp -s "$metal/kernels/$file" "$copy/kernels/$file" && die "the sed script for '$what' changed nothing in $file"
    if out="$("$here/metal-check/compile-kernels.sh" "$copy" 2>&1)"; then
        verdict="passed (not caught)"
        named="-"
    else
        verdict="FAILED: $(grep -c '^FAIL' <<<"$out") of 40 compiles"
        named="$(grep -o 'kernels with errors: [0-9]* ([^)]*), first: [a-z0-9_]*' <<<"$out" | head -1 |
            sed -E 's/kernels with errors: ([0-9]*) .*first: (.*)/\1 kernels, first \2/')"
        [ -n "$named" ] || named="$(grep -o '[a-z_]*\.\(metal\|h\):[0-9]*:[0-9]*: error' <<<"$out" | head -1)"
    fi
    echo "| $what | $file | $verdict | $named |"
done
