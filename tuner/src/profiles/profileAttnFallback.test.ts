import { describe, expect, it } from "vitest";
import { profileAttnFallback } from "./profileAttnFallback.ts";
import type { Profile } from "./schema.ts";

const base = { schemaVersion: 1, createdAt: "2026-11-30T00:00:00.000Z", source: "manual" } as const;
// what the pair probe saw on the H200 without GGML_CUDA_FA_ALL_QUANTS (bench/results/cuda-attention-placement)
const cudaFallback = new Set(["f16/q4_0", "f16/q8_0", "q4_0/f16", "q4_0/q8_0", "q8_0/f16", "q8_0/q4_0"]);

describe("profileAttnFallback", () => {
  it("names every layer of a uniform profile whose pair falls back", () => {
    const k8v4: Profile = { ...base, name: "k8v4", cache: { mode: "uniform", k: "q8_0", v: "q4_0" } };
    expect(profileAttnFallback(k8v4, cudaFallback)).toEqual({ layers: "all", pairs: ["q8_0/q4_0"] });
    const k8v8: Profile = { ...base, name: "k8v8", cache: { mode: "uniform", k: "q8_0", v: "q8_0" } };
    expect(profileAttnFallback(k8v8, cudaFallback)).toBeUndefined();
  });

  it("names the layers of a per-layer profile whose pair falls back", () => {
    const mix: Profile = {
      ...base,
      name: "mix",
      cache: { mode: "per-layer", k: ["f16", "q8_0", "q8_0", "q4_0"], v: ["f16", "q8_0", "q4_0", "q4_0"] },
      model: { fileName: "m.gguf", sizeBytes: 1, headerHash: "a".repeat(64), nLayer: 4 },
    };
    expect(profileAttnFallback(mix, cudaFallback)).toEqual({ layers: [2], pairs: ["q8_0/q4_0"] });
    expect(profileAttnFallback(mix, new Set())).toBeUndefined();
  });
});
