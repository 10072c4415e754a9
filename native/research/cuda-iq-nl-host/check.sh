#!/usr/bin/env bash
# Host checks of patch 0021's CUDA iq3_nl/iq2_nl code, without a GPU:
#   decode.cpp    the flash-attention decode tricks (byte-permutation levels, qh spreading, 2-byte-aligned word loads)
#                 of fattn-common.cuh, emulated, against the block layout (a copy: keep it in step with the patch)
#   quantize.cpp  cpy-utils.cuh's quantize_f32_iq{3,2}_nl_block itself (cut out of the patched tree, built for the
#                 host, its warp run as 32 fibers whose shuffles and ballots meet) against the CPU's
#                 quantize_row_iq{3,2}_nl_ref: the blocks must be byte-identical (the sum of x*l is added in the CPU's order)
# usage: check.sh SRC LIBGGMLBASE   (SRC: a llama.cpp tree with patches 0001-0021; LIBGGMLBASE: its libggml-base.a)
set -euo pipefail
src="${1:?usage: check.sh SRC LIBGGMLBASE}"; lib="${2:?usage: check.sh SRC LIBGGMLBASE}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT
python3 - "$src/ggml/src/ggml-cuda/cpy-utils.cuh" "$tmp/q_body.inc" <<'PY'
import sys
s = open(sys.argv[1]).read()
a = s.index('// iq3_nl / iq2_nl: one block of 64 onto a codebook'); b = s.index('// Wrapper functions for cpy.cu compatibility')
open(sys.argv[2], 'w').write(s[a:b])
PY
g++ -O1 -o "$tmp/decode" "$here/decode.cpp" && "$tmp/decode"
g++ -O2 -fopenmp -I"$tmp" -I"$src/ggml/include" -I"$src/ggml/src" -o "$tmp/quantize" "$here/quantize.cpp" "$lib" -lm -lpthread
"$tmp/quantize"
