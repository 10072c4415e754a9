import type { LayerFacts } from "../model/gguf.ts";

/** Layers that share one K type and one V type during the search. */
export type LayerGroups = number[][];

export class InvalidGroupingError extends Error {
  constructor(given: string) {
    super(`invalid --group '${given}': give 'auto' or a positive number of layers per group`);
    this.name = "InvalidGroupingError";
  }
}

/** "auto" on a model without a sliding window: about this many groups of consecutive layers. */
export const autoDenseGroups = 6;

/**
 * "auto": consecutive layers of the same attention kind form a group, so every full-attention layer of a
 * sliding-window model (whose cache grows with the context, unlike the window's) is searched on its own.
 * A model without a sliding window (Llama, Qwen, SmolLM) gets {@link autoDenseGroups} runs of consecutive layers:
 * there every layer costs the same bytes per token, so one group per layer would buy no byte precision, only
 * 2 sensitivity runs per layer and a search space (60 parameters for 30 layers) that 20 TPE trials cannot cover;
 * neighbouring layers are grouped because sensitivity changes with depth.
 * A number N: consecutive runs of N layers.
 */
export function groupLayers(layers: Pick<LayerFacts, "il" | "swa">[], grouping: string): LayerGroups {
  if (grouping === "auto" && !layers.some((layer) => layer.swa)) {
    return consecutiveGroups(layers, Math.ceil(layers.length / autoDenseGroups));
  }
  if (grouping === "auto") {
    const groups: LayerGroups = [];
    layers.forEach((layer, i) => {
      const last = groups[groups.length - 1];
      if (last && layer.swa && layers[i - 1]?.swa) last.push(layer.il);
      else groups.push([layer.il]);
    });
    return groups;
  }
  const size = Number(grouping);
  if (!Number.isInteger(size) || size < 1) throw new InvalidGroupingError(grouping);
  return consecutiveGroups(layers, size);
}

function consecutiveGroups(layers: Pick<LayerFacts, "il">[], size: number): LayerGroups {
  const groups: LayerGroups = [];
  for (let i = 0; i < layers.length; i += size) groups.push(layers.slice(i, i + size).map((l) => l.il));
  return groups;
}

export function describeGroup(group: number[]): string {
  return group.length === 1 ? `layer ${group[0]}` : `layers ${group[0]}-${group[group.length - 1]}`;
}
