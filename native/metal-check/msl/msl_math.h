// MSL's math, relational and conversion functions: the float and half overloads the kernels call, and their
// element-wise vector forms. Results are IEEE float results computed in float; Apple's compiler builds the kernels
// with fast math, so an executed kernel must be compared with a tolerance, never bit for bit.
#pragma once

#include "msl_types.h"

namespace metal {

#define MSL_UNARY(name, expr)                                                                                         \
    inline float name(float x) { return expr; }                                                                       \
    inline half  name(half x) { return (half) name((float) x); }                                                      \
    inline float name(double x) { return name((float) x); } /* MSL has no double: a literal is a float */              \
    template <typename T, int N> inline vec<T, N> name(const vec<T, N> & v) {                                         \
        vec<T, N> r;                                                                                                  \
        for (int i = 0; i < N; ++i) r.e[i] = name(v.e[i]);                                                            \
        return r;                                                                                                     \
    }
MSL_UNARY(exp, __builtin_expf(x))
MSL_UNARY(exp2, __builtin_exp2f(x))
MSL_UNARY(log, __builtin_logf(x))
MSL_UNARY(log2, __builtin_log2f(x))
MSL_UNARY(sqrt, __builtin_sqrtf(x))
MSL_UNARY(rsqrt, 1.0f / __builtin_sqrtf(x))
MSL_UNARY(tanh, __builtin_tanhf(x))
MSL_UNARY(fabs, __builtin_fabsf(x))
MSL_UNARY(floor, __builtin_floorf(x))
MSL_UNARY(ceil, __builtin_ceilf(x))
MSL_UNARY(round, __builtin_roundf(x))
MSL_UNARY(trunc, __builtin_truncf(x))
MSL_UNARY(rint, __builtin_rintf(x))
MSL_UNARY(sin, __builtin_sinf(x))
MSL_UNARY(cos, __builtin_cosf(x))
MSL_UNARY(erf, __builtin_erff(x))
MSL_UNARY(sign, (x > 0.0f ? 1.0f : x < 0.0f ? -1.0f : 0.0f))
#undef MSL_UNARY

// the kernels' precise:: and fast:: calls: the same functions here (see above on fast math)
namespace precise {
using namespace metal;
}
namespace fast {
using namespace metal;
}

#define MSL_BINARY(name, T, expr)                                                                                     \
    inline T name(T a, T b) { return expr; }
#define MSL_MIN_MAX(T) MSL_BINARY(max, T, a > b ? a : b) MSL_BINARY(min, T, a < b ? a : b)
MSL_MIN_MAX(float)
MSL_MIN_MAX(half)
MSL_MIN_MAX(char)
MSL_MIN_MAX(uchar)
MSL_MIN_MAX(short)
MSL_MIN_MAX(ushort)
MSL_MIN_MAX(int)
MSL_MIN_MAX(uint)
MSL_MIN_MAX(long)
MSL_MIN_MAX(ulong)
#undef MSL_MIN_MAX
MSL_BINARY(fmax, float, __builtin_fmaxf(a, b))
MSL_BINARY(fmin, float, __builtin_fminf(a, b))
MSL_BINARY(fmax, half, (half) __builtin_fmaxf(a, b))
MSL_BINARY(fmin, half, (half) __builtin_fminf(a, b))
MSL_BINARY(pow, float, __builtin_powf(a, b))
MSL_BINARY(pow, half, (half) __builtin_powf(a, b))
#undef MSL_BINARY

// mixed scalar arguments (fmax(0, x)) take the usual arithmetic conversions, as Apple's compiler accepts them;
// a double (an unsuffixed literal) is a float
#define MSL_BINARY_MIXED(name)                                                                                        \
    template <typename A, typename B,                                                                                 \
              typename std::enable_if<is_num<A>::value && is_num<B>::value && !std::is_same<A, B>::value, int>::type = \
                  0>                                                                                                  \
    inline auto name(A a, B b) {                                                                                      \
        typedef typename std::conditional<std::is_same<decltype(a + b), double>::value, float, decltype(a + b)>::type \
            C;                                                                                                        \
        return name((C) a, (C) b);                                                                                    \
    }
MSL_BINARY_MIXED(max)
MSL_BINARY_MIXED(min)
MSL_BINARY_MIXED(fmax)
MSL_BINARY_MIXED(fmin)
MSL_BINARY_MIXED(pow)
#undef MSL_BINARY_MIXED

#define MSL_BINARY_VEC(name)                                                                                          \
    template <typename T, int N> inline vec<T, N> name(const vec<T, N> & a, const vec<T, N> & b) {                    \
        vec<T, N> r;                                                                                                  \
        for (int i = 0; i < N; ++i) r.e[i] = name(a.e[i], b.e[i]);                                                    \
        return r;                                                                                                     \
    }                                                                                                                 \
    template <typename T, int N, typename S, typename std::enable_if<is_num<S>::value, int>::type = 0>                 \
    inline vec<T, N> name(const vec<T, N> & a, S b) {                                                                 \
        return name(a, vec<T, N>(b));                                                                                 \
    }                                                                                                                 \
    template <typename T, int N, typename S, typename std::enable_if<is_num<S>::value, int>::type = 0>                 \
    inline vec<T, N> name(S a, const vec<T, N> & b) {                                                                 \
        return name(vec<T, N>(a), b);                                                                                 \
    }
MSL_BINARY_VEC(max)
MSL_BINARY_VEC(min)
MSL_BINARY_VEC(fmax)
MSL_BINARY_VEC(fmin)
MSL_BINARY_VEC(pow)
#undef MSL_BINARY_VEC

inline float fma(float a, float b, float c) { return __builtin_fmaf(a, b, c); }
inline half  fma(half a, half b, half c) { return (half) __builtin_fmaf(a, b, c); }

template <typename T> inline T clamp(T x, T lo, T hi) { return min(max(x, lo), hi); }
template <typename T, int N> inline vec<T, N> clamp(const vec<T, N> & x, T lo, T hi) { return min(max(x, lo), hi); }
template <typename T> inline T mix(T a, T b, T t) { return a + (b - a) * t; }

inline bool isinf(float x) { return __builtin_isinf(x); }
inline bool isinf(half x) { return __builtin_isinf((float) x); }
inline bool isnan(float x) { return __builtin_isnan(x); }
inline bool isnan(half x) { return __builtin_isnan((float) x); }
inline bool isfinite(float x) { return __builtin_isfinite(x); }

inline int   abs(int x) { return x < 0 ? -x : x; }
inline float abs(float x) { return __builtin_fabsf(x); }
inline half  abs(half x) { return (half) __builtin_fabsf((float) x); }

template <typename T, typename std::enable_if<is_num<T>::value, int>::type = 0> inline T select(T a, T b, bool c) {
    return c ? b : a;
}
template <typename T, int N> inline vec<T, N> select(const vec<T, N> & a, const vec<T, N> & b, bool c) {
    return c ? b : a;
}
template <typename T, int N> inline vec<T, N> select(const vec<T, N> & a, const vec<T, N> & b, const vec<bool, N> & c) {
    vec<T, N> r;
    for (int i = 0; i < N; ++i) r.e[i] = c.e[i] ? b.e[i] : a.e[i];
    return r;
}

template <typename T, int N> inline T dot(const vec<T, N> & a, const vec<T, N> & b) {
    T s = 0;
    for (int i = 0; i < N; ++i) s += a.e[i] * b.e[i];
    return s;
}

template <int N> inline bool all(const vec<bool, N> & v) {
    for (int i = 0; i < N; ++i)
        if (!v.e[i]) return false;
    return true;
}
template <int N> inline bool any(const vec<bool, N> & v) {
    for (int i = 0; i < N; ++i)
        if (v.e[i]) return true;
    return false;
}
inline bool all(bool b) { return b; }
inline bool any(bool b) { return b; }

// reinterpret the bits; MSL requires equal sizes, so does this
template <typename T, typename U> inline T as_type(const U & x) {
    static_assert(sizeof(T) == sizeof(U), "as_type: the two types differ in size");
    return __builtin_bit_cast(T, x);
}

} // namespace metal
