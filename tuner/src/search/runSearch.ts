import { createHash } from "node:crypto";
import { join } from "node:path";
import { cacheDir } from "../config.ts";
import { evalCacheKey } from "../eval/cacheKey.ts";
import { EvalTextTooShortError } from "../eval/errors/EvalTextTooShortError.ts";
import { cachedResult, evaluate } from "../eval/evaluate.ts";
import { splitEvalText, type EvalText } from "../eval/evalText.ts";
import { checkKvBytes } from "../eval/kvCheck.ts";
import type { EvalResult, EvalSetup, KvSetting } from "../eval/types.ts";
import type { ModelFacts } from "../model/gguf.ts";
import { profileToLlamaArgs } from "../profiles/args.ts";
import type { PerLayerTypes } from "../profiles/perLayerTypes.ts";
import type { KvType } from "../profiles/schema.ts";
import { categorical, TpeSampler, type FrozenTrial, type SearchSpace } from "./tpe/index.ts";
import {
  assignmentBytes,
  assignmentKey,
  fromParams,
  paramName,
  toLayerTypes,
  toParams,
  uniformAssignment,
  type GroupAssignment,
} from "./assignment.ts";
import { budgetViolation, describeBudget, type QualityBudget } from "./budget.ts";
import { greedyAssignment, pplPerKld, type GreedyStart, type Sensitivity } from "./costModel.ts";
import { EvalTextTooShortToSplitError, NoProfileWithinBudgetError } from "./errors.ts";
import { groupLayers, type LayerGroups } from "./groups.ts";
import { pairAllowed, probeTypeSupport } from "./probeTypes.ts";
import { defaultSpeedCheck, relativeSpeed, type SpeedCheck } from "./relativeSpeed.ts";
import { StudyStore, type Study, type Trial } from "./study.ts";

export const defaultSearchTypes: KvType[] = ["f16", "q8_0", "q5_1", "q5_0", "q4_1", "q4_0", "iq4_nl"];

export interface SearchOptions {
  facts: ModelFacts;
  /** the whole eval text: the search measures on its first half, the confirmation on the second */
  text: EvalText;
  build: EvalSetup["build"];
  ctx: number;
  chunks: number;
  threads?: number;
  budget: QualityBudget;
  /** the context the K/V bytes objective is priced at */
  targetCtx: number;
  /** TPE trials after the seeded ones */
  trials: number;
  /** stop proposing new trials after this long (the confirmation still runs) */
  timeLimitMs: number;
  grouping: string;
  types: KvType[];
  seed: number;
  /** a second constraint: speed relative to f16 (llama-bench on this machine), e.g. 0.95 */
  minSpeed?: number;
  speedCheck?: SpeedCheck;
  /**
   * new uncached confirmations at most (default 8); cached ones are free. Each costs one eval, and the smallest
   * candidates are the likeliest to fail on the unseen half, so too few left a search with many candidates empty.
   */
  maxConfirmations?: number;
  signal?: AbortSignal;
  onEvent?: (event: SearchEvent) => void;
}

export type SearchEvent =
  | { kind: "phase"; phase: "probe" | "uniform" | "sensitivity" | "greedy" | "tpe" | "confirm"; detail: string }
  | { kind: "trial"; trial: Trial; fromCache: boolean; done: number; planned: number; bestBytes?: number };

export interface SearchOutcome {
  study: Study;
  groups: LayerGroups;
  types: PerLayerTypes;
  best: Trial;
  confirmation: EvalResult;
  searchSetup: EvalSetup;
  confirmSetup: EvalSetup;
  /** the uniform settings measured in the same run, for the comparison table */
  uniform: Trial[];
}

const uniformSeeds: [KvType, KvType][] = [
  ["q8_0", "q8_0"],
  ["q8_0", "q4_0"],
  ["q4_0", "q8_0"],
  ["q4_0", "q4_0"],
];

/** The setting llama.cpp gets for an assignment: plain -ctk/-ctv when it is uniform (identical, and cache-shared with eval and bench). */
function settingFor(types: PerLayerTypes, label: string): KvSetting {
  const k = new Set(types.k);
  const v = new Set(types.v);
  const cache =
    k.size === 1 && v.size === 1
      ? ({ mode: "uniform", k: types.k[0]!, v: types.v[0]! } as const)
      : ({ mode: "per-layer", k: types.k, v: types.v } as const);
  return { label, args: profileToLlamaArgs({ cache }) };
}

/**
 * Finds the per-layer (K, V) types with the fewest K/V bytes whose perplexity stays within the budget:
 * uniform seeds, a measured sensitivity pass, greedy knapsack candidates from it, then TPE; the cheapest
 * assignment within budget on the search text that also holds on a disjoint confirmation text wins.
 * Every measurement is cached and every trial persisted, so a killed search resumes where it stopped.
 */
export async function runSearch(options: SearchOptions): Promise<SearchOutcome> {
  const started = performance.now();
  const { facts, budget } = options;
  const emit = (event: SearchEvent) => options.onEvent?.(event);

  const [searchText, confirmText] = splitEvalText(options.text, 2, join(cacheDir(), "texts"));
  const setupFor = (text: EvalText): EvalSetup => ({
    modelPath: facts.path,
    modelHash: facts.headerHash,
    text,
    ctx: options.ctx,
    chunks: options.chunks,
    build: options.build,
    threads: options.threads,
  });
  const searchSetup = setupFor(searchText!);
  const confirmSetup = setupFor(confirmText!);

  emit({ kind: "phase", phase: "probe", detail: "probing K/V types with flash attention" });
  const support = await probeTypeSupport(facts.path, facts.headerHash, options.build, options.types);
  const allowed = pairAllowed(support);
  const types = support.types;
  const groups = groupLayers(facts.layers, options.grouping);
  const nGroups = groups.length;
  // a backend that only runs K and V of one type gets one parameter per group
  const tied = types.some((k) => types.some((v) => !allowed(k, v)));

  const speedCheck = options.speedCheck ?? defaultSpeedCheck;
  const key = createHash("sha256")
    .update(
      JSON.stringify({
        eval: evalCacheKey(searchSetup, "search"),
        groups,
        targetCtx: options.targetCtx,
        types,
        tied,
        speed: options.minSpeed === undefined ? undefined : speedCheck,
      }),
    )
    .digest("hex")
    .slice(0, 20);
  const store = new StudyStore(join(cacheDir(), "search", `${key}.json`));
  const study: Study = store.load(key) ?? {
    version: 1,
    key,
    description: `${facts.fileName} on ${searchText!.name}, ctx ${options.ctx} × ${options.chunks} chunks, bytes at ${options.targetCtx}`,
    groups,
    targetCtx: options.targetCtx,
    trials: [],
  };

  const bytesOf = (a: GroupAssignment) =>
    assignmentBytes(facts, toLayerTypes(a, groups, facts.nLayer), options.targetCtx);
  const { minSpeed } = options;
  const speedOf = (args: string[]) =>
    relativeSpeed(facts.path, facts.headerHash, options.build, args, { ...speedCheck, threads: options.threads });
  // speed not measured yet is unknown: no violation for the sampler, but not feasible for the result
  const speedViolation = (t: Trial) => (minSpeed === undefined || !t.speed ? 0 : minSpeed - t.speed.ratio);
  const fastEnough = (t: Trial) => minSpeed === undefined || (t.speed !== undefined && t.speed.ratio >= minSpeed);
  const feasible = (t: Trial) => budgetViolation(budget, t) <= 0 && fastEnough(t);
  const bestBytes = () => Math.min(...study.trials.filter(feasible).map((t) => t.bytes));
  const seededPlanned = uniformSeeds.length + 2 * nGroups + 4;
  const planned = () => Math.max(study.trials.length, seededPlanned + options.trials);
  const timeLeft = () => options.timeLimitMs - (performance.now() - started);

  async function measure(assignment: GroupAssignment, origin: Trial["origin"]): Promise<Trial> {
    const types = toLayerTypes(assignment, groups, facts.nLayer);
    const known = study.trials.find(
      (t) => t.origin === origin && assignmentKey(t.assignment) === assignmentKey(assignment),
    );
    if (known && origin !== "tpe") return known;
    const setting = settingFor(types, `${origin} #${study.trials.length}`);
    const { result, fromCache } = await evaluate(searchSetup, setting, { signal: options.signal });
    const measuredBytes = checkKvBytes(setting.label, result.kv, facts, types, options.ctx);
    const trial: Trial = {
      number: study.trials.length,
      origin,
      assignment,
      bytes: bytesOf(assignment),
      deltaPpl: result.deltaPpl,
      deltaPplPct: result.deltaPplPct,
      meanKld: result.meanKld,
      top1Agreement: result.top1Agreement,
      pplBase: result.pplBase,
      measuredBytes,
      wallMs: fromCache ? 0 : result.wallMs,
      finishedAt: new Date().toISOString(),
    };
    // a speed check is a llama-bench run at depth: only for a trial that would become the best so far
    if (minSpeed !== undefined && budgetViolation(budget, trial) <= 0 && trial.bytes < bestBytes())
      trial.speed = await speedOf(setting.args);
    study.trials.push(trial);
    store.save(study);
    const best = bestBytes();
    emit({
      kind: "trial",
      trial,
      fromCache,
      done: study.trials.length,
      planned: planned(),
      bestBytes: Number.isFinite(best) ? best : undefined,
    });
    return trial;
  }

  try {
    emit({ kind: "phase", phase: "uniform", detail: "uniform settings" });
    const uniform: Trial[] = [];
    for (const [k, v] of uniformSeeds) {
      if (allowed(k, v) && types.includes(k) && types.includes(v))
        uniform.push(await measure(uniformAssignment(nGroups, k, v), "uniform"));
    }

    // what lowering one group's K (or V) alone costs, measured at the smallest 4.5-bit type
    emit({ kind: "phase", phase: "sensitivity", detail: `${2 * nGroups} single-group downgrades` });
    const low: KvType = types.includes("q4_0") ? "q4_0" : types[types.length - 1]!;
    const full: KvType = types[0]!;
    const sensitivities: Sensitivity[] = [];
    for (let g = 0; g < nGroups; g++) {
      for (const component of tied ? (["k"] as const) : (["k", "v"] as const)) {
        const assignment = uniformAssignment(nGroups, full, full);
        assignment[component][g] = low;
        if (tied) assignment.v[g] = low;
        const trial = await measure(assignment, "sensitivity");
        sensitivities.push({ group: g, component, type: low, kld: trial.meanKld });
      }
    }

    emit({ kind: "phase", phase: "greedy", detail: "knapsack candidates from the sensitivities" });
    const pctBudget = budget.kind === "percent" ? budget.percent : (budget.deltaPpl / study.trials[0]!.pplBase) * 100;
    // only the trials measured before this phase: a resumed search must compute the same candidates
    const seeded = study.trials.filter((t) => t.origin === "uniform" || t.origin === "sensitivity");
    const kldBudget = pctBudget / pplPerKld(seeded);
    // from all-f16, and from the cheapest measured trial within budget (usually a uniform setting)
    const starts: GreedyStart[] = [{ assignment: uniformAssignment(nGroups, full, full), kld: 0 }];
    const cheapest = seeded.filter(feasible).sort((a, b) => a.bytes - b.bytes)[0];
    if (cheapest) starts.push({ assignment: cheapest.assignment, kld: cheapest.meanKld });
    const seen = new Set(study.trials.map((t) => assignmentKey(t.assignment)));
    for (const start of starts) {
      for (const safety of [0.75, 1]) {
        const candidate = greedyAssignment(start, types, sensitivities, kldBudget * safety, bytesOf, allowed);
        if (seen.has(assignmentKey(candidate))) continue;
        seen.add(assignmentKey(candidate));
        await measure(candidate, "greedy");
      }
    }

    emit({ kind: "phase", phase: "tpe", detail: `TPE, ${options.trials} trials` });
    const space: SearchSpace = Object.fromEntries(
      Array.from({ length: nGroups }, (_, g) =>
        tied
          ? [[paramName("k", g), categorical(types)]]
          : [
              [paramName("k", g), categorical(types)],
              [paramName("v", g), categorical(types)],
            ],
      ).flat(),
    );
    const sampler = new TpeSampler({ seed: options.seed, constraints: true });
    const frozen = (): FrozenTrial[] =>
      study.trials.map((t) => ({
        params: toParams(t.assignment),
        value: t.bytes,
        constraint: [budgetViolation(budget, t), speedViolation(t)],
        state: "complete",
      }));
    const lastEvalMs = () => Math.max(20_000, ...study.trials.slice(-3).map((t) => t.wallMs));
    let tpeDone = study.trials.filter((t) => t.origin === "tpe").length;
    while (tpeDone < options.trials && timeLeft() > 4 * lastEvalMs()) {
      const params = sampler.suggest(space, frozen());
      const assignment = fromParams(params, nGroups);
      if (tied) assignment.v = [...assignment.k];
      await measure(assignment, "tpe");
      tpeDone++;
    }

    // the cheapest within budget on the search text that holds on text it never saw
    emit({ kind: "phase", phase: "confirm", detail: `confirming on ${confirmText!.name}` });
    const finalists = [
      ...new Map(
        study.trials.filter((t) => budgetViolation(budget, t) <= 0).map((t) => [assignmentKey(t.assignment), t]),
      ).values(),
    ].sort((a, b) => a.bytes - b.bytes);
    let fresh = 0;
    let tooSlow = 0;
    for (const trial of finalists) {
      const types = toLayerTypes(trial.assignment, groups, facts.nLayer);
      const setting = settingFor(types, `confirm #${trial.number}`);
      // past the limit only already-measured confirmations are considered
      const pastLimit = fresh >= (options.maxConfirmations ?? 8);
      const cached = pastLimit ? cachedResult(confirmSetup, setting) : undefined;
      if (pastLimit && !(cached && budgetViolation(budget, cached) <= 0)) continue;
      if (minSpeed !== undefined && !trial.speed) {
        trial.speed = await speedOf(setting.args);
        store.save(study);
      }
      if (!fastEnough(trial)) {
        tooSlow++;
        continue;
      }
      if (cached)
        return { study, groups, types, best: trial, confirmation: cached, searchSetup, confirmSetup, uniform };
      const { result, fromCache } = await evaluate(confirmSetup, setting, { signal: options.signal });
      if (!fromCache) fresh++;
      if (budgetViolation(budget, result) <= 0)
        return { study, groups, types, best: trial, confirmation: result, searchSetup, confirmSetup, uniform };
    }
    const slowNote = tooSlow > 0 ? `, ${tooSlow} of them slower than ${minSpeed}× f16` : "";
    throw new NoProfileWithinBudgetError(
      describeBudget(budget),
      finalists.length === 0
        ? `none of ${study.trials.length} measured assignments stayed within it on ${searchText!.name}`
        : `${finalists.length} stayed within it on ${searchText!.name}${slowNote}, none of the rest held on ${confirmText!.name}`,
    );
  } catch (error) {
    if (error instanceof EvalTextTooShortError)
      throw new EvalTextTooShortToSplitError(options.text.name, error.message);
    throw error;
  }
}
