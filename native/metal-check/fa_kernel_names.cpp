// Runs ggml-metal's real host code for GGML_OP_FLASH_ATTN_EXT on a machine without Metal and prints, as JSON:
//   "kernels": every Metal kernel function the host asks the library for, over every (K type, V type, head sizes,
//              batch, KV length, mask, sparse, GPU) that ggml_metal_device_supports_flash_attn_ext accepts;
//   "support": which K/V type pairs and head sizes that rule accepts.
// The caller checks the kernel names against the host_name instantiations in kernels/*.metal, so that a pair the
// host accepts can never fail at run time for want of a kernel.
#include "ggml-backend-impl.h"
#include "ggml-metal-device.h"
#include "ggml-metal-ops.h"
#include "ggml.h"
#include "metal_stubs.h"

#include <cstdio>
#include <string>
#include <vector>

namespace {

struct head_sizes {
    int dk;
    int dv;
};

// every head size supports_op knows, the DK != DV ones of DeepSeek-style models, and two it must refuse
const head_sizes k_head_sizes[] = {
    { 32, 32 }, { 40, 40 }, { 48, 48 }, { 64, 64 }, { 72, 72 }, { 80, 80 }, { 96, 96 }, { 112, 112 },
    { 128, 128 }, { 192, 192 }, { 192, 128 }, { 256, 256 }, { 320, 256 }, { 512, 512 }, { 576, 512 },
    { 128, 64 }, { 160, 160 },
};

const ggml_type k_types[] = {
    GGML_TYPE_F32, GGML_TYPE_F16, GGML_TYPE_BF16, GGML_TYPE_Q8_0, GGML_TYPE_Q5_1,
    GGML_TYPE_Q5_0, GGML_TYPE_Q4_1, GGML_TYPE_Q4_0, GGML_TYPE_IQ4_NL, GGML_TYPE_IQ3_NL, GGML_TYPE_IQ2_NL,
};

// batch sizes around the vec (< 20) and dequantize-to-F16 (>= 32) thresholds and the tuning buckets
const int k_batches[] = { 1, 2, 3, 4, 5, 8, 19, 20, 31, 32, 33, 512 };

// KV lengths in each tuning bucket (< 1024, < 4096, < 16384, more), aligned and not to the kernels' chunk
const int k_kv_lengths[] = { 1000, 4095, 8192, 20000 };

struct fake_gpu {
    ggml_metal_device_id id;
    int                  family;
};

std::vector<fake_gpu> gpus() {
    std::vector<fake_gpu> res;
    for (int id = GGML_METAL_DEVICE_GENERIC; id <= GGML_METAL_DEVICE_A18_PRO; ++id) {
        res.push_back({ (ggml_metal_device_id) id, 0 });
    }
    for (int family = 1; family <= 12; ++family) {
        res.push_back({ GGML_METAL_DEVICE_GENERIC, family });
    }
    return res;
}

ggml_metal_device_props props_for(const fake_gpu & gpu) {
    ggml_metal_device_props props = {};
    snprintf(props.name, sizeof(props.name), "stub");
    props.max_theadgroup_memory_size = 32768; // every Apple GPU
    props.has_simdgroup_reduction    = true;
    props.has_simdgroup_mm           = true;
    props.has_bfloat                 = true;
    props.device_id                  = gpu.id;
    props.gpu_family                 = gpu.family;
    return props;
}

bool fits_blocks(ggml_type type, int n) {
    return n % ggml_blck_size(type) == 0;
}

struct fa_case {
    ggml_type type_k;
    ggml_type type_v;
    head_sizes hs;
    int  n_batch;
    int  n_kv;
    bool mask;
    bool sparse;
    bool v_view_of_k;
};

ggml_backend_buffer g_buffer = {};

// builds the op as llama.cpp's graph does (4 query heads per KV head) and runs it through supports_op and the encoder
bool encode(ggml_metal_device_t dev, const fa_case & c, bool & supported) {
    ggml_init_params params = { 16*ggml_tensor_overhead() + ggml_graph_overhead(), nullptr, true };
    ggml_context * ctx = ggml_init(params);

    const int n_head_kv = 2;
    ggml_tensor * q = ggml_new_tensor_4d(ctx, GGML_TYPE_F32, c.hs.dk, c.n_batch, 4*n_head_kv, 1);
    ggml_tensor * k = ggml_new_tensor_4d(ctx, c.type_k, c.hs.dk, c.n_kv, n_head_kv, 1);
    ggml_tensor * v = c.v_view_of_k
        ? ggml_view_4d(ctx, k, c.hs.dv, c.n_kv, n_head_kv, 1, k->nb[1], k->nb[2], k->nb[3], 0)
        : ggml_new_tensor_4d(ctx, c.type_v, c.hs.dv, c.n_kv, n_head_kv, 1);
    ggml_tensor * m = c.mask ? ggml_new_tensor_4d(ctx, GGML_TYPE_F16, c.n_kv, GGML_PAD(c.n_batch, 64), 1, 1) : nullptr;

    ggml_tensor * fa = ggml_flash_attn_ext(ctx, q, k, v, m, 0.125f, 0.0f, 0.0f);
    if (c.sparse) {
        ggml_flash_attn_ext_set_n_kv_max(fa, c.n_kv/2);
    }
    for (ggml_tensor * t : { q, k, v, m, fa }) {
        if (t) {
            t->buffer = &g_buffer;
        }
    }

    supported = ggml_metal_device_supports_op(dev, fa);
    if (supported) {
        ggml_cgraph * gf = ggml_new_graph(ctx);
        ggml_build_forward_expand(gf, fa);

        ggml_metal_op_t op_ctx = ggml_metal_op_init(dev, nullptr, gf, 0, ggml_graph_n_nodes(gf), false, false, false, 0, 0);
        ggml_metal_op_flash_attn_ext(op_ctx, 0);
        ggml_metal_op_free(op_ctx);
    }

    ggml_free(ctx);
    return true;
}

std::string json_string(const std::string & s) {
    return "\"" + s + "\"";
}

} // namespace

int main(int argc, char ** argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: %s METAL_SOURCE_DIR (echoed into the output, for the caller to read the kernels from)\n", argv[0]);
        return 2;
    }

    std::vector<std::string> support;
    long n_cases = 0;
    long n_supported = 0;

    for (const fake_gpu & gpu : gpus()) {
        ggml_metal_device_t dev = metal_stub_device(props_for(gpu));
        const bool first_gpu = gpu.id == GGML_METAL_DEVICE_GENERIC && gpu.family == 0;

        for (ggml_type tk : k_types) {
            for (ggml_type tv : k_types) {
                for (const head_sizes & hs : k_head_sizes) {
                    if (!fits_blocks(tk, hs.dk) || !fits_blocks(tv, hs.dv)) {
                        continue; // no such cache: its rows would not be whole blocks
                    }
                    for (int view = 0; view <= 1; ++view) {
                        if (view && (tk != tv || hs.dv > hs.dk)) {
                            continue;
                        }
                        bool any_supported = false;
                        bool all_supported = true;
                        for (int n_batch : k_batches) {
                            for (int n_kv : k_kv_lengths) {
                                for (int mask = 0; mask <= 1; ++mask) {
                                    for (int sparse = 0; sparse <= mask; ++sparse) {
                                        const fa_case c = { tk, tv, hs, n_batch, n_kv, mask == 1, sparse == 1, view == 1 };
                                        bool supported = false;
                                        encode(dev, c, supported);
                                        ++n_cases;
                                        n_supported += supported;
                                        any_supported |= supported;
                                        all_supported &= supported;
                                    }
                                }
                            }
                        }
                        if (first_gpu && !view) {
                            // supports_op sees neither batch nor KV length: a pair and head size is in or out
                            const char * verdict = all_supported ? "true" : (any_supported ? "\"partly\"" : "false");
                            char line[256];
                            snprintf(line, sizeof(line), "{\"k\":\"%s\",\"v\":\"%s\",\"dk\":%d,\"dv\":%d,\"supported\":%s}",
                                    ggml_type_name(tk), ggml_type_name(tv), hs.dk, hs.dv, verdict);
                            support.push_back(line);
                        }
                    }
                }
            }
        }
    }

    printf("{\n\"metal_source_dir\":%s,\n", json_string(argv[1]).c_str());
    printf("\"cases\":%ld,\n\"supported_cases\":%ld,\n\"kernels\":[\n", n_cases, n_supported);
    bool first = true;
    for (const std::string & name : metal_stub_requested_kernels()) {
        printf("%s%s", first ? "" : ",\n", json_string(name).c_str());
        first = false;
    }
    printf("\n],\n\"support\":[\n");
    for (size_t i = 0; i < support.size(); ++i) {
        printf("%s%s", i ? ",\n" : "", support[i].c_str());
    }
    printf("\n]\n}\n");
    return 0;
}
