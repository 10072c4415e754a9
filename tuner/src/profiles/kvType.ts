import { z } from "zod";
import { RowNotBlockAlignedError } from "./errors/RowNotBlockAlignedError.ts";

/** The K/V cache element types llama.cpp accepts for -ctk/-ctv (common/arg.cpp `kv_cache_types`). */
export const kvTypes = ["f16", "bf16", "q8_0", "q5_1", "q5_0", "q4_1", "q4_0", "iq4_nl", "iq3_nl", "iq2_nl"] as const;

/** The types KVSplit's patches add (0018): stock llama.cpp does not know them. */
export const kvsplitOnlyTypes: readonly KvType[] = ["iq3_nl", "iq2_nl"];

export const kvTypeSchema = z.enum(kvTypes);
export type KvType = z.infer<typeof kvTypeSchema>;

interface BlockLayout {
  /** elements stored together in one block */
  elements: number;
  /** bytes one block takes, scales included (ggml's type_traits: blck_size, type_size) */
  bytes: number;
}

// ggml stores quantized types in blocks of 32 elements with one f16 scale (and one f16 min for the _1 types);
// KVSplit's rotated low-bit types (patch 0018) take 64 elements a block, one V rotation group, with one f16 scale.
const blockLayouts: Record<KvType, BlockLayout> = {
  f16: { elements: 1, bytes: 2 },
  bf16: { elements: 1, bytes: 2 },
  q8_0: { elements: 32, bytes: 34 },
  q5_1: { elements: 32, bytes: 24 },
  q5_0: { elements: 32, bytes: 22 },
  q4_1: { elements: 32, bytes: 20 },
  q4_0: { elements: 32, bytes: 18 },
  iq4_nl: { elements: 32, bytes: 18 },
  iq3_nl: { elements: 64, bytes: 26 },
  iq2_nl: { elements: 64, bytes: 18 },
};

export function blockLayout(type: KvType): Readonly<BlockLayout> {
  return blockLayouts[type];
}

/** 16, 16, 8.5, 6, 5.5, 5, 4.5, 4.5, 3.25, 2.25: the scales are part of the cost. */
export function bitsPerElement(type: KvType): number {
  const { elements, bytes } = blockLayouts[type];
  return (bytes * 8) / elements;
}

/** Bytes of one row of `elements` values, exactly as ggml_row_size computes it. */
export function rowBytes(type: KvType, elements: number): number {
  const { elements: perBlock, bytes } = blockLayouts[type];
  if (!Number.isInteger(elements) || elements < 0 || elements % perBlock !== 0) {
    throw new RowNotBlockAlignedError(type, perBlock, elements);
  }
  return (elements / perBlock) * bytes;
}
