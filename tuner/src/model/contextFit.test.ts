import { describe, expect, it } from "vitest";
import type { KvType } from "../profiles/schema.ts";
import { largestContextWithin } from "./contextFit.ts";
import { KvMemoryTooSmallError } from "./errors/KvMemoryTooSmallError.ts";
import { kvCacheBytes, type KvModelShape } from "./kvBytes.ts";

const mib = 1024 * 1024;
const uniform = (n: number, k: KvType, v: KvType) => ({ k: Array<KvType>(n).fill(k), v: Array<KvType>(n).fill(v) });

// SmolLM2-135M's shape: 30 full-attention layers of 3 KV heads × 64
const llamaLike: KvModelShape = {
  contextLength: 8192,
  layers: Array.from({ length: 30 }, (_, il) => ({ il, nHeadKv: 3, headDimK: 64, headDimV: 64, swa: false })),
};
// Gemma 3 270M's shape: 18 layers of 1 KV head × 256, every 6th full attention, the others a 512-token window
const gemmaLike: KvModelShape = {
  contextLength: 32768,
  slidingWindow: 512,
  layers: Array.from({ length: 18 }, (_, il) => ({ il, nHeadKv: 1, headDimK: 256, headDimV: 256, swa: il % 6 < 5 })),
};

describe("largestContextWithin", () => {
  it("finds the context that fits while the next 256 tokens would not", () => {
    const types = uniform(30, "f16", "f16");
    const fit = largestContextWithin(llamaLike, types, 64 * mib, "f16");
    // 30 layers × (192 + 192) × 2 bytes = 23040 bytes per token; 64 MiB / 23040 = 2912.7 → 2816 (a multiple of 256)
    expect(fit.ctx).toBe(2816);
    expect(fit.bytes).toBe(2816 * 23040);
    expect(fit.next).toEqual({ ctx: 3072, bytes: 3072 * 23040 });
    expect(fit.bytes).toBeLessThanOrEqual(64 * mib);
    expect(fit.next!.bytes).toBeGreaterThan(64 * mib);
    expect(fit.cappedAtTraining).toBe(false);
  });

  it("counts the sliding-window cache at its fixed size, not per token", () => {
    const types = uniform(18, "f16", "f16");
    const fit = largestContextWithin(gemmaLike, types, 64 * mib, "f16");
    // the 15 window layers hold pad(512 + 512) = 1024 cells each (15 MiB at f16); 3 full layers take 3 KiB a token
    const swaBytes = 15 * 1024 * 1024;
    expect(Math.floor((64 * mib - swaBytes) / 3072 / 256) * 256).toBe(fit.ctx);
    expect(kvCacheBytes(gemmaLike, types, { nCtx: fit.ctx }).total).toBe(fit.bytes);
    expect(fit.next!.bytes).toBeGreaterThan(64 * mib);
  });

  it("gives a smaller cache a longer context", () => {
    const f16 = largestContextWithin(llamaLike, uniform(30, "f16", "f16"), 64 * mib, "f16");
    const k8v4 = largestContextWithin(llamaLike, uniform(30, "q8_0", "q4_0"), 64 * mib, "k8v4");
    expect(k8v4.ctx).toBeGreaterThan(2 * f16.ctx);
  });

  it("stops at the training context and says so", () => {
    const fit = largestContextWithin(llamaLike, uniform(30, "q4_0", "q4_0"), 1024 * mib, "k4v4");
    expect(fit).toMatchObject({ ctx: 8192, cappedAtTraining: true });
    expect(fit.next).toBeUndefined();
  });

  it("refuses a limit below the smallest cache, naming both sizes", () => {
    expect(() => largestContextWithin(llamaLike, uniform(30, "f16", "f16"), 1 * mib, "f16")).toThrow(
      KvMemoryTooSmallError,
    );
    expect(() => largestContextWithin(llamaLike, uniform(30, "f16", "f16"), 1 * mib, "f16")).toThrow(
      /1\.00 MiB holds no context with f16: .* takes 5\.63 MiB/,
    );
  });
});
