import { LayerCountMismatchError } from "./errors/LayerCountMismatchError.ts";
import type { KvType, ProfileCache } from "./schema.ts";

export interface PerLayerTypes {
  k: KvType[];
  v: KvType[];
}

/** One K and one V type per layer, whatever the cache mode: what the KV-bytes formula and the search work on. */
export function perLayerTypes(cache: ProfileCache, nLayer: number): PerLayerTypes {
  if (cache.mode === "uniform") {
    return { k: Array<KvType>(nLayer).fill(cache.k), v: Array<KvType>(nLayer).fill(cache.v) };
  }
  if (cache.k.length !== nLayer) {
    throw new LayerCountMismatchError(nLayer, cache.k.length);
  }
  return { k: [...cache.k], v: [...cache.v] };
}

/**
 * The cache that selects these types: uniform when every layer has the same pair, so llama.cpp gets plain -ctk/-ctv
 * (the same allocation, and the same eval cache key as the uniform setting of eval and bench).
 */
export function cacheOfTypes(types: PerLayerTypes): ProfileCache {
  const uniform = new Set(types.k).size === 1 && new Set(types.v).size === 1;
  return uniform
    ? { mode: "uniform", k: types.k[0]!, v: types.v[0]! }
    : { mode: "per-layer", k: [...types.k], v: [...types.v] };
}
