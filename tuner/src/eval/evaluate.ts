import { existsSync, readFileSync } from "node:fs";
import { evalResultPath } from "../config.ts";
import { parseKvCacheReport } from "../native/kvReport.ts";
import { llamaPerplexityArgs } from "../native/llamaPerplexityArgs.ts";
import { parseKlDivergence, parseKlRunPerplexity } from "../native/perplexityOutput.ts";
import { runNativeTool } from "../native/run.ts";
import { writeJsonAtomic } from "../util/atomicFile.ts";
import { evalCacheKey } from "./cacheKey.ts";
import { ensureKlBaseline } from "./klBaseline.ts";
import { parsePairedQuality, scoredTokensPerChunk } from "./pairedQuality.ts";
import type { EvalResult, EvalSetup, KvSetting } from "./types.ts";

export interface EvaluateOptions {
  signal?: AbortSignal;
  /** chunks scored so far, of `setup.chunks`; `phase` says whether the f16 baseline or the setting runs */
  onProgress?: (done: number, total: number, phase: "baseline" | "setting") => void;
  /** skip the result cache (the baseline is still reused) */
  fresh?: boolean;
}

export interface EvaluateOutcome {
  result: EvalResult;
  fromCache: boolean;
  baselineComputed: boolean;
}

function resultPath(setup: EvalSetup, setting: KvSetting): string {
  return evalResultPath(evalCacheKey(setup, setting.args));
}

// llama-perplexity prints one "[n]ppl," per chunk (baseline) or one table row per chunk (KL run)
function chunkCounter(total: number, phase: "baseline" | "setting", report?: EvaluateOptions["onProgress"]) {
  let done = 0;
  return (line: string) => {
    if (/^\[\d+\]/.test(line.trim()) || /^\s*\d+\s+\d+\.\d+\s+/.test(line)) {
      done = Math.min(total, done + 1);
      report?.(done, total, phase);
    }
  };
}

/**
 * The cached result of a setting, if it was measured before under the same setup. A result from before the paired
 * statistics were kept has no interval to decide on: it is measured again.
 */
export function cachedResult(setup: EvalSetup, setting: KvSetting): EvalResult | undefined {
  const path = resultPath(setup, setting);
  if (!existsSync(path)) return undefined;
  const result = JSON.parse(readFileSync(path, "utf8")) as Partial<EvalResult>;
  return result.paired ? (result as EvalResult) : undefined;
}

/**
 * Perplexity, KL-divergence and top-1 agreement of one K/V setting against the f16 cache, on the same text,
 * with the exact K/V bytes llama.cpp allocated. Cached per (build, model, text, ctx, chunks, setting).
 */
export async function evaluate(
  setup: EvalSetup,
  setting: KvSetting,
  options: EvaluateOptions = {},
): Promise<EvaluateOutcome> {
  const cached = options.fresh ? undefined : cachedResult(setup, setting);
  if (cached) {
    return { result: cached, fromCache: true, baselineComputed: false };
  }

  const baseline = await ensureKlBaseline(setup, {
    signal: options.signal,
    onLine: chunkCounter(setup.chunks, "baseline", options.onProgress),
  });

  const run = await runNativeTool(
    "llama-perplexity",
    [...llamaPerplexityArgs(setup, setting.args), "--kl-divergence-base", baseline.path, "--kl-divergence"],
    { signal: options.signal, onLine: chunkCounter(setup.chunks, "setting", options.onProgress) },
  );

  const ppl = parseKlRunPerplexity(run.all);
  const kl = parseKlDivergence(run.all);
  const result: EvalResult = {
    setting,
    ppl: ppl.ppl,
    pplError: ppl.pplError,
    pplBase: kl.pplBase,
    deltaPpl: ppl.ppl - kl.pplBase,
    deltaPplPct: ((ppl.ppl - kl.pplBase) / kl.pplBase) * 100,
    meanKld: kl.meanKld,
    meanKldError: kl.meanKldError,
    top1Agreement: kl.sameTop,
    paired: parsePairedQuality(run.all, scoredTokensPerChunk(setup.ctx)),
    kv: parseKvCacheReport(run.all, "llama-perplexity"),
    wallMs: run.wallMs,
  };
  writeJsonAtomic(resultPath(setup, setting), result);
  return { result, fromCache: false, baselineComputed: baseline.computed };
}
