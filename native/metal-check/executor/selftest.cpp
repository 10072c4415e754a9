// Checks the fiber executor's Metal semantics on small kernels; one case per run, named by the first argument:
//   exchange   every lane writes its slot of threadgroup memory, then reads its neighbour's, with no barrier: right
//              only when the lanes run in lockstep (built with -fsanitize-coverage=...,trace-loads,trace-stores)
//   poison     reads threadgroup memory no thread wrote: NaN
//   simd       simd_sum, simd_max, simd_shuffle_down and simd_prefix_exclusive_sum over one simdgroup
//   declared   a variable declared in threadgroup memory (`threadgroup int count[2];`, as msl/rewrite.sh writes it)
//              is one per threadgroup: lane 0 of each of two simdgroups writes its slot, every thread reads both
//   deadlock   half the lanes wait at a barrier, the others at a simd function: aborts, naming the kernel
//   divergent  lanes of one simdgroup call different simd functions: aborts, naming the kernel
//   big-shared 33 KiB of threadgroup memory: aborts (Apple's limit is 32 KiB)
//   big-group  1025 threads per threadgroup: aborts (Apple's limit is 1024)
//   big-declared 31 KiB of threadgroup memory and a 2 KiB variable declared in it: aborts (32 KiB together)
//   matrix     simdgroup matrices: D = A*B^T + C (A and B half in threadgroup memory the lanes wrote without a
//              barrier, B loaded transposed, rows strided; C float at an origin in device memory), stored strided,
//              and a half simdgroup_multiply; compared with the same sums done one element at a time
//   matrix-divergent  lanes of one simdgroup load from different pointers: aborts, naming the kernel
// It prints "ok <case>" or "wrong <case>: ..." and exits 0 or 1 (an abort is the expected end of the last five).
#include <metal_stdlib>

#include "fibers.h"

#include <cmath>
#include <cstring>
#include <string>

using namespace metal;

namespace {

msl_exec::grid one_group(uint32_t threads) { return { { 1, 1, 1 }, { threads, 1, 1 } }; }

int check(bool ok, const char * name, const std::string & detail) {
    printf("%s %s%s\n", ok ? "ok" : "wrong", name, ok ? "" : (": " + detail).c_str());
    return ok ? 0 : 1;
}

} // namespace

int main(int argc, char ** argv) {
    const std::string which = argc > 1 ? argv[1] : "";
    float out[64];
    if (which == "exchange") {
        msl_exec::dispatch("exchange", one_group(32), 32 * sizeof(float), [&](const uint32_t *, int lane, char * shared) {
            threadgroup float * s = (threadgroup float *) shared;
            s[lane]               = (float) lane;
            out[lane]             = s[(lane + 1) % 32];
        });
        int wrong = 0;
        for (int l = 0; l < 32; ++l) wrong += out[l] != (float) ((l + 1) % 32);
        return check(wrong == 0, "exchange", std::to_string(wrong) + " of 32 lanes read their neighbour's slot unwritten");
    }
    if (which == "poison") {
        msl_exec::dispatch("poison", one_group(32), 32 * sizeof(float), [&](const uint32_t *, int lane, char * shared) {
            out[lane] = ((threadgroup float *) shared)[lane];
        });
        return check(std::isnan(out[0]) && std::isnan(out[31]), "poison", "unwritten threadgroup memory read as a number");
    }
    if (which == "simd") {
        msl_exec::dispatch("simd", one_group(32), 0, [&](const uint32_t *, int lane, char *) {
            const float x = (float) lane;
            if (lane == 0) out[0] = simd_sum(x);
            else simd_sum(x);
            const float m = simd_max(x);
            const float d = simd_shuffle_down(x, 1);
            const float p = simd_prefix_exclusive_sum(x);
            if (lane == 5) {
                out[1] = m;
                out[2] = d;
                out[3] = p;
            }
        });
        return check(out[0] == 496 && out[1] == 31 && out[2] == 6 && out[3] == 10, "simd",
                     "sum " + std::to_string(out[0]) + " max " + std::to_string(out[1]) + " shuffle_down " +
                         std::to_string(out[2]) + " prefix " + std::to_string(out[3]));
    }
    if (which == "declared") {
        int sum[2][32];
        const uint32_t groups = 2;
        msl_exec::dispatch("declared", { { groups, 1, 1 }, { 64, 1, 1 } }, 0, [&](const uint32_t * tg, int tid, char *) {
            MSL_THREADGROUP_VARIABLE(int, count, [2]);
            if (tid % 32 == 0) count[tid / 32] = (int) (10 * tg[0] + tid / 32 + 1);
            threadgroup_barrier(mem_flags::mem_threadgroup);
            if (tid % 2 == 0) sum[tg[0]][tid / 2] = count[0] + count[1];
        });
        int wrong = 0;
        for (uint32_t g = 0; g < groups; ++g) {
            for (int i = 0; i < 32; ++i) wrong += sum[g][i] != (int) (20 * g + 3);
        }
        return check(wrong == 0, "declared", std::to_string(wrong) + " of 64 threads read another sum than their group's");
    }
    if (which == "matrix") {
        // A: 8x8 half, rows 12 apart; B: 8x8 half stored as rows of 10 (the kernel's K rows), used transposed
        constexpr int sa = 12, sb = 10, sd = 9;
        float c[8 * 8 + 8], d[8 * sd], hd[64];
        for (int i = 0; i < 8 * 8 + 8; ++i) c[i] = 0.25f * (float) (i % 13) - 1.0f;
        auto a_at = [](int r, int k) { return (half) (0.125f * (float) ((r * 7 + k * 3) % 17) - 1.0f); };
        auto b_at = [](int n, int k) { return (half) (0.0625f * (float) ((n * 5 + k * 11) % 19) - 0.5f); };
        msl_exec::dispatch("matrix", one_group(32), (8 * sa + 8 * sb) * sizeof(half), [&](const uint32_t *, int lane,
                                                                                       char * shared) {
            threadgroup half * sha = (threadgroup half *) shared;
            threadgroup half * shb = sha + 8 * sa;
            for (int i = lane; i < 64; i += 32) {
                sha[(i / 8) * sa + i % 8] = a_at(i / 8, i % 8);
                shb[(i / 8) * sb + i % 8] = b_at(i / 8, i % 8);
            }
            simdgroup_half8x8  ma, mb;
            simdgroup_float8x8 mc, md;
            simdgroup_load(ma, sha, sa);
            simdgroup_load(mb, shb, sb, 0, true);
            simdgroup_load(mc, c, 9, ulong2(1, 0)); // columns 1..8 of rows 9 apart
            simdgroup_multiply_accumulate(md, ma, mb, mc);
            simdgroup_store(md, d, sd);
            simdgroup_half8x8 mh;
            simdgroup_multiply(mh, ma, mb);
            simdgroup_store(mh, (half *) (void *) hd, 8);
        });
        int wrong = 0;
        for (int r = 0; r < 8; ++r) {
            for (int n = 0; n < 8; ++n) {
                float acc = c[r * 9 + 1 + n];
                half  h   = 0;
                for (int k = 0; k < 8; ++k) {
                    acc += (float) a_at(r, k) * (float) b_at(n, k);
                    h = (half) (h + (half) (a_at(r, k) * b_at(n, k)));
                }
                wrong += d[r * sd + n] != acc;
                wrong += ((half *) (void *) hd)[r * 8 + n] != h;
            }
        }
        return check(wrong == 0, "matrix", std::to_string(wrong) + " of 128 elements differ from the scalar sums");
    }
    if (which == "deadlock") {
        // (a thread that has returned counts as arrived at later barriers, as GPUs commonly treat it)
        msl_exec::dispatch("deadlock", one_group(32), 0, [&](const uint32_t *, int lane, char *) {
            if (lane < 16) simd_sum(1.0f);
            else threadgroup_barrier(mem_flags::mem_threadgroup);
        });
    } else if (which == "divergent") {
        msl_exec::dispatch("divergent", one_group(32), 0, [&](const uint32_t *, int lane, char *) {
            if (lane < 16) simd_sum(1.0f);
            else simd_max(1.0f);
        });
    } else if (which == "matrix-divergent") {
        msl_exec::dispatch("matrix-divergent", one_group(32), 0, [&](const uint32_t *, int lane, char *) {
            simdgroup_float8x8 m;
            simdgroup_load(m, out + (lane < 16 ? 0 : 1), 8);
        });
    } else if (which == "big-shared") {
        msl_exec::dispatch("big-shared", one_group(32), 33 * 1024, [&](const uint32_t *, int, char *) {});
    } else if (which == "big-declared") {
        msl_exec::dispatch("big-declared", one_group(32), 31 * 1024, [&](const uint32_t *, int, char *) {
            MSL_THREADGROUP_VARIABLE(char, big, [2048]);
            big[0] = 0;
        });
    } else if (which == "big-group") {
        msl_exec::dispatch("big-group", one_group(1025), 0, [&](const uint32_t *, int, char *) {});
    } else {
        fprintf(stderr, "usage: %s exchange|poison|simd|declared|matrix|deadlock|divergent|matrix-divergent|big-shared|big-declared|big-group\n", argv[0]);
        return 2;
    }
    return check(false, which.c_str(), "ran to the end instead of aborting");
}
