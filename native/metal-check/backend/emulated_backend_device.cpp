// The rest of ggml-metal-device.m that the backend (ggml-metal.cpp) calls, over the emulated device: buffers, events,
// residency sets, memory, and which ops the device runs. device/emulated_device.cpp has the part the host code of
// the ops calls (library, pipelines, encoders).
//
// Buffers are host memory, as a Mac's unified memory is: a shared buffer is what ggml-metal-device.m allocates with
// vm_allocate (page-aligned, zeroed); the emulated device reports unified memory, so every buffer is shared. Events
// and residency sets have nothing to do: every dispatch has run when its encoder returns.
//
// Which ops: ggml-metal-device.m's own rule (ggml_metal_device_supports_op, taken out of the .m by
// test-backend-ops.sh into supports_op_mac.inc with its device-name table, so it is the patched tree's rule), then what the emulated
// library can run. An op the rule accepts but the library cannot run is reported as not supported, with a line
// saying which kernel it lacks (test-backend-ops.sh counts those as not run, never as passed).
#include "ggml-backend-impl.h"
#include "ggml-impl.h"
#include "ggml-metal-common.h"
#include "ggml-metal-device.h"
#include "ggml-metal-impl.h"
#include "ggml-metal-ops.h"
#include "ggml-metal-tuning.h"

#include "../kernels/registry.h"

#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

// ggml-metal-device.m's supports_op reads dev->props: the extracted rule takes this view of the device
struct mac_device {
    ggml_metal_device_props props;
};
static bool mac_supports_op(const mac_device * dev, const ggml_tensor * op);
#include "supports_op_mac.inc"

struct ggml_metal_buffer {
    void * data;
    size_t size;
    bool   owned;
};

struct ggml_metal_event {
    std::atomic<uint64_t> value;
};

extern "C" {

void * ggml_metal_device_get_obj(ggml_metal_device_t dev) { return dev; }
void * ggml_metal_device_get_queue(ggml_metal_device_t dev) { return dev; }

ggml_metal_library_t ggml_metal_library_init(ggml_metal_device_t dev) { return ggml_metal_device_get_library(dev); }
ggml_metal_library_t ggml_metal_library_init_from_source(ggml_metal_device_t dev, const char *, bool) {
    return ggml_metal_device_get_library(dev);
}
void ggml_metal_library_free(ggml_metal_library_t) {}

ggml_metal_rsets_t ggml_metal_rsets_init(ggml_metal_device_t) { return nullptr; }
void ggml_metal_rsets_free(ggml_metal_rsets_t) {}
void ggml_metal_device_rsets_add(ggml_metal_device_t, ggml_metal_rset_t) {}
void ggml_metal_device_rsets_rm(ggml_metal_device_t, ggml_metal_rset_t) {}
void ggml_metal_device_rsets_keep_alive(ggml_metal_device_t) {}

// the values a Metal shared event is signalled with and waited for; nothing is ever pending here
void ggml_metal_event_encode_signal(ggml_metal_event_t ev, ggml_metal_cmd_buf_t) { ev->value.fetch_add(1); }
void ggml_metal_event_encode_wait(ggml_metal_event_t, ggml_metal_cmd_buf_t) {}
ggml_metal_event_t ggml_metal_device_event_init(ggml_metal_device_t) { return new ggml_metal_event{ { 0 } }; }
void ggml_metal_device_event_free(ggml_metal_device_t, ggml_metal_event_t ev) { delete ev; }
void ggml_metal_device_event_synchronize(ggml_metal_device_t, ggml_metal_event_t) {}

void ggml_metal_device_get_memory(ggml_metal_device_t dev, size_t * free, size_t * total) {
    *total = ggml_metal_device_get_props(dev)->max_working_set_size;
    *free  = *total;
}

ggml_metal_buffer_t ggml_metal_buffer_init(ggml_metal_device_t, size_t size, bool) {
    const size_t page = sysconf(_SC_PAGESIZE);
    const size_t size_aligned = (size + page - 1) / page * page;
    void * data = nullptr;
    if (posix_memalign(&data, page, size_aligned) != 0) {
        GGML_LOG_ERROR("%s: error: posix_memalign failed\n", __func__);
        return nullptr;
    }
    memset(data, 0, size_aligned); // vm_allocate's pages are zeroed
    return new ggml_metal_buffer{ data, size_aligned, true };
}

ggml_metal_buffer_t ggml_metal_buffer_map(ggml_metal_device_t, void * ptr, size_t size, size_t) {
    return new ggml_metal_buffer{ ptr, size, false };
}

void ggml_metal_buffer_free(ggml_metal_buffer_t buf) {
    if (buf->owned) {
        free(buf->data);
    }
    delete buf;
}

void * ggml_metal_buffer_get_base(ggml_metal_buffer_t buf) { return buf->data; }
bool ggml_metal_buffer_is_shared(ggml_metal_buffer_t) { return true; }

void ggml_metal_buffer_memset_tensor(ggml_metal_buffer_t, ggml_tensor * tensor, uint8_t value, size_t offset, size_t size) {
    memset((char *) tensor->data + offset, value, size);
}
void ggml_metal_buffer_set_tensor(ggml_metal_buffer_t, ggml_tensor * tensor, const void * data, size_t offset, size_t size) {
    memcpy((char *) tensor->data + offset, data, size);
}
void ggml_metal_buffer_get_tensor(ggml_metal_buffer_t, const ggml_tensor * tensor, void * data, size_t offset, size_t size) {
    memcpy(data, (const char *) tensor->data + offset, size);
}
bool ggml_metal_buffer_cpy_tensor(ggml_metal_buffer_t, const ggml_tensor * src, ggml_tensor * dst) {
    memcpy(dst->data, src->data, ggml_nbytes(src));
    return true;
}
void ggml_metal_buffer_clear(ggml_metal_buffer_t buf, uint8_t value) { memset(buf->data, value, buf->size); }

// The prompt path's kernels (batch 20 and up) the host will name: kernel_flash_attn_ext of F16 when the quantized side
// of K and V is dequantized to F16 first (a mixed pair; an equal quantized pair from batch 32: the rule of
// ggml_metal_op_flash_attn_ext_use_kv_f16, static in ggml-metal-ops.cpp), else of their own type; each dequantization,
// the block map (a mask) and the padding (a partial last chunk). A wrong guess here cannot pass a case: the dispatch
// of a kernel the library lacks ends the run with its name.
static std::string missing_prompt_kernel(const ggml_tensor * op) {
    const ggml_type tk = op->src[1]->type;
    const ggml_type tv = op->src[2]->type;
    auto to_f16 = [](ggml_type t) {
        return t == GGML_TYPE_Q4_0 || t == GGML_TYPE_Q4_1 || t == GGML_TYPE_Q5_0 || t == GGML_TYPE_Q5_1 ||
               t == GGML_TYPE_Q8_0 || t == GGML_TYPE_IQ3_NL || t == GGML_TYPE_IQ2_NL;
    };
    const bool f16_only   = tk == GGML_TYPE_IQ3_NL || tk == GGML_TYPE_IQ2_NL;
    const bool use_kv_f16 = (to_f16(tk) || to_f16(tv)) && (tk != tv || f16_only || op->src[0]->ne[1] >= 32);
    std::string type = use_kv_f16 ? "f16" : ggml_type_name(tk);
    if (!use_kv_f16 && tk != tv) {
        type += std::string("_") + ggml_type_name(tv);
    }
    std::vector<std::string> names = { "kernel_flash_attn_ext_" + type + "_dk" + std::to_string(op->src[1]->ne[0]) +
                                       "_dv" + std::to_string(op->src[2]->ne[0]) };
    for (ggml_type t : { tk, tv }) {
        if (use_kv_f16 && to_f16(t)) {
            names.push_back(std::string("kernel_flash_attn_ext_kv_") + ggml_type_name(t) + "_f16");
        }
    }
    if (op->src[3]) {
        names.push_back("kernel_flash_attn_ext_blk");
    }
    if (op->src[1]->ne[1] % OP_FLASH_ATTN_EXT_NCPSG != 0) {
        names.push_back("kernel_flash_attn_ext_pad");
    }
    for (const std::string & name : names) {
        if (!msl_kernels::find_kernel(name.c_str())) {
            return name + " (the prompt path)";
        }
    }
    return "";
}

// The one kernel the host names for a cache write or read (ggml-metal-device.cpp: get_pipeline_set_rows,
// get_pipeline_cpy) or for the K/V rotation (ggml_metal_op_mul_mat's Hadamard route: a MUL_MAT with the hint whose
// rows are contiguous F32 of 64, 128, 256 or 512 runs kernel_fwht_f32_<n>); "" for any other op. A wrong name here
// cannot pass a case: a dispatch of a kernel the library lacks ends the run with its name.
static std::string cache_or_rotation_kernel(const ggml_tensor * op) {
    switch (op->op) {
        case GGML_OP_SET_ROWS:
            return std::string("kernel_set_rows_") + ggml_type_name(op->src[0]->type) + "_" +
                   ggml_type_name(op->src[1]->type) + "_" + ggml_type_name(op->type);
        case GGML_OP_CPY:
        case GGML_OP_DUP:
        case GGML_OP_CONT:
            return std::string("kernel_cpy_") + ggml_type_name(op->src[0]->type) + "_" + ggml_type_name(op->type);
        case GGML_OP_MUL_MAT: {
            const ggml_tensor * b = op->src[1];
            const int64_t       n = b->ne[0];
            if (ggml_get_op_params_i32(op, 1) == GGML_HINT_SRC0_IS_HADAMARD && b->type == GGML_TYPE_F32 &&
                op->type == GGML_TYPE_F32 && ggml_is_contiguous(b) && ggml_is_contiguous(op) &&
                ggml_are_same_shape(b, op) && (n == 64 || n == 128 || n == 256 || n == 512)) {
                return "kernel_fwht_f32_" + std::to_string(n);
            }
            return "";
        }
        default:
            return "";
    }
}

// the kernel an op needs that the emulated library lacks, or "" when it has all of them
static std::string missing_kernel(ggml_metal_device_t dev, const ggml_tensor * op) {
    if (op->op != GGML_OP_FLASH_ATTN_EXT) {
        const std::string name = cache_or_rotation_kernel(op);
        if (!name.empty()) {
            return msl_kernels::find_kernel(name.c_str()) ? "" : name;
        }
        // the ops a FLASH_ATTN_EXT graph holds besides it encode nothing (ggml-metal-ops.cpp)
        return ggml_op_is_empty(op->op) ? "" : std::string("the kernels of ") + ggml_op_desc(op);
    }
    // the sparse path (the host reserves index space for it) runs the vec kernels at any batch size
    const bool sparse = ggml_metal_op_flash_attn_ext_extra_idx(op) != 0;
    if (!sparse && !ggml_metal_op_flash_attn_ext_use_vec(op)) {
        return missing_prompt_kernel(op);
    }
    // the vec kernel the host will name (ggml-metal-ops.cpp, ggml-metal-device.cpp): the pair (K_V when mixed), the
    // head sizes, and the (Q, NE) variant the tuning table (or test-backend-ops' override) picks; the sparse path
    // takes the baseline and gathers its indices first
    const ggml_type tk = op->src[1]->type;
    const ggml_type tv = op->src[2]->type;
    const int dk = (int) op->src[1]->ne[0];
    const int dv = (int) op->src[2]->ne[0];
    const ggml_metal_device_props * props = ggml_metal_device_get_props(dev);
    const ggml_metal_tuning::fa_vec_cfg_t cfg = sparse
        ? ggml_metal_tuning::fa_vec_baseline_cfg((int) op->src[0]->ne[0], dv)
        : ggml_metal_tuning::fa_vec_pick(props->device_id, props->gpu_family, tk, tv, (int) op->src[0]->ne[0], dv,
                                         op->src[1]->ne[1], op->src[0]->ne[1]);
    std::string name = std::string("kernel_flash_attn_ext_vec_") + ggml_type_name(tk);
    if (tk != tv) {
        name += std::string("_") + ggml_type_name(tv);
    }
    name += "_dk" + std::to_string(dk) + "_dv" + std::to_string(dv);
    if (!(cfg.Q == 1 && cfg.NE == ggml_metal_tuning::fa_vec_baseline_ne(dk, dv))) {
        name += "_q" + std::to_string(cfg.Q) + "_ne" + std::to_string(cfg.NE);
    }
    if (!msl_kernels::find_kernel(name.c_str())) {
        return name;
    }
    if (sparse && !msl_kernels::find_kernel("kernel_flash_attn_ext_vec_idx")) {
        return "kernel_flash_attn_ext_vec_idx (the sparse path)";
    }
    return "";
}

bool ggml_metal_device_supports_op(ggml_metal_device_t dev, const ggml_tensor * op) {
    const mac_device view = { *ggml_metal_device_get_props(dev) };
    if (!mac_supports_op(&view, op)) {
        return false;
    }
    const std::string missing = missing_kernel(dev, op);
    if (!missing.empty()) {
        printf("emulated Metal: not run: %s needs %s, which the emulated library lacks\n", ggml_op_desc(op), missing.c_str());
        return false;
    }
    return true;
}

} // extern "C"
