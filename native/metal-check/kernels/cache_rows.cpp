// The cache-write and cache-read kernels, compiled as C++ for the emulated device: SET_ROWS and CPY of
// kernels/quantize.metal (F32 rows quantized into a K/V cache type, and back), and fa.metal's
// kernel_flash_attn_ext_kv_f16 (a quantized K or V dequantized to F16 for the prompt route). A runner maps what an
// encoder bound to the kernel's parameters as fa_vec.cpp's do; the order follows ggml-metal-ops.cpp's set_buffer
// indices and the kernels' signatures. emulate-cache.sh includes the rewritten files (QUANTIZE_METAL_SOURCE,
// FA_METAL_SOURCE) with registrar lines for the kernels it keeps.
#include <metal_stdlib>

#include "../executor/fibers.h"
#include "ggml-metal-impl.h"
#include "registry.h"
#include "fa_prompt.h" // run_flash_attn_ext_kv_f16

#include "cache_runners.h" // run_set_rows, run_cpy

#include QUANTIZE_METAL_SOURCE
#include FA_METAL_SOURCE
