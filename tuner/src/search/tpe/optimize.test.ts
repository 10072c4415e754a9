import { describe, expect, it } from "vitest";
import { categorical, float, int } from "./distributions.ts";
import { bestTrial, optimize } from "./optimize.ts";
import { RandomSampler, TpeSampler } from "./sampler.ts";
import type { Params, Sampler, SearchSpace } from "./types.ts";

const seeds = [0, 1, 2, 3, 4];
const mean = (values: readonly number[]) => values.reduce((sum, v) => sum + v, 0) / values.length;

function bestValue(
  objective: (p: Params) => number,
  space: SearchSpace,
  nTrials: number,
  sampler: Sampler,
  constraints?: (p: Params) => number[],
) {
  const result = optimize(objective, space, { nTrials, sampler, constraints });
  if (!result.best) {
    throw new Error("no feasible trial");
  }
  return { value: result.best.trial.value!, trial: result.best.trial, trials: result.trials };
}

describe("TPE on a continuous function with a known optimum", () => {
  // minimum 0 at (2, −1)
  const space = { x: float(-5, 5), y: float(-5, 5) };
  const objective = (p: Params) => ((p.x as number) - 2) ** 2 + ((p.y as number) + 1) ** 2;

  it("gets within 0.3 of (2, −1) in 100 trials and beats random search with the same seeds", () => {
    const tpe = seeds.map((seed) => Math.sqrt(bestValue(objective, space, 100, new TpeSampler({ seed })).value));
    const random = seeds.map((seed) => Math.sqrt(bestValue(objective, space, 100, new RandomSampler({ seed })).value));
    for (const distance of tpe) {
      expect(distance).toBeLessThan(0.3);
    }
    expect(mean(tpe)).toBeLessThan(0.15);
    expect(mean(random)).toBeGreaterThan(3 * mean(tpe));
  });

  it("also converges with independent (univariate) TPE", () => {
    const tpe = seeds.map((seed) =>
      Math.sqrt(bestValue(objective, space, 100, new TpeSampler({ seed, multivariate: false })).value),
    );
    expect(mean(tpe)).toBeLessThan(0.3);
  });

  it("finds log-scale and integer optima", () => {
    // minimum 0 at lr = 1e-3, layers = 7
    const mixed = { lr: float(1e-6, 1, { log: true }), layers: int(1, 32) };
    const f = (p: Params) => (Math.log10(p.lr as number) + 3) ** 2 + ((p.layers as number) - 7) ** 2 / 10;
    for (const seed of seeds.slice(0, 3)) {
      const { trial } = bestValue(f, mixed, 80, new TpeSampler({ seed }));
      expect(trial.params.layers).toBe(7);
      expect(Math.abs(Math.log10(trial.params.lr as number) + 3)).toBeLessThan(0.2);
    }
  });
});

describe("TPE on a categorical problem with a known best combination", () => {
  const choices = ["a", "b", "c", "d"] as const;
  // per-parameter cost of each choice; the interaction makes p2 = p5 = "d" best although neither is best alone
  const costs = [
    [3, 1, 4, 1.5],
    [5, 9, 2, 6],
    [5, 3, 5, 8],
    [9, 7, 9, 3],
    [2, 3, 8, 4],
    [6, 2, 6, 4],
    [3, 3, 8, 3.5],
    [2, 7, 9, 5],
  ];
  const space = Object.fromEntries(costs.map((_, i) => [`p${i}`, categorical(choices)]));
  const objective = (p: Params) => {
    let total = costs.reduce((sum, row, i) => sum + row[choices.indexOf(p[`p${i}`] as (typeof choices)[number])]!, 0);
    if (p.p2 === "d" && p.p5 === "d") {
      total -= 8;
    }
    return total;
  };
  const optimum = 17; // b c d d a d a a, by exhaustive search below

  it("has the optimum the test claims", () => {
    let best = Infinity;
    for (let code = 0; code < 4 ** 8; code++) {
      const p: Params = {};
      for (let i = 0, rest = code; i < 8; i++, rest = Math.floor(rest / 4)) {
        p[`p${i}`] = choices[rest % 4]!;
      }
      best = Math.min(best, objective(p));
    }
    expect(best).toBe(optimum);
  });

  it("finds it within 150 trials far more often than random search", () => {
    const runSeeds = Array.from({ length: 10 }, (_, i) => i);
    const tpe = runSeeds.map((seed) => bestValue(objective, space, 150, new TpeSampler({ seed })).value);
    const random = runSeeds.map((seed) => bestValue(objective, space, 150, new RandomSampler({ seed })).value);
    const hits = (values: number[]) => values.filter((v) => v === optimum).length;
    expect(hits(tpe)).toBeGreaterThanOrEqual(3);
    expect(hits(tpe)).toBeGreaterThan(hits(random));
    expect(mean(tpe)).toBeLessThan(mean(random) - 3);
  });
});

describe("TPE with a constraint (minimize KV bytes subject to a quality budget)", () => {
  const types = ["f16", "q8_0", "q5_1", "q5_0", "q4_1", "q4_0"] as const;
  type T = (typeof types)[number];
  const bits: Record<T, number> = { f16: 16, q8_0: 8.5, q5_1: 6, q5_0: 5.5, q4_1: 5, q4_0: 4.5 };
  const error: Record<T, number> = { f16: 0, q8_0: 0.02, q5_1: 0.15, q5_0: 0.2, q4_1: 0.35, q4_0: 0.5 };
  const groups = [
    { layers: 4, sensitivity: 3 },
    { layers: 8, sensitivity: 1 },
    { layers: 6, sensitivity: 0.5 },
  ];
  const space: SearchSpace = Object.fromEntries(
    groups.flatMap((_, g) => [
      [`g${g}.k`, categorical(types)],
      [`g${g}.v`, categorical(types)],
    ]),
  );
  const typeOf = (p: Params, key: string) => p[key] as T;
  const bytes = (p: Params) =>
    groups.reduce((sum, g, i) => sum + g.layers * (bits[typeOf(p, `g${i}.k`)] + bits[typeOf(p, `g${i}.v`)]), 0);
  // keys hurt twice as much as values
  const penalty = (p: Params) =>
    groups.reduce(
      (sum, g, i) => sum + g.sensitivity * (2 * error[typeOf(p, `g${i}.k`)] + error[typeOf(p, `g${i}.v`)]),
      0,
    );
  const budget = 1;
  const constraint = (p: Params) => [penalty(p) - budget];

  // exhaustive search over 6^6 settings
  function bestFeasible(): number {
    const keys = Object.keys(space);
    let best = Infinity;
    for (let code = 0; code < 6 ** keys.length; code++) {
      const p: Params = {};
      keys.forEach((key, i) => (p[key] = types[Math.floor(code / 6 ** i) % 6]!));
      if (penalty(p) <= budget) {
        best = Math.min(best, bytes(p));
      }
    }
    return best;
  }

  it("returns a feasible point within 8% of the best feasible bytes, with most suggestions feasible", () => {
    const optimum = bestFeasible();
    expect(optimum).toBe(226); // q8_0/q8_0, q5_1/q5_0, q5_0/q5_0
    const ratios: number[] = [];
    const feasibleShare = { tpe: [] as number[], random: [] as number[] };
    const randomRatios: number[] = [];
    for (const seed of seeds) {
      const tpe = bestValue(bytes, space, 150, new TpeSampler({ seed }), constraint);
      const random = bestValue(bytes, space, 150, new RandomSampler({ seed }), constraint);
      expect(penalty(tpe.trial.params)).toBeLessThanOrEqual(budget);
      ratios.push(tpe.value / optimum);
      randomRatios.push(random.value / optimum);
      const share = (trials: typeof tpe.trials) =>
        trials.slice(10).filter((t) => t.constraint![0]! <= 0).length / (trials.length - 10);
      feasibleShare.tpe.push(share(tpe.trials));
      feasibleShare.random.push(share(random.trials));
    }
    expect(Math.max(...ratios)).toBeLessThan(1.08);
    expect(mean(randomRatios)).toBeGreaterThan(mean(ratios) + 0.05);
    // ~7% of the space is feasible; TPE should learn where it is
    expect(mean(feasibleShare.tpe)).toBeGreaterThan(3 * mean(feasibleShare.random));
  });

  it("never prefers infeasible points, even when they have better values", () => {
    // minimize x subject to x ≥ 3: everything below 3 is better but infeasible
    const space1 = { x: float(0, 10) };
    const x = (p: Params) => p.x as number;
    for (const seed of seeds.slice(0, 3)) {
      const constrained = optimize(x, space1, { nTrials: 60, seed, constraints: (p) => [3 - x(p)] });
      expect(x(constrained.best!.trial.params)).toBeGreaterThanOrEqual(3);
      expect(x(constrained.best!.trial.params)).toBeLessThan(3.1);
      const lateMean = mean(constrained.trials.slice(40).map((t) => x(t.params)));
      expect(lateMean).toBeGreaterThan(3);
      // the same sampler told to ignore constraints chases the infeasible region instead
      const ignoring = optimize(x, space1, {
        nTrials: 60,
        sampler: new TpeSampler({ seed, constraints: false }),
        constraints: (p) => [3 - x(p)],
      });
      expect(mean(ignoring.trials.slice(40).map((t) => x(t.params)))).toBeLessThan(2);
    }
  });
});

describe("optimize / bestTrial", () => {
  it("evaluates enqueued settings first and fills in what they omit", () => {
    const space = { a: categorical(["x", "y"]), b: int(0, 9) };
    const seen: Params[] = [];
    const { trials } = optimize(
      (p) => {
        seen.push(p);
        return p.b as number;
      },
      space,
      { nTrials: 3, seed: 1, enqueue: [{ a: "y", b: 4 }, { a: "x" }] },
    );
    expect(seen[0]).toEqual({ a: "y", b: 4 });
    expect(seen[1]!.a).toBe("x");
    expect(typeof seen[1]!.b).toBe("number");
    expect(trials).toHaveLength(3);
  });

  it("records throwing or NaN objectives as failed and skips them for the best trial", () => {
    let calls = 0;
    const { trials, best } = optimize(
      () => {
        calls++;
        if (calls === 1) throw new Error("boom");
        return calls === 2 ? NaN : calls;
      },
      { x: float(0, 1) },
      { nTrials: 4, seed: 2 },
    );
    expect(trials.map((t) => t.state)).toEqual(["failed", "failed", "complete", "complete"]);
    expect(best!.number).toBe(2);
  });

  it("picks the lowest feasible value", () => {
    expect(
      bestTrial([
        { params: {}, value: 1, constraint: [0.1], state: "complete" },
        { params: {}, value: 3, constraint: [0], state: "complete" },
        { params: {}, value: 2, constraint: [-1], state: "complete" },
      ])?.number,
    ).toBe(2);
    expect(bestTrial([{ params: {}, value: 1, constraint: [1], state: "complete" }])).toBeUndefined();
  });
});
