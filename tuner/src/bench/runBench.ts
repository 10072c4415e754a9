import { cpus, platform, release } from "node:os";
import { evaluate } from "../eval/evaluate.ts";
import { checkKvBytes } from "../eval/kvCheck.ts";
import type { ResolvedSetting } from "../eval/kvSetting.ts";
import type { EvalSetup } from "../eval/types.ts";
import { kvCacheBytes } from "../model/kvBytes.ts";
import type { ModelFacts } from "../model/gguf.ts";
import { buildLabel } from "../native/buildInfo.ts";
import { KvBytesMismatchError } from "../eval/kvCheck.ts";
import { measureKvMemory } from "./kvMemory.ts";
import { benchCacheArgs, measureSpeed } from "./llamaBench.ts";
import type { BenchReport, BenchRow } from "./types.ts";

export interface BenchOptions {
  contexts: number[];
  promptTokens: number;
  genTokens: number;
  depths: number[];
  repetitions: number;
  threads: number;
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
  const total = settings.length * (options.contexts.length + 2);
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
    const { result } = await evaluate(setup, setting, { signal: options.signal });
    checkKvBytes(setting.label, result.kv, facts, setting.types, setup.ctx);
    step(`quality ${setting.label}`);
    const speed = await measureSpeed(
      {
        modelPath: setup.modelPath,
        cacheArgs: benchCacheArgs(setting.args),
        promptTokens: options.promptTokens,
        genTokens: options.genTokens,
        depths: options.depths,
        repetitions: options.repetitions,
        threads: options.threads,
      },
      { signal: options.signal },
    );
    step(`speed ${setting.label}`);
    measured.push({ setting, kvBytes, result, speed });
  }

  const reference = measured.find(
    (m) => m.setting.types.k.every((t) => t === "f16") && m.setting.types.v.every((t) => t === "f16"),
  );
  const rows: BenchRow[] = measured.map(({ setting, kvBytes, result, speed }) => ({
    label: setting.label,
    kvBytes,
    savingPct: Object.fromEntries(
      options.contexts.map((ctx) => [
        ctx,
        reference ? (1 - kvBytes[ctx]! / reference.kvBytes[ctx]!) * 100 : Number.NaN,
      ]),
    ),
    quality: {
      ppl: result.ppl,
      pplBase: result.pplBase,
      deltaPpl: result.deltaPpl,
      deltaPplPct: result.deltaPplPct,
      meanKld: result.meanKld,
      top1Agreement: result.top1Agreement,
    },
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
