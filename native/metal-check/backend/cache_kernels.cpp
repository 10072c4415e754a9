// The emulated library's cache kernels (test-backend-ops.sh): quantize.metal compiled as C++, its SET_ROWS and CPY
// instantiations that test-backend-ops.sh keeps registered (backend/register-kernels.pl) with the runners of
// kernels/cache_runners.h: F32 rows into every cache type at I64 or I32 positions, a cache type back to F32 and F16.
#include <metal_stdlib>

#include "../executor/fibers.h"
#include "ggml-metal-impl.h"
#include "../kernels/registry.h"
#include "../kernels/cache_runners.h"

// clang lowers a float-to-bfloat conversion to this compiler-rt routine, which Debian 12's libgcc lacks: round to
// nearest even (an Apple GPU's conversion), a NaN stays a (quiet) NaN
extern "C" __attribute__((weak, no_sanitize("coverage"))) __bf16 __truncsfbf2(float f) {
    uint32_t u;
    memcpy(&u, &f, sizeof(u));
    const uint16_t h = (u & 0x7fffffff) > 0x7f800000 ? (uint16_t) ((u >> 16) | 0x40)
                                                     : (uint16_t) ((u + 0x7fff + ((u >> 16) & 1)) >> 16);
    __bf16 r;
    memcpy(&r, &h, sizeof(r));
    return r;
}

#include QUANTIZE_METAL_SOURCE
