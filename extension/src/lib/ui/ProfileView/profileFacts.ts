import { bitsPerElement } from "@kvsplit/tuner/profiles/kvType";
import type { KvType, Profile } from "@kvsplit/tuner/profiles/schema";

/** Every layer's K and V type; a uniform profile is one row that stands for all layers. */
export function layerRows(profile: Profile): { layers: string; k: KvType; v: KvType }[] {
  const { cache } = profile;
  if (cache.mode === "uniform") return [{ layers: "all", k: cache.k, v: cache.v }];
  return cache.k.map((k, il) => ({ layers: String(il), k, v: cache.v[il]! }));
}

/** K/V memory saved against an f16 cache, in percent (same head sizes assumed for every layer). */
export function kvSavingPercent(profile: Profile): number {
  const rows = layerRows(profile);
  const bits = rows.reduce((sum, row) => sum + bitsPerElement(row.k) + bitsPerElement(row.v), 0);
  return (1 - bits / (rows.length * 32)) * 100;
}

/** The detail pane: description, the per-layer table, the chart when there is one. */
export function profileMarkdown(profile: Profile, chartPath?: string): string {
  const table = [
    "| Layer | K | V | Bits (K + V) |",
    "| --- | --- | --- | --- |",
    ...layerRows(profile).map(
      (row) => `| ${row.layers} | ${row.k} | ${row.v} | ${bitsPerElement(row.k) + bitsPerElement(row.v)} |`,
    ),
  ].join("\n");
  const chart = chartPath ? `\n\n![Tuner chart](${encodeURI(`file://${chartPath}`)})` : "";
  return `# ${profile.name}\n\n${profile.description ?? ""}\n\n${table}${chart}`;
}
