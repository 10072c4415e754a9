import { describe, expect, it } from "vitest";
import { Rng } from "./rng.ts";

const draws = (rng: Rng, n: number) => Array.from({ length: n }, () => rng.uniform());

describe("Rng", () => {
  it("repeats the same sequence for the same seed and stream", () => {
    expect(draws(new Rng(42, 7), 50)).toEqual(draws(new Rng(42, 7), 50));
  });

  it("gives different sequences for different seeds or streams", () => {
    const base = draws(new Rng(42, 7), 10);
    expect(draws(new Rng(43, 7), 10)).not.toEqual(base);
    expect(draws(new Rng(42, 8), 10)).not.toEqual(base);
    expect(draws(new Rng(42 + 2 ** 32, 7), 10)).not.toEqual(base);
  });

  it("is uniform on [0, 1)", () => {
    const values = draws(new Rng(1), 40000);
    expect(Math.min(...values)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...values)).toBeLessThan(1);
    const mean = values.reduce((s, v) => s + v, 0) / values.length;
    expect(Math.abs(mean - 0.5)).toBeLessThan(0.01);
    const buckets = new Array(10).fill(0);
    values.forEach((v) => buckets[Math.floor(v * 10)]++);
    buckets.forEach((count) => expect(Math.abs(count / values.length - 0.1)).toBeLessThan(0.01));
  });

  it("draws indices in proportion to their weights and never one with zero weight", () => {
    const rng = new Rng(5);
    const counts = [0, 0, 0, 0];
    for (let i = 0; i < 40000; i++) {
      const index = rng.choice([1, 0, 3, 4]);
      counts[index] = counts[index]! + 1;
    }
    expect(counts[1]).toBe(0);
    expect(Math.abs(counts[0]! / 40000 - 0.125)).toBeLessThan(0.01);
    expect(Math.abs(counts[3]! / 40000 - 0.5)).toBeLessThan(0.01);
  });
});
