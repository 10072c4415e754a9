import type { PerLayerTypes } from "../profiles/perLayerTypes.ts";
import { KvMemoryTooSmallError } from "./errors/KvMemoryTooSmallError.ts";
import { kvCacheBytes, type KvContextParams, type KvModelShape } from "./kvBytes.ts";

/** The largest context whose K/V cache fits a memory limit, and the step above it that does not. */
export interface ContextFit {
  limitBytes: number;
  /** context in tokens: a multiple of 256, the unit llama.cpp pads n_ctx to */
  ctx: number;
  /** K+V bytes llama.cpp allocates at `ctx` */
  bytes: number;
  /** the next context llama.cpp could allocate (ctx + 256) and its bytes; absent when capped by training */
  next?: { ctx: number; bytes: number };
  /** true when the limit would allow more than the model's training context (llama-server caps a slot there) */
  cappedAtTraining: boolean;
}

// llama.cpp pads n_ctx to a multiple of 256 (llama_context: GGML_PAD(n_ctx, 256)), so only these sizes differ
const ctxStep = 256;

/**
 * The largest context, up to the model's training context, whose K/V bytes (the same formula llama.cpp's
 * allocation was checked against, sliding-window caches included) are at most `limitBytes`. One sequence, as the
 * server runs it (-np 1). Bytes never fall as the context grows, so the first size over the limit ends the scan.
 */
export function largestContextWithin(
  model: KvModelShape,
  types: PerLayerTypes,
  limitBytes: number,
  settingLabel: string,
  params: Omit<KvContextParams, "nCtx"> = {},
): ContextFit {
  const bytesAt = (ctx: number) => kvCacheBytes(model, types, { ...params, nCtx: ctx, nSeqMax: 1 }).total;
  const smallest = bytesAt(ctxStep);
  if (smallest > limitBytes) throw new KvMemoryTooSmallError(limitBytes, smallest, settingLabel);

  const maxCtx = Math.max(ctxStep, Math.floor(model.contextLength / ctxStep) * ctxStep);
  let ctx = ctxStep;
  let bytes = smallest;
  while (ctx < maxCtx) {
    const nextBytes = bytesAt(ctx + ctxStep);
    if (nextBytes > limitBytes) {
      return { limitBytes, ctx, bytes, next: { ctx: ctx + ctxStep, bytes: nextBytes }, cappedAtTraining: false };
    }
    ctx += ctxStep;
    bytes = nextBytes;
  }
  return { limitBytes, ctx, bytes, cappedAtTraining: true };
}
