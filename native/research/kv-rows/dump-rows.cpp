// Dumps the K and V rows a model writes into its cache, after llama.cpp's Hadamard rotation, as float32.
// The rows are taken from the SET_ROWS nodes that store into cache_k_l* / cache_v_l*: with a quantized cache type
// (q8_0 here) the graph rotates K and V before that store, so these are exactly the values a cache type encodes.
//
// usage: dump-rows MODEL TEXT OUT [--ctx N] [--chunks N]
// OUT: records of { int32 layer, int32 kind (0 K, 1 V), int32 row_len, int32 n_rows, float rows[n_rows][row_len] }
#include "llama.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

struct dump_state {
    FILE * out = nullptr;
    std::vector<float> buf;
    size_t n_records = 0;
};

static bool on_node(struct ggml_tensor * t, bool ask, void * user) {
    if (t->op != GGML_OP_SET_ROWS) {
        return ask ? false : true;
    }
    char kind = 0;
    int layer = -1;
    if (sscanf(t->name, "cache_%c_l%d", &kind, &layer) != 2 || (kind != 'k' && kind != 'v')) {
        return ask ? false : true;
    }
    if (ask) {
        return true;
    }
    auto * st = (dump_state *) user;
    const ggml_tensor * rows = t->src[0]; // set_rows keeps the rows in src[0], the indices in src[1]
    if (rows->type != GGML_TYPE_F32) {
        fprintf(stderr, "dump-rows: %s stores %s rows, expected f32\n", t->name, ggml_type_name(rows->type));
        exit(1);
    }
    const int32_t row_len = (int32_t) rows->ne[0];
    const int32_t n_rows  = (int32_t) (rows->ne[1]*rows->ne[2]*rows->ne[3]);
    st->buf.resize((size_t) row_len);
    const int32_t header[4] = { layer, kind == 'k' ? 0 : 1, row_len, n_rows };
    fwrite(header, sizeof(header), 1, st->out);
    for (int64_t i3 = 0; i3 < rows->ne[3]; ++i3) {
        for (int64_t i2 = 0; i2 < rows->ne[2]; ++i2) {
            for (int64_t i1 = 0; i1 < rows->ne[1]; ++i1) {
                const size_t offs = i1*rows->nb[1] + i2*rows->nb[2] + i3*rows->nb[3];
                ggml_backend_tensor_get(rows, st->buf.data(), offs, row_len*sizeof(float));
                fwrite(st->buf.data(), sizeof(float), row_len, st->out);
            }
        }
    }
    st->n_records++;
    return true;
}

int main(int argc, char ** argv) {
    if (argc < 4) {
        fprintf(stderr, "usage: dump-rows MODEL TEXT OUT [--ctx N] [--chunks N]\n");
        return 2;
    }
    int n_ctx = 512;
    int n_chunks = 4;
    for (int i = 4; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--ctx")) n_ctx = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--chunks")) n_chunks = atoi(argv[i + 1]);
        else { fprintf(stderr, "dump-rows: unknown option %s\n", argv[i]); return 2; }
    }
    std::ifstream in(argv[2]);
    if (!in) { fprintf(stderr, "dump-rows: cannot read %s\n", argv[2]); return 2; }
    std::stringstream ss; ss << in.rdbuf();
    const std::string text = ss.str();

    llama_backend_init();
    llama_log_set([](ggml_log_level level, const char * msg, void *) { if (level >= GGML_LOG_LEVEL_WARN) fputs(msg, stderr); }, nullptr);
    auto mparams = llama_model_default_params();
    llama_model * model = llama_model_load_from_file(argv[1], mparams);
    if (!model) { fprintf(stderr, "dump-rows: cannot load %s\n", argv[1]); return 1; }
    const llama_vocab * vocab = llama_model_get_vocab(model);

    std::vector<llama_token> tokens(text.size() + 16);
    int n_tok = llama_tokenize(vocab, text.c_str(), (int) text.size(), tokens.data(), (int) tokens.size(), true, false);
    if (n_tok < 0) { fprintf(stderr, "dump-rows: tokenize failed\n"); return 1; }
    tokens.resize(n_tok);

    dump_state st;
    st.out = fopen(argv[3], "wb");
    if (!st.out) { fprintf(stderr, "dump-rows: cannot write %s\n", argv[3]); return 2; }

    auto cparams = llama_context_default_params();
    cparams.n_ctx = n_ctx;
    cparams.n_batch = n_ctx;
    cparams.n_ubatch = n_ctx;
    cparams.type_k = GGML_TYPE_Q8_0;
    cparams.type_v = GGML_TYPE_Q8_0;
    cparams.flash_attn_type = LLAMA_FLASH_ATTN_TYPE_ENABLED;
    cparams.cb_eval = on_node;
    cparams.cb_eval_user_data = &st;
    llama_context * ctx = llama_init_from_model(model, cparams);
    if (!ctx) { fprintf(stderr, "dump-rows: cannot create a context\n"); return 1; }

    // chunks spread over the text, as perplexity's chunks are
    const int n_avail = n_tok / n_ctx;
    const int stride = n_avail > n_chunks ? n_avail / n_chunks : 1;
    for (int c = 0; c < n_chunks && c*stride < n_avail; ++c) {
        llama_memory_clear(llama_get_memory(ctx), true);
        llama_batch batch = llama_batch_get_one(tokens.data() + (size_t) c*stride*n_ctx, n_ctx);
        if (llama_decode(ctx, batch) != 0) { fprintf(stderr, "dump-rows: decode failed\n"); return 1; }
    }
    fclose(st.out);
    fprintf(stderr, "dump-rows: %zu records from %d tokens of %s\n", st.n_records, n_tok, argv[2]);
    llama_free(ctx);
    llama_model_free(model);
    return 0;
}
