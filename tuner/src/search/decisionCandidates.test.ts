import { describe, expect, it } from "vitest";
import type { KvType } from "../profiles/schema.ts";
import { decisionCandidates } from "./decisionCandidates.ts";
import type { Measurement, Trial } from "./study.ts";

const budget = { kind: "percent" as const, percent: 1 };

const measurement = (interval: [number, number]): Measurement => ({
  chunks: 2,
  deltaPpl: 0,
  deltaPplPct: (interval[0] + interval[1]) / 2,
  deltaPplPctInterval: interval,
  meanKld: 0.01,
  meanKldInterval: [0.009, 0.011],
  top1Agreement: 0.95,
  pplBase: 20,
  wallMs: 1,
});

/** A screened trial of one group; `predictedOver` is how far the quality model puts it over the budget. */
function trial(
  number: number,
  origin: Trial["origin"],
  k: KvType,
  v: KvType,
  bytes: number,
  screen: [number, number],
  predictedOver: number,
  decision?: [number, number],
): Trial & { predictedOver: number } {
  return {
    ...measurement(screen),
    number,
    origin,
    assignment: { k: [k], v: [v] },
    bytes,
    measuredBytes: bytes,
    finishedAt: "2026-12-01T00:00:00Z",
    ...(decision ? { decision: measurement(decision) } : {}),
    predictedOver,
  };
}

const candidatesOf = (trials: ReturnType<typeof trial>[]) =>
  decisionCandidates(trials, budget, (t) => (t as ReturnType<typeof trial>).predictedOver).map((t) => t.number);

describe("decisionCandidates", () => {
  it("keeps a uniform pair the model overstates by up to the budget again, but not a per-layer one", () => {
    // both predicted 0.9 points over a 1 % budget: the uniform pair is the floor and is decided
    expect(candidatesOf([trial(0, "uniform", "q8_0", "q4_0", 100, [-0.5, 1.5], 0.9)])).toEqual([0]);
    expect(candidatesOf([trial(1, "greedy", "q8_0", "q5_0", 90, [-0.5, 1.5], 0.9)])).toEqual([]);
    // a per-layer trial within a quarter of the budget of what the model predicts is kept
    expect(candidatesOf([trial(2, "greedy", "q8_0", "q5_0", 90, [-0.5, 1.5], 0.25)])).toEqual([2]);
  });

  it("drops a uniform pair the model puts over twice the budget, or its own screen clearly over it", () => {
    expect(candidatesOf([trial(0, "uniform", "q4_0", "q4_0", 50, [-0.7, 9.5], 6.2)])).toEqual([]);
    expect(candidatesOf([trial(1, "uniform", "q4_0", "q8_0", 70, [1.1, 9.5], 0.5)])).toEqual([]);
  });

  it("keeps a decided trial only if its decision held, and returns the cheapest first, each assignment once", () => {
    const trials = [
      trial(0, "uniform", "q8_0", "q8_0", 200, [-1.5, -0.2], -0.2, [-0.4, 0.4]),
      trial(1, "uniform", "q8_0", "q4_0", 150, [-0.5, 2.7], 0.25, [0.1, 1.2]),
      trial(2, "greedy", "q8_0", "q5_0", 160, [-1.6, 1.1], -0.1),
      trial(3, "tpe", "q8_0", "q5_0", 160, [-1.6, 1.1], -0.1),
      trial(4, "greedy", "q5_0", "q5_0", 140, [-1.0, 2.5], 0.2),
    ];
    expect(candidatesOf(trials)).toEqual([4, 3, 0]);
  });
});
