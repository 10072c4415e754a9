import { describe, expect, it } from "vitest";
import {
  budgetViolation,
  InvalidBudgetError,
  lowerBoundViolation,
  parseAbsoluteBudget,
  parsePercentBudget,
  resolveBudget,
} from "./budget.ts";

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

  it("measures the violation on the upper 95% bound, the way Optuna's constraints do (≤ 0 is feasible)", () => {
    const onePercent = parsePercentBudget("1%");
    expect(budgetViolation(onePercent, { deltaPplPctInterval: [0.2, 0.6], pplBase: 20 })).toBeCloseTo(-0.4);
    expect(budgetViolation(onePercent, { deltaPplPctInterval: [1.1, 1.5], pplBase: 20 })).toBeCloseTo(0.5);
    // an absolute budget: the bound 0.35% of PPL 20 is an increase of 0.07
    expect(budgetViolation(parseAbsoluteBudget(0.05), { deltaPplPctInterval: [0, 0.35], pplBase: 20 })).toBeCloseTo(
      0.02,
    );
  });

  it("a point estimate within budget whose interval reaches past it is not within budget", () => {
    const onePercent = parsePercentBudget("1%");
    const straddling = { deltaPplPctInterval: [0.4, 1.3] as [number, number], pplBase: 20 };
    expect(budgetViolation(onePercent, straddling)).toBeGreaterThan(0);
    // nor clearly over it: more tokens could decide it either way
    expect(lowerBoundViolation(onePercent, straddling)).toBeLessThanOrEqual(0);
    expect(lowerBoundViolation(onePercent, { deltaPplPctInterval: [1.2, 2], pplBase: 20 })).toBeGreaterThan(0);
  });

  it("converts between percent and absolute on one base", () => {
    expect(resolveBudget(parsePercentBudget("1%"), 25)).toMatchObject({ percent: 1, deltaPpl: 0.25, pplBase: 25 });
    expect(resolveBudget(parseAbsoluteBudget(0.5), 25)).toMatchObject({ percent: 2, deltaPpl: 0.5, pplBase: 25 });
  });
});
