import { kvCacheBytes } from "../model/kvBytes.ts";
import type { ModelFacts } from "../model/gguf.ts";
import type { KvCacheReport } from "../native/kvReport.ts";
import type { PerLayerTypes } from "../profiles/perLayerTypes.ts";

export class KvBytesMismatchError extends Error {
  constructor(label: string, measured: number, expected: number, detail: string) {
    super(
      `K/V bytes of '${label}' do not match the formula: llama.cpp allocated ${measured} B, the GGUF formula says ` +
        `${expected} B (${detail}). The patched build and tuner/src/model/kvBytes.ts disagree about this model.`,
    );
    this.name = "KvBytesMismatchError";
  }
}

/**
 * Memory is measured from llama.cpp, then checked against the formula: a mismatch means one of them is wrong,
 * and every number built on them would be too.
 */
export function checkKvBytes(
  label: string,
  measured: KvCacheReport,
  facts: ModelFacts,
  types: PerLayerTypes,
  ctx: number,
): number {
  const expected = kvCacheBytes(facts, types, { nCtx: ctx, nBatch: ctx, nSeqMax: 1 });
  for (const layer of measured.layers) {
    const want = expected.layers[layer.il];
    if (!want || want.sizeK !== layer.sizeK || want.sizeV !== layer.sizeV) {
      throw new KvBytesMismatchError(
        label,
        layer.sizeK + layer.sizeV,
        want ? want.sizeK + want.sizeV : 0,
        `layer ${layer.il}`,
      );
    }
  }
  if (measured.sizeK + measured.sizeV !== expected.total) {
    throw new KvBytesMismatchError(label, measured.sizeK + measured.sizeV, expected.total, "total");
  }
  return expected.total;
}
