import { kvBytesPerToken, kvCacheBytes } from "../../../model/kvBytes.ts";
import type { ModelFacts } from "../../../model/gguf.ts";
import { builtinProfiles } from "../../../profiles/builtins.ts";
import { RowNotBlockAlignedError } from "../../../profiles/errors/RowNotBlockAlignedError.ts";
import { perLayerTypes } from "../../../profiles/perLayerTypes.ts";
import { formatBytes } from "../../../util/format.ts";

export type KvCostRow =
  | {
      profile: string;
      bytesPerToken: number;
      /** exact K+V bytes llama.cpp allocates for one sequence of `ctx` tokens */
      bytesAtCtx: number;
    }
  /** a profile whose types cannot store this model's rows (e.g. 64-element blocks on rows of 32) */
  | { profile: string; unavailable: string };

export interface ModelInfoReport {
  facts: ModelFacts;
  ctx: number;
  kvCost: KvCostRow[];
}

/** The model's facts plus what each built-in profile's K/V cache costs on it. */
export function modelInfoReport(facts: ModelFacts, ctx: number): ModelInfoReport {
  const kvCost = builtinProfiles.map((profile): KvCostRow => {
    const types = perLayerTypes(profile.cache, facts.nLayer);
    try {
      return {
        profile: profile.name,
        bytesPerToken: kvBytesPerToken(facts, types),
        bytesAtCtx: kvCacheBytes(facts, types, { nCtx: ctx }).total,
      };
    } catch (error) {
      if (error instanceof RowNotBlockAlignedError) return { profile: profile.name, unavailable: error.message };
      throw error;
    }
  });
  return { facts, ctx, kvCost };
}

export function formatModelInfo({ facts, ctx, kvCost }: ModelInfoReport): string {
  const fullLayers = facts.layers.filter((layer) => !layer.swa).map((layer) => layer.il);
  const shapes = new Set(
    facts.layers.map(
      (l) => `${l.nHeadKv} KV head${l.nHeadKv === 1 ? "" : "s"} × ${l.headDimK} (K) / ${l.headDimV} (V)`,
    ),
  );
  const attention =
    facts.slidingWindow === undefined
      ? "full attention in every layer"
      : `sliding window of ${facts.slidingWindow} tokens, full attention in layers ${fullLayers.join(", ") || "none"}`;
  const lines = [
    `${facts.fileName}  ${formatBytes(facts.sizeBytes)}`,
    `  path           ${facts.path}`,
    `  architecture   ${facts.architecture}`,
    `  layers         ${facts.nLayer}`,
    `  attention      ${attention}`,
    `  heads          ${shapes.size === 1 ? [...shapes][0] : "varies by layer"}`,
    `  train context  ${facts.contextLength}`,
    `  header sha256  ${facts.headerHash}`,
    "",
    `K/V cache of the built-in profiles (one sequence of ${ctx} tokens, flash attention):`,
    ...kvCost.map((row) =>
      "unavailable" in row
        ? `  ${row.profile.padEnd(6)} not on this model: ${row.unavailable}`
        : `  ${row.profile.padEnd(6)} ${`${row.bytesPerToken} B/token`.padStart(14)}  ${formatBytes(row.bytesAtCtx).padStart(10)} at ${ctx}`,
    ),
  ];
  return `${lines.join("\n")}\n`;
}
