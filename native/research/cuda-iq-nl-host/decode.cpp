// host emulation of the CUDA iq3_nl/iq2_nl decode tricks in fattn-common.cuh, against the reference layout
#include <cstdio>
#include <cstdint>
#include <cstring>
#include <random>
static const int8_t kv3[8] = {-127,-79,-45,-14,14,45,79,127};
static const int8_t kv2[4] = {-3,-1,1,3};
static uint32_t byte_perm(uint32_t x, uint32_t y, uint32_t s) {
    uint8_t b[8]; memcpy(b, &x, 4); memcpy(b+4, &y, 4);
    uint32_t r = 0;
    for (int n = 0; n < 4; ++n) { int sel = (s >> (4*n)) & 0xF; if (sel & 8) { fprintf(stderr, "msb set\n"); return 0; } r |= uint32_t(b[sel & 7]) << (8*n); }
    return r;
}
static int funnelshift_r(int lo, int hi, int sh) { uint64_t v = (uint64_t(uint32_t(hi)) << 32) | uint32_t(lo); return int(uint32_t(v >> (sh & 31))); }
static int low2(const int * qs, int i) { return (qs[i % 2] >> (2*(i / 2))) & 0x03030303; }
static int high3(int qh, int i) { return (int)((unsigned)(((qh >> (4*i)) & 0xF) * 0x00810204) & 0x04040404); }
static int levels3(int idx) { int t = idx | (idx >> 4); int sel = (t & 0xFF) | ((t >> 8) & 0xFF00); return (int)byte_perm(0xF2D3B181, 0x7F4F2D0E, sel); }
template <int n> static void get_ints_a2(const char * p, int * dst) {
    int misalign = int((uintptr_t) p & 2); const int * w = (const int *)(p - misalign); int wv[n+1];
    for (int i = 0; i < n; ++i) wv[i] = w[i]; wv[n] = w[n - 1 + misalign/2];
    for (int i = 0; i < n; ++i) dst[i] = funnelshift_r(wv[i], wv[i+1], 8*misalign);
}
int main() {
    std::mt19937 rng(1); int bad = 0;
    alignas(16) char buf[26*8 + 8];
    for (int it = 0; it < 20000; ++it) {
        uint8_t idx[64]; for (int j = 0; j < 64; ++j) idx[j] = rng() % 8;
        // pack as quantize_row_iq3_nl_ref
        uint8_t blk[26] = {0}; blk[0] = rng(); blk[1] = rng();
        for (int j = 0; j < 64; ++j) { int h = j/32, jj = j%32; blk[2 + 8*h + jj%8] |= (idx[j] & 3) << (2*(jj/8)); blk[18 + j/8] |= ((idx[j] >> 2) & 1) << (j%8); }
        const int off = 2*(rng() % 4); memcpy(buf + off, blk, 26); const char * x = buf + off;
        for (int h = 0; h < 2; ++h) {
            int qs[2], qh; get_ints_a2<2>(x + 2 + 8*h, qs); get_ints_a2<1>(x + 18 + 4*h, &qh);
            for (int i = 0; i < 8; ++i) {
                int v3 = levels3(low2(qs, i) | high3(qh, i)); int v2 = low2(qs, i);
                for (int l = 0; l < 4; ++l) { int j = 32*h + 4*i + l;
                    if ((int8_t)(v3 >> 8*l) != kv3[idx[j]]) bad++;
                    if (2*((v2 >> 8*l) & 0xFF) - 3 != kv2[idx[j] & 3]) bad++; }
            }
        }
        // V: ggml_cuda_fattn_V_iq_nl_load (the words of half h, qs word g) and _decode (plane k, from value l0 of the
        // word), as the vector kernel's chunks (ne = 4, l0 = 0) and dequantize_V_iq{3,2}_nl (ne = 2, l0 = 0 or 2) take
        // them; levels as bytes offset by 128, then to float under the exponent of 2^23
        for (int h = 0; h < 2; ++h) for (int g = 0; g < 2; ++g) {
            int qs = 0, qhw = 0; memcpy(&qs, x + 2 + 8*h + 4*g, 4); memcpy(&qhw, x + 18 + 4*h, 4); const int qh = qhw >> (4*g);
            for (int k = 0; k < 4; ++k) for (int l0 = 0; l0 < 4; l0 += 2) {
                int q3 = (qs >> (8*l0 + 2*k)) & 0x03030303;
                q3 |= (int)((unsigned)(((qh >> (8*k + l0)) & 0xF) * 0x00810204) & 0x04040404);
                const int t = q3 | (q3 >> 4);
                q3 = (int)byte_perm(0x72533101, 0xFFCFAD8E, byte_perm(t, 0, 0x0020));
                const int q2 = (((qs >> (8*l0 + 2*k)) & 0x03030303) << 1) + 0x7D7D7D7D;
                for (int l = 0; l < 4 - l0; ++l) { const int j = 32*h + 8*k + 4*g + l0 + l;
                    uint32_t f3 = byte_perm(q3, 0x4B000000, 0x7440 | l), f2 = byte_perm(q2, 0x4B000000, 0x7440 | l);
                    float v3, v2; memcpy(&v3, &f3, 4); memcpy(&v2, &f2, 4); v3 -= 8388736.0f; v2 -= 8388736.0f;
                    if (v3 != kv3[idx[j]]) bad++; if (v2 != kv2[idx[j] & 3]) bad++; }
            }
        }
    }
    printf("mismatches: %d\n", bad); return bad != 0;
}
