import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { nativeBinDir } from "../config.ts";
import { buildLabel, type BuildInfo } from "../native/buildInfo.ts";
import { NativeToolFailedError, runNativeTool } from "../native/run.ts";
import type { KvType } from "../profiles/schema.ts";
import { writeJsonAtomic } from "../util/atomicFile.ts";

export interface TypeSupport {
  types: KvType[];
  /** "k/v" pairs that ran with flash attention on this backend */
  pairs: string[];
}

export class NoQuantizedTypeError extends Error {
  constructor(tried: readonly string[]) {
    super(
      `no quantized K/V type runs with flash attention on this backend (tried ${tried.join(", ")}): nothing to search`,
    );
    this.name = "NoQuantizedTypeError";
  }
}

const pairKey = (k: KvType, v: KvType) => `${k}/${v}`;

export function pairAllowed(support: TypeSupport) {
  const pairs = new Set(support.pairs);
  return (k: KvType, v: KvType) => pairs.has(pairKey(k, v));
}

async function runs(modelPath: string, k: KvType[], v: KvType[]): Promise<boolean> {
  try {
    await runNativeTool("llama-bench", [
      "-m",
      modelPath,
      "-p",
      "8",
      "-n",
      "1",
      "-r",
      "1",
      "-fa",
      "1",
      "--no-warmup",
      "-ctk",
      k.join(","),
      "-ctv",
      v.join(","),
    ]);
    return true;
  } catch (error) {
    if (error instanceof NativeToolFailedError) return false;
    throw error;
  }
}

/**
 * Which K/V type pairs this build runs with flash attention on this backend, probed with llama-bench (every pair
 * in one run, pair by pair only if that fails) and cached per build and model next to the binaries.
 */
export async function probeTypeSupport(
  modelPath: string,
  modelHash: string,
  build: BuildInfo,
  candidates: readonly KvType[],
): Promise<TypeSupport> {
  // a property of the build, so it lives next to the binaries (and survives an isolated cache dir)
  const path = join(
    nativeBinDir(),
    "probe",
    `${buildLabel(build)}-${modelHash.slice(0, 16)}-${candidates.join("_")}.json`,
  );
  if (existsSync(path)) return JSON.parse(readFileSync(path, "utf8")) as TypeSupport;

  let pairs: string[];
  if (await runs(modelPath, [...candidates], [...candidates])) {
    pairs = candidates.flatMap((k) => candidates.map((v) => pairKey(k, v)));
  } else {
    pairs = [];
    for (const k of candidates)
      for (const v of candidates) if (await runs(modelPath, [k], [v])) pairs.push(pairKey(k, v));
  }
  const types = candidates.filter((t) => pairs.includes(pairKey(t, t)));
  if (!types.some((t) => t !== "f16" && t !== "bf16")) throw new NoQuantizedTypeError(candidates);
  const support = { types, pairs };
  writeJsonAtomic(path, support);
  return support;
}
