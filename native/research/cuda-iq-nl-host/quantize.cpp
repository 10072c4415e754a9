// host build of cpy-utils.cuh's quantize_f32_iq3_nl_block / iq2_nl against the CPU reference (patch 0018)
#include <cstdio>
#include <cstdint>
#include <cstring>
#include <cmath>
#include <random>
#define GGML_COMMON_DECL_C
#include "ggml-common.h"
extern "C" {
#include "ggml.h"
void quantize_row_iq3_nl_ref(const float * x, block_iq3_nl * y, int64_t k);
void quantize_row_iq2_nl_ref(const float * x, block_iq2_nl * y, int64_t k);
}
static const int8_t kvalues_iq3nl[16] = {-127,-79,-45,-14,14,45,79,127,-127,-79,-45,-14,14,45,79,127};
static const int8_t kvalues_iq2nl[16] = {-3,-1,1,3,-3,-1,1,3,-3,-1,1,3,-3,-1,1,3};
#define __device__
#define __forceinline__ inline
#define __restrict__
typedef uint16_t half;
static float __fdiv_rn(float a, float b) { volatile float r = a / b; return r; }
static float __fmul_rn(float a, float b) { volatile float r = a * b; return r; }
static float __frcp_rn(float a) { volatile float r = 1.0f / a; return r; }
static half __float2half(float f) { return ggml_fp32_to_fp16(f); }
static float __half2float(half h) { return ggml_fp16_to_fp32(h); }
#include "q_body.inc" // the iq_nl part of ggml-cuda/cpy-utils.cuh, cut out by check.sh
int main() {
    std::mt19937 rng(2); std::normal_distribution<float> nd(0.0f, 1.0f);
    long diff3 = 0, diff2 = 0; const int nb = 20000;
    for (int ib = 0; ib < nb; ++ib) {
        float x[64]; const float sc = std::exp(nd(rng)*3);
        for (float & v : x) v = nd(rng)*sc;
        if (ib % 97 == 0) for (float & v : x) v = 0.0f;
        block_iq3_nl a, b; block_iq2_nl c, d;
        quantize_row_iq3_nl_ref(x, &a, 64); quantize_f32_iq3_nl_block(x, &b);
        quantize_row_iq2_nl_ref(x, &c, 64); quantize_f32_iq2_nl_block(x, &d);
        diff3 += memcmp(&a, &b, sizeof(a)) != 0; diff2 += memcmp(&c, &d, sizeof(c)) != 0;
    }
    printf("blocks differing from the CPU reference: iq3_nl %ld, iq2_nl %ld of %d\n", diff3, diff2, nb);
    return diff3 || diff2;
}
