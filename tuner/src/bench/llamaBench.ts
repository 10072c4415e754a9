import { availableParallelism } from "node:os";
import { z } from "zod";
import { runNativeTool, type RunOptions } from "../native/run.ts";

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
  /** the K/V setting's llama.cpp flags (uniform -ctk/-ctv or per-layer) */
  cacheArgs: string[];
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

// llama-bench has its own flag parser: -fa takes 0/1, the rest of the K/V flags are the same
export const benchCacheArgs = (args: string[]) => {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === "-fa") i++;
    else out.push(args[i]!);
  }
  return out;
};

/** Prompt and generation speed of one K/V setting, flash attention on, median of the repetitions. */
export async function measureSpeed(
  request: SpeedRequest,
  options: RunOptions = {},
): Promise<{ points: SpeedPoint[]; records: BenchRecord[] }> {
  const run = await runNativeTool(
    "llama-bench",
    [
      "-m",
      request.modelPath,
      "-p",
      String(request.promptTokens),
      "-n",
      String(request.genTokens),
      "-d",
      request.depths.join(","),
      "-r",
      String(request.repetitions),
      "-t",
      String(request.threads ?? availableParallelism()),
      "-fa",
      "1",
      "-o",
      "json",
      ...request.cacheArgs,
    ],
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
