#!/usr/bin/env bash
# one GPU visit for patch 0026 (Q's rotation in the vector kernel): phase 1 and 2, run back to back
set -u
W=$HOME/w; S=bench/gpu/cuda-decode-speed.sh; export KVSPLIT_PATCHED_ONLY=1
t() { local s=$(date +%s); "$@"; echo "[$* rc=$? $(( $(date +%s)-s ))s]"; }
case "$1" in
1)
  t $S run $W build+model
  KVSPLIT_TEST_OPS=MUL_MAT_HADAMARD,HADAMARD_SET_ROWS,FLASH_ATTN_EXT_HADAMARD t $S run $W test
  mv $W/logs/test-backend-ops-patched.log $W/logs/test-fusion.log; tail -n 2 $W/logs/test-fusion.log
  KVSPLIT_KERNELS_SETTINGS="f16:f16 q8_0:q4_0" t $S run $W kernels
  ;;
2)
  KVSPLIT_BENCH_DEPTHS=0,32768 KVSPLIT_ROUNDS=4 KVSPLIT_INTERLEAVE="q8_0:q4_0 f16:f16" t $S run $W interleave
  t $S run $W ppl
  # mutation: the fused rotation with twice its scale must fail exactly the cases where the vector kernel rotates Q
  f=$W/llama.cpp/ggml/src/ggml-cuda/fattn-vec.cuh
  sed -i 's/ggml_cuda_fwht_warp<D>(Q_f, Q_rot_scale, Q_rot_reg);/ggml_cuda_fwht_warp<D>(Q_f, 2.0f*Q_rot_scale, Q_rot_reg);/' $f
  grep -c "2.0f\*Q_rot_scale" $f
  t cmake --build $W/build --parallel 16 --target test-backend-ops > $W/logs/build-mutant.log 2>&1
  $W/build/bin/test-backend-ops -o FLASH_ATTN_EXT_HADAMARD -b CUDA0 > $W/logs/test-mutant.log 2>&1; echo "mutant rc=$?"
  grep -c "FAIL" $W/logs/test-mutant.log; grep "FAIL" $W/logs/test-mutant.log | head -40
  ;;
esac
tar -C $W -czf $OUT/logs.tgz logs
