import { z } from "zod";
import { parseAttnPlacementLog, type AttnPlacement } from "./attnPlacement.ts";

/** One layer's K/V cache as llama.cpp allocated it (native patch 0002's log lines). */
export interface KvLayerReport {
  il: number;
  typeK: string;
  typeV: string;
  sizeK: number;
  sizeV: number;
  swa: boolean;
  /** where the layer's flash attention runs (native patch 0010); absent from older builds and from a log without -lv 4 */
  attention?: AttnPlacement;
}

/** The whole K/V cache: every layer, and the exact totals summed over llama.cpp's caches (Gemma 3 has two). */
export interface KvCacheReport {
  layers: KvLayerReport[];
  sizeK: number;
  sizeV: number;
}

export class KvReportMissingError extends Error {
  constructor(tool: string) {
    super(
      `${tool} printed no per-layer K/V cache report: the binary is not KVSplit's patched llama.cpp ` +
        `(run 'npm run setup' to build it)`,
    );
    this.name = "KvReportMissingError";
  }
}

const layerLine =
  /llama_kv_cache: layer +(\d+): type_k = (\w+), type_v = (\w+), size_k = (\d+) B, size_v = (\d+) B, swa = ([01])/g;
const exactLine = /llama_kv_cache: exact size_k = (\d+) B, size_v = (\d+) B/g;

/** Reads the K/V cache report out of a llama.cpp tool's log output. */
export function parseKvCacheReport(log: string, tool = "llama.cpp"): KvCacheReport {
  const layers: KvLayerReport[] = [...log.matchAll(layerLine)].map((m) => ({
    il: Number(m[1]),
    typeK: m[2]!,
    typeV: m[3]!,
    sizeK: Number(m[4]),
    sizeV: Number(m[5]),
    swa: m[6] === "1",
  }));
  const totals = [...log.matchAll(exactLine)];
  if (layers.length === 0 || totals.length === 0) {
    throw new KvReportMissingError(tool);
  }
  layers.sort((a, b) => a.il - b.il);
  const placement = parseAttnPlacementLog(log);
  for (const layer of layers) {
    const attention = placement.get(layer.il);
    if (attention) layer.attention = attention;
  }
  return {
    layers,
    sizeK: totals.reduce((sum, m) => sum + Number(m[1]), 0),
    sizeV: totals.reduce((sum, m) => sum + Number(m[2]), 0),
  };
}

/** llama-server's GET /props `kv_cache` field (native patch 0004). */
export const serverKvCacheSchema = z.object({
  size_k: z.number().int().nonnegative(),
  size_v: z.number().int().nonnegative(),
  layers: z.array(
    z.object({
      il: z.number().int().nonnegative(),
      type_k: z.string(),
      type_v: z.string(),
      size_k: z.number().int().nonnegative(),
      size_v: z.number().int().nonnegative(),
      swa: z.boolean(),
      // native patch 0010; null attn_device: flash attention is off
      attn_device: z.string().nullable().optional(),
      kv_device: z.string().optional(),
      attn_fallback: z.boolean().optional(),
    }),
  ),
});

export type ServerKvCache = z.infer<typeof serverKvCacheSchema>;

/** The server's report in the same shape as the log report. */
export function kvCacheReportFromServer(kvCache: ServerKvCache): KvCacheReport {
  return {
    sizeK: kvCache.size_k,
    sizeV: kvCache.size_v,
    layers: kvCache.layers.map((l) => ({
      il: l.il,
      typeK: l.type_k,
      typeV: l.type_v,
      sizeK: l.size_k,
      sizeV: l.size_v,
      swa: l.swa,
      ...(l.kv_device !== undefined && l.attn_device !== undefined && l.attn_fallback !== undefined
        ? { attention: { attnDevice: l.attn_device, kvDevice: l.kv_device, fallback: l.attn_fallback } }
        : {}),
    })),
  };
}
