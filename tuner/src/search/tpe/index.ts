/**
 * TPE (Tree-structured Parzen Estimator) with Optuna's semantics: a sampler that is pure with respect to trial
 * storage, the Parzen estimator it is built on, and a tiny study loop for tests.
 *
 * Follows Optuna 5.0.0 (`optuna/samplers/_tpe/`): the same kernels, bandwidths, weights, gamma, trial split
 * (constraints included) and acquisition; estimator densities match Optuna's to ~1e-14 (see the tests).
 * Differences: our own PRNG, re-seeded per trial from (seed, trial number) so a suggestion depends only on the
 * seed and the history; continuous samples are clipped into [low, high]; a completed trial without constraint
 * values is infinitely infeasible when constraints are on (Optuna's `constraints_func` semantics).
 */
export type {
  CategoricalChoice,
  CategoricalDistribution,
  Distribution,
  FloatDistribution,
  FrozenTrial,
  IntDistribution,
  Params,
  ParamValue,
  Sampler,
  SearchSpace,
  TrialState,
} from "./types.ts";
export { categorical, float, int } from "./distributions.ts";
export { defaultGamma, defaultWeights, hyperoptDefaultGamma } from "./gamma.ts";
export {
  defaultParzenEstimatorParameters,
  ParzenEstimator,
  type Kernels,
  type Observations,
  type ParzenEstimatorParameters,
} from "./parzenEstimator.ts";
export { RandomSampler, TpeSampler, type TpeSamplerOptions } from "./sampler.ts";
export { infeasibleScore, splitTrials, type NumberedTrial } from "./splitTrials.ts";
export { bestTrial, optimize, type OptimizeOptions, type OptimizeResult } from "./optimize.ts";
export { Rng } from "./rng.ts";
export { InvalidDistributionError } from "./errors/InvalidDistributionError.ts";
export { InvalidSamplerOptionError } from "./errors/InvalidSamplerOptionError.ts";
