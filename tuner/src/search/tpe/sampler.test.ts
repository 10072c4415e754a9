import { describe, expect, it } from "vitest";
import { categorical, float, int } from "./distributions.ts";
import { defaultGamma } from "./gamma.ts";
import { optimize } from "./optimize.ts";
import { ParzenEstimator } from "./parzenEstimator.ts";
import { RandomSampler, TpeSampler } from "./sampler.ts";
import { splitTrials } from "./splitTrials.ts";
import type { FrozenTrial, Params, SearchSpace } from "./types.ts";

const kvTypes = ["f16", "q8_0", "q5_1", "q5_0", "q4_1", "q4_0"] as const;
const kvSpace: SearchSpace = {
  "g0.k": categorical(kvTypes),
  "g0.v": categorical(kvTypes),
  "g1.k": categorical(kvTypes),
  "g1.v": categorical(kvTypes),
};
const quadraticSpace = { x: float(-5, 5), y: float(-5, 5) };
const quadratic = (p: Params) => ((p.x as number) - 2) ** 2 + ((p.y as number) + 1) ** 2;

function history(n: number, seed: number): FrozenTrial[] {
  return optimize(quadratic, quadraticSpace, { nTrials: n, sampler: new RandomSampler({ seed }) }).trials;
}

function expectInSpace(space: SearchSpace, params: Params): void {
  expect(Object.keys(params).sort()).toEqual(Object.keys(space).sort());
  for (const [name, distribution] of Object.entries(space)) {
    const value = params[name];
    if (distribution.type === "categorical") {
      expect(distribution.choices).toContain(value);
    } else {
      expect(typeof value).toBe("number");
      expect(value as number).toBeGreaterThanOrEqual(distribution.low);
      expect(value as number).toBeLessThanOrEqual(distribution.high);
      if (distribution.type === "int") {
        expect(Number.isInteger(value)).toBe(true);
      }
    }
  }
}

describe("TpeSampler determinism", () => {
  it("gives the same suggestion for the same seed and history, from any sampler instance", () => {
    const trials = history(30, 1);
    const first = new TpeSampler({ seed: 11 }).suggest(quadraticSpace, trials);
    const sampler = new TpeSampler({ seed: 11 });
    sampler.suggest(quadraticSpace, history(12, 2)); // earlier calls must not shift the stream
    expect(sampler.suggest(quadraticSpace, trials)).toEqual(first);
    expect(new TpeSampler({ seed: 12 }).suggest(quadraticSpace, trials)).not.toEqual(first);
  });

  it("replays a whole optimization exactly", () => {
    const run = (seed: number) => optimize(quadratic, quadraticSpace, { nTrials: 40, seed }).trials;
    expect(run(3)).toEqual(run(3));
    expect(run(3)).not.toEqual(run(4));
  });
});

describe("TpeSampler acquisition", () => {
  it("picks the candidate maximizing log l(x) − log g(x) of the below/above estimators", () => {
    const space = { x: float(0, 10) };
    const trials = Array.from({ length: 40 }, (_, i): FrozenTrial => {
      const x = (i * 10) / 39;
      return { params: { x }, value: (x - 3) ** 2, state: "complete" };
    });
    // rebuild l and g as the sampler does: the best γ(40) = 4 trials below, the rest above
    const { below, above } = splitTrials(
      trials.map((trial, number) => ({ trial, number })),
      defaultGamma(40),
      false,
    );
    const l = new ParzenEstimator({ x: below.map((e) => e.trial.params.x as number) }, space);
    const g = new ParzenEstimator({ x: above.map((e) => e.trial.params.x as number) }, space);
    const score = (xs: number[]) => {
      const logL = l.logPdf({ x: xs });
      const logG = g.logPdf({ x: xs });
      return xs.map((_, i) => logL[i]! - logG[i]!);
    };
    const grid = Array.from({ length: 10001 }, (_, i) => i / 1000);
    const bestOnGrid = Math.max(...score(grid));
    for (let seed = 0; seed < 5; seed++) {
      // with many candidates the winner must be (close to) the maximizer of the ratio
      const x = new TpeSampler({ seed, nEiCandidates: 1000 }).suggest(space, trials).x as number;
      expect(score([x])[0]!).toBeGreaterThan(bestOnGrid - 0.02);
    }
  });
});

describe("TpeSampler startup and history handling", () => {
  it("samples at random, ignoring values, until nStartupTrials trials have completed", () => {
    const trials = history(9, 5);
    const shuffledValues = trials.map((trial, i) => ({ ...trial, value: trials[(i + 4) % 9]!.value }));
    const tpe = new TpeSampler({ seed: 8 });
    const suggestion = tpe.suggest(quadraticSpace, trials);
    expect(tpe.suggest(quadraticSpace, shuffledValues)).toEqual(suggestion);
    expect(new RandomSampler({ seed: 8 }).suggest(quadraticSpace, trials)).toEqual(suggestion);
    // failed and running trials do not count towards the startup phase
    const withFailures: FrozenTrial[] = [...trials, { params: { x: 0, y: 0 }, state: "failed" }];
    expect(new TpeSampler({ seed: 8, nStartupTrials: 10 }).suggest(quadraticSpace, withFailures)).toEqual(
      new RandomSampler({ seed: 8 }).suggest(quadraticSpace, withFailures),
    );
  });

  it("uses the values once the startup phase is over", () => {
    const trials = history(10, 5);
    const shuffledValues = trials.map((trial, i) => ({ ...trial, value: trials[(i + 4) % 10]!.value }));
    const tpe = new TpeSampler({ seed: 8 });
    expect(tpe.suggest(quadraticSpace, shuffledValues)).not.toEqual(tpe.suggest(quadraticSpace, trials));
  });

  it("accepts arbitrary prior trials: enqueued settings, stale values, failures, running trials", () => {
    const uniform = kvTypes.map((type, i): FrozenTrial => ({
      params: { "g0.k": type, "g0.v": type, "g1.k": type, "g1.v": type },
      value: 100 - 10 * i,
      constraint: [i - 3],
      state: "complete",
    }));
    const prior: FrozenTrial[] = [
      ...uniform,
      // a greedy candidate, then oddities the sampler must shrug off
      {
        params: { "g0.k": "q8_0", "g0.v": "q4_0", "g1.k": "q8_0", "g1.v": "q4_0" },
        value: 60,
        constraint: [-0.2],
        state: "complete",
      },
      {
        params: { "g0.k": "iq4_nl", "g0.v": "q4_0", "g1.k": "f16", "g1.v": "f16", other: 3 },
        value: 40,
        constraint: [-1],
        state: "complete",
      },
      { params: { "g0.k": "q4_0" }, value: 10, constraint: [-1], state: "complete" },
      { params: { "g0.k": "q4_0", "g0.v": "q4_0", "g1.k": "q4_0", "g1.v": "q4_0" }, state: "failed" },
      { params: { "g0.k": "q5_0", "g0.v": "q5_0", "g1.k": "q5_0", "g1.v": "q5_0" }, state: "running" },
      { params: {}, value: 5, state: "complete" },
    ];
    for (const options of [{}, { multivariate: false }, { group: true }, { constantLiar: false }]) {
      for (let seed = 0; seed < 5; seed++) {
        expectInSpace(kvSpace, new TpeSampler({ seed, nStartupTrials: 5, ...options }).suggest(kvSpace, prior));
      }
    }
  });

  it("returns single-valued parameters without sampling and handles int, log and stepped ranges", () => {
    const space: SearchSpace = {
      fixed: categorical(["only"]),
      same: float(1, 1),
      lr: float(1e-5, 1, { log: true }),
      layers: int(1, 64, { log: true }),
      group: int(0, 30, { step: 5 }),
      share: float(0, 1, { step: 0.1 }),
    };
    const { trials } = optimize(() => 0, space, { nTrials: 20, seed: 1 });
    for (const trial of trials) {
      expect(trial.params.fixed).toBe("only");
      expect(trial.params.same).toBe(1);
      expectInSpace(space, trial.params);
      expect((trial.params.group as number) % 5).toBe(0);
    }
  });

  it("rejects invalid settings and search spaces with named errors", () => {
    expect(() => new TpeSampler({ nEiCandidates: 0 })).toThrow(/nEiCandidates/);
    expect(() => new TpeSampler({ multivariate: false, group: true })).toThrow(/group/);
    const sampler = new TpeSampler({ seed: 1 });
    expect(() => sampler.suggest({ x: float(1, 0) }, [])).toThrow(/parameter "x"/);
    expect(() => sampler.suggest({ x: float(0, 1, { log: true }) }, [])).toThrow(/low > 0/);
    expect(() => sampler.suggest({ c: categorical([]) }, [])).toThrow(/at least one choice/);
    expect(() => sampler.suggest({ c: categorical(["a", "a"]) }, [])).toThrow(/twice/);
    expect(() => sampler.suggest({ n: int(1, 10, { log: true, step: 2 }) }, [])).toThrow(/step 1/);
  });
});

describe("TpeSampler constant liar", () => {
  const space = { x: float(0, 10) };
  const finished = Array.from({ length: 30 }, (_, i): FrozenTrial => ({
    params: { x: (i * 10) / 29 },
    value: Math.abs((i * 10) / 29 - 5),
    state: "complete",
  }));
  const running = Array.from({ length: 10 }, (): FrozenTrial => ({ params: { x: 5 }, state: "running" }));

  it("ignores running trials without it", () => {
    const failed = running.map((trial): FrozenTrial => ({ ...trial, state: "failed" }));
    const sampler = new TpeSampler({ seed: 3, constantLiar: false });
    expect(sampler.suggest(space, [...finished, ...running])).toEqual(sampler.suggest(space, [...finished, ...failed]));
  });

  it("steers away from where running trials already are", () => {
    const meanDistance = (constantLiar: boolean) => {
      let total = 0;
      for (let seed = 0; seed < 40; seed++) {
        const x = new TpeSampler({ seed, constantLiar }).suggest(space, [...finished, ...running]).x as number;
        total += Math.abs(x - 5);
      }
      return total / 40;
    };
    expect(meanDistance(true)).toBeGreaterThan(meanDistance(false) * 1.5);
  });
});
