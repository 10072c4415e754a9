import type { KvType, Profile } from "./schema.ts";

/** A complete per-layer profile for a 4-layer model, as the search would save it; tests vary it. */
export function sampleSearchProfile(overrides: Partial<Profile> = {}): Profile {
  return {
    schemaVersion: 1,
    name: "gemma-tuned",
    description: "found by search",
    createdAt: "2025-06-01T12:00:00.000Z",
    source: "search",
    cache: { mode: "per-layer", k: ["q8_0", "q8_0", "q4_0", "q5_1"], v: ["q4_0", "q4_0", "q4_0", "q8_0"] },
    model: { fileName: "m.gguf", sizeBytes: 1234, headerHash: "ab".repeat(32), nLayer: 4 },
    kvBytesPerToken: 1000,
    quality: {
      deltaPplPct: 0.8,
      deltaPpl: 0.1,
      ppl: 12.6,
      pplBase: 12.5,
      meanKld: 0.01,
      top1Agreement: 0.97,
      evalText: { name: "moby-dick", sha256: "cd".repeat(32) },
      ctx: 512,
      chunks: 8,
    },
    budget: { maxDeltaPplPct: 1, trials: 40, seed: 7 },
    llamaBuild: { tag: "v0.4.0", patchHash: "873f9ce8" },
    ...overrides,
  };
}

/** A hand-made per-layer profile for `model` (real facts or made-up ones): K q8_0 on the first 4 layers, else q4_0. */
export function manualPerLayerProfile(name: string, model: NonNullable<Profile["model"]>): Profile {
  const k = Array.from({ length: model.nLayer }, (_, il): KvType => (il < 4 ? "q8_0" : "q4_0"));
  const { fileName, sizeBytes, headerHash, nLayer } = model;
  return {
    schemaVersion: 1,
    name,
    createdAt: "2025-06-02T12:00:00.000Z",
    source: "manual",
    cache: { mode: "per-layer", k, v: k.map((): KvType => "q4_0") },
    model: { fileName, sizeBytes, headerHash, nLayer },
  };
}
