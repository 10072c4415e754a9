// The graph half of ggml-metal's Objective-C (ggml-metal-context.m) re-done in C++ over the emulated device
// (device/emulated_device.cpp), so that the unmodified ggml-metal.cpp registers its backend on it and
// test-backend-ops runs graphs through ggml_metal_op_encode as on a Mac.
//
// What it mirrors: a graph is split into command buffers as ggml_metal_graph_compute splits it (the first
// max(64, n/10) nodes on the calling thread's buffer, the rest over n_cb buffers), each buffer gets its own
// ggml_metal_op over its node range, and the buffers run in the order they are enqueued. What it does not: a command
// buffer here completes while it is encoded (every dispatch runs at once, emulated_device.cpp), so the asynchronous
// copies, events and synchronize have nothing to wait for; a missing wait between two command buffers goes unseen.
#include "ggml-metal-context.h"

#include "ggml-backend-impl.h"
#include "ggml-impl.h"
#include "ggml-metal-common.h"
#include "ggml-metal-ops.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>

// max number of command buffers used to submit a graph (ggml-metal-context.m)
#define GGML_METAL_MAX_COMMAND_BUFFERS 8

struct ggml_metal {
    char name[128];

    ggml_metal_device_t dev;
    ggml_metal_event_t  ev_cpy; // for async copies

    bool use_fusion;
    bool use_concurrency;
    bool use_graph_optimize;

    int debug_graph;
    int debug_fusion;
    int capture_compute;
    int n_cb;

    ggml_abort_callback abort_callback;
    void *              abort_callback_data;
};

static int env_int(const char * name) {
    const char * val = getenv(name);
    return val ? atoi(val) : 0;
}

// the host memory a tensor's bytes live in (its buffer id: the emulated device's buffers are host memory)
static char * tensor_bytes(const ggml_tensor * t, size_t offset) {
    ggml_backend_buffer_t buffer = t->view_src ? t->view_src->buffer : t->buffer;
    const ggml_metal_buffer_id bid = ggml_metal_buffer_get_id((ggml_metal_buffer_t) buffer->context, t);
    if (bid.metal == nullptr) {
        GGML_ABORT("%s: failed to find buffer for tensor '%s'\n", __func__, t->name);
    }
    return (char *) bid.metal + bid.offs + offset;
}

ggml_metal_t ggml_metal_init(ggml_metal_device_t dev) {
    ggml_metal_t res = (ggml_metal_t) calloc(1, sizeof(struct ggml_metal));

    res->dev    = dev;
    res->ev_cpy = ggml_metal_device_event_init(dev);
    snprintf(res->name, sizeof(res->name), "%s", ggml_metal_device_get_props(dev)->name);

    // the same switches as ggml-metal-context.m
    res->use_fusion         = getenv("GGML_METAL_FUSION_DISABLE") == nullptr;
    res->use_concurrency    = getenv("GGML_METAL_CONCURRENCY_DISABLE") == nullptr;
    res->use_graph_optimize = getenv("GGML_METAL_GRAPH_OPTIMIZE_DISABLE") == nullptr;
    res->debug_graph        = env_int("GGML_METAL_GRAPH_DEBUG");
    res->debug_fusion       = env_int("GGML_METAL_FUSION_DEBUG");

    return res;
}

void ggml_metal_free(ggml_metal_t ctx) {
    ggml_metal_device_event_free(ctx->dev, ctx->ev_cpy);
    free(ctx);
}

const char * ggml_metal_get_name(ggml_metal_t ctx) { return ctx->name; }

// every command buffer completed when it was encoded
void ggml_metal_synchronize(ggml_metal_t) {}

void ggml_metal_set_tensor_async(ggml_metal_t, ggml_tensor * tensor, const void * data, size_t offset, size_t size) {
    memcpy(tensor_bytes(tensor, offset), data, size);
}

void ggml_metal_get_tensor_async(ggml_metal_t, const ggml_tensor * tensor, void * data, size_t offset, size_t size) {
    memcpy(data, tensor_bytes(tensor, offset), size);
}

bool ggml_metal_cpy_tensor_async(ggml_metal_t ctx_src, ggml_metal_t ctx_dst, const ggml_tensor * src, ggml_tensor * dst) {
    memcpy(tensor_bytes(dst, 0), tensor_bytes(src, 0), ggml_nbytes(src));
    ggml_metal_event_record(ctx_src, ctx_src->ev_cpy);
    ggml_metal_event_wait(ctx_dst, ctx_src->ev_cpy);
    return true;
}

// encodes nodes [idx_start, idx_end) of gf into one command buffer, as the encode_async block of
// ggml-metal-context.m does: a node may fuse the ones after it (the encoder returns how many it took)
static void encode_command_buffer(ggml_metal_t ctx, ggml_cgraph * gf, int idx_start, int idx_end) {
    ggml_metal_op_t ctx_op = ggml_metal_op_init(ctx->dev, nullptr, gf, idx_start, idx_end, ctx->use_fusion,
                                                ctx->use_concurrency, ctx->capture_compute, ctx->debug_graph,
                                                ctx->debug_fusion);
    for (int idx = 0; idx < ggml_metal_op_n_nodes(ctx_op); ++idx) {
        const int res = ggml_metal_op_encode(ctx_op, idx);
        if (res == 0) {
            break;
        }
        idx += res - 1;
    }
    ggml_metal_op_free(ctx_op);
}

enum ggml_status ggml_metal_graph_compute(ggml_metal_t ctx, ggml_cgraph * gf) {
    // the split of ggml-metal-context.m: n_nodes_0 on the main command buffer, the rest over n_cb buffers
    const int n_main         = std::max(64, (int) (0.1 * gf->n_nodes));
    const int n_cb           = ctx->n_cb;
    const int n_nodes_0      = std::min(n_main, gf->n_nodes);
    const int n_nodes_1      = gf->n_nodes - n_nodes_0;
    const int n_nodes_per_cb = (n_nodes_1 + n_cb - 1) / n_cb;

    // the main thread's buffer is enqueued first, then buffers 0..n_cb-1: the order the GPU runs them in
    encode_command_buffer(ctx, gf, 0, n_nodes_0);
    for (int cb_idx = 0; cb_idx < n_cb; ++cb_idx) {
        if (ctx->abort_callback && cb_idx >= 2 && ctx->abort_callback(ctx->abort_callback_data)) {
            return GGML_STATUS_ABORTED;
        }
        const int idx_start = n_nodes_0 + cb_idx * n_nodes_per_cb;
        const int idx_end   = n_nodes_0 + std::min(cb_idx == n_cb - 1 ? n_nodes_1 : (cb_idx + 1) * n_nodes_per_cb, n_nodes_1);
        encode_command_buffer(ctx, gf, idx_start, idx_end);
    }
    return GGML_STATUS_SUCCESS;
}

void ggml_metal_graph_optimize(ggml_metal_t ctx, ggml_cgraph * gf) {
    if (ctx->use_graph_optimize) {
        ggml_graph_optimize(gf);
    }
}

void ggml_metal_event_record(ggml_metal_t, ggml_metal_event_t ev) { ggml_metal_event_encode_signal(ev, nullptr); }
void ggml_metal_event_wait(ggml_metal_t, ggml_metal_event_t ev) { ggml_metal_event_encode_wait(ev, nullptr); }

ggml_metal_event_t ggml_metal_get_ev_cpy(ggml_metal_t ctx) { return ctx->ev_cpy; }

void ggml_metal_set_n_cb(ggml_metal_t ctx, int n_cb) { ctx->n_cb = std::min(n_cb, GGML_METAL_MAX_COMMAND_BUFFERS); }

void ggml_metal_set_abort_callback(ggml_metal_t ctx, ggml_abort_callback abort_callback, void * user_data) {
    ctx->abort_callback      = abort_callback;
    ctx->abort_callback_data = user_data;
}

// the emulated device reports itself as an Apple7 GPU (M1 and later: simdgroup reductions and matrices)
bool ggml_metal_supports_family(ggml_metal_t, int family) { return family <= 7; }

void ggml_metal_capture_next_compute(ggml_metal_t) {}
