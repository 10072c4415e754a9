import { describe, expect, it } from "vitest";
import { defaultGamma, defaultWeights, hyperoptDefaultGamma } from "./gamma.ts";

// Reference values: optuna.samplers._tpe.sampler.default_gamma / default_weights (Optuna 5.0.0).
describe("defaultGamma", () => {
  it.each([
    [0, 0],
    [1, 1],
    [5, 1],
    [9, 1],
    [10, 1],
    [11, 2],
    [99, 10],
    [100, 10],
    [101, 11],
    [249, 25],
    [250, 25],
    [251, 25],
    [1000, 25],
  ])("defaultGamma(%i) = %i", (n, expected) => {
    expect(defaultGamma(n)).toBe(expected);
  });

  it("hyperopt's rule: min(ceil(0.25·√n), 25)", () => {
    expect([0, 1, 16, 17, 100, 10000, 40000].map(hyperoptDefaultGamma)).toEqual([0, 1, 1, 2, 3, 25, 25]);
  });
});

describe("defaultWeights", () => {
  it("is flat below 25 observations", () => {
    expect(defaultWeights(0)).toEqual([]);
    expect(defaultWeights(1)).toEqual([1]);
    expect(defaultWeights(24)).toEqual(new Array(24).fill(1));
    expect(defaultWeights(25)).toEqual(new Array(25).fill(1));
  });

  it("ramps the oldest n − 25 from 1/n to 1 (numpy.linspace), then 25 ones", () => {
    expect(defaultWeights(26)).toEqual([1 / 26, ...new Array(25).fill(1)]);
    const w30 = defaultWeights(30);
    expect(w30).toHaveLength(30);
    const expectedRamp = [0.03333333333333333, 0.275, 0.5166666666666667, 0.7583333333333333, 1];
    w30.slice(0, 5).forEach((w, i) => expect(w).toBeCloseTo(expectedRamp[i]!, 15));
    expect(w30.slice(5)).toEqual(new Array(25).fill(1));
    const w40 = defaultWeights(40);
    expect(w40[0]).toBeCloseTo(0.025, 15);
    expect(w40[14]).toBe(1);
    expect(w40[1]! - w40[0]!).toBeCloseTo((1 - 0.025) / 14, 15);
  });
});
