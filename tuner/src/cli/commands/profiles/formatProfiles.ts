import { formatLayerSpec } from "../../../profiles/layerSpec.ts";
import type { Profile, ProfileCache } from "../../../profiles/schema.ts";
import type { InvalidProfileFile } from "../../../profiles/store.ts";

/** "K q8_0, V q4_0" for uniform caches; per-layer caches as compact layer ranges. */
export function describeCache(cache: ProfileCache): string {
  if (cache.mode === "uniform") return `K ${cache.k}, V ${cache.v}`;
  return `K ${formatLayerSpec(cache.k)}; V ${formatLayerSpec(cache.v)}`;
}

/** One line per profile, the active one marked with `*`; bad files follow, each with the reason. */
export function formatProfileList(
  profiles: readonly Profile[],
  invalid: readonly InvalidProfileFile[],
  active?: string,
): string {
  const rows = profiles.map((profile) => [
    profile.name,
    profile.source,
    describeCache(profile.cache),
    profile.model?.fileName ?? "any model",
    profile.kvBytesPerToken !== undefined ? `${profile.kvBytesPerToken} B/token` : "",
    profile.quality !== undefined ? `ΔPPL ${profile.quality.deltaPplPct.toFixed(2)}%` : "",
  ]);
  const widths = rows.reduce((max, row) => row.map((cell, i) => Math.max(max[i] ?? 0, cell.length)), [] as number[]);
  const lines = rows.map((row, index) => {
    const marker = profiles[index]!.name === active ? "*" : " ";
    return `${marker} ${row.map((cell, i) => cell.padEnd(widths[i]!)).join("  ")}`.trimEnd();
  });
  for (const file of invalid) {
    lines.push(`! ${file.path}: ${file.message.replaceAll("\n", "\n    ")}`);
  }
  return `${lines.join("\n")}\n`;
}
