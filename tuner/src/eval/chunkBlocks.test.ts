import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { combineBlocks, sliceKlBase, type ChunkBlock } from "./chunkBlocks.ts";
import { deltaPplPctOf } from "./pairedQuality.ts";

/** llama.cpp's mean_and_uncertainty: the mean and sqrt((E[x²] − E[x]²)/(n − 1)). */
const llamaStats = (x: number[]) => {
  const m = x.reduce((s, v) => s + v, 0) / x.length;
  const v = x.reduce((s, a) => s + a * a, 0) / x.length - m * m;
  return { mean: m, se: Math.sqrt(v / (x.length - 1)) };
};

/** A block of synthetic per-token ln ratios, every chunk with the same mean (no spread between chunks). */
function block(from: number, to: number, tokens: number[]): ChunkBlock {
  const { mean, se } = llamaStats(tokens);
  return {
    from,
    to,
    tokens: tokens.length,
    lnPpl: 3 + mean,
    lnPplBase: 3,
    lnPplRatio: mean,
    lnPplRatioTokenSe: se,
    meanKld: 0.01,
    meanKldTokenSe: 0,
    top1Agreement: 0.9,
    chunkLnPplRatio: Array(to - from).fill(mean),
    chunkKld: Array(to - from).fill(0.01),
    wallMs: 0,
  };
}

describe("combineBlocks", () => {
  const a = Array.from({ length: 400 }, (_, i) => 0.01 + 0.05 * Math.sin(i));
  const b = Array.from({ length: 600 }, (_, i) => 0.002 + 0.08 * Math.cos(3 * i));

  it("pools two blocks' token statistics into those of one run over all their tokens", () => {
    const both = llamaStats([...a, ...b]);
    const c = combineBlocks([block(0, 4, a), block(4, 10, b)]);
    expect(c.chunks).toBe(10);
    expect(c.tokens).toBe(1000);
    // the chunk means differ between the blocks (0.01 vs 0.002), so the spread between chunks is part of it: take
    // the larger, as one run would
    const chunkValues = [...Array(4).fill(llamaStats(a).mean), ...Array(6).fill(llamaStats(b).mean)];
    const cm = chunkValues.reduce((s, v) => s + v, 0) / 10;
    const chunkSe = Math.sqrt(chunkValues.reduce((s, v) => s + (v - cm) ** 2, 0) / 9 / 10);
    const se = Math.max(both.se, chunkSe);
    expect(c.deltaPplPctInterval[0]).toBeCloseTo(deltaPplPctOf(both.mean - 1.96 * se), 12);
    expect(c.deltaPplPctInterval[1]).toBeCloseTo(deltaPplPctOf(both.mean + 1.96 * se), 12);
    expect(c.deltaPplPct).toBeCloseTo(deltaPplPctOf(both.mean), 12);
    expect(c.pplBase).toBeCloseTo(Math.exp(3), 12);
  });

  it("is the block itself for one block", () => {
    const one = block(0, 4, a);
    const c = combineBlocks([one]);
    const { mean, se } = llamaStats(a);
    expect(c.deltaPplPctInterval[1]).toBeCloseTo(deltaPplPctOf(mean + 1.96 * se), 14);
    expect(c.ppl).toBe(Math.exp(one.lnPpl));
  });

  it("refuses blocks with a gap", () => {
    expect(() => combineBlocks([block(0, 4, a), block(5, 10, b)])).toThrow(/not contiguous/);
  });
});

describe("sliceKlBase", () => {
  it("keeps the header, and the tokens and log-probs of the chunks asked for", () => {
    // n_ctx 8 → 3 scored tokens per chunk; n_vocab 3 → nv = 2·2 + 4 = 8 uint16 per token: 48 bytes per chunk
    const nCtx = 8;
    const nChunk = 4;
    const chunkBytes = 3 * 8 * 2;
    const header = Buffer.alloc(20);
    header.write("_logits_", 0, "latin1");
    header.writeUInt32LE(nCtx, 8);
    header.writeInt32LE(3, 12);
    header.writeInt32LE(nChunk, 16);
    const tokens = Buffer.alloc(nCtx * nChunk * 4);
    for (let i = 0; i < nCtx * nChunk; i++) tokens.writeInt32LE(1000 + i, 4 * i);
    const logProbs = Buffer.alloc(nChunk * chunkBytes);
    for (let i = 0; i < logProbs.length; i++) logProbs[i] = Math.floor(i / chunkBytes) + 1;
    const dir = mkdtempSync(join(tmpdir(), "kvsplit-slice-"));
    writeFileSync(join(dir, "base.kld"), Buffer.concat([header, tokens, logProbs]));

    sliceKlBase(join(dir, "base.kld"), 1, 3, join(dir, "slice.kld"));
    const slice = readFileSync(join(dir, "slice.kld"));
    expect(slice.length).toBe(20 + 2 * nCtx * 4 + 2 * chunkBytes);
    expect(slice.readInt32LE(16)).toBe(2);
    expect(slice.readUInt32LE(8)).toBe(nCtx);
    expect(slice.readInt32LE(20)).toBe(1000 + nCtx);
    expect(slice.readInt32LE(20 + 2 * nCtx * 4 - 4)).toBe(1000 + 3 * nCtx - 1);
    const sliceLogProbs = slice.subarray(20 + 2 * nCtx * 4);
    expect(sliceLogProbs[0]).toBe(2);
    expect(sliceLogProbs[sliceLogProbs.length - 1]).toBe(3);

    expect(() => sliceKlBase(join(dir, "base.kld"), 2, 5, join(dir, "x.kld"))).toThrow(/not in a base of 4/);
    writeFileSync(join(dir, "short.kld"), Buffer.concat([header, tokens]));
    expect(() => sliceKlBase(join(dir, "short.kld"), 0, 1, join(dir, "x.kld"))).toThrow(/expected/);
  });
});
