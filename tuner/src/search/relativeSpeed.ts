import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { z } from "zod";
import { benchCacheArgs, measureSpeed, type SpeedPoint } from "../bench/llamaBench.ts";
import { speedCachePath } from "../config.ts";
import { buildLabel, type BuildInfo } from "../native/buildInfo.ts";
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

const f16Args = ["-ctk", "f16", "-ctv", "f16"];

/** llama-bench's points for one setting, cached per build, model, setting and check. */
async function speedPoints(
  modelPath: string,
  modelHash: string,
  build: BuildInfo,
  args: string[],
  check: SpeedCheck,
): Promise<SpeedPoint[]> {
  const key = createHash("sha256")
    .update(JSON.stringify({ build: buildLabel(build), modelHash, args, check }))
    .digest("hex")
    .slice(0, 24);
  const path = speedCachePath(key);
  if (existsSync(path)) return JSON.parse(readFileSync(path, "utf8")) as SpeedPoint[];
  const { points } = await measureSpeed({
    modelPath,
    cacheArgs: benchCacheArgs(args),
    promptTokens: check.promptTokens,
    genTokens: check.genTokens,
    depths: [check.depth],
    repetitions: check.repetitions,
    threads: check.threads,
  });
  writeJsonAtomic(path, points);
  return points;
}

/** Prompt and generation speed of a setting relative to the f16 cache, both measured with llama-bench here. */
export async function relativeSpeed(
  modelPath: string,
  modelHash: string,
  build: BuildInfo,
  args: string[],
  check: SpeedCheck,
): Promise<RelativeSpeed> {
  const tps = (points: SpeedPoint[], test: "pp" | "tg") => points.find((p) => p.test === test)!.medianTps;
  const f16 = await speedPoints(modelPath, modelHash, build, f16Args, check);
  const setting = await speedPoints(modelPath, modelHash, build, args, check);
  const promptRatio = tps(setting, "pp") / tps(f16, "pp");
  const generationRatio = tps(setting, "tg") / tps(f16, "tg");
  return {
    ratio: Math.min(promptRatio, generationRatio),
    promptTps: tps(setting, "pp"),
    generationTps: tps(setting, "tg"),
    f16PromptTps: tps(f16, "pp"),
    f16GenerationTps: tps(f16, "tg"),
    depth: check.depth,
  };
}
