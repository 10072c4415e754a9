// The emulated library's K/V rotation (test-backend-ops.sh): misc.metal compiled as C++, its kernel_fwht_f32
// instantiations registered (backend/register-kernels.pl) with kernels/cache_runners.h's run_fwht. The host runs them
// for a MUL_MAT with the Hadamard hint (GGML_HINT_SRC0_IS_HADAMARD) at row sizes 64, 128, 256 and 512: the rotation
// of K and V before they are cached.
#include <metal_stdlib>

#include "../executor/fibers.h"
#include "ggml-metal-impl.h"
#include "../kernels/registry.h"
#include "../kernels/cache_runners.h"

#include MISC_METAL_SOURCE
