import { basename } from "node:path";
import type { EvalSetup } from "../eval/types.ts";
import type { ModelFacts } from "../model/gguf.ts";
import { kvBytesPerToken } from "../model/kvBytes.ts";
import type { Profile } from "../profiles/schema.ts";
import { describeBudget, type QualityBudget } from "./budget.ts";
import type { SearchOutcome } from "./runSearch.ts";
import type { Measurement } from "./study.ts";
import { decidingMeasurement } from "./summary.ts";

const quality = (
  r: Pick<Measurement, "deltaPplPct" | "deltaPpl" | "meanKld" | "top1Agreement" | "pplBase"> & {
    deltaPplPctInterval: [number, number];
    meanKldInterval: [number, number];
    ppl?: number;
  },
  setup: EvalSetup,
  chunks: number,
) => ({
  deltaPplPct: r.deltaPplPct,
  deltaPpl: r.deltaPpl,
  ppl: r.ppl ?? r.pplBase + r.deltaPpl,
  pplBase: r.pplBase,
  meanKld: Math.max(0, r.meanKld),
  deltaPplPctInterval: r.deltaPplPctInterval,
  meanKldInterval: r.meanKldInterval,
  top1Agreement: r.top1Agreement,
  evalText: { name: setup.text.name, sha256: setup.text.sha256 },
  ctx: setup.ctx,
  chunks,
});

/** A profile name from the model and the budget: "gemma-3-270m-q4-k-m-1pct". */
export function defaultProfileName(facts: ModelFacts, budget: QualityBudget): string {
  const stem = basename(facts.fileName, ".gguf")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "");
  const limit = budget.kind === "percent" ? `${budget.percent}pct` : `dppl${budget.deltaPpl}`;
  return `${stem}-${limit.replace(".", "p")}`.slice(0, 64);
}

/** The search's winner as a precision profile: per-layer types, both quality figures with intervals, the budget, the build. */
export function profileFromSearch(outcome: SearchOutcome, name: string): Profile {
  const { best, confirmation, searchSetup, confirmSetup, facts, budget, build } = outcome;
  const deciding = decidingMeasurement(best);
  return {
    schemaVersion: 1,
    name,
    description: `searched for ${describeBudget(budget.given)} (upper 95% bound) on ${searchSetup.text.name}, confirmed on ${confirmSetup.text.name}; K/V bytes priced at ${outcome.study.targetCtx} tokens`,
    createdAt: new Date().toISOString(),
    source: "search",
    cache: { mode: "per-layer", k: outcome.types.k, v: outcome.types.v },
    model: { fileName: facts.fileName, sizeBytes: facts.sizeBytes, headerHash: facts.headerHash, nLayer: facts.nLayer },
    kvBytesPerToken: kvBytesPerToken(facts, outcome.types),
    quality: {
      ...quality(deciding, searchSetup, deciding.chunks),
      confirmation: quality(confirmation, confirmSetup, confirmation.chunks),
    },
    budget: {
      maxDeltaPplPct: budget.percent,
      maxDeltaPpl: budget.deltaPpl,
      trials: outcome.study.trials.length,
      seed: outcome.seed,
      ...(outcome.speed ? { minSpeed: outcome.speed.minSpeed } : {}),
    },
    llamaBuild: { tag: build.llamaCppTag, patchHash: build.patchHash },
    ...(best.speed
      ? {
          speed: {
            ctx: best.speed.depth,
            promptTokensPerSecond: best.speed.promptTps,
            generationTokensPerSecond: best.speed.generationTps,
            f16PromptTokensPerSecond: best.speed.f16PromptTps,
            f16GenerationTokensPerSecond: best.speed.f16GenerationTps,
          },
        }
      : {}),
  };
}
