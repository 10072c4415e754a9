import { createHash } from "node:crypto";
import { evalTextPartsDir, searchStudyPath } from "../config.ts";
import { evalCacheKey } from "../eval/cacheKey.ts";
import { chunksCovered, measureChunks, type ChunkMeasurement } from "../eval/chunkBlocks.ts";
import { klBaselinePath } from "../eval/klBaseline.ts";
import { EvalTextTooShortError } from "../eval/errors/EvalTextTooShortError.ts";
import { cachedResult, evaluate } from "../eval/evaluate.ts";
import { existsSync } from "node:fs";
import { splitEvalText } from "../eval/evalText.ts";
import { checkKvBytes } from "../eval/kvCheck.ts";
import { scoredTokensPerChunk } from "../eval/pairedQuality.ts";
import type { EvalResult, EvalSetup, KvSetting } from "../eval/types.ts";
import type { ModelFacts } from "../model/gguf.ts";
import type { BuildInfo } from "../native/buildInfo.ts";
import { profileToLlamaArgs } from "../profiles/args.ts";
import { cacheOfTypes, type PerLayerTypes } from "../profiles/perLayerTypes.ts";
import type { KvType, ProfileCache } from "../profiles/schema.ts";
import { quantizedUniformPairs } from "../profiles/uniformPairs.ts";
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
import {
  budgetViolation,
  describeBudget,
  lowerBoundViolation,
  resolveBudget,
  type QualityBudget,
  type ResolvedBudget,
} from "./budget.ts";
import {
  calibrateSensitivities,
  fitQualityModel,
  greedyAssignment,
  kldBudgetFor,
  predictedAssignmentKld,
  predictedUpperPct,
  type GreedyStart,
  type QualityModel,
  type Sensitivity,
} from "./costModel.ts";
import { decisionCandidates } from "./decisionCandidates.ts";
import { EvalTextTooShortToSplitError, NoProfileWithinBudgetError } from "./errors.ts";
import { groupLayers, type LayerGroups } from "./groups.ts";
import { pairAllowed, probeTypeSupport } from "./probeTypes.ts";
import { defaultSpeedCheck, relativeSpeed, type SpeedCheck } from "./relativeSpeed.ts";
import { chunkLevels, decideSequentially, type Verdict } from "./sequential.ts";
import { StudyStore, type Measurement, type Study, type Trial } from "./study.ts";
import { decidingMeasurement, summarizeSearch, type SearchSummary } from "./summary.ts";

export const defaultSearchTypes: KvType[] = [
  "f16",
  "q8_0",
  "q5_1",
  "q5_0",
  "q4_1",
  "q4_0",
  "iq4_nl",
  "iq3_nl",
  "iq2_nl",
];

/** Chunks a sequential decision first looks at, on either half, unless --decision-chunks says otherwise. */
export const defaultDecisionChunks = 16;

/** The most chunks a sequential decision grows to on either half, unless --max-chunks says otherwise. */
export const defaultMaxChunks = 64;

export interface SearchOptions {
  facts: ModelFacts;
  /** the whole eval text, ctx, screening chunks, build, threads: the search screens on the text's first half */
  setup: EvalSetup;
  /**
   * chunks a candidate is first decided on, on the search half, and first confirmed on, on the second half; an
   * interval that straddles the budget is measured on twice as many, and so on up to `maxChunks`
   */
  decisionChunks: number;
  /** the most chunks a sequential decision grows to on either half (fewer when the half has fewer); default 64 */
  maxChunks?: number;
  budget: QualityBudget;
  /** the context the K/V bytes objective is priced at */
  targetCtx: number;
  /** TPE trials after the seeded ones */
  trials: number;
  /** stop proposing new trials once only the decision's expected time is left (decisions and confirmation still run) */
  timeLimitMs: number;
  grouping: string;
  types: KvType[];
  seed: number;
  /** a second constraint: speed relative to f16 (llama-bench on this machine), e.g. 0.95 */
  minSpeed?: number;
  speedCheck?: SpeedCheck;
  /**
   * per-layer candidates taken to the decision (each costs up to two sequential decisions) before only those measured
   * before are (uniform pairs always are); counted whether cached or not, so a search on more cached measurements
   * decides the same candidates
   */
  maxConfirmations?: number;
  /** false: start the stored study of the same search over instead of continuing it */
  resume?: boolean;
  signal?: AbortSignal;
  onEvent?: (event: SearchEvent) => void;
}

export type SearchPhase = "probe" | "uniform" | "sensitivity" | "greedy" | "tpe" | "confirm";

export type SearchEvent =
  | { kind: "phase"; phase: SearchPhase; detail: string }
  | { kind: "trial"; trial: Trial; fromCache: boolean; done: number; planned: number }
  | {
      kind: "look";
      trial: Trial;
      half: "search" | "confirm";
      measurement: Measurement;
      verdict: Verdict;
      /** the chunks the next look takes, when it grows */
      next?: number;
      /** chunks measured in the decision phase so far, and that plus the most the running decision may still take */
      done: number;
      planned: number;
    };

/** How well the KLD the cost model predicted for a proposed assignment matched the measured one. */
export interface KldPrediction {
  trial: number;
  origin: Trial["origin"];
  predicted: number;
  measured: number;
}

/** Everything a search found and everything it was found under: the profile and the report are built from this. */
export interface SearchOutcome {
  facts: ModelFacts;
  build: BuildInfo;
  budget: ResolvedBudget;
  seed: number;
  speed?: { minSpeed: number; check: SpeedCheck };
  study: Study;
  groups: LayerGroups;
  types: PerLayerTypes;
  best: Trial;
  /** the winner on the unseen half, decided by the same sequential rule (its `chunks` is how many it used) */
  confirmation: Measurement;
  searchSetup: EvalSetup;
  decisionSetup: EvalSetup;
  confirmSetup: EvalSetup;
  /** the most chunks a decision could grow to */
  maxChunks: number;
  /** the uniform settings measured in the same run, for the comparison table */
  uniform: Trial[];
  qualityModel: QualityModel;
  predictions: KldPrediction[];
  summary: SearchSummary;
  wallMs: number;
}

/** The setting llama.cpp gets for an assignment: plain -ctk/-ctv when it is uniform (identical, and cache-shared with eval and bench). */
function settingFor(types: PerLayerTypes, label: string): { setting: KvSetting; cache: ProfileCache } {
  const cache = cacheOfTypes(types);
  return { setting: { label, args: profileToLlamaArgs({ cache }) }, cache };
}

const fromChunks = (m: ChunkMeasurement): Measurement => ({
  chunks: m.chunks,
  deltaPpl: m.deltaPpl,
  deltaPplPct: m.deltaPplPct,
  deltaPplPctInterval: m.deltaPplPctInterval,
  meanKld: m.meanKld,
  meanKldInterval: m.meanKldInterval,
  top1Agreement: m.top1Agreement,
  pplBase: m.pplBase,
  wallMs: m.wallMs,
});

const measurementOf = (result: EvalResult, chunks: number, fromCache: boolean): Measurement => ({
  chunks,
  deltaPpl: result.deltaPpl,
  deltaPplPct: result.deltaPplPct,
  deltaPplPctInterval: result.paired.deltaPplPctInterval,
  meanKld: result.meanKld,
  meanKldInterval: result.paired.meanKldInterval,
  top1Agreement: result.top1Agreement,
  pplBase: result.pplBase,
  wallMs: fromCache ? 0 : result.wallMs,
});

/** One search in progress: its setups, its study, and the one way every phase measures an assignment. */
class SearchRun {
  readonly started = performance.now();
  readonly searchSetup: EvalSetup;
  readonly decisionSetup: EvalSetup;
  readonly confirmSetup: EvalSetup;
  readonly groups: LayerGroups;
  readonly types: KvType[];
  readonly allowed: (k: KvType, v: KvType) => boolean;
  /** a backend that only runs K and V of one type gets one parameter per group */
  readonly tied: boolean;
  readonly study: Study;
  readonly store: StudyStore;
  readonly speedCheck: SpeedCheck;
  readonly maxChunks: number;

  constructor(
    readonly options: SearchOptions,
    support: { types: KvType[]; allowed: (k: KvType, v: KvType) => boolean },
  ) {
    const { facts, setup } = options;
    const [searchText, confirmText] = splitEvalText(setup.text, 2, evalTextPartsDir());
    this.searchSetup = { ...setup, text: searchText! };
    this.decisionSetup = { ...this.searchSetup, chunks: options.decisionChunks };
    this.confirmSetup = { ...setup, text: confirmText!, chunks: options.decisionChunks };
    this.maxChunks = Math.max(options.decisionChunks, options.maxChunks ?? defaultMaxChunks);
    this.types = support.types;
    this.allowed = support.allowed;
    this.tied = this.types.some((k) => this.types.some((v) => !this.allowed(k, v)));
    this.groups = groupLayers(facts.layers, options.grouping);
    this.speedCheck = options.speedCheck ?? defaultSpeedCheck;
    const key = createHash("sha256")
      .update(
        JSON.stringify({
          eval: evalCacheKey(this.searchSetup, "search"),
          decisionChunks: options.decisionChunks,
          // decisions grow while the interval straddles the budget: a study decided on a fixed size is not resumed
          measure: "paired-95-sequential",
          maxChunks: this.maxChunks,
          groups: this.groups,
          targetCtx: options.targetCtx,
          types: this.types,
          tied: this.tied,
          speed: options.minSpeed === undefined ? undefined : this.speedCheck,
        }),
      )
      .digest("hex")
      .slice(0, 20);
    this.store = new StudyStore(searchStudyPath(key));
    this.study = (options.resume === false ? undefined : this.store.load(key)) ?? {
      version: 2,
      key,
      description: `${facts.fileName} on ${searchText!.name}, ctx ${setup.ctx} × ${setup.chunks} chunks (${options.decisionChunks} to ${this.maxChunks} to decide), bytes at ${options.targetCtx}`,
      groups: this.groups,
      targetCtx: options.targetCtx,
      trials: [],
    };
  }

  get nGroups() {
    return this.groups.length;
  }

  emit(event: SearchEvent) {
    this.options.onEvent?.(event);
  }

  bytesOf = (a: GroupAssignment) =>
    assignmentBytes(
      this.options.facts,
      toLayerTypes(a, this.groups, this.options.facts.nLayer),
      this.options.targetCtx,
    );

  settingOf(a: GroupAssignment, label: string) {
    return settingFor(toLayerTypes(a, this.groups, this.options.facts.nLayer), label);
  }

  /** the tokens one measurement of `setup` scores */
  tokensOf = (setup: EvalSetup) => setup.chunks * scoredTokensPerChunk(setup.ctx);

  timeLeft = () => this.options.timeLimitMs - (performance.now() - this.started);

  /** ms per chunk of a llama-perplexity run, from the latest fresh measurements (screening and decision blocks) */
  msPerChunk = 0;
  noteChunkTime(wallMs: number, chunks: number) {
    if (wallMs > 0 && chunks > 0) this.msPerChunk = wallMs / chunks;
  }
  chunkMs() {
    const fresh = this.study.trials.filter((t) => t.wallMs > 0);
    return Math.max(2_000, this.msPerChunk, ...fresh.slice(-3).map((t) => t.wallMs / t.chunks));
  }

  /** The chunk counts a decision looks at on a half: the decision's, doubling, up to the cap. */
  levels() {
    return chunkLevels(this.options.decisionChunks, this.maxChunks);
  }

  /**
   * The expected time of growing a measurement on `setup` from `from` to `to` chunks: the new chunks, and f16's
   * logits for them when no baseline of as many chunks is cached yet.
   */
  growthMs(setup: EvalSetup, from: number, to: number) {
    const baseline = existsSync(klBaselinePath({ ...setup, chunks: to })) ? 0 : to;
    return (to - from + baseline) * this.chunkMs();
  }

  /**
   * What the decision phase is expected to cost, kept free of TPE: about two candidates on the decision's chunks
   * of both halves with their f16 baselines, and one of them grown to the cap on the search half.
   */
  decisionReserveMs() {
    const levels = this.levels();
    const first = levels[0]!;
    const growth = levels.slice(1).reduce((s, n, i) => s + this.growthMs(this.searchSetup, levels[i]!, n), 0);
    return 4 * first * this.chunkMs() + growth;
  }

  /** The quality model fitted on the screening measurements of these trials. */
  qualityModel(trials: Trial[]): QualityModel {
    const tokens = this.tokensOf(this.searchSetup);
    return fitQualityModel(trials.map((t) => ({ ...t, tokens })));
  }

  /** Whether a screened trial may still be within budget once measured on the decision's tokens. */
  screenViolation(t: Trial, model: QualityModel): number {
    if (t.decision) return budgetViolation(this.options.budget, t.decision);
    const budgetPct = resolveBudget(this.options.budget, t.pplBase).percent;
    const predicted = predictedUpperPct(model, Math.max(0, t.meanKld), this.tokensOf(this.decisionSetup)) - budgetPct;
    // clearly over on its own few tokens, or over by what its KLD predicts
    return Math.max(predicted, lowerBoundViolation(this.options.budget, t));
  }

  /** Measures an assignment on the screening chunks of the search half; every finished trial is saved at once. */
  async screen(assignment: GroupAssignment, origin: Trial["origin"]): Promise<Trial> {
    const known = this.study.trials.find(
      (t) => t.origin === origin && assignmentKey(t.assignment) === assignmentKey(assignment),
    );
    if (known && origin !== "tpe") return known;
    const { facts } = this.options;
    const { setting } = this.settingOf(assignment, `${origin} #${this.study.trials.length}`);
    const { result, fromCache } = await evaluate(this.searchSetup, setting, { signal: this.options.signal });
    const types = toLayerTypes(assignment, this.groups, facts.nLayer);
    const measuredBytes = checkKvBytes(setting.label, result.kv, facts, types, this.searchSetup.ctx);
    const trial: Trial = {
      ...measurementOf(result, this.searchSetup.chunks, fromCache),
      number: this.study.trials.length,
      origin,
      assignment,
      bytes: this.bytesOf(assignment),
      measuredBytes,
      finishedAt: new Date().toISOString(),
    };
    this.study.trials.push(trial);
    this.store.save(this.study);
    this.emit({ kind: "trial", trial, fromCache, done: this.study.trials.length, planned: this.planned() });
    return trial;
  }

  planned() {
    const seeded = quantizedUniformPairs.length + 2 * this.nGroups + 6;
    return Math.max(this.study.trials.length, seeded + this.options.trials);
  }
}

/** Uniform seeds the backend can run: the baseline every per-layer assignment has to beat. */
async function measureUniform(run: SearchRun): Promise<Trial[]> {
  run.emit({ kind: "phase", phase: "uniform", detail: "uniform settings" });
  const uniform: Trial[] = [];
  for (const { k, v } of quantizedUniformPairs) {
    if (run.allowed(k, v) && run.types.includes(k) && run.types.includes(v))
      uniform.push(await run.screen(uniformAssignment(run.nGroups, k, v), "uniform"));
  }
  return uniform;
}

/**
 * What lowering one group's K (or V) alone costs in KLD: K measured at the smallest 4.5-bit type, V at the 2-bit one
 * when the search has it (where V's savings are; extrapolating 2.25 bits down from 4.5 misjudges it), else q4_0.
 */
async function measureSensitivities(run: SearchRun): Promise<Sensitivity[]> {
  run.emit({ kind: "phase", phase: "sensitivity", detail: `${2 * run.nGroups} single-group downgrades` });
  const low: KvType = run.types.includes("q4_0") ? "q4_0" : run.types[run.types.length - 1]!;
  const lowOf = { k: low, v: !run.tied && run.types.includes("iq2_nl") ? "iq2_nl" : low } as const;
  const full: KvType = run.types[0]!;
  const sensitivities: Sensitivity[] = [];
  for (let g = 0; g < run.nGroups; g++) {
    for (const component of run.tied ? (["k"] as const) : (["k", "v"] as const)) {
      const low = lowOf[component];
      const assignment = uniformAssignment(run.nGroups, full, full);
      assignment[component][g] = low;
      if (run.tied) assignment.v[g] = low;
      const trial = await run.screen(assignment, "sensitivity");
      sensitivities.push({ group: g, component, type: low, kld: trial.meanKld });
    }
  }
  return sensitivities;
}

/**
 * Knapsack candidates: the KLD budget is the largest KLD whose ΔPPL upper bound, as the quality model predicts it on
 * the decision's tokens, stays within the budget; a ladder around it hedges the model's error.
 */
async function measureGreedy(run: SearchRun, sensitivities: Sensitivity[]): Promise<void> {
  run.emit({ kind: "phase", phase: "greedy", detail: "knapsack candidates from the sensitivities" });
  // only the trials measured before this phase: a resumed search must compute the same candidates
  const seeded = run.study.trials.filter((t) => t.origin === "uniform" || t.origin === "sensitivity");
  const model = run.qualityModel(seeded);
  const budgetPct = resolveBudget(run.options.budget, seeded[0]!.pplBase).percent;
  const kldBudget = kldBudgetFor(model, budgetPct, run.tokensOf(run.decisionSetup));
  const full = run.types[0]!;
  // from all-f16, and from the cheapest screened trial the model expects within budget (usually a uniform one)
  const starts: GreedyStart[] = [{ assignment: uniformAssignment(run.nGroups, full, full), kld: 0 }];
  const cheapest = seeded.filter((t) => run.screenViolation(t, model) <= 0).sort((a, b) => a.bytes - b.bytes)[0];
  if (cheapest) starts.push({ assignment: cheapest.assignment, kld: cheapest.meanKld });
  const seen = new Set(run.study.trials.map((t) => assignmentKey(t.assignment)));
  for (const start of starts) {
    for (const safety of [0.75, 1, 1.25]) {
      const candidate = greedyAssignment(start, run.types, sensitivities, kldBudget * safety, run.bytesOf, run.allowed);
      if (seen.has(assignmentKey(candidate))) continue;
      seen.add(assignmentKey(candidate));
      await run.screen(candidate, "greedy");
    }
  }
}

/** TPE over every type per group, constrained by the screened quality, until its trials or the time run out. */
async function runTpe(run: SearchRun): Promise<void> {
  const { options } = run;
  run.emit({ kind: "phase", phase: "tpe", detail: `TPE, ${options.trials} trials` });
  const space: SearchSpace = Object.fromEntries(
    Array.from({ length: run.nGroups }, (_, g) =>
      run.tied
        ? [[paramName("k", g), categorical(run.types)]]
        : [
            [paramName("k", g), categorical(run.types)],
            [paramName("v", g), categorical(run.types)],
          ],
    ).flat(),
  );
  const sampler = new TpeSampler({ seed: options.seed, constraints: true });
  const speedViolation = (t: Trial) =>
    options.minSpeed === undefined || !t.speed ? 0 : options.minSpeed - t.speed.ratio;
  const frozen = (): FrozenTrial[] => {
    const model = run.qualityModel(run.study.trials);
    return run.study.trials.map((t) => ({
      params: toParams(t.assignment),
      value: t.bytes,
      constraint: [run.screenViolation(t, model), speedViolation(t)],
      state: "complete",
    }));
  };
  // keep time for the decision, its growth included, at the screening's pace
  const decisionReserve = () => run.decisionReserveMs();
  const lastScreenMs = () => Math.max(5_000, ...run.study.trials.slice(-3).map((t) => t.wallMs));
  let tpeDone = run.study.trials.filter((t) => t.origin === "tpe").length;
  while (tpeDone < options.trials && run.timeLeft() > decisionReserve() + lastScreenMs()) {
    const assignment = fromParams(sampler.suggest(space, frozen()), run.nGroups);
    if (run.tied) assignment.v = [...assignment.k];
    await run.screen(assignment, "tpe");
    tpeDone++;
  }
}

/**
 * Candidates, cheapest first, are those the screening could not rule out. Each is decided sequentially on the search
 * half: measured on the decision's chunks, and while its 95% interval straddles the budget on twice as many (the
 * measured chunks are kept, only new ones run), up to the cap; accepted once the upper bound is inside the budget,
 * rejected once the lower bound is outside, and at the cap decided by the upper bound (rejected: conservative). The
 * first accepted is confirmed on the unseen half by the same rule; the first to hold on both wins. A growth the time
 * limit cannot pay for is not started: the look before it decides, as at the cap.
 */
async function decideAndConfirm(run: SearchRun): Promise<{ best: Trial; confirmation: Measurement }> {
  const { options, study } = run;
  const { budget, minSpeed } = options;
  const levels = run.levels();
  run.emit({
    kind: "phase",
    phase: "confirm",
    detail:
      `deciding on ${levels.join("→")} chunks of ${run.searchSetup.text.name} while the interval straddles the budget, ` +
      `confirming by the same rule on ${run.confirmSetup.text.name}`,
  });
  const model = run.qualityModel(study.trials);
  const candidates = decisionCandidates(study.trials, budget, (t) => run.screenViolation(t, model));
  const limit = options.maxConfirmations ?? 4;
  // per-layer candidates taken to the decision, measured before or not: a search that finds more of them in the
  // cache (resumed, or started over on the same measurements) must skip the same uncached ones
  let taken = 0;
  let tooSlow = 0;
  let failedDecision = 0;
  let failedConfirmation = 0;
  let chunksDone = 0;
  const decide = async (trial: Trial, half: "search" | "confirm", setting: KvSetting): Promise<Measurement> => {
    const setup = half === "search" ? run.searchSetup : run.confirmSetup;
    // the screening is the first block of the search half: its chunks are not measured again
    const prefix = half === "search" ? cachedResult(run.searchSetup, setting) : undefined;
    const decision = await decideSequentially({
      budget,
      levels,
      measure: async (chunks) => {
        const m = await measureChunks(setup, setting, chunks, { signal: options.signal, prefix });
        run.noteChunkTime(m.wallMs, m.measuredChunks);
        chunksDone += m.measuredChunks;
        return fromChunks(m);
      },
      mayGrow: (from, to) => run.timeLeft() >= run.growthMs(setup, from, to),
      onLook: (measurement, verdict, next) =>
        run.emit({
          kind: "look",
          trial,
          half,
          measurement,
          verdict,
          next,
          done: chunksDone,
          planned: chunksDone + (verdict.kind === "grow" ? levels[levels.length - 1]! - measurement.chunks : 0),
        }),
    });
    return { ...decision.measurement, decidedBy: decision.decidedBy, looks: decision.looks };
  };
  for (const trial of candidates) {
    const { setting, cache } = run.settingOf(trial.assignment, `decide #${trial.number}`);
    // known: its first looks measured before (a resumed search, or another search on the same texts); the
    // confirmation's only matters when the decision held
    const decisionKnown = trial.decision !== undefined || chunksCovered(run.searchSetup, setting, levels[0]!);
    const confirmationKnown =
      trial.confirmation !== undefined ||
      (trial.decision !== undefined && budgetViolation(budget, trial.decision) > 0) ||
      chunksCovered(run.confirmSetup, setting, levels[0]!);
    const known = decisionKnown && confirmationKnown;
    // past the limit only candidates whose long runs are already known are considered, and uniform pairs (the floor,
    // which never count towards it)
    if (taken >= limit && !known && trial.origin !== "uniform") continue;
    if (minSpeed !== undefined) {
      trial.speed ??= await relativeSpeed(options.facts.path, options.facts.headerHash, options.setup.build, cache, {
        ...run.speedCheck,
        threads: options.setup.threads,
      });
      run.store.save(study);
      if (trial.speed.ratio < minSpeed) {
        tooSlow++;
        continue;
      }
    }
    if (trial.origin !== "uniform") taken++;
    if (!trial.decision) {
      trial.decision = await decide(trial, "search", setting);
      run.store.save(study);
    }
    if (budgetViolation(budget, trial.decision) > 0) {
      failedDecision++;
      continue;
    }
    if (!trial.confirmation) {
      trial.confirmation = await decide(trial, "confirm", setting);
      run.store.save(study);
    }
    if (budgetViolation(budget, trial.confirmation) <= 0) return { best: trial, confirmation: trial.confirmation };
    failedConfirmation++;
  }
  const slowNote = tooSlow > 0 ? `, ${tooSlow} of them slower than ${minSpeed}× f16` : "";
  throw new NoProfileWithinBudgetError(
    describeBudget(budget),
    candidates.length === 0
      ? `none of ${study.trials.length} screened assignments could be within it on ${run.searchSetup.text.name}`
      : `${candidates.length} candidates${slowNote}; ${failedDecision} had an upper 95% bound over it on ` +
          `${levels[0]} to ${levels[levels.length - 1]} chunks of ${run.searchSetup.text.name}, ` +
          `${failedConfirmation} held there but not on ${run.confirmSetup.text.name}`,
  );
}

/** The cost model's KLD for every knapsack and TPE trial beside the measured one: how well it explains the cost. */
function kldPredictions(run: SearchRun, sensitivities: Sensitivity[]): KldPrediction[] {
  return run.study.trials
    .filter((t) => t.origin === "greedy" || t.origin === "tpe")
    .map((t) => ({
      trial: t.number,
      origin: t.origin,
      predicted: predictedAssignmentKld(t.assignment, sensitivities),
      measured: t.meanKld,
    }));
}

/**
 * Finds the per-layer (K, V) types with the fewest K/V bytes whose perplexity stays within the budget, decided on the
 * upper 95% bound of ΔPPL against f16 on the same tokens: uniform seeds, a measured sensitivity pass and knapsack
 * candidates from it, then TPE, all screened on few tokens; then the cheapest candidates on more tokens of the
 * search half and, for the winner, as many of a disjoint confirmation half. Every measurement is cached and every
 * trial persisted, so a killed search resumes where it stopped.
 */
export async function runSearch(options: SearchOptions): Promise<SearchOutcome> {
  try {
    options.onEvent?.({ kind: "phase", phase: "probe", detail: "probing K/V types with flash attention" });
    const { facts, setup } = options;
    const support = await probeTypeSupport(facts.path, facts.headerHash, setup.build, options.types);
    const run = new SearchRun(options, { types: support.types, allowed: pairAllowed(support) });
    const uniform = await measureUniform(run);
    const measuredSensitivities = await measureSensitivities(run);
    const { sensitivities } = calibrateSensitivities(measuredSensitivities, uniform);
    await measureGreedy(run, sensitivities);
    await runTpe(run);
    const { best, confirmation } = await decideAndConfirm(run);
    const partial = {
      facts,
      build: setup.build,
      // one base: f16's PPL on the search half, on the most tokens the winner was measured on there
      budget: resolveBudget(options.budget, decidingMeasurement(best).pplBase),
      seed: options.seed,
      ...(options.minSpeed === undefined ? {} : { speed: { minSpeed: options.minSpeed, check: run.speedCheck } }),
      study: run.study,
      groups: run.groups,
      types: toLayerTypes(best.assignment, run.groups, facts.nLayer),
      best,
      confirmation,
      searchSetup: run.searchSetup,
      decisionSetup: run.decisionSetup,
      confirmSetup: run.confirmSetup,
      maxChunks: run.maxChunks,
      uniform,
      qualityModel: run.qualityModel(run.study.trials),
      predictions: kldPredictions(run, sensitivities),
      wallMs: performance.now() - run.started,
    };
    return { ...partial, summary: summarizeSearch(partial) };
  } catch (error) {
    if (error instanceof EvalTextTooShortError)
      throw new EvalTextTooShortToSplitError(options.setup.text.name, error.message);
    throw error;
  }
}
