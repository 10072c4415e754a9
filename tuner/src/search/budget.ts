import type { Interval } from "../eval/pairedQuality.ts";

/** How much worse than f16 a profile may be: a share of the f16 perplexity, or an absolute PPL increase. */
export type QualityBudget = { kind: "percent"; percent: number } | { kind: "absolute"; deltaPpl: number };

/** A budget in both forms, converted once, on one base: the f16 PPL of the text the search measured on. */
export interface ResolvedBudget {
  given: QualityBudget;
  percent: number;
  deltaPpl: number;
  pplBase: number;
}

export function resolveBudget(given: QualityBudget, pplBase: number): ResolvedBudget {
  return given.kind === "percent"
    ? { given, percent: given.percent, deltaPpl: (given.percent / 100) * pplBase, pplBase }
    : { given, percent: (given.deltaPpl / pplBase) * 100, deltaPpl: given.deltaPpl, pplBase };
}

/** What a decision needs: the 95% interval of ΔPPL% and the f16 PPL it is relative to. */
export interface QualityEstimate {
  deltaPplPctInterval: Interval;
  pplBase: number;
}

export class InvalidBudgetError extends Error {
  constructor(given: string, why: string) {
    super(`invalid budget '${given}': ${why} (examples: --budget 1%, --budget 0.5%, --max-delta-ppl 0.05)`);
    this.name = "InvalidBudgetError";
  }
}

/** "1%", "0.5 %", "2" (percent implied) → a percent budget; must be a finite number above 0 and below 100. */
export function parsePercentBudget(given: string): QualityBudget {
  const match = given.trim().match(/^(\d+(?:\.\d+)?|\.\d+)\s*%?$/);
  if (/^\s*-\s*(\d|\.\d)/.test(given)) throw new InvalidBudgetError(given, "the budget must be above 0%");
  if (!match) {
    throw new InvalidBudgetError(given, "not a percentage");
  }
  const percent = Number(match[1]);
  if (!(percent > 0)) {
    throw new InvalidBudgetError(given, "the budget must be above 0%");
  }
  if (percent >= 100) {
    throw new InvalidBudgetError(given, "the budget must be below 100%");
  }
  return { kind: "percent", percent };
}

export function parseAbsoluteBudget(deltaPpl: number): QualityBudget {
  if (!Number.isFinite(deltaPpl) || deltaPpl <= 0) {
    throw new InvalidBudgetError(String(deltaPpl), "the maximum PPL increase must be a number above 0");
  }
  return { kind: "absolute", deltaPpl };
}

function violationAt(budget: QualityBudget, pct: number, pplBase: number): number {
  return budget.kind === "percent" ? pct - budget.percent : (pct / 100) * pplBase - budget.deltaPpl;
}

/**
 * How far a measured result's upper 95% bound is over the budget; ≤ 0 means within it (Optuna's constraint
 * convention). Deciding on the bound, not the point, keeps a setting that only looked good by chance out.
 */
export function budgetViolation(budget: QualityBudget, result: QualityEstimate): number {
  return violationAt(budget, result.deltaPplPctInterval[1], result.pplBase);
}

/** The same at the interval's low end: > 0 means clearly over the budget, more tokens would not change that. */
export function lowerBoundViolation(budget: QualityBudget, result: QualityEstimate): number {
  return violationAt(budget, result.deltaPplPctInterval[0], result.pplBase);
}

export function describeBudget(budget: QualityBudget): string {
  return budget.kind === "percent" ? `ΔPPL ≤ ${budget.percent}%` : `ΔPPL ≤ ${budget.deltaPpl}`;
}
