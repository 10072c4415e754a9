import { describe, expect, it } from "vitest";
import { PerplexityOutputError } from "../native/perplexityOutput.ts";
import {
  chunkValuesFromRunningMeans,
  confidenceZ,
  pairedSe,
  parsePairedQuality,
  scoredTokensPerChunk,
  standardError,
} from "./pairedQuality.ts";

// llama-perplexity --kl-divergence, SmolLM2 135M Q4_1, K8V4 vs f16, 4 chunks of 512 (v0.4.0+kvsplit.97c8f818)
const klRun = `
chunk             PPL               ln(PPL(Q)/PPL(base))          KL Divergence              Δp RMS            Same top p
   1      39.8900 ±    7.9168       0.00415 ±    0.01183       0.01063 ±    0.00091     1.921 ±  0.208 %    92.941 ±  1.607 %
   2      38.1152 ±    5.2630       0.00203 ±    0.00757       0.00993 ±    0.00052     1.848 ±  0.134 %    94.314 ±  1.026 %
   3      39.9608 ±    4.4970       0.00592 ±    0.00601       0.00996 ±    0.00044     2.068 ±  0.200 %    93.987 ±  0.860 %
   4      43.3784 ±    4.2804       0.00773 ±    0.00508       0.01004 ±    0.00037     2.102 ±  0.160 %    94.510 ±  0.714 %

====== Perplexity statistics ======
Mean PPL(Q)                   :  43.378390 ±   4.280383
Mean PPL(base)                :  43.044368 ±   4.241179
Cor(ln(PPL(Q)), ln(PPL(base))):  99.87%
Mean ln(PPL(Q)/PPL(base))     :   0.007730 ±   0.005079
Mean PPL(Q)/PPL(base)         :   1.007760 ±   0.005118
Mean PPL(Q)-PPL(base)         :   0.334022 ±   0.222846

====== KL divergence statistics ======
Mean    KLD:   0.010044 ±   0.000370
`;

// f16 against its own baseline: Gemma 3 270M Q4_K_M, Moby-Dick part 1, 1 chunk of 512 (v0.4.0+kvsplit.97071035).
// The variance of the difference rounds below zero, so llama.cpp prints the uncertainty as -nan.
const f16AgainstItself = `
chunk             PPL               ln(PPL(Q)/PPL(base))          KL Divergence              Δp RMS            Same top p
   1      94.5785 ±   22.1524      -0.00001 ±       -nan      -0.00000 ±    0.00000     0.000 ±  0.000 %    99.608 ±  0.392 %

====== Perplexity statistics ======
Mean PPL(Q)                   :  94.578499 ±  22.152396
Mean PPL(base)                :  94.579294 ±  22.152617
Cor(ln(PPL(Q)), ln(PPL(base))): 100.00%
Mean ln(PPL(Q)/PPL(base))     :  -0.000008 ±       -nan
Mean PPL(Q)/PPL(base)         :   0.999992 ±       -nan
Mean PPL(Q)-PPL(base)         :  -0.000794 ±       -nan

====== KL divergence statistics ======
Mean    KLD:  -0.000000 ±   0.000001
`;

describe("paired quality", () => {
  it("recovers each chunk's value from llama-perplexity's running means", () => {
    // running means 1, 2, 3 over equal chunks: the chunks themselves were 1, 3, 5
    expect(chunkValuesFromRunningMeans([1, 2, 3])).toEqual([1, 3, 5]);
  });

  it("computes the standard error of a mean", () => {
    // sd of 2, 4, 4, 4, 5, 5, 7, 9 with n − 1 is √(32/7); SE = sd/√8
    expect(standardError([2, 4, 4, 4, 5, 5, 7, 9])).toBeCloseTo(Math.sqrt(32 / 7 / 8), 12);
    expect(standardError([3])).toBe(0);
  });

  it("takes the between-chunk spread when it is wider than the per-token error, from 4 chunks on", () => {
    expect(pairedSe(0.001, [0, 0.1, 0, 0.1])).toBeCloseTo(standardError([0, 0.1, 0, 0.1]), 12);
    expect(pairedSe(0.5, [0, 0.1, 0, 0.1])).toBe(0.5);
    // three chunks are too few to estimate a spread from
    expect(pairedSe(0.001, [0, 0.1, 0])).toBe(0.001);
  });

  it("reads ΔPPL and KLD with 95% intervals from a real --kl-divergence run", () => {
    const q = parsePairedQuality(klRun, scoredTokensPerChunk(512));
    expect(scoredTokensPerChunk(512)).toBe(255);
    expect(q.chunks).toBe(4);
    expect(q.tokens).toBe(1020);
    expect(q.chunkLnPplRatio.map((v) => Number(v.toFixed(5)))).toEqual([0.00415, -0.00009, 0.0137, 0.01316]);
    // the chunks spread less than the per-token error here: llama.cpp's ± is kept
    expect(q.lnPplRatioSe).toBe(0.005079);
    const hi = (Math.exp(0.00773 + confidenceZ * 0.005079) - 1) * 100;
    const lo = (Math.exp(0.00773 - confidenceZ * 0.005079) - 1) * 100;
    expect(q.deltaPplPctInterval[0]).toBeCloseTo(lo, 10);
    expect(q.deltaPplPctInterval[1]).toBeCloseTo(hi, 10);
    expect(q.deltaPplPctInterval[1]).toBeCloseTo(1.78, 2);
    // KLD's chunks (0.01063, 0.00923, 0.01002, 0.01028) spread less than its per-token error too
    expect(q.meanKldInterval[0]).toBeCloseTo(0.010044 - confidenceZ * 0.00037, 9);
    expect(q.meanKldInterval[1]).toBeCloseTo(0.010044 + confidenceZ * 0.00037, 9);
  });

  it("reads a -nan uncertainty (f16 against itself) as zero", () => {
    const q = parsePairedQuality(f16AgainstItself, scoredTokensPerChunk(512));
    expect(q.chunks).toBe(1);
    expect(q.lnPplRatio).toBe(-0.000008);
    expect(q.lnPplRatioSe).toBe(0);
    expect(q.deltaPplPctInterval[0]).toBeCloseTo(q.deltaPplPctInterval[1], 12);
    expect(q.meanKldSe).toBe(0.000001);
  });

  it("names what is missing when the run printed no paired statistics", () => {
    expect(() => parsePairedQuality("Final estimate: PPL = 12.3 +/- 0.4", 255)).toThrow(PerplexityOutputError);
  });
});
