// Runners for the kernels of fa.metal's prompt route (batch 20 and up): kernel_flash_attn_ext (simdgroup matrices),
// its block map kernel_flash_attn_ext_blk, and kernel_flash_attn_ext_kv_f16 (a quantized K or V dequantized to F16
// first). A runner maps what an encoder bound to the kernel's parameters as Metal reads the attributes clang ignores;
// the order follows ggml-metal-ops.cpp's set_bytes/set_buffer indices and the kernels' signatures. Include after
// msl/metal_stdlib, executor/fibers.h, ggml-metal-impl.h and registry.h, before the rewritten fa.metal.
#pragma once

namespace msl_prompt {

inline msl_exec::grid grid_of(const msl_kernels::dispatch_size & d) {
    return { { d.groups[0], d.groups[1], d.groups[2] }, { d.threads[0], d.threads[1], d.threads[2] } };
}

// kernel_flash_attn_ext(args [[buffer(0)]], q, k, v, mask, sinks, pad, blk, dst [[buffer(1..8)]],
//                       shmem [[threadgroup(0)]], tgpig, tiisg, sgitg)
template <auto K> void run_flash_attn_ext(const char * name, const msl_kernels::bindings & b,
                                          const msl_kernels::dispatch_size & d) {
    const auto & args = *(const ggml_metal_kargs_flash_attn_ext *) b.bytes[0];
    msl_exec::dispatch(name, grid_of(d), b.threadgroup_memory[0], [&](const uint32_t * tg, int tid, char * shared) {
        K(args, b.buffers[1], b.buffers[2], b.buffers[3], b.buffers[4], b.buffers[5], b.buffers[6], b.buffers[7],
          b.buffers[8], (half *) shared, uint3(tg[0], tg[1], tg[2]), (ushort) (tid % msl_exec::k_simd_width),
          (ushort) (tid / msl_exec::k_simd_width));
    });
}

// kernel_flash_attn_ext_blk(args [[buffer(0)]], mask, dst [[buffer(1..2)]], tgpig, tiisg): which blocks of the mask
// are all -INF, all zero, or neither
template <auto K> void run_flash_attn_ext_blk(const char * name, const msl_kernels::bindings & b,
                                              const msl_kernels::dispatch_size & d) {
    const auto & args = *(const ggml_metal_kargs_flash_attn_ext_blk *) b.bytes[0];
    msl_exec::dispatch(name, grid_of(d), b.threadgroup_memory[0], [&](const uint32_t * tg, int tid, char *) {
        K(args, b.buffers[1], b.buffers[2], uint3(tg[0], tg[1], tg[2]), (ushort) (tid % msl_exec::k_simd_width));
    });
}

// kernel_flash_attn_ext_kv_f16(args [[buffer(0)]], x, x_dst [[buffer(1..2)]], gid [[thread_position_in_grid]]):
// one dimension
template <auto K> void run_flash_attn_ext_kv_f16(const char * name, const msl_kernels::bindings & b,
                                                 const msl_kernels::dispatch_size & d) {
    const auto & args = *(const ggml_metal_kargs_flash_attn_ext_kv_f16 *) b.bytes[0];
    msl_exec::dispatch(name, grid_of(d), b.threadgroup_memory[0], [&](const uint32_t * tg, int tid, char *) {
        K(args, b.buffers[1], (half *) b.buffers[2], tg[0] * d.threads[0] + (uint) tid);
    });
}

} // namespace msl_prompt

using msl_prompt::run_flash_attn_ext;
using msl_prompt::run_flash_attn_ext_blk;
using msl_prompt::run_flash_attn_ext_kv_f16;
