// patch 0023's NEON ggml_vec_dot_iq{3,2}_nl_q8_0 against patch 0018's generic C, bit for bit: 20000 random rows of
// 256 values per type (scales 0.01 to 10), each quantized by the reference quantizer and dotted with a q8_0 row
#include "ggml.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>
typedef void (*dot_t)(int, float *, size_t, const void *, size_t, const void *, size_t, int);
void ggml_vec_dot_iq3_nl_q8_0(int, float *, size_t, const void *, size_t, const void *, size_t, int);
void ggml_vec_dot_iq3_nl_q8_0_generic(int, float *, size_t, const void *, size_t, const void *, size_t, int);
void ggml_vec_dot_iq2_nl_q8_0(int, float *, size_t, const void *, size_t, const void *, size_t, int);
void ggml_vec_dot_iq2_nl_q8_0_generic(int, float *, size_t, const void *, size_t, const void *, size_t, int);
void quantize_row_q8_0(const float *, void *, int64_t);
int main(void) {
    enum { N = 256, ROWS = 20000 };
    static float x[N], y[N];
    static uint8_t qx[N*2], qy[N*2];
    struct { enum ggml_type t; dot_t fast, ref; const char * name; } types[] = {
        { GGML_TYPE_IQ3_NL, ggml_vec_dot_iq3_nl_q8_0, ggml_vec_dot_iq3_nl_q8_0_generic, "iq3_nl" },
        { GGML_TYPE_IQ2_NL, ggml_vec_dot_iq2_nl_q8_0, ggml_vec_dot_iq2_nl_q8_0_generic, "iq2_nl" },
    };
    int bad_total = 0;
    srand(1);
    for (int t = 0; t < 2; ++t) {
        int bad = 0;
        for (int r = 0; r < ROWS; ++r) {
            const float scale = (float) (1 + rand() % 1000) / 100.0f;
            for (int i = 0; i < N; ++i) {
                x[i] = scale*((float) rand() / RAND_MAX - 0.5f);
                y[i] = (float) rand() / RAND_MAX - 0.5f;
            }
            ggml_quantize_chunk(types[t].t, x, qx, 0, 1, N, NULL);
            quantize_row_q8_0(y, qy, N);
            float a, b;
            types[t].fast(N, &a, 0, qx, 0, qy, 0, 1);
            types[t].ref (N, &b, 0, qx, 0, qy, 0, 1);
            if (memcmp(&a, &b, sizeof(a)) != 0) {
                if (bad < 3) printf("%s row %d: neon %.9g generic %.9g\n", types[t].name, r, a, b);
                ++bad;
            }
        }
        printf("%s: %d of %d rows differ\n", types[t].name, bad, ROWS);
        bad_total += bad;
    }
    return bad_total != 0;
}
