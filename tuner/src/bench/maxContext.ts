import { largestContextWithin, type ContextFit } from "../model/contextFit.ts";
import type { ModelFacts } from "../model/gguf.ts";
import type { ResolvedSetting } from "../eval/kvSetting.ts";
import { MaxContextDivergedError } from "./errors/MaxContextDivergedError.ts";
import { measureKvMemory } from "./kvMemory.ts";

/** The largest context that fits a K/V memory limit, found by starting the server, next to the formula's answer. */
export interface MaxContextMeasurement {
  limitBytes: number;
  /** the largest context whose allocation llama-server reported at or under the limit */
  measuredCtx: number;
  measuredBytes: number;
  /** what the server allocated one step (256 tokens) up; absent when the training context capped the search */
  nextMeasuredBytes?: number;
  formula: ContextFit;
}

const ctxStep = 256;
// the formula and the allocation agree exactly (tests check it); a walk this long would mean they do not
const maxSteps = 16;

/**
 * Starts llama-server at the formula's context and one step above it, and walks on if either side disagrees, so the
 * answer is the server's own: bytes(measuredCtx) ≤ limit < bytes(measuredCtx + 256).
 */
export async function measureMaxContext(
  modelPath: string,
  facts: ModelFacts,
  setting: ResolvedSetting,
  limitBytes: number,
): Promise<MaxContextMeasurement> {
  const formula = largestContextWithin(facts, setting.types, limitBytes, setting.label);
  const maxCtx = Math.floor(facts.contextLength / ctxStep) * ctxStep;
  const bytesAt = async (ctx: number) => {
    const memory = await measureKvMemory(modelPath, setting.args, ctx);
    return memory.sizeK + memory.sizeV;
  };

  let ctx = formula.ctx;
  let bytes = await bytesAt(ctx);
  for (let step = 0; bytes > limitBytes; step++) {
    if (ctx <= ctxStep || step >= maxSteps) {
      throw new MaxContextDivergedError(setting.label, formula.ctx, ctx, `allocates ${bytes} B, over the limit,`);
    }
    ctx -= ctxStep;
    bytes = await bytesAt(ctx);
  }
  for (let step = 0; ctx < maxCtx; step++) {
    const nextBytes = await bytesAt(ctx + ctxStep);
    if (nextBytes > limitBytes) {
      return { limitBytes, measuredCtx: ctx, measuredBytes: bytes, nextMeasuredBytes: nextBytes, formula };
    }
    if (step >= maxSteps) {
      throw new MaxContextDivergedError(setting.label, formula.ctx, ctx + ctxStep, "still fits the limit");
    }
    ctx += ctxStep;
    bytes = nextBytes;
  }
  return { limitBytes, measuredCtx: ctx, measuredBytes: bytes, formula };
}
