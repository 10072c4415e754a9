import type { RetrievalScore } from "../eval/retrieval.ts";
import type { Interval } from "../eval/pairedQuality.ts";
import type { EvalResult } from "../eval/types.ts";
import type { SpeedPoint } from "./llamaBench.ts";
import type { MaxContextMeasurement } from "./maxContext.ts";

/** Quality against f16: point estimates and their 95% intervals from the paired per-token differences. */
export interface BenchQuality extends Pick<
  EvalResult,
  "ppl" | "pplBase" | "deltaPpl" | "deltaPplPct" | "meanKld" | "top1Agreement"
> {
  deltaPplPctInterval: Interval;
  meanKldInterval: Interval;
}

/** Quality against f16 at one long context: each chunk's second half scored with the first half as context. */
export interface LongContextQuality extends BenchQuality {
  ctx: number;
  chunks: number;
}

/** One row of the bench table: a K/V setting measured for memory, quality and speed on one machine in one run. */
export interface BenchRow {
  label: string;
  /** K/V bytes llama.cpp allocated for one sequence, by context size */
  kvBytes: Record<number, number>;
  /** share of the f16 row's bytes saved, by context size, in percent */
  savingPct: Record<number, number>;
  quality: BenchQuality;
  /** the same measures at each long context of the run */
  longContext: LongContextQuality[];
  /** passkey retrieval at each length of the run */
  retrieval: RetrievalScore[];
  /** the largest context that fits the run's K/V memory limit, by the server and by the formula */
  maxContext?: MaxContextMeasurement;
  speed: SpeedPoint[];
  /** tokens/s relative to the f16 row at the same test and depth: 1.0 = as fast */
  speedVsF16: { test: "pp" | "tg"; depth: number; ratio: number }[];
}

export interface BenchReport {
  model: { file: string; headerHash: string };
  text: { name: string; sha256: string };
  ctx: number;
  chunks: number;
  build: string;
  machine: { cpu: string; cores: number; threads: number; backend: string; os: string };
  contexts: number[];
  /** long contexts quality was measured at, and chunks per context */
  longContexts: number[];
  longChunks: number;
  passkey: { lengths: number[]; trials: number };
  /** K/V memory limit the max-context column is for */
  kvMemoryLimitBytes?: number;
  speedTest: { promptTokens: number; genTokens: number; depths: number[]; repetitions: number };
  rows: BenchRow[];
  createdAt: string;
}
