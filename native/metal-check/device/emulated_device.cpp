// An emulated Metal device: the Objective-C half of ggml-metal (ggml-metal-device.m) re-done in C++ on the CPU, for
// the part that ggml-metal-device.cpp and ggml-metal-ops.cpp call, so that the unmodified host code runs and its
// dispatches execute the kernels of kernels/ on the fiber executor (executor/fibers.h).
//
// What it mirrors: the library looks pipelines up by the kernel's host_name among the compiled kernels and keeps
// each pipeline's function constants; an encoder copies set_bytes data as Metal does, binds buffers by index
// (a buffer id is a host pointer plus the offset the host adds), and runs every dispatch at once, in order. What it
// does not: a concurrent encoder's dispatches may overlap on a GPU between memory barriers; here they never do, so a
// missing ggml_metal_encoder_memory_barrier goes unseen. Buffers are host memory (a Mac's unified memory).
#include "ggml-backend-impl.h"
#include "ggml-metal-device.h"
#include "emulated_device.h"

#include "../kernels/registry.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <string>
#include <vector>

struct ggml_metal_cv {
    std::map<int32_t, std::vector<char>> values; // by function-constant index
};

struct ggml_metal_pipeline {
    const msl_kernels::compiled_kernel * kernel = nullptr;
    ggml_metal_cv               constants;
};

struct ggml_metal_library {
    ggml_metal_device_t    dev;
    ggml_metal_pipelines_t pipelines;
};

struct ggml_metal_device {
    ggml_metal_device_props props;
    ggml_metal_library      library;
};

struct ggml_metal_encoder {
    ggml_metal_pipeline_with_params pipeline = {};
    std::vector<char>               bytes[msl_kernels::k_max_bindings];
    msl_kernels::bindings           bound = {};
    long                            n_dispatches = 0;
};

namespace {

ggml_metal_device g_device;
long              g_n_dispatches = 0;
bool              g_throw_on_missing_kernel = false;
std::string       g_last_missing_kernel;

[[noreturn]] void emulator_fail(const std::string & what) {
    fprintf(stderr, "emulated Metal device: %s\n", what.c_str());
    abort();
}

void set_constant(ggml_metal_cv_t cv, int32_t idx, const void * value, size_t size) {
    cv->values[idx].assign((const char *) value, (const char *) value + size);
}

// before a dispatch: every function constant of the library takes the pipeline's value (Metal would have compiled the
// pipeline with them); one the pipeline does not set keeps a poison value, as an unset constant is an error in Metal
void apply_constants(const ggml_metal_pipeline & p) {
    for (const msl_kernels::function_constant & fc : msl_kernels::function_constants()) {
        const auto it = p.constants.values.find(fc.index);
        if (it == p.constants.values.end()) {
            memset(fc.value, 0x7F, fc.size);
        } else {
            if (it->second.size() != fc.size && !(fc.size == 1 && it->second.size() == 1)) {
                emulator_fail("function constant " + std::to_string(fc.index) + " set with " +
                              std::to_string(it->second.size()) + " bytes, the kernel reads " + std::to_string(fc.size));
            }
            memcpy(fc.value, it->second.data(), fc.size);
        }
    }
}

} // namespace

ggml_metal_device_t emulated_metal_device() {
    ggml_metal_device_props & p = g_device.props;
    if (g_device.library.dev == nullptr) {
        snprintf(p.name, sizeof(p.name), "MTL0"); // ggml-metal-device.m names device i "MTL<i>"
        snprintf(p.desc, sizeof(p.desc), "emulated Apple GPU (CPU fibers)");
        p.max_theadgroup_memory_size = 32 * 1024; // every Apple GPU
        p.max_buffer_size            = (size_t) 8 << 30;
        p.max_working_set_size       = (size_t) 8 << 30;
        p.use_shared_buffers         = true; // unified memory: ggml-metal-device.m's default
        p.supports_gpu_family_apple7 = true;
        p.op_offload_min_batch_size  = 32;
        p.has_simdgroup_reduction    = true;
        p.has_simdgroup_mm           = true;
        p.has_unified_memory         = true;
        p.has_bfloat                 = true;
        p.device_id                  = GGML_METAL_DEVICE_GENERIC;
        g_device.library.dev         = &g_device;
        g_device.library.pipelines   = ggml_metal_pipelines_init();
    }
    return &g_device;
}

long emulated_metal_dispatch_count() { return g_n_dispatches; }

void emulated_metal_throw_on_missing_kernel(bool on) { g_throw_on_missing_kernel = on; }

extern "C" {

ggml_metal_cv_t ggml_metal_cv_init(void) { return new ggml_metal_cv; }
void ggml_metal_cv_free(ggml_metal_cv_t cv) { delete cv; }
void ggml_metal_cv_set_int16(ggml_metal_cv_t cv, int16_t value, int32_t idx) { set_constant(cv, idx, &value, sizeof(value)); }
void ggml_metal_cv_set_int32(ggml_metal_cv_t cv, int32_t value, int32_t idx) { set_constant(cv, idx, &value, sizeof(value)); }
void ggml_metal_cv_set_bool(ggml_metal_cv_t cv, bool value, int32_t idx) { set_constant(cv, idx, &value, sizeof(value)); }

void ggml_metal_pipeline_free(ggml_metal_pipeline_t pipeline) { delete pipeline; }
int ggml_metal_pipeline_max_theads_per_threadgroup(ggml_metal_pipeline_with_params) { return 1024; }

ggml_metal_encoder_t ggml_metal_encoder_init(ggml_metal_cmd_buf_t, bool) { return new ggml_metal_encoder; }
void ggml_metal_encoder_free(ggml_metal_encoder_t encoder) { delete encoder; }
void ggml_metal_encoder_debug_group_push(ggml_metal_encoder_t, const char *) {}
void ggml_metal_encoder_debug_group_pop(ggml_metal_encoder_t) {}
void ggml_metal_encoder_set_pipeline(ggml_metal_encoder_t encoder, ggml_metal_pipeline_with_params pipeline) {
    if (!pipeline.pipeline) {
        if (g_throw_on_missing_kernel) throw emulated_missing_kernel{ g_last_missing_kernel };
        emulator_fail("set_pipeline with no pipeline (the host asked for a kernel the library lacks)");
    }
    encoder->pipeline = pipeline;
}
void ggml_metal_encoder_set_bytes(ggml_metal_encoder_t encoder, void * data, size_t size, int idx) {
    // Metal copies the bytes when they are set: the host may reuse its variable before the dispatch
    encoder->bytes[idx].assign((const char *) data, (const char *) data + size);
    encoder->bound.bytes[idx] = encoder->bytes[idx].data();
}
void ggml_metal_encoder_set_buffer(ggml_metal_encoder_t encoder, ggml_metal_buffer_id buffer, int idx) {
    encoder->bound.buffers[idx] = (char *) buffer.metal + buffer.offs;
}
void ggml_metal_encoder_set_threadgroup_memory_size(ggml_metal_encoder_t encoder, size_t size, int idx) {
    encoder->bound.threadgroup_memory[idx] = size;
}
void ggml_metal_encoder_dispatch_threadgroups(ggml_metal_encoder_t encoder, int tg0, int tg1, int tg2, int tptg0,
                                              int tptg1, int tptg2) {
    const ggml_metal_pipeline & p = *encoder->pipeline.pipeline;
    apply_constants(p);
    const msl_kernels::dispatch_size size = { { (uint32_t) tg0, (uint32_t) tg1, (uint32_t) tg2 },
                                              { (uint32_t) tptg0, (uint32_t) tptg1, (uint32_t) tptg2 } };
    p.kernel->run(p.kernel->name, encoder->bound, size);
    ++encoder->n_dispatches;
    ++g_n_dispatches;
}
void ggml_metal_encoder_memory_barrier(ggml_metal_encoder_t) {}
void ggml_metal_encoder_end_encoding(ggml_metal_encoder_t) {}

ggml_metal_library_t ggml_metal_device_get_library(ggml_metal_device_t dev) { return &dev->library; }
const ggml_metal_device_props * ggml_metal_device_get_props(ggml_metal_device_t dev) { return &dev->props; }
ggml_metal_device_t ggml_metal_device_init(int, int) { return emulated_metal_device(); }
void ggml_metal_device_free(ggml_metal_device_t) {}
// the real rule is ggml-metal-device.m's (Objective-C, not compiled here) except for flash attention's, which is
// ggml-metal-device.cpp's; the cache writes are accepted as that rule accepts them for the cache types. Weak: the
// backend (backend/emulated_backend_device.cpp) has the whole rule
__attribute__((weak)) bool ggml_metal_device_supports_op(ggml_metal_device_t dev, const ggml_tensor * op) {
    switch (op->op) {
        case GGML_OP_FLASH_ATTN_EXT: return ggml_metal_device_supports_flash_attn_ext(&dev->props, op);
        case GGML_OP_SET_ROWS:
        case GGML_OP_CPY: return true;
        default: return false;
    }
}

ggml_metal_device_t ggml_metal_library_get_device(ggml_metal_library_t lib) { return lib->dev; }

ggml_metal_pipeline_with_params ggml_metal_library_get_pipeline(ggml_metal_library_t lib, const char * name) {
    ggml_metal_pipeline_with_params res = {};
    res.pipeline = ggml_metal_pipelines_get(lib->pipelines, name);
    return res;
}

// Metal compiles the function `base` with the constants `cv` and caches the pipeline as `name`
ggml_metal_pipeline_with_params ggml_metal_library_compile_pipeline(ggml_metal_library_t lib, const char * base,
                                                                    const char * name, ggml_metal_cv_t cv) {
    ggml_metal_pipeline_with_params res = {};
    res.pipeline = ggml_metal_pipelines_get(lib->pipelines, name);
    if (res.pipeline) return res;
    const msl_kernels::compiled_kernel * k = msl_kernels::find_kernel(base);
    if (!k) {
        if (!g_throw_on_missing_kernel) {
            fprintf(stderr, "emulated Metal device: no kernel function '%s' in the emulated library\n", base);
        }
        g_last_missing_kernel = base;
        return res;
    }
    ggml_metal_pipeline * p = new ggml_metal_pipeline;
    p->kernel = k;
    if (cv) p->constants = *cv;
    ggml_metal_pipelines_add(lib->pipelines, name, p);
    res.pipeline = p;
    return res;
}

// a tensor's data pointer is its buffer id: host memory, as on a Mac's unified memory
ggml_metal_buffer_id ggml_metal_buffer_get_id(ggml_metal_buffer_t, const ggml_tensor * t) { return { t->data, 0 }; }

} // extern "C"
