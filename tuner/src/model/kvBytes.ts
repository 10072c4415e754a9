import { rowBytes } from "../profiles/kvType.ts";
import type { PerLayerTypes } from "../profiles/perLayerTypes.ts";
import type { ModelFacts } from "./gguf.ts";
import { LayerCountMismatchError } from "../profiles/errors/LayerCountMismatchError.ts";

/**
 * The exact bytes llama.cpp allocates for the K/V cache, layer by layer, from the model's shape, the per-layer
 * types and the context parameters. Mirrors llama.cpp v0.4.0:
 *  - llama_context: n_ctx is padded to 256; without a unified cache each of the n_seq_max streams gets
 *    n_ctx_seq = pad(n_ctx / n_seq_max, 256) cells.
 *  - llama_kv_cache_iswa: full-attention layers hold n_ctx_seq cells; sliding-window layers hold
 *    pad(min(n_ctx_seq, n_swa·(unified ? n_seq_max : 1) + n_ubatch), 256) cells (all of n_ctx_seq with swa_full).
 *  - llama_kv_cache: each layer's K tensor is n_embd_k_gqa × cells × n_stream of type_k, and the same for V
 *    (without flash attention V is stored transposed at the largest n_embd_v_gqa of all layers).
 */
export interface KvContextParams {
  /** llama_context_params.n_ctx: cells over all sequences; 0 means the model's training context */
  nCtx: number;
  /** llama_context_params.n_seq_max. Defaults to 1. */
  nSeqMax?: number;
  /** llama_context_params.n_batch. Defaults to 2048. */
  nBatch?: number;
  /** llama_context_params.n_ubatch. Defaults to 512. */
  nUbatch?: number;
  /** one cache shared by all sequences (--kv-unified). Defaults to false. */
  kvUnified?: boolean;
  /** full-size sliding-window cache (--swa-full). Defaults to false. */
  swaFull?: boolean;
  /** Defaults to true: KVSplit always runs with -fa on. */
  flashAttn?: boolean;
}

export type KvModelShape = Pick<ModelFacts, "layers" | "slidingWindow" | "contextLength">;

export interface KvCells {
  /** cells per stream in the full-attention cache */
  full: number;
  /** cells per stream in the sliding-window cache (equal to `full` when the model has no sliding window) */
  swa: number;
  /** tensors hold this many independent copies: n_seq_max, or 1 with a unified cache */
  streams: number;
}

export interface KvLayerBytes {
  il: number;
  swa: boolean;
  cells: number;
  sizeK: number;
  sizeV: number;
}

export interface KvBytes {
  cells: KvCells;
  layers: KvLayerBytes[];
  sizeK: number;
  sizeV: number;
  total: number;
}

// every cache size in llama.cpp v0.4.0 is a multiple of 256 cells
const cellPadding = 256;

export function kvCacheCells(
  model: Pick<KvModelShape, "slidingWindow" | "contextLength">,
  params: KvContextParams,
): KvCells {
  const nSeqMax = Math.max(1, params.nSeqMax ?? 1);
  const unified = params.kvUnified ?? false;
  const requested = params.nCtx === 0 ? model.contextLength : params.nCtx;
  // with causal attention the batch is capped by the requested context, before padding
  const nBatch = Math.min(requested, params.nBatch ?? 2048);
  const nUbatch = Math.min(nBatch, params.nUbatch ?? 512);

  const nCtx = pad(requested);
  const full = unified ? nCtx : pad(Math.floor(nCtx / nSeqMax));
  const streams = unified ? 1 : nSeqMax;
  if (model.slidingWindow === undefined || params.swaFull) {
    return { full, swa: full, streams };
  }
  const swa = pad(Math.min(full, model.slidingWindow * (unified ? nSeqMax : 1) + nUbatch));
  return { full, swa, streams };
}

export function kvCacheBytes(model: KvModelShape, types: PerLayerTypes, params: KvContextParams): KvBytes {
  checkLayerCount(model, types);
  const cells = kvCacheCells(model, params);
  const flashAttn = params.flashAttn ?? true;
  const maxEmbdV = Math.max(...model.layers.map((layer) => layer.nHeadKv * layer.headDimV));

  const layers = model.layers.map((layer, il): KvLayerBytes => {
    const layerCells = layer.swa ? cells.swa : cells.full;
    const embdK = layer.nHeadKv * layer.headDimK;
    const embdV = flashAttn ? layer.nHeadKv * layer.headDimV : maxEmbdV;
    return {
      il,
      swa: layer.swa,
      cells: layerCells,
      sizeK: rowBytes(types.k[il]!, embdK) * layerCells * cells.streams,
      sizeV: rowBytes(types.v[il]!, embdV) * layerCells * cells.streams,
    };
  });

  const sizeK = layers.reduce((sum, layer) => sum + layer.sizeK, 0);
  const sizeV = layers.reduce((sum, layer) => sum + layer.sizeV, 0);
  return { cells, layers, sizeK, sizeV, total: sizeK + sizeV };
}

/**
 * K+V bytes one token costs if every layer keeps it: Σ over layers of the K row and the V row. The profile's
 * `kvBytesPerToken`; comparable across profiles and context sizes (the sliding-window cache's cap is not in it).
 */
export function kvBytesPerToken(model: Pick<KvModelShape, "layers">, types: PerLayerTypes): number {
  checkLayerCount(model, types);
  return model.layers.reduce(
    (sum, layer, il) =>
      sum +
      rowBytes(types.k[il]!, layer.nHeadKv * layer.headDimK) +
      rowBytes(types.v[il]!, layer.nHeadKv * layer.headDimV),
    0,
  );
}

function pad(cells: number): number {
  return Math.ceil(cells / cellPadding) * cellPadding;
}

function checkLayerCount(model: Pick<KvModelShape, "layers">, types: PerLayerTypes): void {
  for (const list of [types.k, types.v]) {
    if (list.length !== model.layers.length) throw new LayerCountMismatchError(model.layers.length, list.length);
  }
}
