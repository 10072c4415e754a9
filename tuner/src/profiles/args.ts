import type { Profile, ProfileCache } from "./schema.ts";

/**
 * The flags that select a K/V cache, spelled the same for llama-server, llama-perplexity (common/arg.cpp) and
 * llama-bench (its own parser): -ctk/-ctv for a uniform cache, one type per layer otherwise.
 */
export function cacheTypeArgs(cache: ProfileCache): string[] {
  if (cache.mode === "uniform") return ["-ctk", cache.k, "-ctv", cache.v];
  return ["--cache-type-k-layers", cache.k.join(","), "--cache-type-v-layers", cache.v.join(",")];
}

/**
 * The K/V flags llama-server and llama-perplexity get for a profile (common/arg.cpp spelling). Flash attention is
 * always on: llama.cpp needs it for a quantized V cache, and using it for f16 too keeps every comparison on the same
 * attention kernel. The same list names a setting in the eval cache keys.
 */
export function profileToLlamaArgs(profile: Pick<Profile, "cache">): string[] {
  return ["-fa", "on", ...cacheTypeArgs(profile.cache)];
}
