// The runners of the cache-write and cache-read kernels of kernels/quantize.metal (SET_ROWS and CPY) and of the
// K/V rotation (misc.metal's kernel_fwht_f32: a MUL_MAT with the Hadamard hint): each maps what an encoder bound to
// the kernel's parameters, in the order of ggml-metal-ops.cpp's set_bytes/set_buffer indices and the kernels'
// signatures (the attributes clang ignores). Include after msl/metal_stdlib, executor/fibers.h, ggml-metal-impl.h
// and registry.h; used by kernels/cache_rows.cpp (emulate-cache.sh) and backend/ (test-backend-ops.sh).
#pragma once

namespace msl_cache {

inline msl_exec::grid grid_of(const msl_kernels::dispatch_size & d) {
    return { { d.groups[0], d.groups[1], d.groups[2] }, { d.threads[0], d.threads[1], d.threads[2] } };
}

// a thread's position in its threadgroup, from its index (x fastest, as Metal numbers them)
inline ushort3 position_of(int tid, const msl_kernels::dispatch_size & d) {
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

// kernel_fwht_f32<N>(args [[buffer(0)]], src, dst [[buffer(1..2)]], tgpig, sgitg, tiisg, ntg): one simdgroup per row
template <auto K> void run_fwht(const char * name, const msl_kernels::bindings & b, const msl_kernels::dispatch_size & d) {
    const auto & args = *(const ggml_metal_kargs_fwht *) b.bytes[0];
    const ushort3 ntg((ushort) d.threads[0], (ushort) d.threads[1], (ushort) d.threads[2]);
    msl_exec::dispatch(name, grid_of(d), b.threadgroup_memory[0], [&](const uint32_t * tg, int tid, char *) {
        K(args, (device const float *) b.buffers[1], (device float *) b.buffers[2], uint3(tg[0], tg[1], tg[2]),
          (ushort) (tid / msl_exec::k_simd_width), (ushort) (tid % msl_exec::k_simd_width), ntg);
    });
}

} // namespace msl_cache

using msl_cache::run_cpy;
using msl_cache::run_fwht;
using msl_cache::run_set_rows;
