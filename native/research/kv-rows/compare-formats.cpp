// Compares candidate K/V cache formats on rows dumped by dump-rows: for each format, the normalized squared error
// sum((x - decode(encode(x)))^2) / sum(x^2) over every K row and every V row, per model.
// A format is a block size, a codebook (levels in units of the block's scale) and a rule for the scale:
//   absmax  d = max|x| / max|level|         (q4_0's rule)
//   lsq     d from absmax, then refitted by least squares to the chosen levels, twice (iq4_nl-like)
// The scale is rounded to fp16 as a stored one would be. Codebooks: uniform, Lloyd-Max for a Gaussian, and one
// fitted to the rows themselves (k-means on x / rms(block)), which the tool prints so it can become a type.
//
// usage: compare-formats ROWS...
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

struct rows_of_kind { int row_len = 0; std::vector<float> x; };
struct dump { std::string name; rows_of_kind kind[2]; };

static dump read_dump(const char * path) {
    dump d; d.name = path;
    FILE * f = fopen(path, "rb");
    if (!f) { fprintf(stderr, "cannot read %s\n", path); exit(2); }
    int32_t h[4];
    while (fread(h, sizeof(h), 1, f) == 1) {
        rows_of_kind & r = d.kind[h[1]];
        r.row_len = h[2];
        size_t n = (size_t) h[2]*h[3], at = r.x.size();
        r.x.resize(at + n);
        if (fread(r.x.data() + at, sizeof(float), n, f) != n) { fprintf(stderr, "short read in %s\n", path); exit(2); }
    }
    fclose(f);
    return d;
}

static float fp16_round(float d) {
    // round to the nearest fp16 (normal range; scales here are far from fp16's limits)
    if (d == 0) return 0;
    int e; float m = frexpf(d, &e);          // d = m * 2^e, 0.5 <= |m| < 1
    m = roundf(m * 2048.0f) / 2048.0f;        // 11 significant bits
    return ldexpf(m, e);
}

struct codebook { std::string name; std::vector<float> levels; };  // sorted ascending

static inline int nearest(const std::vector<float> & lv, float v) {
    int best = 0; float bd = fabsf(v - lv[0]);
    for (int i = 1; i < (int) lv.size(); ++i) { float dd = fabsf(v - lv[i]); if (dd < bd) { bd = dd; best = i; } }
    return best;
}

// squared error of one block under (codebook, rule)
static double block_error(const float * x, int n, const codebook & cb, bool lsq) {
    float amax = 0; for (int i = 0; i < n; ++i) amax = std::max(amax, fabsf(x[i]));
    if (amax == 0) return 0;
    float lmax = std::max(fabsf(cb.levels.front()), fabsf(cb.levels.back()));
    float d = amax / lmax;
    std::vector<int> q(n);
    for (int it = 0; it < (lsq ? 3 : 1); ++it) {
        for (int i = 0; i < n; ++i) q[i] = nearest(cb.levels, x[i] / d);
        if (!lsq || it == 2) break;
        double sxl = 0, sll = 0;
        for (int i = 0; i < n; ++i) { sxl += x[i]*cb.levels[q[i]]; sll += cb.levels[q[i]]*cb.levels[q[i]]; }
        if (sll > 0 && sxl > 0) d = (float) (sxl / sll);
    }
    d = fp16_round(d);
    double e = 0;
    for (int i = 0; i < n; ++i) { double r = x[i] - d*cb.levels[nearest(cb.levels, x[i] / d)]; e += r*r; }
    return e;
}

static double nmse(const rows_of_kind & r, int block, const codebook & cb, bool lsq) {
    if (r.row_len % block) return NAN;
    double e = 0, s = 0;
    for (size_t i = 0; i < r.x.size(); i += block) {
        e += block_error(&r.x[i], block, cb, lsq);
        for (int j = 0; j < block; ++j) s += (double) r.x[i + j]*r.x[i + j];
    }
    return e / s;
}

// q4_0 / q8_0 as ggml quantizes them, for reference: d = max / -8 (signed max), levels -8..7
static double nmse_q4_0(const rows_of_kind & r) {
    double e = 0, s = 0;
    for (size_t i = 0; i < r.x.size(); i += 32) {
        float amax = 0, mx = 0;
        for (int j = 0; j < 32; ++j) if (fabsf(r.x[i+j]) > amax) { amax = fabsf(r.x[i+j]); mx = r.x[i+j]; }
        float d = fp16_round(mx / -8), id = d ? 1/d : 0;
        for (int j = 0; j < 32; ++j) {
            int q = std::min(15, (int) (r.x[i+j]*id + 8.5f)); q = std::max(q, 0);
            double rr = r.x[i+j] - (q - 8)*d; e += rr*rr; s += (double) r.x[i+j]*r.x[i+j];
        }
    }
    return e / s;
}

// k-means (Lloyd) on x / rms(block of 32), symmetric: fitted on |x| and mirrored
static std::vector<float> fit_levels(const std::vector<const rows_of_kind *> & data, int n_levels, int block) {
    std::vector<float> v;
    for (auto * r : data) for (size_t i = 0; i + block <= r->x.size(); i += block*7) {  // every 7th block: enough
        double s = 0; for (int j = 0; j < block; ++j) s += (double) r->x[i+j]*r->x[i+j];
        float rms = sqrtf((float) (s / block)); if (rms == 0) continue;
        for (int j = 0; j < block; ++j) v.push_back(fabsf(r->x[i+j]) / rms);
    }
    int half = n_levels / 2;
    std::vector<float> c(half);
    for (int k = 0; k < half; ++k) c[k] = 0.3f + 0.6f*k;
    for (int it = 0; it < 60; ++it) {
        std::vector<double> sum(half, 0), cnt(half, 0);
        for (float a : v) { int b = 0; float bd = fabsf(a - c[0]); for (int k = 1; k < half; ++k) { float dd = fabsf(a - c[k]); if (dd < bd) { bd = dd; b = k; } } sum[b] += a; cnt[b] += 1; }
        for (int k = 0; k < half; ++k) if (cnt[k]) c[k] = (float) (sum[k] / cnt[k]);
    }
    std::vector<float> lv;
    for (int k = half - 1; k >= 0; --k) lv.push_back(-c[k]);
    for (int k = 0; k < half; ++k) lv.push_back(c[k]);
    return lv;
}

static void print_levels(const codebook & cb) {
    printf("  %-14s", cb.name.c_str());
    for (float l : cb.levels) printf(" %+.4f", l);
    printf("\n");
}

int main(int argc, char ** argv) {
    std::vector<dump> dumps;
    for (int i = 1; i < argc; ++i) dumps.push_back(read_dump(argv[i]));
    std::vector<const rows_of_kind *> all;
    for (auto & d : dumps) { all.push_back(&d.kind[0]); all.push_back(&d.kind[1]); }

    std::vector<codebook> cbs = {
        { "uniform3", { -3.5f, -2.5f, -1.5f, -0.5f, 0.5f, 1.5f, 2.5f, 3.5f } },
        { "gauss3",   { -2.1520f, -1.3440f, -0.7560f, -0.2451f, 0.2451f, 0.7560f, 1.3440f, 2.1520f } },
        { "fit3",     fit_levels(all, 8, 32) },
        { "uniform2", { -1.5f, -0.5f, 0.5f, 1.5f } },
        { "gauss2",   { -1.5104f, -0.4528f, 0.4528f, 1.5104f } },
        { "fit2",     fit_levels(all, 4, 32) },
        // the codebooks the new types store: gauss3 as int8 (what vec_dot multiplies), uniform2 as {-3,-1,1,3}
        { "iq3_nl int8",  { -127, -79, -45, -14, 14, 45, 79, 127 } },
        { "iq2_nl int8",  { -3, -1, 1, 3 } },
        { "iq4_nl",   { -127, -104, -83, -65, -49, -35, -22, -10, 1, 13, 25, 38, 53, 69, 89, 113 } },
    };
    printf("codebooks (levels in units of the scale):\n");
    for (auto & cb : cbs) print_levels(cb);

    printf("\nNMSE = sum((x - x')^2) / sum(x^2); bits/element = (index bits * block + 16) / block\n");
    printf("%-26s %-8s %5s %6s %5s", "format", "rule", "block", "bits", "");
    for (auto & d : dumps) printf(" %12s %12s", (d.name.substr(d.name.find_last_of('/') + 1) + ":K").c_str(), "V");
    printf("\n");
    printf("%-26s %-8s %5d %6.3f %5s", "q4_0 (reference)", "ggml", 32, 4.5, "");
    for (auto & d : dumps) printf(" %12.5f %12.5f", nmse_q4_0(d.kind[0]), nmse_q4_0(d.kind[1]));
    printf("\n");
    for (auto & cb : cbs) {
        int bits = (int) lround(log2((double) cb.levels.size()));
        for (int block : { 32, 64, 128 }) {
            for (bool lsq : { false, true }) {
                printf("%-26s %-8s %5d %6.3f %5s", cb.name.c_str(), lsq ? "lsq" : "absmax", block, bits + 16.0/block, "");
                for (auto & d : dumps) printf(" %12.5f %12.5f", nmse(d.kind[0], block, cb, lsq), nmse(d.kind[1], block, cb, lsq));
                printf("\n");
            }
        }
    }
    return 0;
}
