import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { nativeBinDir, typeProbeDir } from "../config.ts";
import { parseBenchAttnPlacement } from "../native/attnPlacement.ts";
import { buildLabel, type BuildInfo } from "../native/buildInfo.ts";
import { llamaBenchArgs } from "../native/llamaBenchArgs.ts";
import { NativeToolFailedError, runNativeTool } from "../native/run.ts";
import type { KvType } from "../profiles/schema.ts";
import { writeJsonAtomic } from "../util/atomicFile.ts";
import { AttnPlacementMissingError } from "./errors/AttnPlacementMissingError.ts";

export interface TypeSupport {
  types: KvType[];
  /** "k/v" pairs that ran with flash attention on the device that holds their K/V cache */
  pairs: string[];
  /** "k/v" pairs that ran, but with attention on the CPU while K/V live on a GPU: the layers that fell back */
  cpuFallback: Record<string, number[]>;
}

export class NoQuantizedTypeError extends Error {
  constructor(tried: readonly string[], cpuFallback: readonly string[]) {
    const fallback =
      cpuFallback.length > 0
        ? `; ${cpuFallback.join(", ")} ran with attention on the CPU, which the search does not count ` +
          `(rebuild with native/build.sh for the GPU kernels)`
        : "";
    super(
      `no quantized K/V type runs with flash attention on this backend (tried ${tried.join(", ")})${fallback}: ` +
        `nothing to search`,
    );
    this.name = "NoQuantizedTypeError";
  }
}

const pairKey = (k: KvType, v: KvType) => `${k}/${v}`;

export function pairAllowed(support: TypeSupport) {
  const pairs = new Set(support.pairs);
  return (k: KvType, v: KvType) => pairs.has(pairKey(k, v));
}

/**
 * Which of the pairs a successful llama-bench run counts as supported: a pair whose attention ran on the CPU while
 * its K/V were on a GPU ran, but every token copied K/V out of GPU memory, so it is not supported. A pair with no
 * placement lines throws (an old binary would make every pair look supported).
 */
export function decidePairSupport(
  benchOutput: string,
  pairs: readonly string[],
): { onDevice: string[]; cpuFallback: Record<string, number[]> } {
  const placement = parseBenchAttnPlacement(benchOutput);
  const onDevice: string[] = [];
  const cpuFallback: Record<string, number[]> = {};
  for (const pair of pairs) {
    const layers = placement.get(pair);
    if (!layers) throw new AttnPlacementMissingError(pair, benchOutput);
    const fallback = [...layers].filter(([, p]) => p.fallback).map(([il]) => il);
    if (fallback.length > 0) cpuFallback[pair] = fallback;
    else onDevice.push(pair);
  }
  return { onDevice, cpuFallback };
}

/** The probe's llama-bench arguments: every k × v combination, one short prompt and one token each. */
export function probeBenchArgs(modelPath: string, k: readonly KvType[], v: readonly KvType[]): string[] {
  return llamaBenchArgs({
    modelPath,
    promptTokens: 8,
    genTokens: 1,
    repetitions: 1,
    noWarmup: true,
    kv: { mode: "every-pair", k, v },
  });
}

/** llama-bench's whole output when every k × v combination ran, undefined when it failed. */
async function run(modelPath: string, k: KvType[], v: KvType[]): Promise<string | undefined> {
  try {
    return (await runNativeTool("llama-bench", probeBenchArgs(modelPath, k, v))).all;
  } catch (error) {
    if (error instanceof NativeToolFailedError) return undefined;
    throw error;
  }
}

// v2: pairs whose attention fell back to the CPU no longer count (earlier files counted every pair that ran)
const probeFilePrefix = (build: BuildInfo, modelHash: string) => `v2-${buildLabel(build)}-${modelHash.slice(0, 16)}-`;

/**
 * Which K/V type pairs this build runs with flash attention on the device that holds the cache, probed with
 * llama-bench (every pair in one run, pair by pair only if that fails) and cached per build and model next to the
 * binaries.
 */
export async function probeTypeSupport(
  modelPath: string,
  modelHash: string,
  build: BuildInfo,
  candidates: readonly KvType[],
): Promise<TypeSupport> {
  // a property of the build, so it lives next to the binaries (and survives an isolated cache dir)
  const path = join(typeProbeDir(), `${probeFilePrefix(build, modelHash)}${candidates.join("_")}.json`);
  if (existsSync(path)) return JSON.parse(readFileSync(path, "utf8")) as TypeSupport;

  const allPairs = candidates.flatMap((k) => candidates.map((v) => pairKey(k, v)));
  const pairs: string[] = [];
  const cpuFallback: Record<string, number[]> = {};
  const together = await run(modelPath, [...candidates], [...candidates]);
  if (together !== undefined) {
    const decided = decidePairSupport(together, allPairs);
    pairs.push(...decided.onDevice);
    Object.assign(cpuFallback, decided.cpuFallback);
  } else {
    for (const k of candidates)
      for (const v of candidates) {
        const output = await run(modelPath, [k], [v]);
        if (output === undefined) continue;
        const decided = decidePairSupport(output, [pairKey(k, v)]);
        pairs.push(...decided.onDevice);
        Object.assign(cpuFallback, decided.cpuFallback);
      }
  }
  const types = candidates.filter((t) => pairs.includes(pairKey(t, t)));
  if (!types.some((t) => t !== "f16" && t !== "bf16"))
    throw new NoQuantizedTypeError(candidates, Object.keys(cpuFallback));
  const support = { types, pairs, cpuFallback };
  writeJsonAtomic(path, support);
  return support;
}

/**
 * What the probes of this build learned about pairs, for profiles that are not running: the union of every probe
 * cached for the build (and for the model, when one is named). Pairs never probed are in neither list.
 */
export function probedPairs(
  build: BuildInfo,
  binDir: string = nativeBinDir(),
  modelHash?: string,
): { onDevice: Set<string>; cpuFallback: Set<string> } {
  const onDevice = new Set<string>();
  const cpuFallback = new Set<string>();
  const dir = typeProbeDir(binDir);
  if (!existsSync(dir)) return { onDevice, cpuFallback };
  const prefix = modelHash ? probeFilePrefix(build, modelHash) : `v2-${buildLabel(build)}-`;
  for (const file of readdirSync(dir).filter((f) => f.startsWith(prefix) && f.endsWith(".json"))) {
    const support = JSON.parse(readFileSync(join(dir, file), "utf8")) as TypeSupport;
    for (const pair of support.pairs) onDevice.add(pair);
    for (const pair of Object.keys(support.cpuFallback)) cpuFallback.add(pair);
  }
  return { onDevice, cpuFallback };
}
