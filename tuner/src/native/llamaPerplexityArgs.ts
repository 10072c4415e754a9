import { availableParallelism } from "node:os";

/** Which model and window a llama-perplexity run scores (an eval setup has these fields). */
export interface PerplexityRun {
  modelPath: string;
  /** tokens per chunk */
  ctx: number;
  chunks: number;
  /** CPU threads. Defaults to all cores. */
  threads?: number;
}

/**
 * llama-perplexity's flags for one run; the caller adds the text (`-f`) or the KL-divergence files. `kvArgs` are the
 * setting's K/V flags as profileToLlamaArgs spells them (common/arg.cpp, flash attention on). One sequence per batch
 * (-b = ctx), so the K/V cache holds exactly `ctx` cells, and -lv 4 so the patched llama.cpp prints its per-layer
 * K/V report.
 */
export function llamaPerplexityArgs(run: PerplexityRun, kvArgs: readonly string[]): string[] {
  return [
    ...["-m", run.modelPath, "-c", String(run.ctx), "-b", String(run.ctx), "--chunks", String(run.chunks)],
    ...["-t", String(run.threads ?? availableParallelism()), "-lv", "4", "--no-warmup"],
    ...kvArgs,
  ];
}
