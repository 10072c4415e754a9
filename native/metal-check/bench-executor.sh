#!/usr/bin/env bash
# The executor's fixed benchmark (bench/results/metal-check/executor-switch.md): 4 test-backend-ops cases over the
# emulated backend, head size 64, q8_0/q4_0 and f16/q4_0 with a mask at batch 1 (the vec kernel, KV 1024) and batch
# 75 (the prompt route, KV 300), 5 kernels compiled.
# usage: native/metal-check/bench-executor.sh REPO_ROOT   (time it: /usr/bin/time -v; run it once first to compile)
cd "$1" || exit 1
export KVSPLIT_NATIVE_BIN="${KVSPLIT_NATIVE_BIN:-$PWD/native/bin}"
export KVSPLIT_FA_HEAD_SIZES=64
exec native/metal-check/test-backend-ops.sh --kernels '^kernel_flash_attn_ext_(vec_(q8_0_q4_0|f16_q4_0)_dk64_|f16_dk64|kv_q[48]_0_f16)' \
  -o FLASH_ATTN_EXT -p '^hsk=64,hsv=64,nh=2,nr23=\[4,1\],kv=(1024,nb=1|300,nb=75),mask=1,sinks=0,.*type_K=(q8_0,type_V=q4_0|f16,type_V=q4_0),'
