import { describe, expect, it } from "vitest";
import { budgetViolation, InvalidBudgetError, parseAbsoluteBudget, parsePercentBudget } from "./budget.ts";

describe("budgets", () => {
  it.each([
    ["1%", 1],
    ["0.5%", 0.5],
    [" 2 % ", 2],
    ["5", 5],
    [".25%", 0.25],
  ])("parses %j", (given, percent) => {
    expect(parsePercentBudget(given)).toEqual({ kind: "percent", percent });
  });

  it.each(["0%", "0", "-1%", "abc", "1%%", "", "100%", "1e2%"])("rejects %j with a clear message", (given) => {
    expect(() => parsePercentBudget(given)).toThrow(InvalidBudgetError);
    expect(() => parsePercentBudget(given)).toThrow(/invalid budget/);
  });

  it("rejects absolute budgets at or below zero", () => {
    expect(() => parseAbsoluteBudget(0)).toThrow(InvalidBudgetError);
    expect(() => parseAbsoluteBudget(Number.NaN)).toThrow(InvalidBudgetError);
    expect(parseAbsoluteBudget(0.05)).toEqual({ kind: "absolute", deltaPpl: 0.05 });
  });

  it("measures the violation the way Optuna's constraints do (≤ 0 is feasible)", () => {
    const onePercent = parsePercentBudget("1%");
    expect(budgetViolation(onePercent, { deltaPpl: 0.1, deltaPplPct: 0.6 })).toBeCloseTo(-0.4);
    expect(budgetViolation(onePercent, { deltaPpl: 0.3, deltaPplPct: 1.5 })).toBeCloseTo(0.5);
    expect(budgetViolation(parseAbsoluteBudget(0.05), { deltaPpl: 0.07, deltaPplPct: 0.2 })).toBeCloseTo(0.02);
  });
});
