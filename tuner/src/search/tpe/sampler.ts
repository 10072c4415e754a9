import { isSingle, normalizeSpace, sampleUniform, singleValue, toExternal, toInternal } from "./distributions.ts";
import { InvalidSamplerOptionError } from "./errors/InvalidSamplerOptionError.ts";
import { defaultGamma } from "./gamma.ts";
import {
  defaultParzenEstimatorParameters,
  ParzenEstimator,
  type ParzenEstimatorParameters,
} from "./parzenEstimator.ts";
import { randomSeed, Rng } from "./rng.ts";
import { groupDecomposedSearchSpace, intersectionSearchSpace } from "./searchSpaceGroups.ts";
import { isUsableComplete, splitTrials, type NumberedTrial } from "./splitTrials.ts";
import type { FrozenTrial, Params, Sampler, SearchSpace } from "./types.ts";

export interface TpeSamplerOptions {
  /** Parameters are drawn uniformly at random until this many trials have completed. Defaults to 10. */
  nStartupTrials?: number;
  /** Candidates drawn from l(x) per suggestion; the one maximizing l(x)/g(x) wins. Defaults to 24. */
  nEiCandidates?: number;
  /** Seed; the same seed and history always give the same suggestion. Defaults to a random seed per sampler. */
  seed?: number;
  /**
   * Model the parameters jointly (multivariate TPE) instead of one at a time. Parameters not present in every
   * completed trial are still sampled one at a time. Defaults to true (Optuna ≥ 5 for one objective).
   * @experimental
   */
  multivariate?: boolean;
  /**
   * With `multivariate`, model jointly each group of parameters that always occur together in completed trials
   * (for conditional search spaces). Defaults to false.
   * @experimental
   */
  group?: boolean;
  /** Treat running trials as bad ("above"), so parallel workers do not pile onto one region. Defaults to true. */
  constantLiar?: boolean;
  /**
   * Rank trials by constraint violation: feasible trials (every value ≤ 0) by objective first, then infeasible ones
   * by summed violation; a completed trial without constraint values counts as infinitely infeasible.
   * Defaults to on when any trial in the history has `constraint`.
   */
  constraints?: boolean;
  /**
   * How many of n completed trials form l(x). Defaults to `defaultGamma`.
   * @experimental Optuna deprecated this as a public setting in 4.9; kept for experiments.
   */
  gamma?: (n: number) => number;
  /**
   * Kernel settings (prior weight, magic clip, endpoints, weights). Defaults to `defaultParzenEstimatorParameters`.
   * @experimental Optuna deprecated these as public settings in 4.9; kept for experiments.
   */
  parzenEstimator?: Partial<ParzenEstimatorParameters>;
}

/**
 * Tree-structured Parzen Estimator with Optuna's semantics (`optuna.samplers.TPESampler`) for one minimized
 * objective with optional constraints. Pure with respect to storage: `suggest` reads the history and returns
 * parameters; recording the trial is the caller's job.
 */
export class TpeSampler implements Sampler {
  readonly seed: number;
  private readonly nStartupTrials: number;
  private readonly nEiCandidates: number;
  private readonly multivariate: boolean;
  private readonly group: boolean;
  private readonly constantLiar: boolean;
  private readonly constraints: boolean | undefined;
  private readonly gamma: (n: number) => number;
  private readonly estimatorParameters: ParzenEstimatorParameters;

  constructor(options: TpeSamplerOptions = {}) {
    this.nStartupTrials = options.nStartupTrials ?? 10;
    this.nEiCandidates = options.nEiCandidates ?? 24;
    if (!Number.isInteger(this.nStartupTrials) || this.nStartupTrials < 0) {
      throw new InvalidSamplerOptionError("nStartupTrials", "an integer ≥ 0", this.nStartupTrials);
    }
    if (!Number.isInteger(this.nEiCandidates) || this.nEiCandidates < 1) {
      throw new InvalidSamplerOptionError("nEiCandidates", "an integer ≥ 1", this.nEiCandidates);
    }
    this.multivariate = options.multivariate ?? true;
    this.group = options.group ?? false;
    if (this.group && !this.multivariate) {
      throw new InvalidSamplerOptionError("group", "group only together with multivariate: true", options.group);
    }
    this.seed = options.seed ?? randomSeed();
    this.constantLiar = options.constantLiar ?? true;
    this.constraints = options.constraints;
    this.gamma = options.gamma ?? defaultGamma;
    this.estimatorParameters = { ...defaultParzenEstimatorParameters, ...options.parzenEstimator };
  }

  /**
   * The parameters for the next trial, given every earlier trial (its number is `trials.length`). Failed trials are
   * ignored; running trials only count with `constantLiar`. Values of a trial that do not fit `space` (stale
   * choices, out-of-range numbers, other parameters) are treated as absent, so any prior trials are accepted.
   */
  suggest(space: SearchSpace, trials: readonly FrozenTrial[]): Params {
    const normalized = normalizeSpace(space);
    const rng = new Rng(this.seed, trials.length);
    const numbered = trials.map((trial, number) => ({ trial, number }));
    const nComplete = trials.filter(isUsableComplete).length;
    const startup = nComplete < this.nStartupTrials;
    const constraintsEnabled = this.constraints ?? trials.some((trial) => trial.constraint !== undefined);

    const relative: Params = {};
    if (this.multivariate && !startup) {
      const subspaces = this.group
        ? groupDecomposedSearchSpace(normalized, trials)
        : [intersectionSearchSpace(normalized, trials)];
      for (const subspace of subspaces) {
        const sampled = Object.fromEntries(Object.entries(subspace).filter(([, d]) => !isSingle(d)));
        if (Object.keys(sampled).length > 0) {
          Object.assign(relative, this.sampleTpe(sampled, numbered, rng, constraintsEnabled));
        }
      }
    }

    const params: Params = {};
    for (const [name, distribution] of Object.entries(normalized)) {
      if (isSingle(distribution)) {
        params[name] = singleValue(distribution);
      } else if (name in relative) {
        params[name] = relative[name]!;
      } else if (startup) {
        params[name] = sampleUniform(distribution, rng);
      } else {
        params[name] = this.sampleTpe({ [name]: distribution }, numbered, rng, constraintsEnabled)[name]!;
      }
    }
    return params;
  }

  /** One TPE step over `space` (one parameter, or a joint block): fit l and g, draw candidates from l, keep the best. */
  private sampleTpe(
    space: SearchSpace,
    trials: readonly NumberedTrial[],
    rng: Rng,
    constraintsEnabled: boolean,
  ): Params {
    const considered = trials.filter(
      ({ trial }) => isUsableComplete(trial) || (this.constantLiar && trial.state === "running"),
    );
    const n = considered.filter(({ trial }) => trial.state !== "running").length;
    const { below, above } = splitTrials(considered, this.gamma(n), constraintsEnabled);
    const estimatorBelow = new ParzenEstimator(observationsOf(space, below), space, this.estimatorParameters);
    const estimatorAbove = new ParzenEstimator(observationsOf(space, above), space, this.estimatorParameters);

    const candidates = estimatorBelow.sample(rng, this.nEiCandidates);
    const logLBelow = estimatorBelow.logPdf(candidates);
    const logLAbove = estimatorAbove.logPdf(candidates);
    let best = 0;
    let bestScore = -Infinity;
    for (let i = 0; i < this.nEiCandidates; i++) {
      const score = logLBelow[i]! - logLAbove[i]!;
      if (score > bestScore) {
        best = i;
        bestScore = score;
      }
    }
    const params: Params = {};
    for (const [name, distribution] of Object.entries(space)) {
      params[name] = toExternal(distribution, candidates[name]![best]!);
    }
    return params;
  }
}

/** Internal values of `space` for the trials that hold every one of its parameters (Optuna's `_get_internal_repr`). */
function observationsOf(space: SearchSpace, trials: readonly NumberedTrial[]): Record<string, number[]> {
  const names = Object.keys(space);
  const observations: Record<string, number[]> = Object.fromEntries(names.map((name) => [name, []]));
  for (const { trial } of trials) {
    const values = names.map((name) => toInternal(space[name]!, trial.params[name]));
    if (values.every((v) => v !== undefined)) {
      names.forEach((name, i) => observations[name]!.push(values[i]!));
    }
  }
  return observations;
}

/** Uniform random search with the same interface and seeding (Optuna's RandomSampler); a baseline for TPE. */
export class RandomSampler implements Sampler {
  readonly seed: number;

  constructor(options: { seed?: number } = {}) {
    this.seed = options.seed ?? randomSeed();
  }

  suggest(space: SearchSpace, trials: readonly FrozenTrial[]): Params {
    const rng = new Rng(this.seed, trials.length);
    const params: Params = {};
    for (const [name, distribution] of Object.entries(normalizeSpace(space))) {
      params[name] = sampleUniform(distribution, rng);
    }
    return params;
  }
}
