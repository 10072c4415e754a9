#!/usr/bin/env bash
# Evidence that the Metal checks can fail: injects one bug at a time into a copy of a ggml-metal source tree and runs
# on the copy the compile check (compile-kernels.sh) and, where the kernels still compile, the emulated device
# (emulate-fa.sh, decode cases compared with the CPU backend; with --iq-nl also emulate-cache.sh, the cache writes and
# the prompt route's dequantization; with --prompt or --cache test-backend-ops.sh instead). Prints a Markdown table:
# which check caught each bug.
#
# usage: native/metal-check/inject-bugs.sh [--iq-nl | --prompt | --cache] GGML_METAL_DIR   (e.g. build.sh's patched tree)
#   --iq-nl: patch 0022's bugs (iq3_nl and iq2_nl) instead of patch 0009's
#   --prompt: bugs only the prompt route (kernel_flash_attn_ext, simdgroup matrices) runs into, each caught or not by
#             test-backend-ops over the emulated backend (test-backend-ops.sh, head size 64 compiled: minutes a bug)
#   --cache: bugs in the cache writes, copies and the K/V rotation (SET_ROWS, CPY, MUL_MAT_HADAMARD), each caught or
#            not by test-backend-ops on metalBackendOpsCache.test.ts's 16 cases
set -euo pipefail

prog="native/metal-check/inject-bugs"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=../common.sh
source "$here/common.sh"

iq_nl=0
prompt=0
cache=0
if [ "${1:-}" = --iq-nl ]; then
    iq_nl=1
    shift
elif [ "${1:-}" = --prompt ]; then
    prompt=1
    shift
elif [ "${1:-}" = --cache ]; then
    cache=1
    shift
fi
[ "$#" = 1 ] || die "usage: $0 [--iq-nl | --prompt | --cache] GGML_METAL_DIR"
metal="$(cd "$1" 2>/dev/null && pwd)" || die "$1: no such directory"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# the decode cases the emulated device runs for every bug: mixed pairs, a KV length that needs the padding kernel,
# one long enough for 2 simdgroups per threadgroup
cases=(q8_0/q4_0/128/512 f16/q4_0/64/256 q4_0/q8_0/128/1000 q8_0/q4_0/128/4096)

# file (under ggml-metal/) | perl substitution on the whole file (-0) | what the bug is
bugs=(
    'kernels/fa.metal|s{device const vd4_t \* pv4 = \(device const vd4_t \*\) \(v \+ i11\*args\.nb21\);}{device const kd4_t * pv4 = (device const kd4_t *) (v + i11*args.nb21);}|kernel type: the sparse vec path reads V through K'"'"'s block type'
    'kernels/fa.metal|s{deq_v_t4\(pv4 \+ i/nl_v, i%nl_v, mv\);}{deq_k_t4(pv4 + i/nl_v, i%nl_v, mv);}g|kernel type: the vec kernel dequantizes V with K'"'"'s dequantizer'
    'kernels/fa.metal|s{("kernel_flash_attn_ext_vec_q8_0_q4_0_dk128_dv128".*?block_q4_0, 8, )dequantize_q4_0_t4}{${1}dequantize_q4_1_t4}|kernel template argument: the q8_0/q4_0 instantiation dequantizes V as q4_1'
    'kernels/fa.metal|s{("kernel_flash_attn_ext_kv_q8_0_f16".*?)dequantize_q8_0>}{${1}dequantize_q4_0>}|kernel template argument: the q8_0 dequantize-to-F16 kernel reads q4_0 blocks'
    'kernels/softmax.metal|s{threadgroup_barrier\(mem_flags::mem_threadgroup\);}{threadgroup_barrier(mem_flags::mem_threadgroup)}|syntax: a missing semicolon in softmax.metal'
    'kernels/fa.metal|s{\(v \+ \(\(ic \+ NE\*cc \+ ty\)\*args\.nb21\)\)}{(v + ((ic + NE*cc + ty)*args.nb11))}|kernel stride: the vec kernel steps V rows by K'"'"'s row size'
    'kernels/fa.metal|s{deq_v_t4\(pv4 \+ i/nl_v, i%nl_v, mv\)}{deq_v_t4(pv4 + i/nl_k, i%nl_k, mv)}g|kernel count: V blocks counted with K'"'"'s (nl_k for nl_v)'
    'kernels/fa.metal|s{(kernel void kernel_flash_attn_ext_vec\([\s\S]*?)\n\s*threadgroup_barrier\(mem_flags::mem_threadgroup\);}{$1}|kernel sync: the vec kernel'"'"'s first threadgroup barrier removed'
    'ggml-metal-ops.cpp|s{(ggml_metal_kargs_flash_attn_ext_vec args = \{[\s\S]*?/\*\.nb21 +=\*/ )nb21_attn}{${1}nb11_attn}|host stride: the vec kernel gets K'"'"'s row size as V'"'"'s (args.nb21)'
    'ggml-metal-ops.cpp|s{(const bool has_kvpad = !use_sparse && ne11 % ncpsg != 0;[\s\S]*?/\*\.ne11 +=\*/)ne11}{${1}ne11 - 1}|host padding: the padding kernel told the KV length is one less'
    'ggml-metal-device.cpp|s{snprintf\(buf, size, "%s_%s", ggml_type_name\(type_k\), ggml_type_name\(type_v\)\);}{snprintf(buf, size, "%s_%s", ggml_type_name(type_v), ggml_type_name(type_k));}|host pipeline name: a mixed pair'"'"'s kernel named V type first'
)
cache_cases=()

if [ "$iq_nl" = 1 ]; then
    # iq3_nl or iq2_nl as V, as K and with each other; the cache writes and the prompt route's dequantization
    cases=(q8_0/iq2_nl/128/1000 iq3_nl/iq2_nl/128/1000 iq3_nl/q4_0/64/512)
    cache_cases=(set_rows/iq3_nl/128/37 set_rows/iq2_nl/128/37 kv_f16/iq3_nl/q4_0/128/512)
    bugs=(
        'kernels/fa.metal|s{("kernel_flash_attn_ext_vec_q4_0_iq3_nl_dk128_dv128".*?block_iq3_nl, 16, )dequantize_iq3_nl_t4}{${1}dequantize_q4_0_t4}|kernel template argument: the q4_0/iq3_nl instantiation dequantizes V with K'"'"'s dequantizer'
        'kernels/fa.metal|s{("kernel_flash_attn_ext_vec_iq3_nl_iq2_nl_dk128_dv128".*?)block_iq2_nl, 16, dequantize_iq2_nl_t4}{${1}block_iq3_nl, 16, dequantize_iq3_nl_t4}|kernel template argument: the iq3_nl/iq2_nl instantiation reads V as K'"'"'s type (block and dequantizer)'
        'kernels/fa.metal|s{("kernel_flash_attn_ext_vec_q8_0_iq2_nl_dk128_dv128".*?block_iq2_nl, )16}{${1}8}|kernel count: the q8_0/iq2_nl instantiation counts 8 groups of 4 per V block (a block of 32)'
        'kernels/fa.metal|s{(kernel_flash_attn_ext_kv_f16<block_iq3_nl, )64}{${1}32}|kernel count: the iq3_nl dequantize-to-F16 kernel takes blocks of 32'
        'kernels/quantize.metal|s{("kernel_set_rows_f32_i64_iq2_nl".*?)QK2_NL}{${1}32}|kernel count: the iq2_nl SET_ROWS kernel steps the source row by 32 values a block'
        'kernels/quantize.h|s{\(\(idx\[8\*b \+ s\] >> 2\) & 1\) << s}{((idx[8*b + s] >> 1) & 1) << s}|kernel quantizer: iq3_nl stores the middle index bit as the high bit'
    )
fi

# the prompt route's cases: F16, an equal quantized pair (dequantized to F16 from batch 32) and mixed pairs, with and
# without a mask, a KV length that needs the padding kernel, batch 32 and 75 (a partial Q tile)
prompt_filter='^hsk=64,hsv=64,nh=4,nr23=\[1,1\],kv=113,nb=32,mask=1,sinks=0,max_bias=0\.0+,logit_softcap=0\.0+,prec=f32,type_K=(f16|q8_0),|^hsk=64,hsv=64,nh=2,nr23=\[4,1\],kv=300,nb=75,mask=[01],.*type_K=(q8_0,type_V=q4_0|f16,type_V=q4_0|q8_0,type_V=f16),'
if [ "$prompt" = 1 ]; then
    bugs=(
        'kernels/fa.metal|s{simdgroup_load\((mk\[[01]\]), (pk \+ [01]\*8 \+ 16\*i), NS10, 0, true\);}{simdgroup_load($1, $2, NS10, 0, false);}g|kernel simdgroup matrix: the prompt kernel loads the F16 K tile untransposed'
        'kernels/fa.metal|s{(simdgroup_store\(mqk, ss \+ 8\*cc, SH, 0, false\);\n\s*\}\n\s*\}\n)\s*threadgroup_barrier\(mem_flags::mem_threadgroup\);\n(\s*// online softmax\n)}{$1$2}|kernel sync: the prompt kernel'"'"'s barrier between Q*K^T and the softmax removed'
        'kernels/fa.metal|s{simdgroup_load\(mq\[1\], pq \+ 1\*8 \+ 16\*i, DK\);}{simdgroup_load(mq[1], pq + 1*8 + 16*i, DK/2);}|kernel stride: the prompt kernel loads the second Q tile with half the row stride'
        'ggml-metal-ops.cpp|s{bid_v = bid_v_f16;}{bid_v = bid_kv_f16;}|host buffer: the F16 kernel reads the dequantized V from the dequantized K'"'"'s place'
    )
    tbo_args=(-o FLASH_ATTN_EXT -p "$prompt_filter")
    tbo_cases="FLASH_ATTN_EXT, the prompt_filter cases"
fi
# metalBackendOpsCache.test.ts's cases: SET_ROWS into every cache type, CPY into and out of q4_0 and iq3_nl, the
# rotation of 1 and 32 rows; only their kernels (and one FA kernel, which the library needs) compiled
cache_filter='^type_src=f32,type_dst=(f16|bf16|q8_0|q5_1|q5_0|q4_1|q4_0|iq4_nl|iq3_nl|iq2_nl),type_idx=i64,ne=\[256,5,1,3\],nr23=\[1,1\],r=1,v=0$|^type_src=(f32,type_dst=(q4_0|iq3_nl)|(q4_0|iq3_nl),type_dst=f32),ne_src=\[256,4,4,4\],permute_src=\[0,0,0,0\],|^type_a=f32,type_b=f32,m=128,n=(1|32),k=128,bs=\[1,1\],'
cache_kernels='^kernel_(set_rows_f32_i64_|cpy_(f32_(q4_0|iq3_nl)|(q4_0|iq3_nl)_f32)$|fwht_f32_128$)|^kernel_flash_attn_ext_vec_q8_0_dk64_'
if [ "$cache" = 1 ]; then
    bugs=(
        'kernels/misc.metal|s{\? val2 \+ val : val2 - val;}{? val2 + val : val - val2;}|kernel rotation: a fwht butterfly'"'"'s difference with its sign flipped'
        'kernels/quantize.h|s{(void quantize_q4_0\([\s\S]*?)8\.5f}{${1}8.0f}|kernel quantizer: q4_0 truncates instead of rounding'
        'ggml-metal-ops.cpp|s{(nth = std::min<int>\(nth, nk0\);\s*ggml_metal_kargs_cpy args = \{[\s\S]*?/\*\.nb1 +=\*/ )nb1,}{${1}nb1/2,}|host stride: CPY told half the destination row stride'
        'kernels/dequantize.h|s{reg_f\[i\] = dequantize_iq3_nl_4\(xb, 4\*il \+ i\);}{reg_f[i] = dequantize_iq3_nl_4(xb, 4*il + (i^1));}|kernel decoder: iq3_nl swaps neighbouring groups of 4'
    )
    tbo_args=(--kernels "$cache_kernels" -o SET_ROWS,CPY,MUL_MAT_HADAMARD -p "$cache_filter")
    tbo_cases="SET_ROWS, CPY, MUL_MAT_HADAMARD: the cache_filter cases"
fi
if [ "$prompt" = 1 ] || [ "$cache" = 1 ]; then
    # the filters hold '|': a table cell names them
    echo "| injected bug | file | test-backend-ops over the emulated backend ($tbo_cases in inject-bugs.sh) |"
    echo "|---|---|---|"
elif [ "${#cache_cases[@]}" -gt 0 ]; then
    echo "| injected bug | file | compile check | emulated decode (${cases[*]}) | emulated cache (${cache_cases[*]}) |"
    echo "|---|---|---|---|---|"
else
    echo "| injected bug | file | compile check | emulated device (${cases[*]}) |"
    echo "|---|---|---|---|"
fi
for bug in "${bugs[@]}"; do
    IFS='|' read -r file script what <<<"$bug"
    copy="$work/ggml/src/ggml-metal"
    rm -rf "$work/ggml" && mkdir -p "$work/ggml/src"
    cp -r "$metal" "$copy" && cp "$(dirname "$metal")/ggml-common.h" "$work/ggml/src/"
    perl -0pi -e "$script" "$copy/$file"
    cmp -s "$metal/$file" "$copy/$file" && die "the substitution for '$what' changed nothing in $file"
    if [ "$prompt" = 1 ] || [ "$cache" = 1 ]; then
        if out="$(KVSPLIT_FA_HEAD_SIZES=64 "$here/metal-check/test-backend-ops.sh" --metal-dir "$copy" "${tbo_args[@]}" 2>&1)"; then
            tbo="passed: $(grep '^emulated Metal summary' <<<"$out")"
        else
            aborted="$(perl -ne 'if (/(msl_exec: .*)/) { print $1; exit }' <<<"$out")"
            summary="$(perl -ne 'if (/^emulated Metal summary: (\d+ passed, \d+ failed)/) { print $1; exit }' <<<"$out")"
            tbo="**caught**: ${aborted:-$summary}"
            [ "$tbo" != "**caught**: " ] || tbo="**caught**: $(tail -1 <<<"$out")"
        fi
        echo "| $what | $file | $tbo |"
        continue
    fi
    if out="$("$here/metal-check/compile-kernels.sh" "$copy" 2>&1)"; then
        compiled="passed"
    else
        compiled="**caught**: $(count_matching '^FAIL' <<<"$out") of $(count_matching '^(ok|FAIL)' <<<"$out") compiles failed"
        # none: an error outside any instantiation
        named="$(perl -ne 'if (/kernels with errors: ([0-9]+)/) { print $1; exit }' <<<"$out")"
        [ -z "$named" ] || compiled="$compiled, $named kernels named"
    fi
    if [ "$compiled" != passed ]; then
        emulated="not run (does not compile)"
    elif out="$("$here/metal-check/emulate-fa.sh" --metal-dir "$copy" "${cases[@]}" 2>&1)"; then
        emulated="passed"
    else
        failing="$(perl -ne 'push @f, $1 if /^FAIL (K=\S* V=\S* head size \d+, n_kv \d+: NMSE \S*)/; END { print join ";", @f }' <<<"$out")"
        aborted="$(perl -ne 'if (/(emulated Metal device: [^(]*|msl_exec: .*)/) { print $1; exit }' <<<"$out")"
        emulated="**caught**: ${failing:-$aborted}"
        [ -n "$failing$aborted" ] || emulated="**caught**: $(tail -1 <<<"$out")"
    fi
    if [ "${#cache_cases[@]}" = 0 ]; then
        echo "| $what | $file | $compiled | $emulated |"
        continue
    fi
    if [ "$compiled" != passed ]; then
        cached="not run (does not compile)"
    elif out="$("$here/metal-check/emulate-cache.sh" --metal-dir "$copy" "${cache_cases[@]}" 2>&1)"; then
        cached="passed"
    else
        cached="**caught**: $(perl -ne 'push @f, $1 if /^FAIL (.*?), \d+ dispatches/; END { print join ";", @f }' <<<"$out")"
        [ "$cached" != "**caught**: " ] || cached="**caught**: $(tail -1 <<<"$out")"
    fi
    echo "| $what | $file | $compiled | $emulated | $cached |"
done
