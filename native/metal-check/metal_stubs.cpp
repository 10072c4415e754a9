// The Objective-C half of ggml-metal (ggml-metal-device.m, ggml-metal-context.m), stubbed so that the C++ host code
// (ggml-metal-device.cpp, ggml-metal-ops.cpp) links and runs on a machine without Metal. Nothing is drawn or
// dispatched: a pipeline request records the kernel function it would load from the Metal library, which is all
// fa_kernel_names.cpp needs.
#include "ggml-backend-impl.h"
#include "ggml-metal-device.h"
#include "metal_stubs.h"

#include <set>
#include <string>

static std::set<std::string> g_requested_kernels;

const std::set<std::string> & metal_stub_requested_kernels() {
    return g_requested_kernels;
}

void metal_stub_clear_requested_kernels() {
    g_requested_kernels.clear();
}

struct ggml_metal_device {
    ggml_metal_device_props props;
};

static ggml_metal_device g_device;
static int               g_pipeline; // any non-null address: the host only checks for null

ggml_metal_device_t metal_stub_device(const ggml_metal_device_props & props) {
    g_device.props = props;
    return &g_device;
}

extern "C" {

ggml_metal_cv_t ggml_metal_cv_init(void) { return nullptr; }
void ggml_metal_cv_free(ggml_metal_cv_t) {}
void ggml_metal_cv_set_int16(ggml_metal_cv_t, int16_t, int32_t) {}
void ggml_metal_cv_set_int32(ggml_metal_cv_t, int32_t, int32_t) {}
void ggml_metal_cv_set_bool(ggml_metal_cv_t, bool, int32_t) {}

void ggml_metal_pipeline_free(ggml_metal_pipeline_t) {}
int ggml_metal_pipeline_max_theads_per_threadgroup(ggml_metal_pipeline_with_params) { return 1024; }

ggml_metal_encoder_t ggml_metal_encoder_init(ggml_metal_cmd_buf_t, bool) { return nullptr; }
void ggml_metal_encoder_free(ggml_metal_encoder_t) {}
void ggml_metal_encoder_debug_group_push(ggml_metal_encoder_t, const char *) {}
void ggml_metal_encoder_debug_group_pop(ggml_metal_encoder_t) {}
void ggml_metal_encoder_set_pipeline(ggml_metal_encoder_t, ggml_metal_pipeline_with_params) {}
void ggml_metal_encoder_set_bytes(ggml_metal_encoder_t, void *, size_t, int) {}
void ggml_metal_encoder_set_buffer(ggml_metal_encoder_t, ggml_metal_buffer_id, int) {}
void ggml_metal_encoder_set_threadgroup_memory_size(ggml_metal_encoder_t, size_t, int) {}
void ggml_metal_encoder_dispatch_threadgroups(ggml_metal_encoder_t, int, int, int, int, int, int) {}
void ggml_metal_encoder_memory_barrier(ggml_metal_encoder_t) {}
void ggml_metal_encoder_end_encoding(ggml_metal_encoder_t) {}

ggml_metal_library_t ggml_metal_device_get_library(ggml_metal_device_t) { return nullptr; }
const ggml_metal_device_props * ggml_metal_device_get_props(ggml_metal_device_t dev) { return &dev->props; }
ggml_metal_device_t ggml_metal_device_init(int, int) { return &g_device; }
void ggml_metal_device_free(ggml_metal_device_t) {}
bool ggml_metal_device_supports_op(ggml_metal_device_t dev, const ggml_tensor * op) {
    return op->op == GGML_OP_FLASH_ATTN_EXT && ggml_metal_device_supports_flash_attn_ext(&dev->props, op);
}

ggml_metal_device_t ggml_metal_library_get_device(ggml_metal_library_t) { return &g_device; }

// never cached, so that every request reaches compile_pipeline and is recorded
ggml_metal_pipeline_with_params ggml_metal_library_get_pipeline(ggml_metal_library_t, const char *) {
    return {};
}

ggml_metal_pipeline_with_params ggml_metal_library_compile_pipeline(ggml_metal_library_t, const char * base, const char *, ggml_metal_cv_t) {
    g_requested_kernels.insert(base);
    ggml_metal_pipeline_with_params res = {};
    res.pipeline = (ggml_metal_pipeline_t) &g_pipeline;
    return res;
}

ggml_metal_buffer_id ggml_metal_buffer_get_id(ggml_metal_buffer_t, const ggml_tensor *) {
    return { nullptr, 0 };
}

}
