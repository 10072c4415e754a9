import { describe, expect, it } from "vitest";
import { rowBytes } from "../profiles/kvType.ts";
import type { KvType } from "../profiles/schema.ts";
import type { GroupAssignment } from "./assignment.ts";
import { confidenceZ } from "../eval/pairedQuality.ts";
import {
  calibrateSensitivities,
  fitQualityModel,
  greedyAssignment,
  pooledPplPerKld,
  kldBudgetFor,
  pplPerKld,
  predictedAssignmentKld,
  predictedKld,
  predictedUpperPct,
  type Sensitivity,
} from "./costModel.ts";

const types: KvType[] = ["f16", "q8_0", "q5_1", "q5_0", "q4_0"];
// bytes: group g holds (g + 1) × 1000 rows of 256 values for K and for V, so later groups weigh more
const bytesOf = (a: GroupAssignment) =>
  a.k.reduce((s, t, g) => s + rowBytes(t, 256) * (g + 1) * 1000, 0) +
  a.v.reduce((s, t, g) => s + rowBytes(t, 256) * (g + 1) * 1000, 0);

const allF16 = (n: number) => ({
  assignment: { k: Array<KvType>(n).fill("f16"), v: Array<KvType>(n).fill("f16") },
  kld: 0,
});

describe("cost model", () => {
  it("scales measured KLD by 4× per bit and charges nothing for f16", () => {
    const s: Sensitivity = { group: 0, component: "k", type: "q4_0", kld: 0.08 };
    expect(predictedKld(s, "f16")).toBe(0);
    expect(predictedKld(s, "q4_0")).toBeCloseTo(0.08);
    expect(predictedKld(s, "q5_0")).toBeCloseTo(0.02); // one bit more: a quarter of the noise
    expect(predictedKld(s, "q8_0")).toBeCloseTo(0.08 / 4 ** 4);
  });

  it("fits ΔPPL% per KLD as the median ratio of informative trials", () => {
    expect(
      pplPerKld([
        { meanKld: 0.01, deltaPplPct: 0.5 },
        { meanKld: 0.1, deltaPplPct: 8 },
        { meanKld: 0.02, deltaPplPct: 1.2 },
        { meanKld: 0, deltaPplPct: 0 },
      ]),
    ).toBe(60);
    expect(pplPerKld([], 42)).toBe(42);
  });

  it("greedy spends the budget where it buys the most bytes and never exceeds it", () => {
    const sensitivities: Sensitivity[] = [
      { group: 0, component: "k", type: "q4_0", kld: 0.2 }, // a sensitive, light group
      { group: 0, component: "v", type: "q4_0", kld: 0.01 },
      { group: 1, component: "k", type: "q4_0", kld: 0.01 }, // a heavy, robust group
      { group: 1, component: "v", type: "q4_0", kld: 0.01 },
    ];
    const budget = 0.05;
    const chosen = greedyAssignment(allF16(2), types, sensitivities, budget, bytesOf);
    expect(predictedAssignmentKld(chosen, sensitivities)).toBeLessThanOrEqual(budget);
    expect(chosen.k[1]).toBe("q4_0");
    expect(chosen.v[1]).toBe("q4_0");
    expect(chosen.v[0]).toBe("q4_0");
    expect(["f16", "q8_0", "q5_1"]).toContain(chosen.k[0]);
    // nothing cheaper fits: every single further downgrade breaks the budget or saves nothing
    expect(greedyAssignment(allF16(2), types, sensitivities, 1e9, bytesOf)).toEqual({
      k: ["q4_0", "q4_0"],
      v: ["q4_0", "q4_0"],
    });
  });

  it("starting from a measured assignment, spends only what is left of the budget", () => {
    const sensitivities: Sensitivity[] = [
      { group: 0, component: "k", type: "q4_0", kld: 0.004 },
      { group: 0, component: "v", type: "q4_0", kld: 0.01 },
      { group: 1, component: "k", type: "q4_0", kld: 0.2 },
      { group: 1, component: "v", type: "q4_0", kld: 0.01 },
    ];
    const k8v4 = { assignment: { k: ["q8_0", "q8_0"], v: ["q4_0", "q4_0"] } as GroupAssignment, kld: 0.014 };
    // room for 0.006 more: group 0's cheap K goes to 4 bits, group 1's expensive K stays
    expect(greedyAssignment(k8v4, types, sensitivities, 0.02, bytesOf)).toEqual({
      k: ["q4_0", "q8_0"],
      v: ["q4_0", "q4_0"],
    });
    // no room: nothing changes
    expect(greedyAssignment(k8v4, types, sensitivities, 0.014, bytesOf)).toEqual(k8v4.assignment);
  });

  it("respects pairs the backend cannot run", () => {
    const sensitivities: Sensitivity[] = [
      { group: 0, component: "k", type: "q4_0", kld: 0.001 },
      { group: 0, component: "v", type: "q4_0", kld: 0.001 },
    ];
    const tied = greedyAssignment(allF16(1), types, sensitivities, 1, bytesOf, (k, v) => k === v);
    expect(tied).toEqual({ k: ["q4_0"], v: ["q4_0"] });
  });
});

describe("quality model", () => {
  // a setting's ΔPPL interval on `tokens` tokens when ΔPPL% = 80·KLD and the per-token ln variance is 3·KLD
  const pointFor = (kld: number, tokens: number) => {
    const se = Math.sqrt((3 * kld) / tokens);
    const mean = Math.log1p((80 * kld) / 100);
    return {
      meanKld: kld,
      deltaPplPct: 80 * kld,
      deltaPplPctInterval: [Math.expm1(mean - confidenceZ * se) * 100, Math.expm1(mean + confidenceZ * se) * 100] as [
        number,
        number,
      ],
      tokens,
    };
  };

  it("recovers ΔPPL per KLD and the per-token variance per KLD from measured intervals", () => {
    const model = fitQualityModel([pointFor(0.01, 510), pointFor(0.03, 510), pointFor(0.12, 510)]);
    expect(model.pplPctPerKld).toBeCloseTo(80, 6);
    expect(model.lnVariancePerKld).toBeCloseTo(3, 6);
  });

  it("fits ΔPPL per KLD on every trial, the unlucky negative ones too (Σ ΔPPL / Σ KLD)", () => {
    // true slope 40 with noise ±0.3 around it: a median of the positive ratios alone would be pulled up by the
    // trial that drew −0.1, which it leaves out
    const trials = [
      { meanKld: 0.005, deltaPplPct: -0.1 },
      { meanKld: 0.005, deltaPplPct: 0.5 },
      { meanKld: 0.01, deltaPplPct: 0.4 },
    ];
    expect(pooledPplPerKld(trials, 70)).toBeCloseTo(0.8 / 0.02, 9);
    expect(pplPerKld(trials)).toBeCloseTo(100, 9); // the positive ratios 40 and 100 (index 1 of 2): biased up
    expect(pooledPplPerKld([{ meanKld: 0.01, deltaPplPct: -0.2 }], 70)).toBe(70);
  });

  it("finds the largest KLD whose predicted upper bound on the decision's tokens meets the budget", () => {
    const model = { pplPctPerKld: 80, lnVariancePerKld: 3 };
    const k = kldBudgetFor(model, 1, 4080);
    expect(predictedUpperPct(model, k, 4080)).toBeCloseTo(1, 9);
    // the interval's width takes part of the budget: less KLD than the point estimate alone would allow
    expect(k).toBeLessThan(1 / 80);
    // more tokens, a narrower interval, more KLD allowed
    expect(kldBudgetFor(model, 1, 40800)).toBeGreaterThan(k);
  });
});

describe("calibration", () => {
  it("scales the sensitivities so whole measured assignments are predicted at their measured KLD (median)", () => {
    const sensitivities: Sensitivity[] = [
      { group: 0, component: "k", type: "q4_0", kld: 0.01 },
      { group: 0, component: "v", type: "q4_0", kld: 0.01 },
    ];
    const k4v4 = { assignment: { k: ["q4_0"], v: ["q4_0"] } as GroupAssignment, meanKld: 0.04 };
    const k8v4 = { assignment: { k: ["q8_0"], v: ["q4_0"] } as GroupAssignment, meanKld: 0.02 };
    const { sensitivities: scaled, factor } = calibrateSensitivities(sensitivities, [k4v4, k8v4]);
    // K4V4 predicted 0.02 (measured 2×), K8V4 0.01 + 0.01/256 (measured 1.99×): the median of two is the upper one
    expect(factor).toBeCloseTo(2, 9);
    expect(predictedAssignmentKld(k4v4.assignment, scaled)).toBeCloseTo(0.04, 9);
    // nothing measured: unchanged
    expect(calibrateSensitivities(sensitivities, []).factor).toBe(1);
  });
});
