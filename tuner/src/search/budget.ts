/** How much worse than f16 a profile may be: a share of the f16 perplexity, or an absolute PPL increase. */
export type QualityBudget = { kind: "percent"; percent: number } | { kind: "absolute"; deltaPpl: number };

export class InvalidBudgetError extends Error {
  constructor(given: string, why: string) {
    super(`invalid budget '${given}': ${why} (examples: --budget 1%, --budget 0.5%, --max-delta-ppl 0.05)`);
    this.name = "InvalidBudgetError";
  }
}

/** "1%", "0.5 %", "2" (percent implied) → a percent budget; must be a finite number above 0 and below 100. */
export function parsePercentBudget(given: string): QualityBudget {
  const match = given.trim().match(/^(\d+(?:\.\d+)?|\.\d+)\s*%?$/);
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

/** How far a measured result is over the budget; ≤ 0 means within it (Optuna's constraint convention). */
export function budgetViolation(budget: QualityBudget, result: { deltaPpl: number; deltaPplPct: number }): number {
  return budget.kind === "percent" ? result.deltaPplPct - budget.percent : result.deltaPpl - budget.deltaPpl;
}

export function describeBudget(budget: QualityBudget): string {
  return budget.kind === "percent" ? `ΔPPL ≤ ${budget.percent}%` : `ΔPPL ≤ ${budget.deltaPpl}`;
}
