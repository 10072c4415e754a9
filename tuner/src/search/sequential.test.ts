import { describe, expect, it } from "vitest";
import { deltaPplPctOf, interval, standardError } from "../eval/pairedQuality.ts";
import type { QualityBudget } from "./budget.ts";
import { chunkLevels, decideSequentially, verdictOf } from "./sequential.ts";

const budget: QualityBudget = { kind: "percent", percent: 1 };

/** Synthetic per-chunk ln(PPL ratio) values: chunk i alternates mean ± spread. */
const chunksAround = (mean: number, spread: number, n = 64) =>
  Array.from({ length: n }, (_, i) => mean + (i % 2 === 0 ? spread : -spread));

/** A measurer over per-chunk values that records which chunks it measured, so reuse is visible. */
function measurer(values: number[]) {
  const measured: number[] = [];
  const measure = async (chunks: number) => {
    for (let i = measured.length; i < chunks; i++) measured.push(i);
    const used = values.slice(0, chunks);
    const mean = used.reduce((s, v) => s + v, 0) / used.length;
    const [lo, hi] = interval(mean, standardError(used));
    return {
      chunks,
      pplBase: 20,
      deltaPplPct: deltaPplPctOf(mean),
      deltaPplPctInterval: [deltaPplPctOf(lo), deltaPplPctOf(hi)] as [number, number],
    };
  };
  return { measure, measured };
}

describe("chunkLevels", () => {
  it("doubles from the first level and ends at the cap", () => {
    expect(chunkLevels(4, 64)).toEqual([4, 8, 16, 32, 64]);
    expect(chunkLevels(16, 40)).toEqual([16, 32, 40]);
    expect(chunkLevels(16, 16)).toEqual([16]);
    expect(chunkLevels(16, 8)).toEqual([8]);
  });
  it("refuses levels that are not positive integers", () => {
    expect(() => chunkLevels(0, 64)).toThrow(/≥ 1/);
    expect(() => chunkLevels(4, 2.5)).toThrow(/≥ 1/);
  });
});

describe("the sequential decision", () => {
  const levels = chunkLevels(4, 64);

  it("accepts on the first look when the upper bound is inside the budget", async () => {
    // +0.3% ± a little: upper bound well inside 1%
    const m = measurer(chunksAround(Math.log1p(0.003), 0.001));
    const d = await decideSequentially({ budget, levels, measure: m.measure });
    expect(d).toMatchObject({ accepted: true, decidedBy: "upper-within", looks: [4] });
    expect(m.measured).toHaveLength(4);
  });

  it("rejects on the first look when the lower bound is outside the budget", async () => {
    const m = measurer(chunksAround(Math.log1p(0.03), 0.001));
    const d = await decideSequentially({ budget, levels, measure: m.measure });
    expect(d).toMatchObject({ accepted: false, decidedBy: "lower-over", looks: [4] });
  });

  it("grows a straddling candidate, reusing the measured chunks, until the upper bound is inside", async () => {
    // +0.7%, chunk spread ±0.5%: on 4 chunks the interval is about ±0.57% (straddles 1%), on 8 ±0.38% (still
    // straddles), on 16 ±0.26%: inside
    const m = measurer(chunksAround(Math.log1p(0.007), 0.005));
    const looks: Array<[number, string, number | undefined]> = [];
    const d = await decideSequentially({
      budget,
      levels,
      measure: m.measure,
      onLook: (x, v, next) => looks.push([x.chunks, v.kind, next]),
    });
    expect(d).toMatchObject({ accepted: true, decidedBy: "upper-within", looks: [4, 8, 16] });
    expect(looks).toEqual([
      [4, "grow", 8],
      [8, "grow", 16],
      [16, "accept", undefined],
    ]);
    expect(d.measurement.deltaPplPctInterval[1]).toBeLessThanOrEqual(1);
    expect(verdictOf(budget, await measurer(chunksAround(Math.log1p(0.007), 0.005)).measure(8), false).kind).toBe(
      "grow",
    );
    // every chunk measured once: 16 in all, not 4 + 8 + 16
    expect(m.measured).toEqual(Array.from({ length: 16 }, (_, i) => i));
  });

  it("grows and rejects once the lower bound is outside", async () => {
    // +1.3% ± 1%: straddles on 4 and 8 chunks, lower bound above 1% on 16
    const m = measurer(chunksAround(Math.log1p(0.013), 0.01));
    const d = await decideSequentially({ budget, levels, measure: m.measure });
    expect(d.accepted).toBe(false);
    expect(d.decidedBy).toBe("lower-over");
    expect(d.looks.length).toBeGreaterThan(1);
    expect(d.measurement.deltaPplPctInterval[0]).toBeGreaterThan(1);
  });

  it("at the cap, a straddling interval is decided by its upper bound: rejected, even with the point inside", async () => {
    // +0.95%, spread ±1%: on 64 chunks still about [+0.70%, +1.20%]
    const m = measurer(chunksAround(Math.log1p(0.0095), 0.01));
    const d = await decideSequentially({ budget, levels, measure: m.measure });
    expect(d).toMatchObject({ accepted: false, decidedBy: "cap", looks: [4, 8, 16, 32, 64] });
    expect(d.measurement.deltaPplPct).toBeLessThan(1);
    expect(d.measurement.deltaPplPctInterval[0]).toBeLessThan(1);
    expect(d.measurement.deltaPplPctInterval[1]).toBeGreaterThan(1);
    expect(m.measured).toHaveLength(64);
  });

  it("stops growing when the time limit says so, and decides as at the cap", async () => {
    const m = measurer(chunksAround(Math.log1p(0.0095), 0.01));
    const d = await decideSequentially({ budget, levels, measure: m.measure, mayGrow: (from) => from < 8 });
    expect(d).toMatchObject({ accepted: false, decidedBy: "time", looks: [4, 8] });
  });

  it("uses more chunks than a level asks for when they were measured before, and skips the levels they cover", async () => {
    const m = measurer(chunksAround(Math.log1p(0.0095), 0.01));
    const d = await decideSequentially({
      budget,
      levels,
      measure: async (chunks) => m.measure(Math.max(chunks, 32)),
    });
    expect(d.looks).toEqual([32, 64]);
  });

  it("treats a text that runs out as the cap", async () => {
    const m = measurer(chunksAround(Math.log1p(0.0095), 0.01, 20));
    const d = await decideSequentially({
      budget,
      levels,
      measure: async (chunks) => m.measure(Math.min(chunks, 20)),
    });
    expect(d).toMatchObject({ accepted: false, decidedBy: "cap", looks: [4, 8, 16, 20] });
  });

  it("decides an absolute budget on the same bounds", async () => {
    const m = measurer(chunksAround(Math.log1p(0.007), 0.005));
    // ΔPPL ≤ 0.2 of f16's 20 = 1%
    const d = await decideSequentially({ budget: { kind: "absolute", deltaPpl: 0.2 }, levels, measure: m.measure });
    expect(d.looks).toEqual([4, 8, 16]);
    expect(d.accepted).toBe(true);
  });
});
