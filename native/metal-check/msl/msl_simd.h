// What threads of a threadgroup share in MSL: atomics, barriers, the simdgroup functions (a value exchanged among
// the 32 lanes of a simdgroup) and simdgroup matrices (an 8x8 matrix held jointly by those lanes). Declared only:
// the compile check needs their signatures; an executor that runs the kernels defines them as the points where the
// lanes meet.
#pragma once

#include "msl_types.h"

namespace metal {

// <metal_atomic>: the kernels use relaxed order only
enum memory_order { memory_order_relaxed };
template <typename T> struct atomic { T value; };
typedef atomic<int>   atomic_int;
typedef atomic<uint>  atomic_uint;
typedef atomic<float> atomic_float;
template <typename T> T    atomic_load_explicit(const atomic<T> * a, memory_order);
template <typename T> void atomic_store_explicit(atomic<T> * a, T x, memory_order);
template <typename T> T    atomic_fetch_add_explicit(atomic<T> * a, T x, memory_order);
template <typename T> T    atomic_fetch_sub_explicit(atomic<T> * a, T x, memory_order);
template <typename T> T    atomic_fetch_max_explicit(atomic<T> * a, T x, memory_order);
template <typename T> T    atomic_fetch_min_explicit(atomic<T> * a, T x, memory_order);
template <typename T> T    atomic_exchange_explicit(atomic<T> * a, T x, memory_order);

enum class mem_flags : int {
    mem_none                   = 0,
    mem_device                 = 1,
    mem_threadgroup            = 2,
    mem_texture                = 4,
    mem_threadgroup_imageblock = 8,
};
inline mem_flags operator|(mem_flags a, mem_flags b) { return (mem_flags) ((int) a | (int) b); }

void threadgroup_barrier(mem_flags flags);
void simdgroup_barrier(mem_flags flags);

// A variable a kernel declares in threadgroup memory (`threadgroup int tcount[8];`) is one object that every thread of
// the threadgroup shares; with `threadgroup` erased it would be a local of each thread. msl/rewrite.sh turns such a
// declaration into MSL_THREADGROUP_VARIABLE(int, tcount, [8]): a reference to the threadgroup's object, which an
// executor places (site: one per declaration).
template <typename T> T & msl_threadgroup_variable(const void * site);
#define MSL_THREADGROUP_VARIABLE(T, name, dims)                                                                       \
    static char msl_site_##name;                                                                                      \
    typedef T msl_type_##name dims;                                                                                   \
    msl_type_##name & name = metal::msl_threadgroup_variable<msl_type_##name>(&msl_site_##name)

template <typename T> T simd_sum(T x);
template <typename T> T simd_max(T x);
template <typename T> T simd_min(T x);
template <typename T> T simd_product(T x);
template <typename T> T simd_prefix_exclusive_sum(T x);
template <typename T> T simd_prefix_inclusive_sum(T x);
template <typename T> T simd_shuffle(T x, ushort lane);
template <typename T> T simd_shuffle_down(T x, ushort delta);
template <typename T> T simd_shuffle_up(T x, ushort delta);
template <typename T> T simd_shuffle_xor(T x, ushort mask);
template <typename T> T simd_broadcast(T x, ushort lane);
template <typename T> T simd_broadcast_first(T x);
bool                    simd_all(bool x);
bool                    simd_any(bool x);

// simdgroup_TCxR: C columns, R rows; loads, stores and products are collective (every lane of the simdgroup calls
// them with the same arguments)
template <typename T, int C, int R> struct simdgroup_matrix { T e[R][C]; };
typedef simdgroup_matrix<half, 8, 8>   simdgroup_half8x8;
typedef simdgroup_matrix<float, 8, 8>  simdgroup_float8x8;
typedef simdgroup_matrix<bfloat, 8, 8> simdgroup_bfloat8x8;

template <typename T, int C, int R = C> simdgroup_matrix<T, C, R> make_filled_simdgroup_matrix(const T value);

template <typename T, int C, int R>
void simdgroup_load(simdgroup_matrix<T, C, R> & d, const T * src, ulong elements_per_row = C,
                    ulong2 matrix_origin = 0, bool transpose = false);
template <typename T, int C, int R>
void simdgroup_store(const simdgroup_matrix<T, C, R> & a, T * dst, ulong elements_per_row = C,
                     ulong2 matrix_origin = 0, bool transpose = false);
template <typename TD, typename TA, typename TB, typename TC, int M, int N, int K>
void simdgroup_multiply_accumulate(simdgroup_matrix<TD, N, M> & d, const simdgroup_matrix<TA, K, M> & a,
                                   const simdgroup_matrix<TB, N, K> & b, const simdgroup_matrix<TC, N, M> & c);
template <typename TD, typename TA, typename TB, int M, int N, int K>
void simdgroup_multiply(simdgroup_matrix<TD, N, M> & d, const simdgroup_matrix<TA, K, M> & a,
                        const simdgroup_matrix<TB, N, K> & b);

} // namespace metal
