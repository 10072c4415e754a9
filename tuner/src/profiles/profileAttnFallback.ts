import type { Profile } from "./schema.ts";

/** The layers of a profile whose K/V pair is known to run its attention on the CPU, and those pairs. */
export interface ProfileAttnFallback {
  /** "all" for a uniform profile, which names no layer count */
  layers: number[] | "all";
  pairs: string[];
}

/**
 * Which layers of a profile would run attention on the CPU, given the "k/v" pairs a pair probe of this build saw
 * fall back (search/probeTypes.ts `probedPairs`). Undefined when none of its pairs is known to fall back.
 */
export function profileAttnFallback(
  profile: Profile,
  cpuFallbackPairs: ReadonlySet<string>,
): ProfileAttnFallback | undefined {
  const { cache } = profile;
  if (cache.mode === "uniform") {
    const pair = `${cache.k}/${cache.v}`;
    return cpuFallbackPairs.has(pair) ? { layers: "all", pairs: [pair] } : undefined;
  }
  const layers = cache.k
    .map((k, il) => ({ il, pair: `${k}/${cache.v[il]}` }))
    .filter((l) => cpuFallbackPairs.has(l.pair));
  if (layers.length === 0) return undefined;
  return { layers: layers.map((l) => l.il), pairs: [...new Set(layers.map((l) => l.pair))].sort() };
}
