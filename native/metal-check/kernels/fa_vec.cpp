// The flash-attention decode kernels of kernels/fa.metal (kernel_flash_attn_ext_vec, its reduce and the padding
// kernel), compiled as C++ for the emulated device. A runner maps what an encoder bound to the kernel's parameters, as the attributes Metal
// reads them ([[buffer(i)]] in order, [[threadgroup(0)]], [[threadgroup_position_in_grid]], ...), which clang
// ignores; the order follows ggml-metal-ops.cpp's set_bytes/set_buffer indices and the kernels' signatures.
// build.sh includes the rewritten fa.metal (FA_METAL_SOURCE) with registrar lines for the kernels it keeps.
#include <metal_stdlib>

#include "../executor/fibers.h"
#include "ggml-metal-impl.h"
#include "registry.h"

namespace {

msl_exec::grid grid_of(const msl_kernels::dispatch_size & d) {
    return { { d.groups[0], d.groups[1], d.groups[2] }, { d.threads[0], d.threads[1], d.threads[2] } };
}

// the thread's index in its simdgroup and its simdgroup's index, for a threadgroup of d.threads
ushort lane_of(int tid) { return (ushort) (tid % msl_exec::k_simd_width); }
ushort simdgroup_of(int tid) { return (ushort) (tid / msl_exec::k_simd_width); }

// kernel_flash_attn_ext_vec(args [[buffer(0)]], q, k, v, mask, sinks, pad, dst, idx [[buffer(1..8)]],
//                           shmem [[threadgroup(0)]], tgpig, tiisg, sgitg)
template <auto K> void run_flash_attn_ext_vec(const char * name, const msl_kernels::bindings & b,
                                              const msl_kernels::dispatch_size & d) {
    const auto & args = *(const ggml_metal_kargs_flash_attn_ext_vec *) b.bytes[0];
    msl_exec::dispatch(name, grid_of(d), b.threadgroup_memory[0], [&](const uint32_t * tg, int tid, char * shared) {
        K(args, b.buffers[1], b.buffers[2], b.buffers[3], b.buffers[4], b.buffers[5], b.buffers[6], b.buffers[7],
          b.buffers[8], (half *) shared, uint3(tg[0], tg[1], tg[2]), lane_of(tid), simdgroup_of(tid));
    });
}

// kernel_flash_attn_ext_vec_reduce(args [[buffer(0)]], htmp, dst [[buffer(1..2)]], tgpig (uint), tiisg, sgitg)
template <auto K> void run_flash_attn_ext_vec_reduce(const char * name, const msl_kernels::bindings & b,
                                                     const msl_kernels::dispatch_size & d) {
    const auto & args = *(const ggml_metal_kargs_flash_attn_ext_vec_reduce *) b.bytes[0];
    msl_exec::dispatch(name, grid_of(d), b.threadgroup_memory[0], [&](const uint32_t * tg, int tid, char *) {
        K(args, b.buffers[1], b.buffers[2], tg[0], lane_of(tid), simdgroup_of(tid));
    });
}

// kernel_flash_attn_ext_pad(args [[buffer(0)]], k, v, mask, dst [[buffer(1..4)]], tgpig, tiitg, ntg): copies the
// last, partial chunk of K, V and the mask into padded scratch space (KV lengths that are not a multiple of it)
template <auto K> void run_flash_attn_ext_pad(const char * name, const msl_kernels::bindings & b,
                                              const msl_kernels::dispatch_size & d) {
    const auto & args = *(const ggml_metal_kargs_flash_attn_ext_pad *) b.bytes[0];
    const ushort3 ntg((ushort) d.threads[0], (ushort) d.threads[1], (ushort) d.threads[2]);
    msl_exec::dispatch(name, grid_of(d), b.threadgroup_memory[0], [&](const uint32_t * tg, int tid, char *) {
        K(args, b.buffers[1], b.buffers[2], b.buffers[3], b.buffers[4], uint3(tg[0], tg[1], tg[2]), (ushort) tid, ntg);
    });
}

} // namespace

#include FA_METAL_SOURCE

static msl_kernels::kernel_registrar register_pad("kernel_flash_attn_ext_pad",
                                                  &run_flash_attn_ext_pad<&kernel_flash_attn_ext_pad>);

static msl_kernels::kernel_registrar register_reduce(
    "kernel_flash_attn_ext_vec_reduce", &run_flash_attn_ext_vec_reduce<&kernel_flash_attn_ext_vec_reduce>);
