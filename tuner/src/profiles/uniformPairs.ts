import type { KvType, UniformCache } from "./schema.ts";

/** One K/V type pair used for every layer, under the name its built-in profile has. */
export interface UniformPair {
  name: string;
  k: KvType;
  v: KvType;
  description: string;
}

/**
 * The uniform pairs KVSplit compares against: the built-in profiles, the search's uniform seeds (all but f16, the
 * reference) and the rows of the stock-vs-patched speed table. One list, so the three always agree.
 */
export const uniformPairs: readonly UniformPair[] = [
  {
    name: "f16",
    k: "f16",
    v: "f16",
    description: "16-bit keys and values: llama.cpp's default, the quality reference",
  },
  {
    name: "k8v8",
    k: "q8_0",
    v: "q8_0",
    description: "8-bit keys and values: about half the memory of f16, near-lossless",
  },
  { name: "k8v4", k: "q8_0", v: "q4_0", description: "8-bit keys, 4-bit values: keys are the more sensitive half" },
  { name: "k4v8", k: "q4_0", v: "q8_0", description: "4-bit keys, 8-bit values: for comparison with k8v4" },
  { name: "k4v4", k: "q4_0", v: "q4_0", description: "4-bit keys and values: the smallest 4-bit setting" },
  {
    name: "k8v3",
    k: "q8_0",
    v: "iq3_nl",
    description: "8-bit keys, 3-bit values (iq3_nl, 3.25 bits): 0.90x k8v4's memory",
  },
  {
    name: "k8v2",
    k: "q8_0",
    v: "iq2_nl",
    description: "8-bit keys, 2-bit values (iq2_nl, 2.25 bits): 0.83x k8v4's memory",
  },
];

/** The cache a pair selects. */
export function pairCache(pair: UniformPair): UniformCache {
  return { mode: "uniform", k: pair.k, v: pair.v };
}

/** The f16 pair: the reference every quality and speed ratio is measured against. */
export const f16Pair: UniformPair = uniformPairs[0]!;

/** The uniform pairs that quantize the cache (every one but f16). */
export const quantizedUniformPairs: readonly UniformPair[] = uniformPairs.filter((pair) => pair !== f16Pair);
