import { availableParallelism } from "node:os";
import { z } from "zod";
import { llamaBenchArgs } from "../native/llamaBenchArgs.ts";
import { runNativeTool, type RunOptions } from "../native/run.ts";
import type { ProfileCache } from "../profiles/schema.ts";

/** One llama-bench measurement (its -o json record, the fields we use). */
const benchRecordSchema = z.object({
  n_prompt: z.number(),
  n_gen: z.number(),
  n_depth: z.number(),
  type_k: z.string(),
  type_v: z.string(),
  samples_ts: z.array(z.number()),
  build_commit: z.string(),
  cpu_info: z.string(),
  backends: z.string(),
  n_threads: z.number(),
});

export type BenchRecord = z.infer<typeof benchRecordSchema>;

export interface SpeedPoint {
  /** "pp" = prompt processing, "tg" = token generation */
  test: "pp" | "tg";
  tokens: number;
  depth: number;
  /** median tokens/s over the repetitions */
  medianTps: number;
  samplesTps: number[];
}

export interface SpeedRequest {
  modelPath: string;
  /** the K/V cache measured */
  cache: ProfileCache;
  promptTokens: number;
  genTokens: number;
  depths: number[];
  repetitions: number;
  threads?: number;
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Prompt and generation speed of one K/V setting, flash attention on, median of the repetitions. */
export async function measureSpeed(
  request: SpeedRequest,
  options: RunOptions = {},
): Promise<{ points: SpeedPoint[]; records: BenchRecord[] }> {
  const run = await runNativeTool(
    "llama-bench",
    llamaBenchArgs({
      modelPath: request.modelPath,
      promptTokens: request.promptTokens,
      genTokens: request.genTokens,
      depths: request.depths,
      repetitions: request.repetitions,
      threads: request.threads ?? availableParallelism(),
      json: true,
      kv: request.cache,
    }),
    options,
  );
  const records = z.array(benchRecordSchema).parse(JSON.parse(run.stdout));
  const points = records.map((r): SpeedPoint => {
    const test = r.n_gen > 0 ? "tg" : "pp";
    return {
      test,
      tokens: test === "tg" ? r.n_gen : r.n_prompt,
      depth: r.n_depth,
      medianTps: median(r.samples_ts),
      samplesTps: r.samples_ts,
    };
  });
  return { points, records };
}
