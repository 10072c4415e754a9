import { describe, expect, it } from "vitest";
import type { KvType } from "../profiles/kvType.ts";
import { LayerCountMismatchError } from "../profiles/errors/LayerCountMismatchError.ts";
import type { LayerFacts } from "./gguf.ts";
import { kvBytesPerToken, kvCacheBytes, kvCacheCells, type KvModelShape } from "./kvBytes.ts";

const layer = (il: number, swa: boolean, nHeadKv = 1, headDim = 256): LayerFacts => ({
  il,
  nHeadKv,
  headDimK: headDim,
  headDimV: headDim,
  swa,
});

// a tiny Gemma-3-like model: two sliding-window layers and one full-attention layer, one KV head of 256
const tinyIswa: KvModelShape = {
  layers: [layer(0, true), layer(1, true), layer(2, false)],
  slidingWindow: 512,
  contextLength: 32768,
};
const tinyDense: KvModelShape = { layers: [layer(0, false, 4, 8), layer(1, false, 4, 8)], contextLength: 2048 };
const same = (n: number, type: KvType) => Array<KvType>(n).fill(type);

describe("kvCacheCells", () => {
  it("pads the context to 256 cells and caps the sliding-window cache at window + ubatch", () => {
    expect(kvCacheCells(tinyIswa, { nCtx: 4000 })).toEqual({ full: 4096, swa: 1024, streams: 1 });
  });

  it("gives the sliding-window cache the whole context when the context is smaller", () => {
    expect(kvCacheCells(tinyIswa, { nCtx: 700 })).toEqual({ full: 768, swa: 768, streams: 1 });
  });

  it("caps the ubatch by the requested context before the window is added", () => {
    // ubatch = min(300, 2048, 512) = 300; 512 + 300 = 812 → 1024, under the 8192 context
    expect(kvCacheCells({ ...tinyIswa, slidingWindow: 512 }, { nCtx: 8192, nBatch: 300 }).swa).toBe(1024);
    expect(kvCacheCells({ ...tinyIswa, slidingWindow: 100 }, { nCtx: 8192, nUbatch: 64 }).swa).toBe(256);
  });

  it("splits the context over sequences unless the cache is unified", () => {
    // llama-perplexity -c 1000 runs 2 sequences of 1000: n_ctx 2000 → 2048, 1024 per stream
    expect(kvCacheCells(tinyIswa, { nCtx: 2000, nSeqMax: 2, nBatch: 2000 })).toEqual({
      full: 1024,
      swa: 1024,
      streams: 2,
    });
    // unified: one stream of 4096, the window grows with the sequences: 512·4 + 512 = 2560
    expect(kvCacheCells(tinyIswa, { nCtx: 4096, nSeqMax: 4, kvUnified: true })).toEqual({
      full: 4096,
      swa: 2560,
      streams: 1,
    });
  });

  it("uses the training context for n_ctx 0 and the full size with swa_full", () => {
    expect(kvCacheCells(tinyIswa, { nCtx: 0, swaFull: true })).toEqual({ full: 32768, swa: 32768, streams: 1 });
  });
});

describe("kvCacheBytes", () => {
  it("sums rows × cells per layer, each layer with its own types", () => {
    const bytes = kvCacheBytes(tinyIswa, { k: ["q8_0", "q4_0", "f16"], v: ["q4_0", "q4_0", "q8_0"] }, { nCtx: 4096 });
    // K rows of 256 elements: q8_0 8·34 = 272 B, q4_0 8·18 = 144 B, f16 512 B; SWA layers hold 1024 cells
    expect(bytes.layers.map((l) => [l.cells, l.sizeK, l.sizeV])).toEqual([
      [1024, 272 * 1024, 144 * 1024],
      [1024, 144 * 1024, 144 * 1024],
      [4096, 512 * 4096, 272 * 4096],
    ]);
    expect(bytes.sizeK).toBe(278528 + 147456 + 2097152);
    expect(bytes.sizeV).toBe(147456 + 147456 + 1114112);
    expect(bytes.total).toBe(bytes.sizeK + bytes.sizeV);
  });

  it("matches what llama-perplexity reported for Gemma 3 270M at -c 1000, q8_0/q4_0", () => {
    const gemma: KvModelShape = {
      layers: Array.from({ length: 18 }, (_, il) => layer(il, (il + 1) % 6 !== 0)),
      slidingWindow: 512,
      contextLength: 32768,
    };
    const bytes = kvCacheBytes(
      gemma,
      { k: same(18, "q8_0"), v: same(18, "q4_0") },
      { nCtx: 2000, nSeqMax: 2, nBatch: 2000 },
    );
    // "layer 5: ... size_k = 557056 B, size_v = 294912 B" and "exact size_k = 8355840 B, size_v = 4423680 B" (SWA cache)
    expect(bytes.layers[5]).toMatchObject({ sizeK: 557056, sizeV: 294912, swa: false });
    const swaK = bytes.layers.filter((l) => l.swa).reduce((sum, l) => sum + l.sizeK, 0);
    const swaV = bytes.layers.filter((l) => l.swa).reduce((sum, l) => sum + l.sizeV, 0);
    expect([swaK, swaV]).toEqual([8355840, 4423680]);
  });

  it("stores V at the widest layer's width without flash attention", () => {
    const mixed: KvModelShape = { layers: [layer(0, false, 1, 64), layer(1, false, 2, 64)], contextLength: 256 };
    const bytes = kvCacheBytes(mixed, { k: same(2, "f16"), v: same(2, "f16") }, { nCtx: 256, flashAttn: false });
    expect(bytes.layers.map((l) => l.sizeV)).toEqual([128 * 2 * 256, 128 * 2 * 256]);
    expect(bytes.layers.map((l) => l.sizeK)).toEqual([64 * 2 * 256, 128 * 2 * 256]);
  });

  it("refuses types for a different number of layers", () => {
    expect(() => kvCacheBytes(tinyDense, { k: same(3, "f16"), v: same(3, "f16") }, { nCtx: 256 })).toThrow(
      LayerCountMismatchError,
    );
  });
});

describe("kvBytesPerToken", () => {
  it("adds one K row and one V row per layer", () => {
    // 4 heads × 8 = 32 elements: f16 64 B, q8_0 34 B, q4_0 18 B
    expect(kvBytesPerToken(tinyDense, { k: ["f16", "q8_0"], v: ["q4_0", "q4_0"] })).toBe(64 + 34 + 18 + 18);
  });
});
