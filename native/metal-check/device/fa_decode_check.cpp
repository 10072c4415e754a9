// Runs GGML_OP_FLASH_ATTN_EXT through ggml-metal's real host code (ggml_metal_op_encode in ggml-metal-ops.cpp, the
// pipeline naming and function constants of ggml-metal-device.cpp) on the emulated Metal device, and compares the
// result with ggml's CPU backend on the same inputs. Batch 1 (the decode path: kernel_flash_attn_ext_vec and its
// reduce), a causal-style mask with -INF entries, 8 query heads over 2 K/V heads.
// usage: fa-decode-check K_TYPE V_TYPE HEAD_SIZE N_KV   (e.g. q8_0 q4_0 128 512); exit 0 when it matches
#include "emulated_device.h"
#include "ggml-backend-impl.h"
#include "ggml-cpu.h"
#include "ggml-metal-ops.h"
#include "ggml.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <vector>

namespace {

ggml_type type_named(const char * name) {
    for (int t = 0; t < GGML_TYPE_COUNT; ++t) {
        const char * n = ggml_type_name((ggml_type) t);
        if (n && strcmp(n, name) == 0) return (ggml_type) t;
    }
    fprintf(stderr, "fa-decode-check: unknown type '%s' (expected a ggml type name such as q8_0)\n", name);
    exit(2);
}

void fill(ggml_tensor * t, std::mt19937 & rng) {
    std::normal_distribution<float> normal(0.0f, 1.0f);
    std::vector<float> x(ggml_nelements(t));
    for (float & v : x) v = normal(rng);
    if (t->type == GGML_TYPE_F32) {
        memcpy(t->data, x.data(), ggml_nbytes(t));
    } else {
        ggml_quantize_chunk(t->type, x.data(), t->data, 0, ggml_nrows(t), t->ne[0], nullptr);
    }
}

// what the Metal buffer type allocates for a tensor (ggml-metal.cpp, get_alloc_size): flash attention's scratch space
// (padding, block map, partial results, K/V as F16, sparse indices) lies after its output
size_t metal_alloc_size(const ggml_tensor * t) {
    size_t size = ggml_nbytes(t);
    if (t->op == GGML_OP_FLASH_ATTN_EXT) {
        size += ggml_metal_op_flash_attn_ext_extra_pad(t) + ggml_metal_op_flash_attn_ext_extra_blk(t) +
                ggml_metal_op_flash_attn_ext_extra_tmp(t) + ggml_metal_op_flash_attn_ext_extra_kv_f16(t) +
                ggml_metal_op_flash_attn_ext_extra_idx(t);
    }
    return size;
}

// the host code reads tensor->buffer (its type's allocation sizes, for its overlap check); a buffer id is the data
// pointer (emulated_device.cpp)
ggml_backend_buffer_type g_host_buffer_type = {
    { nullptr, nullptr, nullptr, nullptr, [](ggml_backend_buffer_type_t, const ggml_tensor * t) { return metal_alloc_size(t); }, nullptr },
    nullptr, nullptr
};
ggml_backend_buffer g_host_buffer = {};

} // namespace

int main(int argc, char ** argv) {
    if (argc != 5) {
        fprintf(stderr, "usage: %s K_TYPE V_TYPE HEAD_SIZE N_KV\n", argv[0]);
        return 2;
    }
    const ggml_type type_k = type_named(argv[1]);
    const ggml_type type_v = type_named(argv[2]);
    const int head_size = atoi(argv[3]);
    const int n_kv = atoi(argv[4]);
    const int n_head = 8, n_head_kv = 2, n_batch = 1;

    ggml_init_params params = { (size_t) 256 * 1024 * 1024, nullptr, false };
    ggml_context * ctx = ggml_init(params);
    ggml_tensor * q = ggml_new_tensor_4d(ctx, GGML_TYPE_F32, head_size, n_batch, n_head, 1);
    ggml_tensor * k = ggml_new_tensor_4d(ctx, type_k, head_size, n_kv, n_head_kv, 1);
    ggml_tensor * v = ggml_new_tensor_4d(ctx, type_v, head_size, n_kv, n_head_kv, 1);
    ggml_tensor * mask = ggml_new_tensor_4d(ctx, GGML_TYPE_F16, n_kv, n_batch, 1, 1);

    std::mt19937 rng(1234);
    fill(q, rng);
    fill(k, rng);
    fill(v, rng);
    // every 7th position masked out, as padding and causal masks do
    for (int i = 0; i < n_kv; ++i) ((ggml_fp16_t *) mask->data)[i] = ggml_fp32_to_fp16(i % 7 == 3 ? -INFINITY : 0.0f);

    const float scale = 1.0f / sqrtf((float) head_size);
    ggml_tensor * on_cpu = ggml_flash_attn_ext(ctx, q, k, v, mask, scale, 0.0f, 0.0f);
    ggml_tensor * on_metal = ggml_flash_attn_ext(ctx, q, k, v, mask, scale, 0.0f, 0.0f);

    ggml_cgraph * cpu_graph = ggml_new_graph(ctx);
    ggml_build_forward_expand(cpu_graph, on_cpu);
    ggml_graph_compute_with_ctx(ctx, cpu_graph, 2);

    ggml_metal_device_t dev = emulated_metal_device();
    if (!ggml_metal_device_supports_op(dev, on_metal)) {
        printf("NOT SUPPORTED %s/%s head size %d\n", argv[1], argv[2], head_size);
        return 1;
    }
    std::vector<float> metal_out(metal_alloc_size(on_metal) / sizeof(float) + 1, NAN);
    on_metal->data = metal_out.data();
    g_host_buffer.buft = &g_host_buffer_type;
    for (ggml_tensor * t : { q, k, v, mask, on_metal }) t->buffer = &g_host_buffer;

    ggml_cgraph * metal_graph = ggml_new_graph(ctx);
    ggml_build_forward_expand(metal_graph, on_metal);
    ggml_metal_op_t op = ggml_metal_op_init(dev, nullptr, metal_graph, 0, ggml_graph_n_nodes(metal_graph), false, false, false, 0, 0);
    ggml_metal_op_encode(op, 0);
    ggml_metal_op_free(op);

    // normalised mean squared error against the CPU backend, the measure test-backend-ops uses
    const float * ref = (const float *) on_cpu->data;
    const float * out = (const float *) on_metal->data;
    double err = 0, norm = 0;
    bool finite = true;
    for (int64_t i = 0; i < ggml_nelements(on_cpu); ++i) {
        finite &= std::isfinite(out[i]);
        err += (out[i] - ref[i]) * (double) (out[i] - ref[i]);
        norm += ref[i] * (double) ref[i];
    }
    const double nmse = err / norm;
    const double max_nmse = 5e-4; // test-backend-ops' FLASH_ATTN_EXT bound: Metal's fast math and half accumulation
    const bool ok = finite && nmse < max_nmse;
    printf("%s K=%s V=%s head size %d, n_kv %d: NMSE %.3e (bound %.0e), %ld dispatches\n", ok ? "OK  " : "FAIL", argv[1],
           argv[2], head_size, n_kv, nmse, max_nmse, emulated_metal_dispatch_count());
    ggml_free(ctx);
    return ok ? 0 : 1;
}
