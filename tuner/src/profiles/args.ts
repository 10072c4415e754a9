import type { Profile } from "./schema.ts";

/**
 * The llama.cpp flags that select a profile's K/V cache. Flash attention is always on: llama.cpp needs it
 * for a quantized V cache, and using it for f16 too keeps every comparison on the same attention kernel.
 */
export function profileToLlamaArgs(profile: Pick<Profile, "cache">): string[] {
  const { cache } = profile;
  if (cache.mode === "uniform") {
    return ["-fa", "on", "-ctk", cache.k, "-ctv", cache.v];
  }
  return ["-fa", "on", "--cache-type-k-layers", cache.k.join(","), "--cache-type-v-layers", cache.v.join(",")];
}
