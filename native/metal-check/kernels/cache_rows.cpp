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

namespace {

msl_exec::grid grid_of(const msl_kernels::dispatch_size & d) {
    return { { d.groups[0], d.groups[1], d.groups[2] }, { d.threads[0], d.threads[1], d.threads[2] } };
}

// a thread's position in its threadgroup, from its index (x fastest, as Metal numbers them)
ushort3 position_of(int tid, const msl_kernels::dispatch_size & d) {
    return ushort3((ushort) (tid % d.threads[0]), (ushort) ((tid / d.threads[0]) % d.threads[1]),
                   (ushort) (tid / (d.threads[0] * d.threads[1])));
}

// kernel_set_rows_f/_q32/_q(args [[buffer(0)]], src0, src1, dst [[buffer(1..3)]], tgpig, tiitg, tptg)
template <auto K> void run_set_rows(const char * name, const msl_kernels::bindings & b,
                                    const msl_kernels::dispatch_size & d) {
    const auto & args = *(const ggml_metal_kargs_set_rows *) b.bytes[0];
    const uint3 tptg(d.threads[0], d.threads[1], d.threads[2]);
    msl_exec::dispatch(name, grid_of(d), b.threadgroup_memory[0], [&](const uint32_t * tg, int tid, char *) {
        K(args, b.buffers[1], b.buffers[2], (float *) b.buffers[3], uint3(tg[0], tg[1], tg[2]), (uint) tid, tptg);
    });
}

// kernel_cpy_t_t/_f32_q/_q_f32(args [[buffer(0)]], src0, dst [[buffer(1..2)]], tgpig, tpitg, ntg)
template <auto K> void run_cpy(const char * name, const msl_kernels::bindings & b, const msl_kernels::dispatch_size & d) {
    const auto & args = *(const ggml_metal_kargs_cpy *) b.bytes[0];
    const ushort3 ntg((ushort) d.threads[0], (ushort) d.threads[1], (ushort) d.threads[2]);
    msl_exec::dispatch(name, grid_of(d), b.threadgroup_memory[0], [&](const uint32_t * tg, int tid, char *) {
        K(args, b.buffers[1], b.buffers[2], uint3(tg[0], tg[1], tg[2]), position_of(tid, d), ntg);
    });
}

} // namespace

#include QUANTIZE_METAL_SOURCE
#include FA_METAL_SOURCE
