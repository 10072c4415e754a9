import { assignmentKey } from "./assignment.ts";
import { budgetViolation, lowerBoundViolation, resolveBudget, type QualityBudget } from "./budget.ts";
import type { Trial } from "./study.ts";

/**
 * The trials worth measuring on the decision's tokens, cheapest first, one per assignment. `screenViolation` is how
 * far the quality model puts a screened trial's upper bound over the budget (≤ 0: within it).
 *
 * A per-layer trial stays while the model puts its upper bound at most a quarter of the budget over it: the model's
 * bound is itself an estimate, and only the measured bound decides. Uniform pairs are the floor: the profile must never be larger
 * than a uniform pair that would have passed, so one stays unless its own screen rules it out or the model puts it
 * over twice the budget (the model overstated SmolLM2's passing K8V4: 1.41 % predicted, +0.87 % measured). A trial
 * already decided stays only if its decision held.
 */
export function decisionCandidates(
  trials: readonly Trial[],
  budget: QualityBudget,
  screenViolation: (trial: Trial) => number,
): Trial[] {
  const budgetPct = resolveBudget(budget, trials[0]!.pplBase).percent;
  const mayPass = (t: Trial) => {
    if (t.decision) return budgetViolation(budget, t.decision) <= 0;
    if (t.origin === "uniform") return Math.max(lowerBoundViolation(budget, t), screenViolation(t) - budgetPct) <= 0;
    return screenViolation(t) <= 0.25 * budgetPct;
  };
  const unique = new Map(trials.filter(mayPass).map((t) => [assignmentKey(t.assignment), t]));
  return [...unique.values()].sort((a, b) => a.bytes - b.bytes);
}
