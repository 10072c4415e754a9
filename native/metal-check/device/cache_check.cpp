// Runs the K/V cache's writes and the prompt route's reads through ggml-metal's real host code
// (ggml_metal_op_encode in ggml-metal-ops.cpp, the pipeline naming of ggml-metal-device.cpp) on the emulated Metal
// device, and compares the result with ggml's CPU backend on the same inputs:
//   set_rows TYPE HEAD_SIZE N_ROWS   SET_ROWS of N_ROWS F32 rows per KV head into a TYPE cache at scattered positions
//                                    (I64 indices), as llama.cpp's cache write does: the whole cache, byte for byte
//   cpy TYPE HEAD_SIZE N_ROWS        CPY F32 -> TYPE (byte for byte), and for a quantized TYPE, TYPE -> F32 and
//                                    TYPE -> F16 (value for value)
//   kv_f16 K_TYPE V_TYPE HEAD_SIZE N_KV
//                                    FLASH_ATTN_EXT at batch 32, the prompt route: the host dequantizes K and V to F16
//                                    (kernel_flash_attn_ext_kv_<type>_f16) before the F16 kernel, which needs
//                                    simdgroup matrices and is not emulated; the run stops at the first kernel the
//                                    emulated library lacks, and the F16 K and V in the op's scratch space are compared
//                                    with ggml's dequantization, value for value
// Exit 0 when every comparison matches.
#include "emulated_device.h"
#include "ggml-backend-impl.h"
#include "ggml-cpu.h"
#include "ggml-metal-ops.h"
#include "ggml.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <numeric>
#include <random>
#include <string>
#include <vector>

namespace {

const char * g_prog = "cache-check";

ggml_type type_named(const char * name) {
    for (int t = 0; t < GGML_TYPE_COUNT; ++t) {
        const char * n = ggml_type_name((ggml_type) t);
        if (n && strcmp(n, name) == 0) return (ggml_type) t;
    }
    fprintf(stderr, "%s: unknown type '%s' (expected a ggml type name such as q8_0)\n", g_prog, name);
    exit(2);
}

void fill_f32(ggml_tensor * t, std::mt19937 & rng) {
    std::normal_distribution<float> normal(0.0f, 1.0f);
    for (int64_t i = 0; i < ggml_nelements(t); ++i) ((float *) t->data)[i] = normal(rng);
}

void fill_quantized(ggml_tensor * t, std::mt19937 & rng) {
    std::normal_distribution<float> normal(0.0f, 1.0f);
    std::vector<float> x(ggml_nelements(t));
    for (float & v : x) v = normal(rng);
    ggml_quantize_chunk(t->type, x.data(), t->data, 0, ggml_nrows(t), t->ne[0], nullptr);
}

// what the Metal buffer type allocates for a tensor (ggml-metal.cpp, get_alloc_size): flash attention's scratch space
// lies after its output
size_t metal_alloc_size(const ggml_tensor * t) {
    size_t size = ggml_nbytes(t);
    if (t->op == GGML_OP_FLASH_ATTN_EXT) {
        size += ggml_metal_op_flash_attn_ext_extra_pad(t) + ggml_metal_op_flash_attn_ext_extra_blk(t) +
                ggml_metal_op_flash_attn_ext_extra_tmp(t) + ggml_metal_op_flash_attn_ext_extra_kv_f16(t) +
                ggml_metal_op_flash_attn_ext_extra_idx(t);
    }
    return size;
}

ggml_backend_buffer_type g_host_buffer_type = {
    { nullptr, nullptr, nullptr, nullptr, [](ggml_backend_buffer_type_t, const ggml_tensor * t) { return metal_alloc_size(t); }, nullptr },
    nullptr, nullptr
};
ggml_backend_buffer g_host_buffer = {};

void run_on_cpu(ggml_context * ctx, ggml_tensor * node) {
    ggml_cgraph * graph = ggml_new_graph(ctx);
    ggml_build_forward_expand(graph, node);
    ggml_graph_compute_with_ctx(ctx, graph, 2);
}

// encodes `node` (and what it needs that the graph lists) on the emulated device; the dispatches run as encoded
void run_on_metal(ggml_context * ctx, ggml_tensor * node) {
    g_host_buffer.buft = &g_host_buffer_type;
    ggml_cgraph * graph = ggml_new_graph(ctx);
    ggml_build_forward_expand(graph, node);
    for (int i = 0; i < ggml_graph_n_nodes(graph); ++i) {
        ggml_tensor * t = ggml_graph_node(graph, i);
        t->buffer = &g_host_buffer;
        for (ggml_tensor * s : t->src) {
            if (s) s->buffer = &g_host_buffer;
        }
    }
    ggml_metal_op_t op = ggml_metal_op_init(emulated_metal_device(), nullptr, graph, 0, ggml_graph_n_nodes(graph), false,
                                            false, false, 0, 0);
    for (int i = 0; i < ggml_graph_n_nodes(graph); ++i) ggml_metal_op_encode(op, i);
    ggml_metal_op_free(op);
}

// the blocks (of `bytes_per_block` bytes) in which two buffers differ
long differing_blocks(const void * a, const void * b, size_t n_bytes, size_t bytes_per_block) {
    long n = 0;
    for (size_t i = 0; i < n_bytes; i += bytes_per_block) {
        n += memcmp((const char *) a + i, (const char *) b + i, std::min(bytes_per_block, n_bytes - i)) != 0;
    }
    return n;
}

float to_f32(float x) { return x; }
float to_f32(ggml_fp16_t x) { return ggml_fp16_to_fp32(x); }

// decoded values compared with ggml's: `differ` counts those whose bits differ, `beyond` those off by more than the
// bound. iq3_nl and iq2_nl decode in float as ggml does (patch 0022): bit for bit. The older types' Metal decoders
// compute the block's offset in half (q4_0: -8.h*d), within 2^-10 of the block's largest value of ggml's result.
struct value_diff {
    long differ = 0;
    long beyond = 0;
};
template <typename T> value_diff compare_values(const T * ref, const T * got, int64_t n, ggml_type type) {
    const bool exact = type == GGML_TYPE_IQ3_NL || type == GGML_TYPE_IQ2_NL;
    const int64_t block = ggml_blck_size(type);
    value_diff d;
    for (int64_t b = 0; b < n; b += block) {
        float amax = 0.0f;
        for (int64_t i = b; i < b + block && i < n; ++i) amax = std::max(amax, fabsf(to_f32(ref[i])));
        const float bound = exact ? 0.0f : amax / 1024.0f;
        for (int64_t i = b; i < b + block && i < n; ++i) {
            d.differ += memcmp(&ref[i], &got[i], sizeof(T)) != 0;
            const float err = fabsf(to_f32(ref[i]) - to_f32(got[i]));
            d.beyond += !(err <= bound); // NaN is beyond
        }
    }
    return d;
}

std::string describe(const value_diff & d, int64_t n, ggml_type type) {
    const bool exact = type == GGML_TYPE_IQ3_NL || type == GGML_TYPE_IQ2_NL;
    return std::to_string(d.differ) + " of " + std::to_string(n) + " values differ from ggml's" +
           (exact ? " (bit for bit required)" : ", " + std::to_string(d.beyond) + " by more than 2^-10 of their block's largest");
}

bool report(bool ok, const std::string & what, const std::string & result) {
    printf("%s %s: %s, %ld dispatches\n", ok ? "OK  " : "FAIL", what.c_str(), result.c_str(),
           emulated_metal_dispatch_count());
    return ok;
}

const int k_n_head_kv = 2;

// SET_ROWS: N_ROWS new rows per KV head written at scattered positions of a cache of 4*N_ROWS positions that already
// holds other rows (the rows not written must stay as they were)
bool check_set_rows(ggml_type type, int head_size, int n_rows) {
    ggml_init_params params = { (size_t) 256 * 1024 * 1024, nullptr, false };
    ggml_context * ctx = ggml_init(params);
    const int n_ctx = 4 * n_rows;
    ggml_tensor * cache_cpu = ggml_new_tensor_3d(ctx, type, head_size, n_ctx, k_n_head_kv);
    ggml_tensor * cache_metal = ggml_new_tensor_3d(ctx, type, head_size, n_ctx, k_n_head_kv);
    ggml_tensor * rows = ggml_new_tensor_3d(ctx, GGML_TYPE_F32, head_size, n_rows, k_n_head_kv);
    ggml_tensor * idx = ggml_new_tensor_1d(ctx, GGML_TYPE_I64, n_rows);

    std::mt19937 rng(4321);
    for (int64_t i = 0; i < (int64_t) ggml_nbytes(cache_cpu); ++i) ((uint8_t *) cache_cpu->data)[i] = (uint8_t) rng();
    memcpy(cache_metal->data, cache_cpu->data, ggml_nbytes(cache_cpu));
    fill_f32(rows, rng);
    std::vector<int64_t> positions(n_ctx);
    std::iota(positions.begin(), positions.end(), 0);
    std::shuffle(positions.begin(), positions.end(), rng);
    for (int i = 0; i < n_rows; ++i) ((int64_t *) idx->data)[i] = positions[i];

    run_on_cpu(ctx, ggml_set_rows(ctx, cache_cpu, rows, idx));
    run_on_metal(ctx, ggml_set_rows(ctx, cache_metal, rows, idx));

    const size_t block_bytes = ggml_type_size(type);
    const long n_blocks = (long) (ggml_nbytes(cache_cpu) / block_bytes);
    const long differ = differing_blocks(cache_cpu->data, cache_metal->data, ggml_nbytes(cache_cpu), block_bytes);
    char what[160], result[160];
    snprintf(what, sizeof(what), "SET_ROWS f32 -> %s head size %d, %d of %d rows per head", ggml_type_name(type),
             head_size, n_rows, n_ctx);
    snprintf(result, sizeof(result), "%ld of %ld cache blocks differ from the CPU backend's", differ, n_blocks);
    ggml_free(ctx);
    return report(differ == 0, what, result);
}

// CPY F32 -> TYPE, and back to F32 and F16 for a quantized TYPE
bool check_cpy(ggml_type type, int head_size, int n_rows) {
    ggml_init_params params = { (size_t) 256 * 1024 * 1024, nullptr, false };
    ggml_context * ctx = ggml_init(params);
    ggml_tensor * src = ggml_new_tensor_3d(ctx, GGML_TYPE_F32, head_size, n_rows, k_n_head_kv);
    ggml_tensor * dst_cpu = ggml_new_tensor_3d(ctx, type, head_size, n_rows, k_n_head_kv);
    ggml_tensor * dst_metal = ggml_new_tensor_3d(ctx, type, head_size, n_rows, k_n_head_kv);
    std::mt19937 rng(5678);
    fill_f32(src, rng);

    run_on_cpu(ctx, ggml_cpy(ctx, src, dst_cpu));
    run_on_metal(ctx, ggml_cpy(ctx, src, dst_metal));

    const size_t block_bytes = ggml_type_size(type);
    const long n_blocks = (long) (ggml_nbytes(dst_cpu) / block_bytes);
    const long differ = differing_blocks(dst_cpu->data, dst_metal->data, ggml_nbytes(dst_cpu), block_bytes);
    char what[160], result[160];
    snprintf(what, sizeof(what), "CPY f32 -> %s head size %d, %d rows per head", ggml_type_name(type), head_size, n_rows);
    snprintf(result, sizeof(result), "%ld of %ld blocks differ from the CPU backend's", differ, n_blocks);
    bool ok = report(differ == 0, what, result);

    if (ggml_is_quantized(type)) {
        // both read the CPU's blocks, so a difference is the Metal decoder's; the CPU backend copies a quantized
        // tensor to F32 only, so the F16 reference is its F32 result rounded to F16
        for (ggml_type back : { GGML_TYPE_F32, GGML_TYPE_F16 }) {
            ggml_tensor * out_cpu = ggml_new_tensor_3d(ctx, back, head_size, n_rows, k_n_head_kv);
            ggml_tensor * out_metal = ggml_new_tensor_3d(ctx, back, head_size, n_rows, k_n_head_kv);
            memset(out_metal->data, 0xFF, ggml_nbytes(out_metal));
            if (back == GGML_TYPE_F32) {
                run_on_cpu(ctx, ggml_cpy(ctx, dst_cpu, out_cpu));
            } else {
                std::vector<float> f32(ggml_nelements(out_cpu));
                ggml_get_type_traits(type)->to_float(dst_cpu->data, f32.data(), (int64_t) f32.size());
                ggml_fp32_to_fp16_row(f32.data(), (ggml_fp16_t *) out_cpu->data, (int64_t) f32.size());
            }
            run_on_metal(ctx, ggml_cpy(ctx, dst_cpu, out_metal));
            const int64_t n = ggml_nelements(out_cpu);
            const value_diff d =
                back == GGML_TYPE_F32
                    ? compare_values((const float *) out_cpu->data, (const float *) out_metal->data, n, type)
                    : compare_values((const ggml_fp16_t *) out_cpu->data, (const ggml_fp16_t *) out_metal->data, n, type);
            snprintf(what, sizeof(what), "CPY %s -> %s head size %d, %d rows per head", ggml_type_name(type),
                     ggml_type_name(back), head_size, n_rows);
            ok &= report(d.beyond == 0, what, describe(d, n, type));
        }
    }
    ggml_free(ctx);
    return ok;
}

// FLASH_ATTN_EXT at batch 32: the prompt route's dequantization of K and V to F16
bool check_kv_f16(ggml_type type_k, ggml_type type_v, int head_size, int n_kv) {
    ggml_init_params params = { (size_t) 256 * 1024 * 1024, nullptr, false };
    ggml_context * ctx = ggml_init(params);
    const int n_batch = 32;
    ggml_tensor * q = ggml_new_tensor_4d(ctx, GGML_TYPE_F32, head_size, n_batch, 4 * k_n_head_kv, 1);
    ggml_tensor * k = ggml_new_tensor_4d(ctx, type_k, head_size, n_kv, k_n_head_kv, 1);
    ggml_tensor * v = ggml_new_tensor_4d(ctx, type_v, head_size, n_kv, k_n_head_kv, 1);
    ggml_tensor * mask = ggml_new_tensor_4d(ctx, GGML_TYPE_F16, n_kv, n_batch, 1, 1);
    std::mt19937 rng(1234);
    fill_f32(q, rng);
    for (ggml_tensor * t : { k, v }) {
        if (t->type == GGML_TYPE_F16) {
            std::normal_distribution<float> normal(0.0f, 1.0f);
            for (int64_t i = 0; i < ggml_nelements(t); ++i) ((ggml_fp16_t *) t->data)[i] = ggml_fp32_to_fp16(normal(rng));
        } else {
            fill_quantized(t, rng);
        }
    }
    memset(mask->data, 0, ggml_nbytes(mask));

    ggml_tensor * fa = ggml_flash_attn_ext(ctx, q, k, v, mask, 1.0f / sqrtf((float) head_size), 0.0f, 0.0f);
    char what[200];
    snprintf(what, sizeof(what), "FLASH_ATTN_EXT batch %d (prompt route) K=%s V=%s head size %d, n_kv %d", n_batch,
             ggml_type_name(type_k),
             ggml_type_name(type_v), head_size, n_kv);
    if (!ggml_metal_device_supports_flash_attn_ext(ggml_metal_device_get_props(emulated_metal_device()), fa)) {
        ggml_free(ctx);
        return report(false, what, "supports_op refuses it");
    }
    std::vector<char> out(metal_alloc_size(fa) + 16, (char) 0xFF);
    fa->data = out.data();

    std::string stopped_at;
    emulated_metal_throw_on_missing_kernel(true);
    try {
        run_on_metal(ctx, fa);
    } catch (const emulated_missing_kernel & e) {
        stopped_at = e.name;
    }
    emulated_metal_throw_on_missing_kernel(false);

    // the scratch space after the output: pad, block map, partial results, then K as F16 and V as F16
    const size_t kv_f16 = ggml_nbytes(fa) + ggml_metal_op_flash_attn_ext_extra_pad(fa) +
                          ggml_metal_op_flash_attn_ext_extra_blk(fa) + ggml_metal_op_flash_attn_ext_extra_tmp(fa);
    const size_t k_f16_bytes = GGML_PAD(sizeof(ggml_fp16_t) * ggml_nelements(k), 16);
    std::string result;
    long n_dequantized = 0;
    bool ok = !stopped_at.empty() && ggml_metal_op_flash_attn_ext_extra_kv_f16(fa) > 0;
    for (ggml_tensor * t : { k, v }) {
        if (t->type == GGML_TYPE_F16) {
            result += std::string(t == k ? "K" : "V") + " read in place; ";
            continue;
        }
        ++n_dequantized;
        const ggml_fp16_t * got = (const ggml_fp16_t *) (out.data() + kv_f16 + (t == k ? 0 : k_f16_bytes));
        std::vector<float> ref_f32(ggml_nelements(t));
        ggml_get_type_traits(t->type)->to_float(t->data, ref_f32.data(), ggml_nelements(t));
        std::vector<ggml_fp16_t> ref(ref_f32.size());
        ggml_fp32_to_fp16_row(ref_f32.data(), ref.data(), (int64_t) ref.size());
        const value_diff d = compare_values(ref.data(), got, (int64_t) ref.size(), t->type);
        ok &= d.beyond == 0;
        result += std::string(t == k ? "K" : "V") + " as F16: " + describe(d, (int64_t) ref.size(), t->type) + "; ";
    }
    // one dequantization dispatch per quantized side, then the F16 kernels
    ok &= emulated_metal_dispatch_count() == n_dequantized;
    result += "stopped at " + (stopped_at.empty() ? std::string("nothing") : stopped_at);
    ggml_free(ctx);
    return report(ok, what, result);
}

} // namespace

int main(int argc, char ** argv) {
    const std::string mode = argc > 1 ? argv[1] : "";
    if (mode == "set_rows" && argc == 5) {
        return check_set_rows(type_named(argv[2]), atoi(argv[3]), atoi(argv[4])) ? 0 : 1;
    }
    if (mode == "cpy" && argc == 5) {
        return check_cpy(type_named(argv[2]), atoi(argv[3]), atoi(argv[4])) ? 0 : 1;
    }
    if (mode == "kv_f16" && argc == 6) {
        return check_kv_f16(type_named(argv[2]), type_named(argv[3]), atoi(argv[4]), atoi(argv[5])) ? 0 : 1;
    }
    fprintf(stderr,
            "usage: %s set_rows TYPE HEAD_SIZE N_ROWS | cpy TYPE HEAD_SIZE N_ROWS | kv_f16 K_TYPE V_TYPE HEAD_SIZE N_KV\n",
            argv[0]);
    return 2;
}
