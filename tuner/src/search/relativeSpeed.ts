import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { z } from "zod";
import { measureSpeed, type SpeedPoint } from "../bench/llamaBench.ts";
import { speedCachePath } from "../config.ts";
import { buildLabel, type BuildInfo } from "../native/buildInfo.ts";
import { profileToLlamaArgs } from "../profiles/args.ts";
import type { ProfileCache } from "../profiles/schema.ts";
import { f16Pair, pairCache } from "../profiles/uniformPairs.ts";
import { writeJsonAtomic } from "../util/atomicFile.ts";

/** How speed is measured for --min-speed: one llama-bench run per setting, at one depth. */
export interface SpeedCheck {
  depth: number;
  promptTokens: number;
  genTokens: number;
  repetitions: number;
  threads?: number;
}

/** The default check: short tests at a depth where attention matters, 3 repetitions. */
export const defaultSpeedCheck: SpeedCheck = { depth: 4096, promptTokens: 256, genTokens: 32, repetitions: 3 };

export const relativeSpeedSchema = z.object({
  /** the slower of prompt and generation, relative to f16 on this machine: 1.0 = as fast */
  ratio: z.number().positive(),
  promptTps: z.number().positive(),
  generationTps: z.number().positive(),
  f16PromptTps: z.number().positive(),
  f16GenerationTps: z.number().positive(),
  depth: z.number().int().nonnegative(),
});
export type RelativeSpeed = z.infer<typeof relativeSpeedSchema>;

/** llama-bench's points for one setting, cached per build, model, setting and check. */
async function speedPoints(
  modelPath: string,
  modelHash: string,
  build: BuildInfo,
  cache: ProfileCache,
  check: SpeedCheck,
): Promise<SpeedPoint[]> {
  // the setting named by its flags, as the eval cache names it
  const key = createHash("sha256")
    .update(JSON.stringify({ build: buildLabel(build), modelHash, args: profileToLlamaArgs({ cache }), check }))
    .digest("hex")
    .slice(0, 24);
  const path = speedCachePath(key);
  if (existsSync(path)) return JSON.parse(readFileSync(path, "utf8")) as SpeedPoint[];
  const { points } = await measureSpeed({
    modelPath,
    cache,
    promptTokens: check.promptTokens,
    genTokens: check.genTokens,
    depths: [check.depth],
    repetitions: check.repetitions,
    threads: check.threads,
  });
  writeJsonAtomic(path, points);
  return points;
}

/** Prompt and generation speed of a K/V cache relative to the f16 cache, both measured with llama-bench here. */
export async function relativeSpeed(
  modelPath: string,
  modelHash: string,
  build: BuildInfo,
  cache: ProfileCache,
  check: SpeedCheck,
): Promise<RelativeSpeed> {
  const tps = (points: SpeedPoint[], test: "pp" | "tg") => points.find((p) => p.test === test)!.medianTps;
  const f16 = await speedPoints(modelPath, modelHash, build, pairCache(f16Pair), check);
  const points = await speedPoints(modelPath, modelHash, build, cache, check);
  const promptRatio = tps(points, "pp") / tps(f16, "pp");
  const generationRatio = tps(points, "tg") / tps(f16, "tg");
  return {
    ratio: Math.min(promptRatio, generationRatio),
    promptTps: tps(points, "pp"),
    generationTps: tps(points, "tg"),
    f16PromptTps: tps(f16, "pp"),
    f16GenerationTps: tps(f16, "tg"),
    depth: check.depth,
  };
}
