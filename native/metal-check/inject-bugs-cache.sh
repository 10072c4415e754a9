#!/usr/bin/env bash
# One-off driver for four injected bugs of bench/results/metal-check/injected-bugs.md (SET_ROWS, CPY, the rotation):
# each bug into a copy of ggml-metal, then test-backend-ops.sh --metal-dir COPY on metalBackendOpsCache.test.ts's 16
# cases; prints each bug's summary line and its failing cases.
# usage: native/metal-check/inject-bugs-cache.sh GGML_METAL_DIR   (e.g. the patched tree of build.sh)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
metal="$(cd "$1" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
args=(-o SET_ROWS,CPY,MUL_MAT_HADAMARD -p '^type_src=f32,type_dst=(f16|bf16|q8_0|q5_1|q5_0|q4_1|q4_0|iq4_nl|iq3_nl|iq2_nl),type_idx=i64,ne=\[256,5,1,3\],nr23=\[1,1\],r=1,v=0$|^type_src=(f32,type_dst=(q4_0|iq3_nl)|(q4_0|iq3_nl),type_dst=f32),ne_src=\[256,4,4,4\],permute_src=\[0,0,0,0\],|^type_a=f32,type_b=f32,m=128,n=(1|32),k=128,bs=\[1,1\],')
k='^kernel_(set_rows_f32_i64_|cpy_(f32_(q4_0|iq3_nl)|(q4_0|iq3_nl)_f32)$|fwht_f32_128$)|^kernel_flash_attn_ext_vec_q8_0_dk64_'
run() { # NAME FILE PERL_SUBSTITUTION
    cp -r "$metal" "$work/$1"
    perl -0pi -e "$3" "$work/$1/$2"
    if cmp -s "$metal/$2" "$work/$1/$2"; then echo "$1: not applied"; return; fi
    local rc=0
    KVSPLIT_FA_HEAD_SIZES=64 native/metal-check/test-backend-ops.sh --metal-dir "$work/$1" --kernels "$k" "${args[@]}" \
        >"$work/$1.log" 2>&1 || rc=$?
    echo "$1: exit $rc; $(grep 'emulated Metal summary' "$work/$1.log" | tail -1)"
    grep -E '\] (ERR|NaN)' "$work/$1.log" | cut -c1-120 || echo "  (no case failed)"
}
run fwht-sign kernels/misc.metal 's{\? val2 \+ val : val2 - val;}{? val2 + val : val - val2;}'
run q4_0-quant kernels/quantize.h 's{(void quantize_q4_0\([\s\S]*?)8\.5f}{${1}8.0f}'
run cpy-dst-stride ggml-metal-ops.cpp 's{(nth = std::min<int>\(nth, nk0\);\s*ggml_metal_kargs_cpy args = \{[\s\S]*?/\*\.nb1 +=\*/ )nb1,}{${1}nb1/2,}'
run iq3-dequant kernels/dequantize.h 's{reg_f\[i\] = dequantize_iq3_nl_4\(xb, 4\*il \+ i\);}{reg_f[i] = dequantize_iq3_nl_4(xb, 4*il + (i^1));}'
