// The iq3_nl/iq2_nl block codecs of ggml-metal's kernels (quantize_iq3_nl, quantize_iq2_nl in kernels/quantize.h,
// which SET_ROWS and CPY run; dequantize_iq*_nl and *_t4 in kernels/dequantize.h, which the prompt route's
// kernel_flash_attn_ext_kv_*_f16, CPY to F32/F16, GET_ROWS and the vec kernels run), compiled as C++ against the
// stand-in metal_stdlib, checked against ggml's CPU reference (quantize_row_*_ref, dequantize_row_* in
// libggml-base): every block must be byte for byte the CPU's, every decoded value equal. The kernels around the
// codecs (thread indexing, strides) do not run here.
// usage: iq-nl-codec-check N_BLOCKS
#include <metal_stdlib>

#include "dequantize.h"
#include "quantize.h"

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <vector>

extern "C" {
void quantize_row_iq3_nl_ref(const float * x, void * y, int64_t k);
void quantize_row_iq2_nl_ref(const float * x, void * y, int64_t k);
void dequantize_row_iq3_nl(const void * x, float * y, int64_t k);
void dequantize_row_iq2_nl(const void * x, float * y, int64_t k);
}

namespace {

// Gaussian blocks at scales from 1e-4 to 1e4, a block of zeros, one of a single repeated value, one with one
// outlier, one of negative values only, one with a single nonzero value
std::vector<float> test_values(int n_blocks) {
    std::mt19937 rng(42);
    std::normal_distribution<float> gauss(0.0f, 1.0f);
    std::vector<float> x((size_t) n_blocks*64);
    for (int b = 0; b < n_blocks; ++b) {
        float * xb = x.data() + (size_t) b*64;
        const float scale = powf(10.0f, (float) (b % 9) - 4.0f);
        for (int j = 0; j < 64; ++j) {
            xb[j] = scale*gauss(rng);
        }
        switch (b % 97) {
            case 1: memset(xb, 0, 64*sizeof(float)); break;
            case 2: for (int j = 0; j < 64; ++j) xb[j] = 0.3f; break;
            case 3: xb[17] = 40.0f*scale; break;
            case 4: for (int j = 0; j < 64; ++j) xb[j] = -fabsf(xb[j]); break;
            case 5: memset(xb, 0, 64*sizeof(float)); xb[63] = -scale; break;
        }
    }
    return x;
}

template <typename block_t>
int check_type(const char * name, int n_blocks, const std::vector<float> & x,
               void (*quantize_metal)(const float *, block_t &),
               void (*quantize_ref)(const float *, void *, int64_t),
               void (*dequantize_ref)(const void *, float *, int64_t),
               void (*deq4x4)(const block_t *, short, float4x4 &),
               void (*deq4)(const block_t *, short, float4 &)) {
    std::vector<block_t> ours(n_blocks), ref(n_blocks);
    for (int b = 0; b < n_blocks; ++b) {
        quantize_metal(x.data() + (size_t) b*64, ours[b]);
    }
    quantize_ref(x.data(), ref.data(), (int64_t) n_blocks*64);

    for (int b = 0; b < n_blocks; ++b) {
        if (memcmp(&ours[b], &ref[b], sizeof(block_t)) != 0) {
            const uint8_t * o = (const uint8_t *) &ours[b];
            const uint8_t * r = (const uint8_t *) &ref[b];
            int i = 0;
            while (o[i] == r[i]) ++i;
            printf("FAIL %s: block %d of %d differs from quantize_row_%s_ref at byte %d (0x%02x, CPU 0x%02x)\n",
                   name, b, n_blocks, name, i, o[i], r[i]);
            return 1;
        }
    }

    std::vector<float> y((size_t) n_blocks*64);
    dequantize_ref(ref.data(), y.data(), (int64_t) n_blocks*64);
    for (int b = 0; b < n_blocks; ++b) {
        const float * yb = y.data() + (size_t) b*64;
        for (short il = 0; il < 4; ++il) {
            float4x4 reg;
            deq4x4(&ref[b], il, reg);
            for (int i = 0; i < 16; ++i) {
                if (reg[i/4][i%4] != yb[16*il + i]) {
                    printf("FAIL %s: dequantize_%s, block %d value %d: %g, CPU %g\n", name, name, b, 16*il + i,
                           (double) reg[i/4][i%4], (double) yb[16*il + i]);
                    return 1;
                }
            }
        }
        for (short il = 0; il < 16; ++il) {
            float4 reg;
            deq4(&ref[b], il, reg);
            for (int i = 0; i < 4; ++i) {
                if (reg[i] != yb[4*il + i]) {
                    printf("FAIL %s: dequantize_%s_t4, block %d value %d: %g, CPU %g\n", name, name, b, 4*il + i,
                           (double) reg[i], (double) yb[4*il + i]);
                    return 1;
                }
            }
        }
    }

    printf("OK   %s: %d blocks quantized byte for byte as quantize_row_%s_ref; dequantize_%s and _t4 equal "
           "dequantize_row_%s\n", name, n_blocks, name, name, name);
    return 0;
}

} // namespace

int main(int argc, char ** argv) {
    const int n_blocks = argc > 1 ? atoi(argv[1]) : 0;
    if (n_blocks <= 0) {
        fprintf(stderr, "usage: %s N_BLOCKS\n", argv[0]);
        return 2;
    }
    const std::vector<float> x = test_values(n_blocks);

    int failed = 0;
    failed += check_type<block_iq3_nl>("iq3_nl", n_blocks, x, quantize_iq3_nl, quantize_row_iq3_nl_ref,
                                       dequantize_row_iq3_nl, dequantize_iq3_nl<float4x4>, dequantize_iq3_nl_t4<float4>);
    failed += check_type<block_iq2_nl>("iq2_nl", n_blocks, x, quantize_iq2_nl, quantize_row_iq2_nl_ref,
                                       dequantize_row_iq2_nl, dequantize_iq2_nl<float4x4>, dequantize_iq2_nl_t4<float4>);
    return failed ? 1 : 0;
}
