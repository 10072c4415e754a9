import { describe, expect, it } from "vitest";
import { infeasibleScore, splitTrials, type NumberedTrial } from "./splitTrials.ts";
import type { FrozenTrial } from "./types.ts";

const numbered = (trials: FrozenTrial[]): NumberedTrial[] => trials.map((trial, number) => ({ trial, number }));
const numbers = (entries: readonly NumberedTrial[]) => entries.map((entry) => entry.number);
const done = (value: number, constraint?: number[]): FrozenTrial =>
  constraint ? { params: {}, value, constraint, state: "complete" } : { params: {}, value, state: "complete" };

describe("infeasibleScore", () => {
  it("sums the positive constraint values; missing or NaN constraints are infinitely infeasible", () => {
    expect(infeasibleScore(done(1, [-1, 0]))).toBe(0);
    expect(infeasibleScore(done(1, [0.5, -3, 0.25]))).toBe(0.75);
    expect(infeasibleScore(done(1))).toBe(Infinity);
    expect(infeasibleScore(done(1, [NaN]))).toBe(Infinity);
  });
});

describe("splitTrials", () => {
  it("takes the nBelow lowest values and returns both halves in trial-number order", () => {
    const trials = numbered([done(5), done(1), done(4), done(2), done(3)]);
    const { below, above } = splitTrials(trials, 2, false);
    expect(numbers(below)).toEqual([1, 3]);
    expect(numbers(above)).toEqual([0, 2, 4]);
  });

  it("ranks every feasible trial before any infeasible one, however good its value", () => {
    const trials = numbered([
      done(10, [-1]), // feasible, worst value
      done(0, [2]), // infeasible, best value, violation 2
      done(1, [0.5]), // infeasible, violation 0.5
      done(8, [0]), // feasible (0 satisfies)
      done(0.5, [3]), // infeasible, violation 3
    ]);
    expect(numbers(splitTrials(trials, 1, true).below)).toEqual([3]);
    expect(numbers(splitTrials(trials, 2, true).below)).toEqual([0, 3]);
    // the third slot goes to the least violating infeasible trial, not to the best value
    expect(numbers(splitTrials(trials, 3, true).below)).toEqual([0, 2, 3]);
    expect(numbers(splitTrials(trials, 4, true).below)).toEqual([0, 1, 2, 3]);
    // without constraints, values alone decide
    expect(numbers(splitTrials(trials, 2, false).below)).toEqual([1, 4]);
  });

  it("treats a completed trial without constraint values as the least feasible when constraints are on", () => {
    const trials = numbered([done(0), done(5, [0.1]), done(9, [-1])]);
    expect(numbers(splitTrials(trials, 2, true).below)).toEqual([1, 2]);
  });

  it("ignores failed trials and puts running ones above (constant liar)", () => {
    const trials = numbered([
      done(3),
      { params: {}, state: "failed" },
      { params: {}, state: "running" },
      done(1),
      { params: {}, value: NaN, state: "complete" },
    ]);
    const { below, above } = splitTrials(trials, 5, false);
    expect(numbers(below)).toEqual([0, 3]);
    expect(numbers(above)).toEqual([2]);
  });
});
