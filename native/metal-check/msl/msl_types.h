// The types of the Metal Shading Language as C++17 on clang (x86-64 or arm64): half is _Float16, bfloat is __bf16,
// vectors and matrices are class templates. Vectors cannot be clang's ext_vector_type: MSL converts between vector
// types element by element ((half4) f4, float4(h4)), whereas a clang vector cast reinterprets the bits (same size)
// or fails (different size).
#pragma once

#include <cfloat>
#include <cstddef>
#include <cstdint>
#include <type_traits>

// Address spaces and function qualifiers carry no meaning here (one flat address space), so the compile check cannot
// see a pointer passed to the wrong address space; Apple's compiler does.
#define device
#define threadgroup
#define thread
#define constant const
#define kernel
#define METAL_FUNC inline

// MSL 3.2 (macOS 15): bfloat needs 3.1 (kernels/common.h drops GGML_METAL_HAS_BF16 below it)
#ifndef __METAL_VERSION__
#define __METAL_VERSION__ 320
#endif

typedef _Float16       half;
typedef __bf16         bfloat;
typedef unsigned char  uchar;
typedef unsigned short ushort;
typedef unsigned int   uint;
typedef unsigned long  ulong; // 64 bits, as in MSL, on LP64 Linux

// half literals: 16.h, 0.0h
#pragma clang diagnostic push
#pragma clang diagnostic ignored "-Wuser-defined-literals"
constexpr half operator""h(long double x) { return (half) x; }
constexpr half operator""h(unsigned long long x) { return (half) x; }
#pragma clang diagnostic pop

#define INFINITY  __builtin_inff()
#define NAN       __builtin_nanf("")
#define MAXHALF   ((half) 65504.0f)
#define HALF_MAX  ((half) 65504.0f)
#define M_PI_F    3.14159265358979323846f
#define M_LOG2E_F 1.44269504088896340736f

namespace metal {

// <metal_type_traits>
using std::conditional;
using std::enable_if;
using std::integral_constant;
using std::is_floating_point;
using std::is_integral;
using std::is_same;
using std::is_scalar;
using std::is_signed;
using std::is_unsigned;
using std::remove_cv;

template <typename T>
struct is_num : std::integral_constant<bool, std::is_arithmetic<T>::value || std::is_same<T, half>::value ||
                                                 std::is_same<T, bfloat>::value> {};

// clang converts neither way between _Float16 and __bf16 directly: those go through float
template <typename T, typename U> inline T convert_scalar(const U & u) {
    if constexpr ((std::is_same<T, half>::value && std::is_same<U, bfloat>::value) ||
                  (std::is_same<T, bfloat>::value && std::is_same<U, half>::value)) {
        return (T) (float) u;
    } else {
        return (T) u;
    }
}

// ---------------------------------------------------------------- vectors: vec<T, N> is MSL's TN (float4, half2, ...)
// A 3-vector is as large and aligned as a 4-vector, as in MSL.
template <typename T, int N> struct vec_storage;
template <typename T> struct alignas(2 * sizeof(T)) vec_storage<T, 2> {
    union { T e[2]; struct { T x, y; }; struct { T r, g; }; };
};
template <typename T> struct alignas(4 * sizeof(T)) vec_storage<T, 3> {
    union { T e[4]; struct { T x, y, z; }; struct { T r, g, b; }; };
};
template <typename T> struct alignas(4 * sizeof(T)) vec_storage<T, 4> {
    union { T e[4]; struct { T x, y, z, w; }; struct { T r, g, b, a; }; };
};

template <typename T, int N> struct vec;
template <typename T, int N> struct packed_vec;

template <typename A> struct component_count { static constexpr int value = 1; };
template <typename T, int N> struct component_count<vec<T, N>> { static constexpr int value = N; };
template <typename... A> constexpr int component_sum() { return (0 + ... + component_count<A>::value); }

template <typename T, int N> struct vec : vec_storage<T, N> {
    typedef T value_type;

    vec() = default;

    // a scalar fills every component, implicitly as in MSL ("half4 x = 0;")
    template <typename S, typename std::enable_if<is_num<S>::value, int>::type = 0> vec(S s) {
        for (int i = 0; i < N; ++i) this->e[i] = convert_scalar<T>(s);
    }

    // another vector type converts element by element, explicitly as in MSL
    template <typename U, typename std::enable_if<!std::is_same<U, T>::value, int>::type = 0>
    explicit vec(const vec<U, N> & o) {
        for (int i = 0; i < N; ++i) this->e[i] = convert_scalar<T>(o.e[i]);
    }

    template <typename U> explicit vec(const packed_vec<U, N> & o) {
        for (int i = 0; i < N; ++i) this->e[i] = convert_scalar<T>(o.e[i]);
    }

    // from components: float4(a, b, c, d), float4(f2, f2), float4(f3, s), ...
    template <typename A, typename B, typename... R,
              typename std::enable_if<component_sum<A, B, R...>() == N, int>::type = 0>
    vec(const A & a, const B & b, const R &... r) {
        int k = 0;
        put(k, a);
        put(k, b);
        (put(k, r), ...);
    }

    T &       operator[](int i) { return this->e[i]; }
    const T & operator[](int i) const { return this->e[i]; }

  private:
    template <typename S> void put(int & k, const S & s) { this->e[k++] = convert_scalar<T>(s); }
    template <typename U, int M> void put(int & k, const vec<U, M> & v) {
        for (int i = 0; i < M; ++i) this->e[k++] = convert_scalar<T>(v.e[i]);
    }
};

// packed_TN: aligned as its element, converts to and from vec<T, N>
template <typename T, int N> struct packed_vec {
    T e[N];

    packed_vec() = default;
    packed_vec(const vec<T, N> & v) {
        for (int i = 0; i < N; ++i) e[i] = v.e[i];
    }
    operator vec<T, N>() const {
        vec<T, N> r;
        for (int i = 0; i < N; ++i) r.e[i] = e[i];
        return r;
    }
    T &       operator[](int i) { return e[i]; }
    const T & operator[](int i) const { return e[i]; }
};

// a vector op a vector, a scalar or a vector op a scalar: element-wise; R is the result's element type
#define MSL_VEC_BINARY(op, R)                                                                                         \
    template <typename T, int N> inline vec<R, N> operator op(const vec<T, N> & a, const vec<T, N> & b) {              \
        vec<R, N> r;                                                                                                  \
        for (int i = 0; i < N; ++i) r.e[i] = (R) (a.e[i] op b.e[i]);                                                  \
        return r;                                                                                                     \
    }                                                                                                                 \
    template <typename T, int N, typename S, typename std::enable_if<is_num<S>::value, int>::type = 0>                 \
    inline vec<R, N> operator op(const vec<T, N> & a, S b) {                                                          \
        return a op vec<T, N>(b);                                                                                     \
    }                                                                                                                 \
    template <typename T, int N, typename S, typename std::enable_if<is_num<S>::value, int>::type = 0>                 \
    inline vec<R, N> operator op(S a, const vec<T, N> & b) {                                                          \
        return vec<T, N>(a) op b;                                                                                     \
    }
#define MSL_VEC_ARITHMETIC(op)                                                                                        \
    MSL_VEC_BINARY(op, T)                                                                                             \
    template <typename T, int N, typename S> inline vec<T, N> & operator op##=(vec<T, N> & a, const S & b) {          \
        a = a op b;                                                                                                   \
        return a;                                                                                                     \
    }
MSL_VEC_ARITHMETIC(+)
MSL_VEC_ARITHMETIC(-)
MSL_VEC_ARITHMETIC(*)
MSL_VEC_ARITHMETIC(/)
MSL_VEC_ARITHMETIC(%)
MSL_VEC_ARITHMETIC(&)
MSL_VEC_ARITHMETIC(|)
MSL_VEC_ARITHMETIC(^)
MSL_VEC_ARITHMETIC(<<)
MSL_VEC_ARITHMETIC(>>)
#undef MSL_VEC_ARITHMETIC
MSL_VEC_BINARY(==, bool)
MSL_VEC_BINARY(!=, bool)
MSL_VEC_BINARY(<, bool)
MSL_VEC_BINARY(<=, bool)
MSL_VEC_BINARY(>, bool)
MSL_VEC_BINARY(>=, bool)
MSL_VEC_BINARY(&&, bool)
MSL_VEC_BINARY(||, bool)
#undef MSL_VEC_BINARY

#define MSL_VEC_UNARY(op, R)                                                                                          \
    template <typename T, int N> inline vec<R, N> operator op(const vec<T, N> & a) {                                  \
        vec<R, N> r;                                                                                                  \
        for (int i = 0; i < N; ++i) r.e[i] = op a.e[i];                                                               \
        return r;                                                                                                     \
    }
MSL_VEC_UNARY(-, T)
MSL_VEC_UNARY(+, T)
MSL_VEC_UNARY(~, T)
MSL_VEC_UNARY(!, bool)
#undef MSL_VEC_UNARY

// ---------------------------------------------------------------- matrices: matrix<T, C, R> is MSL's TCxR
// column-major: C columns, each a vec<T, R>
template <typename T, int C, int R> struct matrix {
    vec<T, R> c[C];

    matrix() = default;
    // a scalar sets the diagonal
    explicit matrix(T d) {
        for (int i = 0; i < C; ++i) {
            c[i] = vec<T, R>(0);
            if (i < R) c[i][i] = d;
        }
    }
    template <typename U, typename std::enable_if<!std::is_same<U, T>::value, int>::type = 0>
    explicit matrix(const matrix<U, C, R> & o) {
        for (int i = 0; i < C; ++i) c[i] = vec<T, R>(o.c[i]);
    }
    template <typename... V, typename std::enable_if<sizeof...(V) == C && C != 1, int>::type = 0>
    matrix(const V &... columns) {
        int k = 0;
        ((c[k++] = columns), ...);
    }

    vec<T, R> &       operator[](int i) { return c[i]; }
    const vec<T, R> & operator[](int i) const { return c[i]; }
};

template <typename T, int C, int R, typename S, typename std::enable_if<is_num<S>::value, int>::type = 0>
inline matrix<T, C, R> operator*(const matrix<T, C, R> & m, S s) {
    matrix<T, C, R> r;
    for (int i = 0; i < C; ++i) r.c[i] = m.c[i] * s;
    return r;
}
template <typename T, int C, int R>
inline matrix<T, C, R> operator+(const matrix<T, C, R> & a, const matrix<T, C, R> & b) {
    matrix<T, C, R> r;
    for (int i = 0; i < C; ++i) r.c[i] = a.c[i] + b.c[i];
    return r;
}
template <typename T, int C, int R> inline vec<T, R> operator*(const matrix<T, C, R> & m, const vec<T, C> & v) {
    vec<T, R> r(0);
    for (int i = 0; i < C; ++i) r += m.c[i] * v.e[i];
    return r;
}

} // namespace metal

#define MSL_VECTOR_NAMES(T)                                                                                           \
    typedef metal::vec<T, 2>        T##2;                                                                             \
    typedef metal::vec<T, 3>        T##3;                                                                             \
    typedef metal::vec<T, 4>        T##4;                                                                             \
    typedef metal::packed_vec<T, 2> packed_##T##2;                                                                    \
    typedef metal::packed_vec<T, 3> packed_##T##3;                                                                    \
    typedef metal::packed_vec<T, 4> packed_##T##4;
MSL_VECTOR_NAMES(bool)
MSL_VECTOR_NAMES(char)
MSL_VECTOR_NAMES(uchar)
MSL_VECTOR_NAMES(short)
MSL_VECTOR_NAMES(ushort)
MSL_VECTOR_NAMES(int)
MSL_VECTOR_NAMES(uint)
MSL_VECTOR_NAMES(long)
MSL_VECTOR_NAMES(ulong)
MSL_VECTOR_NAMES(half)
MSL_VECTOR_NAMES(float)
MSL_VECTOR_NAMES(bfloat)
#undef MSL_VECTOR_NAMES

#define MSL_MATRIX_NAMES(T)                                                                                           \
    typedef metal::matrix<T, 2, 2> T##2x2;                                                                            \
    typedef metal::matrix<T, 2, 3> T##2x3;                                                                            \
    typedef metal::matrix<T, 2, 4> T##2x4;                                                                            \
    typedef metal::matrix<T, 3, 2> T##3x2;                                                                            \
    typedef metal::matrix<T, 3, 3> T##3x3;                                                                            \
    typedef metal::matrix<T, 3, 4> T##3x4;                                                                            \
    typedef metal::matrix<T, 4, 2> T##4x2;                                                                            \
    typedef metal::matrix<T, 4, 3> T##4x3;                                                                            \
    typedef metal::matrix<T, 4, 4> T##4x4;
MSL_MATRIX_NAMES(half)
MSL_MATRIX_NAMES(float)
MSL_MATRIX_NAMES(bfloat)
#undef MSL_MATRIX_NAMES
