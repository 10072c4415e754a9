import { describe, expect, it } from "vitest";
import { erf, erfc } from "./erf.ts";
import { logGaussMass, logNdtr, ndtr, ppf, truncnormLogPdf } from "./truncnorm.ts";

// Reference values: Python's math.erf / math.erfc (C libm) and Optuna 5.0.0's _truncnorm._log_ndtr_single.
const erfTable: [number, number, number][] = [
  [-3, -0.9999779095030014, 1.9999779095030015],
  [-0.5, -0.5204998778130465, 1.5204998778130465],
  [0, 0, 1],
  [0.3, 0.3286267594591274, 0.6713732405408726],
  [0.9, 0.7969082124228322, 0.20309178757716786],
  [1.1, 0.8802050695740817, 0.11979493042591827],
  [2, 0.9953222650189527, 0.004677734981047265],
  [3.5, 0.9999992569016276, 7.430983723414128e-7],
  [5, 0.9999999999984626, 1.5374597944280351e-12],
  [10, 1, 2.088487583762545e-45],
];

const logNdtrTable: [number, number][] = [
  [-40, -804.6084420137538],
  [-20.5, -214.0667289632638],
  [-5, -15.064998393988724],
  [0, -0.6931471805599453],
  [3, -0.0013508099647482027],
  [8, -6.220960574271819e-16],
];

function relativeError(actual: number, expected: number): number {
  return expected === 0 ? Math.abs(actual) : Math.abs(actual - expected) / Math.abs(expected);
}

describe("erf / erfc", () => {
  it.each(erfTable)("erf(%d) and erfc(%d) agree with libm to 1e-15", (x, erfX, erfcX) => {
    expect(relativeError(erf(x), erfX)).toBeLessThan(1e-15);
    expect(relativeError(erfc(x), erfcX)).toBeLessThan(1e-15);
  });

  it("handles the extremes", () => {
    expect(erf(Infinity)).toBe(1);
    expect(erf(-Infinity)).toBe(-1);
    expect(erfc(40)).toBe(0);
    expect(erfc(-40)).toBe(2);
    expect(erf(NaN)).toBeNaN();
  });
});

describe("log Φ and the truncated normal", () => {
  it.each(logNdtrTable)("logNdtr(%d) matches Optuna's _log_ndtr", (a, expected) => {
    expect(relativeError(logNdtr(a), expected)).toBeLessThan(1e-14);
  });

  it("computes interval masses in every region without cancellation", () => {
    expect(Math.exp(logGaussMass(-1, 1))).toBeCloseTo(ndtr(1) - ndtr(-1), 15);
    // far right tail: Φ(41) − Φ(40) underflows if done naively
    expect(logGaussMass(40, 41)).toBeCloseTo(logNdtr(-40), 8);
    expect(logGaussMass(-41, -40)).toBeCloseTo(logNdtr(-40), 8);
    expect(logGaussMass(0.5, 0.5)).toBe(-Infinity);
  });

  it("inverts the truncated CDF (ppf) in the centre and in both tails", () => {
    for (const [a, b] of [
      [-1, 2],
      [-30, -25],
      [25, 40],
      [0.1, 0.2],
      [-3, 3],
    ] as const) {
      for (const q of [1e-9, 0.01, 0.3, 0.5, 0.9, 1 - 1e-9]) {
        const x = ppf(q, a, b);
        expect(x).toBeGreaterThanOrEqual(a);
        expect(x).toBeLessThanOrEqual(b);
        // mass from a to x over the whole mass is q
        const back = Math.exp(logGaussMass(a, x) - logGaussMass(a, b));
        expect(Math.abs(back - q)).toBeLessThan(1e-9);
      }
    }
    expect(ppf(0, -1, 2)).toBe(-1);
    expect(ppf(1, -1, 2)).toBe(2);
  });

  it("has a log density that integrates to 1 over its support and is −∞ outside", () => {
    const loc = 0.7;
    const scale = 0.4;
    const [low, high] = [0, 1];
    const a = (low - loc) / scale;
    const b = (high - loc) / scale;
    const steps = 20000;
    let integral = 0;
    for (let i = 0; i <= steps; i++) {
      const x = low + ((high - low) * i) / steps;
      const w = i === 0 || i === steps ? 0.5 : 1;
      integral += w * Math.exp(truncnormLogPdf(x, a, b, loc, scale));
    }
    expect(integral * ((high - low) / steps)).toBeCloseTo(1, 6);
    expect(truncnormLogPdf(1.01, a, b, loc, scale)).toBe(-Infinity);
  });
});
