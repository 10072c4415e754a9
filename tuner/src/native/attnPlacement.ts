/**
 * Where each layer's flash attention runs, next to where its K/V cache lives (native patch 0010).
 *
 * A backend without a flash-attention kernel for a layer's K/V types (stock Metal for K type != V type; CUDA without
 * GGML_CUDA_FA_ALL_QUANTS for most quantized pairs) makes llama.cpp run that layer's attention on the CPU and copy
 * its K/V out of device memory on every evaluation. llama.cpp reports it three ways, all read here:
 *   log:         `llama_context: layer   3: flash_attn = CPU, kv = CUDA0, fallback = 1` (-lv 4)
 *   llama-bench: `llama-bench: attention: type_k = q8_0, type_v = q4_0: layers 0-7: flash_attn = CPU, kv = CUDA0, fallback = 1`
 *   /props:      kv_cache.layers[].attn_device, kv_device, attn_fallback
 */

export interface AttnPlacement {
  /** device that runs the layer's flash attention ("CUDA0", "MTL0", "CPU"); null when flash attention is off */
  attnDevice: string | null;
  /** device whose memory holds the layer's K and V ("CPU" for host memory) */
  kvDevice: string;
  /** attention runs on the CPU while K/V live in an accelerator's memory */
  fallback: boolean;
}

const deviceName = (name: string): string | null => (name === "off" ? null : name);

const logLine = /llama_context: layer +(\d+): flash_attn = (\S+), kv = (\S+), fallback = ([01])/g;

/** The per-layer placement lines of one context's log; a later line for a layer replaces an earlier one. */
export function parseAttnPlacementLog(log: string): Map<number, AttnPlacement> {
  const placement = new Map<number, AttnPlacement>();
  for (const m of log.matchAll(logLine)) {
    placement.set(Number(m[1]), { attnDevice: deviceName(m[2]!), kvDevice: m[3]!, fallback: m[4] === "1" });
  }
  return placement;
}

const benchLine =
  /llama-bench: attention: type_k = (\w+), type_v = (\w+): layers (\d+)-(\d+): flash_attn = (\S+), kv = (\S+), fallback = ([01])/g;

/**
 * llama-bench's placement lines, by "k/v" pair, layer by layer. A pair tested more than once (prompt and generation,
 * several depths) counts as falling back in a layer if any of its tests did.
 */
export function parseBenchAttnPlacement(output: string): Map<string, Map<number, AttnPlacement>> {
  const byPair = new Map<string, Map<number, AttnPlacement>>();
  for (const m of output.matchAll(benchLine)) {
    const pair = `${m[1]}/${m[2]}`;
    const layers = byPair.get(pair) ?? new Map<number, AttnPlacement>();
    byPair.set(pair, layers);
    const placement = { attnDevice: deviceName(m[5]!), kvDevice: m[6]!, fallback: m[7] === "1" };
    for (let il = Number(m[3]); il <= Number(m[4]); il++) {
      if (!layers.get(il)?.fallback) layers.set(il, placement);
    }
  }
  return byPair;
}

/** "0-7", "4-5, 9" */
export function formatLayerRanges(layers: readonly number[]): string {
  const sorted = [...layers].sort((a, b) => a - b);
  const ranges: string[] = [];
  for (let i = 0; i < sorted.length;) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
    ranges.push(i === j ? `${sorted[i]}` : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return ranges.join(", ");
}

/** One layer as the reports give it: its types and, from a patch-0010 build, its placement. */
export interface PlacedLayer {
  il: number;
  typeK: string;
  typeV: string;
  attention?: AttnPlacement;
}

/** What a person needs to know about a whole cache's attention placement. */
export type AttentionSummary =
  /** the binary predates patch 0010 */
  | { state: "unknown" }
  /** flash attention is off: attention runs as plain matrix products wherever the scheduler puts them */
  | { state: "off"; kvDevices: string[] }
  /** every layer's attention runs where its K/V live */
  | { state: "with-kv"; devices: string[] }
  /** some layers run attention on the CPU while their K/V are on a GPU */
  | { state: "fallback"; layers: number[]; kvDevices: string[]; pairs: string[] };

const unique = (values: string[]) => [...new Set(values)].sort();

export function summarizeAttention(layers: readonly PlacedLayer[]): AttentionSummary {
  const placed = layers.filter((l): l is PlacedLayer & { attention: AttnPlacement } => l.attention !== undefined);
  if (placed.length === 0 || placed.length !== layers.length) return { state: "unknown" };
  const fallback = placed.filter((l) => l.attention.fallback);
  if (fallback.length > 0) {
    return {
      state: "fallback",
      layers: fallback.map((l) => l.il),
      kvDevices: unique(fallback.map((l) => l.attention.kvDevice)),
      pairs: unique(fallback.map((l) => `${l.typeK}/${l.typeV}`)),
    };
  }
  if (placed.every((l) => l.attention.attnDevice === null)) {
    return { state: "off", kvDevices: unique(placed.map((l) => l.attention.kvDevice)) };
  }
  return { state: "with-kv", devices: unique(placed.map((l) => l.attention.attnDevice ?? l.attention.kvDevice)) };
}

/** What to do when attention falls back: the device decides which build has the kernels. */
export function attnFallbackAdvice(kvDevices: readonly string[]): string {
  const rebuild = kvDevices.some((d) => d.startsWith("MTL"))
    ? "rebuild with native/build.sh (KVSplit's Metal patch adds the mixed K/V kernels)"
    : kvDevices.some((d) => d.startsWith("CUDA"))
      ? "rebuild with native/build.sh (it turns on GGML_CUDA_FA_ALL_QUANTS)"
      : "rebuild with native/build.sh";
  return `${rebuild}, or choose a profile whose K/V pairs the GPU runs`;
}

/** One line: "CUDA0, with the K/V" or "layers 0-7 on the CPU while their K/V are on CUDA0 (q8_0/q4_0): ..." */
export function describeAttention(summary: AttentionSummary): string {
  switch (summary.state) {
    case "unknown":
      return "not reported (llama.cpp built before patch 0010: run 'npm run setup')";
    case "off":
      return `flash attention off (K/V on ${summary.kvDevices.join(", ")})`;
    case "with-kv":
      return `${summary.devices.join(", ")}, where the K/V are`;
    case "fallback":
      return (
        `layers ${formatLayerRanges(summary.layers)} on the CPU while their K/V are on ${summary.kvDevices.join(", ")} ` +
        `(no GPU kernel for K/V ${summary.pairs.join(", ")}): every token copies K/V out of GPU memory; ` +
        attnFallbackAdvice(summary.kvDevices)
      );
  }
}

/** A few words for a menu: "CUDA0, with the K/V", "CPU for layers 0-7 (K/V on CUDA0)". */
export function shortAttention(summary: AttentionSummary): string {
  switch (summary.state) {
    case "unknown":
      return "not reported";
    case "off":
      return "flash attention off";
    case "with-kv":
      return `${summary.devices.join(", ")}, with the K/V`;
    case "fallback":
      return `CPU for layers ${formatLayerRanges(summary.layers)} (K/V on ${summary.kvDevices.join(", ")})`;
  }
}
