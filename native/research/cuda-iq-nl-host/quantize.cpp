// host build of cpy-utils.cuh's quantize_f32_iq3_nl_block / iq2_nl against the CPU reference (patch 0018).
// The quantizer is warp-cooperative (one warp per block of 64): the 32 lanes run here as 32 ucontext fibers, and
// every __shfl_sync / __shfl_xor_sync / __ballot_sync is a rendezvous of all 32 that the scheduler answers as the GPU
// would (a lane that returns while others wait at a collective, or lanes at different collectives, is an error).
#include <cstdio>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <cmath>
#include <random>
#include <ucontext.h>
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
#define WARP_SIZE 32
typedef uint16_t half;
static float __fdiv_rn(float a, float b) { volatile float r = a / b; return r; }
static float __fmul_rn(float a, float b) { volatile float r = a * b; return r; }
static float __frcp_rn(float a) { volatile float r = 1.0f / a; return r; }
static half __float2half(float f) { return ggml_fp32_to_fp16(f); }
static float __half2float(half h) { return ggml_fp16_to_fp32(h); }

// ---- a warp of 32 fibers
enum { OP_SHFL, OP_XOR, OP_BALLOT };
struct request { int op; uint32_t v; int arg; };
static ucontext_t sched_ctx, lane_ctx[32];
static char stacks[32][1 << 16];
static request req[32];
static uint32_t res[32];
static bool finished[32];
static int cur;
static long n_collectives;
struct dim3_host { unsigned x; };
static dim3_host threadIdx;

static uint32_t collective(int op, uint32_t v, int arg) {
    req[cur] = {op, v, arg};
    swapcontext(&lane_ctx[cur], &sched_ctx);
    return res[cur];
}
template <typename T> static uint32_t bits(T v) { static_assert(sizeof(T) == 4, ""); uint32_t u; memcpy(&u, &v, 4); return u; }
template <typename T> static T from_bits(uint32_t u) { T v; memcpy(&v, &u, 4); return v; }
template <typename T> static T __shfl_sync(unsigned mask, T v, int src, int width = 32) {
    if (mask != 0xFFFFFFFF || width != 32) abort();
    return from_bits<T>(collective(OP_SHFL, bits(v), src));
}
template <typename T> static T __shfl_xor_sync(unsigned mask, T v, int offset, int width = 32) {
    if (mask != 0xFFFFFFFF || width != 32) abort();
    return from_bits<T>(collective(OP_XOR, bits(v), offset));
}
static uint32_t __ballot_sync(unsigned mask, int pred) {
    if (mask != 0xFFFFFFFF) abort();
    return collective(OP_BALLOT, pred != 0, 0);
}

#include "q_body.inc" // the iq_nl part of ggml-cuda/cpy-utils.cuh, cut out by check.sh

static const float * g_x;
static void * g_y;
static bool g_iq3;
static void lane_main(int lane) {
    if (g_iq3) quantize_f32_iq3_nl_block(g_x, (block_iq3_nl *) g_y);
    else       quantize_f32_iq2_nl_block(g_x, (block_iq2_nl *) g_y);
    finished[lane] = true; // then uc_link: back to the scheduler
}

static void run_warp(const float * x, void * y, bool iq3) {
    g_x = x; g_y = y; g_iq3 = iq3;
    for (int l = 0; l < 32; ++l) {
        getcontext(&lane_ctx[l]);
        lane_ctx[l].uc_stack.ss_sp = stacks[l];
        lane_ctx[l].uc_stack.ss_size = sizeof(stacks[l]);
        lane_ctx[l].uc_link = &sched_ctx;
        makecontext(&lane_ctx[l], (void (*)()) lane_main, 1, l);
        finished[l] = false;
    }
    for (;;) {
        for (int l = 0; l < 32; ++l) {
            cur = l; threadIdx.x = l;
            swapcontext(&sched_ctx, &lane_ctx[l]);
        }
        int n_fin = 0;
        for (int l = 0; l < 32; ++l) n_fin += finished[l];
        if (n_fin == 32) return;
        if (n_fin != 0) { fprintf(stderr, "divergence: %d lanes returned, the rest wait at a collective\n", n_fin); exit(2); }
        for (int l = 0; l < 32; ++l) {
            if (req[l].op != req[0].op || (req[l].op == OP_XOR && req[l].arg != req[0].arg)) {
                fprintf(stderr, "divergence: lanes at different collectives\n"); exit(2);
            }
        }
        uint32_t ballot = 0;
        for (int l = 0; l < 32; ++l) ballot |= (req[l].v & 1u) << l;
        for (int l = 0; l < 32; ++l) {
            switch (req[l].op) {
                case OP_SHFL:   res[l] = req[req[l].arg & 31].v; break;
                case OP_XOR:    res[l] = req[(l ^ req[l].arg) & 31].v; break;
                case OP_BALLOT: res[l] = ballot; break;
            }
        }
        ++n_collectives;
    }
}

int main() {
    std::mt19937 rng(2); std::normal_distribution<float> nd(0.0f, 1.0f);
    long diff3 = 0, diff2 = 0; const int nb = 20000;
    for (int ib = 0; ib < nb; ++ib) {
        float x[64]; const float sc = std::exp(nd(rng)*3);
        for (float & v : x) v = nd(rng)*sc;
        if (ib % 97 == 0) for (float & v : x) v = 0.0f;
        if (ib % 89 == 1) for (int j = 0; j < 64; ++j) x[j] = (float) ((j*7) % 9 - 4); // ties between levels
        block_iq3_nl a, b; block_iq2_nl c, d;
        memset(&b, 0xA5, sizeof(b)); memset(&d, 0xA5, sizeof(d)); // every byte must be written
        quantize_row_iq3_nl_ref(x, &a, 64); run_warp(x, &b, true);
        quantize_row_iq2_nl_ref(x, &c, 64); run_warp(x, &d, false);
        diff3 += memcmp(&a, &b, sizeof(a)) != 0; diff2 += memcmp(&c, &d, sizeof(c)) != 0;
    }
    printf("warp quantizer (32 emulated lanes, %ld collectives): blocks differing from the CPU reference: iq3_nl %ld, iq2_nl %ld of %d\n",
           n_collectives, diff3, diff2, nb);
    return diff3 || diff2;
}
