/** A value a categorical parameter may take (Optuna's CategoricalChoiceType). */
export type CategoricalChoice = string | number | boolean | null;

/** One of a fixed list of choices, with no order or distance between them. */
export interface CategoricalDistribution {
  readonly type: "categorical";
  readonly choices: readonly CategoricalChoice[];
}

/**
 * A real number in [low, high]. With `log`, sampled and modelled on log(x) (low must be above 0).
 * With `step`, only low + k·step (k integer) is suggested; `log` and `step` do not go together.
 */
export interface FloatDistribution {
  readonly type: "float";
  readonly low: number;
  readonly high: number;
  readonly log?: boolean;
  readonly step?: number;
}

/** An integer in [low, high] on the grid low + k·step (step defaults to 1; with `log`, step must be 1). */
export interface IntDistribution {
  readonly type: "int";
  readonly low: number;
  readonly high: number;
  readonly log?: boolean;
  readonly step?: number;
}

export type Distribution = CategoricalDistribution | FloatDistribution | IntDistribution;

/**
 * Parameter name → distribution. Key order is the order parameters are sampled in (Optuna's suggest-call order);
 * it only matters for which random numbers each parameter consumes.
 */
export type SearchSpace = Readonly<Record<string, Distribution>>;

export type ParamValue = CategoricalChoice;
export type Params = Record<string, ParamValue>;

/** Optuna's COMPLETE / FAIL / RUNNING (there is no pruning here). */
export type TrialState = "complete" | "failed" | "running";

/**
 * A read-only record of one trial, as the study hands it to the sampler. A trial's number is its index in the
 * array passed to `suggest` (older trials first; the weights ramp down older trials).
 */
export interface FrozenTrial {
  readonly params: Readonly<Params>;
  /** The objective value (minimized). A "complete" trial without a finite value is treated as failed. */
  readonly value?: number;
  /**
   * Constraint values; each ≤ 0 is satisfied, > 0 violated (Optuna's `constraints_func` convention).
   * The violation of an infeasible trial is the sum of its positive entries.
   */
  readonly constraint?: readonly number[];
  readonly state: TrialState;
}

/** Anything that proposes the next parameters from the history; pure with respect to trial storage. */
export interface Sampler {
  suggest(space: SearchSpace, trials: readonly FrozenTrial[]): Params;
}
