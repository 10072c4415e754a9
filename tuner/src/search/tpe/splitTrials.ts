import type { FrozenTrial } from "./types.ts";

/** A trial with its number (its index in the history). */
export interface NumberedTrial {
  readonly number: number;
  readonly trial: FrozenTrial;
}

/**
 * How far a trial is from feasible (Optuna's `_get_infeasible_trial_score`): the sum of its positive constraint
 * values; 0 when feasible. A trial without constraint values (or with a NaN among them) counts as infinitely
 * infeasible, as Optuna treats a trial whose `constraints_func` result is missing.
 */
export function infeasibleScore(trial: FrozenTrial): number {
  if (trial.constraint === undefined || trial.constraint.some((c) => Number.isNaN(c))) {
    return Infinity;
  }
  return trial.constraint.reduce((sum, c) => (c > 0 ? sum + c : sum), 0);
}

/** A finished trial the sampler learns from: complete with a finite objective value. */
export function isUsableComplete(trial: FrozenTrial): boolean {
  return trial.state === "complete" && typeof trial.value === "number" && !Number.isNaN(trial.value);
}

/**
 * Splits trials into the `nBelow` best ("below", for l(x)) and the rest ("above", for g(x)), as Optuna's
 * `_split_trials` does for one minimized objective: running trials always go above (constant liar); with
 * constraints, feasible trials are ranked by value first, then infeasible ones by total violation. Both halves are
 * returned in trial-number order, so that the weights ramp down the oldest observations.
 */
export function splitTrials(
  trials: readonly NumberedTrial[],
  nBelow: number,
  constraintsEnabled: boolean,
): { below: NumberedTrial[]; above: NumberedTrial[] } {
  const complete: NumberedTrial[] = [];
  const infeasible: { entry: NumberedTrial; score: number }[] = [];
  const running: NumberedTrial[] = [];
  for (const entry of trials) {
    if (entry.trial.state === "running") {
      // checked before feasibility: a running trial has no constraint values yet
      running.push(entry);
      continue;
    }
    if (!isUsableComplete(entry.trial)) {
      continue;
    }
    const score = constraintsEnabled ? infeasibleScore(entry.trial) : 0;
    if (score > 0) {
      infeasible.push({ entry, score });
    } else {
      complete.push(entry);
    }
  }

  const sortedComplete = [...complete].sort((x, y) => compare(x.trial.value!, y.trial.value!));
  const nBelowComplete = Math.min(Math.max(0, nBelow), sortedComplete.length);
  const rest = Math.max(0, nBelow - nBelowComplete);
  const sortedInfeasible = [...infeasible].sort((x, y) => compare(x.score, y.score)).map(({ entry }) => entry);
  const nBelowInfeasible = Math.min(rest, sortedInfeasible.length);

  const byNumber = (x: NumberedTrial, y: NumberedTrial) => x.number - y.number;
  const below = [...sortedComplete.slice(0, nBelowComplete), ...sortedInfeasible.slice(0, nBelowInfeasible)];
  const above = [...sortedComplete.slice(nBelowComplete), ...sortedInfeasible.slice(nBelowInfeasible), ...running];
  return { below: below.sort(byNumber), above: above.sort(byNumber) };
}

/** Ascending order that also handles ±Infinity (a plain difference gives NaN for Infinity − Infinity). */
function compare(a: number, b: number): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
