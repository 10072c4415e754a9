import { cpus, platform, release } from "node:os";
import { evaluate } from "../eval/evaluate.ts";
import { checkKvBytes } from "../eval/kvCheck.ts";
import type { ResolvedSetting } from "../eval/kvSetting.ts";
import type { EvalResult, EvalSetup } from "../eval/types.ts";
import { kvCacheBytes } from "../model/kvBytes.ts";
import type { ModelFacts } from "../model/gguf.ts";
import { buildLabel } from "../native/buildInfo.ts";
import { KvBytesMismatchError } from "../eval/kvCheck.ts";
import { measureRetrieval } from "../eval/retrieval.ts";
import { measureKvMemory } from "./kvMemory.ts";
import { measureSpeed } from "./llamaBench.ts";
import { measureMaxContext } from "./maxContext.ts";
import type { BenchReport, BenchRow, LongContextQuality } from "./types.ts";

export interface BenchOptions {
  contexts: number[];
  promptTokens: number;
  genTokens: number;
  depths: number[];
  repetitions: number;
  threads: number;
  /** quality against f16 also at these contexts (tokens per chunk), `longChunks` chunks each */
  longContexts: number[];
  longChunks: number;
  /** passkey retrieval at these lengths, `passkeyTrials` key depths each */
  passkeyLengths: number[];
  passkeyTrials: number;
  /** find the largest context whose K/V cache fits this many bytes, by starting the server */
  kvMemoryLimitBytes?: number;
  /** reports each finished step: "memory k8v4 @ 32768", ... */
  onStep?: (done: number, total: number, step: string) => void;
  signal?: AbortSignal;
}

/** Measures every setting for memory (llama.cpp's own report), quality (KL vs f16) and speed (llama-bench). */
export async function runBench(
  setup: EvalSetup,
  facts: ModelFacts,
  settings: ResolvedSetting[],
  options: BenchOptions,
): Promise<BenchReport> {
  const stepsPerSetting =
    options.contexts.length +
    1 +
    (options.depths.length > 0 ? 1 : 0) +
    options.longContexts.length +
    (options.passkeyLengths.length > 0 ? 1 : 0) +
    (options.kvMemoryLimitBytes !== undefined ? 1 : 0);
  const total = settings.length * stepsPerSetting;
  let done = 0;
  const step = (name: string) => options.onStep?.(++done, total, name);

  const measured = [];
  for (const setting of settings) {
    const kvBytes: Record<number, number> = {};
    for (const ctx of options.contexts) {
      const report = await measureKvMemory(setup.modelPath, setting.args, ctx);
      const expected = kvCacheBytes(facts, setting.types, { nCtx: ctx, nSeqMax: 1 }).total;
      if (report.sizeK + report.sizeV !== expected) {
        throw new KvBytesMismatchError(
          setting.label,
          report.sizeK + report.sizeV,
          expected,
          `llama-server at context ${ctx}`,
        );
      }
      kvBytes[ctx] = report.sizeK + report.sizeV;
      step(`memory ${setting.label} @ ${ctx}`);
    }
    let maxContext;
    if (options.kvMemoryLimitBytes !== undefined) {
      maxContext = await measureMaxContext(setup.modelPath, facts, setting, options.kvMemoryLimitBytes);
      step(`max context ${setting.label}`);
    }
    const { result } = await evaluate(setup, setting, { signal: options.signal });
    checkKvBytes(setting.label, result.kv, facts, setting.types, setup.ctx);
    step(`quality ${setting.label}`);
    const longContext: LongContextQuality[] = [];
    for (const ctx of options.longContexts) {
      const longSetup = { ...setup, ctx, chunks: options.longChunks };
      const long = (await evaluate(longSetup, setting, { signal: options.signal })).result;
      checkKvBytes(setting.label, long.kv, facts, setting.types, ctx);
      longContext.push({ ctx, chunks: options.longChunks, ...qualityOf(long) });
      step(`quality ${setting.label} @ ${ctx}`);
    }
    const retrieval =
      options.passkeyLengths.length > 0
        ? await measureRetrieval({
            modelPath: setup.modelPath,
            cacheArgs: setting.args,
            lengths: options.passkeyLengths,
            trials: options.passkeyTrials,
            trainingCtx: facts.contextLength,
            threads: options.threads,
          })
        : [];
    if (options.passkeyLengths.length > 0) step(`passkey ${setting.label}`);
    // no depths: no speed test (quality runs that share the cores with other work)
    const speed =
      options.depths.length > 0
        ? await measureSpeed(
            {
              modelPath: setup.modelPath,
              cache: setting.profile.cache,
              promptTokens: options.promptTokens,
              genTokens: options.genTokens,
              depths: options.depths,
              repetitions: options.repetitions,
              threads: options.threads,
            },
            { signal: options.signal },
          )
        : { points: [], records: [] };
    if (options.depths.length > 0) step(`speed ${setting.label}`);
    measured.push({ setting, kvBytes, result, longContext, retrieval, maxContext, speed });
  }

  const reference = measured.find(
    (m) => m.setting.types.k.every((t) => t === "f16") && m.setting.types.v.every((t) => t === "f16"),
  );
  const rows: BenchRow[] = measured.map(({ setting, kvBytes, result, longContext, retrieval, maxContext, speed }) => ({
    label: setting.label,
    kvBytes,
    savingPct: Object.fromEntries(
      options.contexts.map((ctx) => [
        ctx,
        reference ? (1 - kvBytes[ctx]! / reference.kvBytes[ctx]!) * 100 : Number.NaN,
      ]),
    ),
    quality: qualityOf(result),
    longContext,
    retrieval,
    maxContext,
    speed: speed.points,
    speedVsF16: speed.points.map((point) => {
      const base = reference?.speed.points.find((p) => p.test === point.test && p.depth === point.depth);
      return { test: point.test, depth: point.depth, ratio: base ? point.medianTps / base.medianTps : Number.NaN };
    }),
  }));

  const firstRecord = measured[0]?.speed.records[0];
  return {
    model: { file: facts.fileName, headerHash: facts.headerHash },
    text: { name: setup.text.name, sha256: setup.text.sha256 },
    ctx: setup.ctx,
    chunks: setup.chunks,
    build: buildLabel(setup.build),
    machine: {
      cpu: firstRecord?.cpu_info ?? cpus()[0]?.model ?? "unknown",
      cores: cpus().length,
      threads: options.threads,
      backend: firstRecord?.backends ?? "unknown",
      os: `${platform()} ${release()}`,
    },
    contexts: options.contexts,
    longContexts: options.longContexts,
    longChunks: options.longChunks,
    passkey: { lengths: options.passkeyLengths, trials: options.passkeyTrials },
    kvMemoryLimitBytes: options.kvMemoryLimitBytes,
    speedTest: {
      promptTokens: options.promptTokens,
      genTokens: options.genTokens,
      depths: options.depths,
      repetitions: options.repetitions,
    },
    rows,
    createdAt: new Date().toISOString(),
  };
}

function qualityOf(result: EvalResult): BenchRow["quality"] {
  return {
    ppl: result.ppl,
    pplBase: result.pplBase,
    deltaPpl: result.deltaPpl,
    deltaPplPct: result.deltaPplPct,
    meanKld: result.meanKld,
    top1Agreement: result.top1Agreement,
    deltaPplPctInterval: result.paired.deltaPplPctInterval,
    meanKldInterval: result.paired.meanKldInterval,
  };
}
