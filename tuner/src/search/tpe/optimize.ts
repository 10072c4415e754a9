import { TpeSampler } from "./sampler.ts";
import { infeasibleScore, isUsableComplete } from "./splitTrials.ts";
import type { FrozenTrial, Params, Sampler, SearchSpace } from "./types.ts";

export interface OptimizeOptions {
  /** Trials to run, enqueued ones included. */
  nTrials: number;
  /** Seed of the default sampler. Ignored when `sampler` is given. */
  seed?: number;
  /** Defaults to `new TpeSampler({ seed })`. */
  sampler?: Sampler;
  /** Constraint values of a finished trial, each ≤ 0 when satisfied (Optuna's `constraints_func`). */
  constraints?: (params: Params, value: number) => readonly number[];
  /** Parameter sets to evaluate first, in order (Optuna's `enqueue_trial`); parameters they omit are sampled. */
  enqueue?: readonly Partial<Params>[];
}

export interface OptimizeResult {
  /** Every trial, in order; a trial whose objective threw or returned NaN is "failed". */
  trials: FrozenTrial[];
  /** The best feasible trial, or undefined when no trial completed feasibly. */
  best: { number: number; trial: FrozenTrial } | undefined;
}

/**
 * A minimal in-memory study loop for tests and experiments: suggest, evaluate, record, repeat.
 * The real search keeps its own trial store; this helper only shows how a study drives a sampler.
 */
export function optimize(
  objective: (params: Params) => number,
  space: SearchSpace,
  options: OptimizeOptions,
): OptimizeResult {
  const sampler = options.sampler ?? new TpeSampler({ seed: options.seed });
  const trials: FrozenTrial[] = [];
  for (let number = 0; number < options.nTrials; number++) {
    const fixed = options.enqueue?.[number] ?? {};
    const needsSampling = Object.keys(space).some((name) => !(name in fixed));
    const params = { ...(needsSampling ? sampler.suggest(space, trials) : {}), ...fixed } as Params;
    let value: number;
    try {
      value = objective(params);
    } catch {
      trials.push({ params, state: "failed" });
      continue;
    }
    if (Number.isNaN(value)) {
      trials.push({ params, state: "failed" });
      continue;
    }
    const constraint = options.constraints?.(params, value);
    trials.push(
      constraint === undefined
        ? { params, value, state: "complete" }
        : { params, value, constraint, state: "complete" },
    );
  }
  return { trials, best: bestTrial(trials) };
}

/**
 * The completed trial with the lowest value among the feasible ones (a trial without constraint values is feasible
 * when no trial has any; otherwise, as in the sampler, it is not).
 */
export function bestTrial(trials: readonly FrozenTrial[]): { number: number; trial: FrozenTrial } | undefined {
  const constrained = trials.some((trial) => trial.constraint !== undefined);
  let best: { number: number; trial: FrozenTrial } | undefined;
  trials.forEach((trial, number) => {
    if (!isUsableComplete(trial) || (constrained && infeasibleScore(trial) > 0)) {
      return;
    }
    if (best === undefined || trial.value! < best.trial.value!) {
      best = { number, trial };
    }
  });
  return best;
}
