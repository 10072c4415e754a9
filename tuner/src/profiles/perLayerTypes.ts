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
