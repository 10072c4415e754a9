import { describe, expect, it } from "vitest";
import { categorical, float, int, normalizeSpace } from "./distributions.ts";
import {
  defaultParzenEstimatorParameters,
  ParzenEstimator,
  type NumericKernels,
  type ParzenEstimatorParameters,
} from "./parzenEstimator.ts";
import { Rng } from "./rng.ts";
import type { SearchSpace } from "./types.ts";

function estimator(
  space: SearchSpace,
  observations: Record<string, number[]>,
  parameters: Partial<ParzenEstimatorParameters> = {},
): ParzenEstimator {
  return new ParzenEstimator(observations, normalizeSpace(space), {
    ...defaultParzenEstimatorParameters,
    ...parameters,
  });
}

function expectAllClose(actual: readonly number[], expected: readonly number[], tolerance = 1e-12): void {
  expect(actual).toHaveLength(expected.length);
  actual.forEach((value, i) => expect(Math.abs(value - expected[i]!)).toBeLessThan(tolerance));
}

describe("ParzenEstimator, categorical kernels", () => {
  const space = { c: categorical(["a", "b", "c"]) };

  it("matches the hand-computed mixture for observations [a, a, c]", () => {
    // 3 observed kernels + prior, weights 1/4 each; each observed kernel is (1/4 + [choice = obs]) / (7/4),
    // the prior uniform: p(a) = ¼(5/7 + 5/7 + 1/7 + 1/3) = 10/21, p(b) = 4/21, p(c) = 7/21.
    const pe = estimator(space, { c: [0, 0, 2] });
    expectAllClose(pe.weights, [0.25, 0.25, 0.25, 0.25]);
    expectAllClose(pe.logPdf({ c: [0, 1, 2] }), [Math.log(10 / 21), Math.log(4 / 21), Math.log(7 / 21)], 1e-14);
  });

  it("sums to 1 over all choices, jointly over several parameters, with any prior weight", () => {
    const joint = { k: categorical(["f16", "q8_0", "q5_0", "q4_0"]), v: categorical(["f16", "q8_0", "q4_0"]) };
    for (const priorWeight of [0.5, 1, 3]) {
      const pe = estimator(joint, { k: [0, 3, 3, 1, 2], v: [2, 2, 0, 1, 2] }, { priorWeight });
      const k: number[] = [];
      const v: number[] = [];
      for (let i = 0; i < 4; i++) {
        for (let j = 0; j < 3; j++) {
          k.push(i);
          v.push(j);
        }
      }
      const total = pe.logPdf({ k, v }).reduce((sum, lp) => sum + Math.exp(lp), 0);
      expect(total).toBeCloseTo(1, 12);
    }
  });

  it("is uniform with no observations", () => {
    const pe = estimator(space, { c: [] });
    expectAllClose(pe.logPdf({ c: [0, 1, 2] }), new Array(3).fill(-Math.log(3)));
  });

  it("samples choices with the frequencies of its density", () => {
    const pe = estimator(space, { c: [0, 0, 2] });
    const draws = pe.sample(new Rng(7), 30000).c!;
    const expected = [10 / 21, 4 / 21, 7 / 21];
    for (let choice = 0; choice < 3; choice++) {
      const share = draws.filter((d) => d === choice).length / draws.length;
      expect(Math.abs(share - expected[choice]!)).toBeLessThan(0.01);
    }
  });
});

describe("ParzenEstimator, numeric kernels", () => {
  it("matches the hand-computed density for one observation (bandwidth = larger gap to the bounds)", () => {
    // x ∈ [0, 10], observation 2: σ = max(2 − 0, 10 − 2) = 8 (above the magic-clip floor 10/3);
    // prior N(5, 10²); both truncated to [0, 10] and weighted ½.
    const pe = estimator({ x: float(0, 10) }, { x: [2] });
    const kernels = pe.kernelsOf("x") as NumericKernels;
    expect(kernels.mus).toEqual([2, 5]);
    expect(kernels.sigmas).toEqual([8, 10]);
    const phi = (z: number) => Math.exp((-z * z) / 2) / Math.sqrt(2 * Math.PI);
    // Φ(1) − Φ(−0.25) and Φ(0.5) − Φ(−0.5), from Python's math.erfc
    const mass1 = 0.8413447460685429 - 0.4012936743170763;
    const mass2 = 2 * 0.6914624612740131 - 1;
    const density = (x: number) => 0.5 * (phi((x - 2) / 8) / (8 * mass1)) + 0.5 * (phi((x - 5) / 10) / (10 * mass2));
    expectAllClose(
      pe.logPdf({ x: [0, 2, 9] }),
      [0, 2, 9].map((x) => Math.log(density(x))),
      1e-14,
    );
  });

  // Reference values computed with Optuna 5.0.0: _ParzenEstimator(observations, space, params).log_pdf(samples).
  it.each<{
    name: string;
    space: SearchSpace;
    observations: number[];
    parameters: Partial<ParzenEstimatorParameters>;
    samples: number[];
    sigmas?: number[];
    logPdf: number[];
  }>([
    {
      name: "float, 4 observations",
      space: { x: float(-5, 5) },
      observations: [0.5, -1, 3, 4.9],
      parameters: {},
      samples: [-5, -2.5, 0, 0.5, 1.7, 4.99, 5],
      sigmas: [2.5, 1.6666666666666667, 2.5, 1.9000000000000004, 10],
      logPdf: [
        -3.7161549854560327, -2.625695473093395, -2.148057055868636, -2.1481474841218926, -2.1337676181448364,
        -2.0009473810989897, -2.002235567040631,
      ],
    },
    {
      name: "float, consider_endpoints",
      space: { x: float(-5, 5) },
      observations: [0.5, -1, 3, 4.9],
      parameters: { considerEndpoints: true },
      samples: [-4, 0, 4.5],
      sigmas: [2.5, 4, 2.5, 1.9000000000000004, 10],
      logPdf: [-3.0763520766725714, -2.289195141586882, -1.891355737851235],
    },
    {
      name: "log float",
      space: { x: float(1e-3, 10, { log: true }) },
      observations: [0.01, 0.02, 1],
      parameters: {},
      samples: [0.001, 0.015, 0.5, 10],
      logPdf: [-2.4434385693946536, -1.9451358072540397, -2.342324092873706, -2.7122409190687757],
    },
    {
      name: "int",
      space: { n: int(0, 10) },
      observations: [2, 3, 3, 9],
      parameters: {},
      samples: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
      logPdf: [
        -2.495605653736488, -2.174031068228725, -1.9856049656956514, -1.9657700534749303, -2.1029626978836533,
        -2.3380565478854463, -2.574872112540587, -2.7378194891720806, -2.8280883631627325, -2.8890073348848997,
        -2.9517450530737066,
      ],
    },
    {
      name: "log int",
      space: { n: int(1, 64, { log: true }) },
      observations: [1, 4, 32],
      parameters: {},
      samples: [1, 2, 3, 4, 8, 16, 64],
      logPdf: [
        -1.4336625948126334, -2.112840078965522, -2.5424161959975975, -2.8575021760523747, -3.6348333915945688,
        -4.421786327145093, -6.061118232691791,
      ],
    },
    {
      name: "float with step",
      space: { x: float(0, 1, { step: 0.25 }) },
      observations: [0.25, 0.75],
      parameters: {},
      samples: [0, 0.25, 0.5, 0.75, 1],
      logPdf: [-1.7530987556780993, -1.5478822644394965, -1.4778328786638968, -1.5478822644394965, -1.7530987556780993],
    },
  ])("matches Optuna for $name", ({ space, observations, parameters, samples, sigmas, logPdf }) => {
    const name = Object.keys(space)[0]!;
    const pe = estimator(space, { [name]: observations }, parameters);
    if (sigmas) {
      expectAllClose((pe.kernelsOf(name) as NumericKernels).sigmas, sigmas, 1e-15);
    }
    expectAllClose(pe.logPdf({ [name]: samples }), logPdf);
  });

  it("matches Optuna for a joint (multivariate) density over categorical, float and int", () => {
    const space = { c: categorical(["a", "b"]), x: float(-1, 1), n: int(0, 4) };
    const pe = estimator(space, { c: [0, 1, 1], x: [0.2, -0.5, 0.9], n: [0, 4, 2] });
    expectAllClose(
      pe.logPdf({ c: [0, 1, 1, 0], x: [0.2, -0.4, 0, 1], n: [0, 4, 1, 3] }),
      [-2.725834946916281, -2.6301747898415937, -2.881905771478493, -3.4932859641286425],
    );
  });

  it("matches Optuna with the weight ramp (30 observations)", () => {
    const observations = Array.from({ length: 30 }, (_, i) => (-1 + (2 * i) / 29) ** 3);
    const pe = estimator({ x: float(-1, 1) }, { x: observations });
    expectAllClose(
      pe.logPdf({ x: [-0.9, 0, 0.3] }),
      [-2.879273127238929, 0.9986133601125142, -0.9368814526953433],
      1e-10,
    );
  });

  it("applies the magic clip: bandwidths never drop below range / min(100, kernels + 1)", () => {
    const pe = estimator({ x: float(0, 1) }, { x: [0.5, 0.51, 0.52] });
    const sigmas = (pe.kernelsOf("x") as NumericKernels).sigmas;
    expectAllClose(sigmas, [0.2, 0.2, 0.2, 1]); // 1 / (1 + 4)
    const unclipped = estimator({ x: float(0, 1) }, { x: [0.5, 0.51, 0.52] }, { considerMagicClip: false });
    expectAllClose((unclipped.kernelsOf("x") as NumericKernels).sigmas, [0.01, 0.01, 0.01, 1]);
  });

  it("integrates to 1 (continuous, trapezoid) and sums to 1 (int grid)", () => {
    const pe = estimator({ x: float(-2, 3) }, { x: [-1.9, 0, 0.1, 2.5] });
    const steps = 20000;
    const xs = Array.from({ length: steps + 1 }, (_, i) => -2 + (5 * i) / steps);
    const densities = pe.logPdf({ x: xs }).map(Math.exp);
    const integral = densities.reduce((sum, d, i) => sum + (i === 0 || i === steps ? d / 2 : d), 0) * (5 / steps);
    expect(integral).toBeCloseTo(1, 6);

    const grid = estimator({ n: int(3, 30, { step: 3 }) }, { n: [3, 9, 9, 27] });
    const values = Array.from({ length: 10 }, (_, i) => 3 + 3 * i);
    expect(grid.logPdf({ n: values }).reduce((sum, lp) => sum + Math.exp(lp), 0)).toBeCloseTo(1, 12);
  });

  it("samples inside the bounds and on the grid", () => {
    const space = { x: float(0.01, 100, { log: true }), n: int(2, 20, { step: 3 }), s: float(0, 1, { step: 0.1 }) };
    const pe = estimator(space, { x: [0.02, 50], n: [2, 20], s: [0, 1] });
    const samples = pe.sample(new Rng(3), 2000);
    for (const x of samples.x!) {
      expect(x).toBeGreaterThanOrEqual(0.01);
      expect(x).toBeLessThanOrEqual(100);
    }
    for (const n of samples.n!) {
      expect((n - 2) % 3).toBe(0);
      expect(n).toBeLessThanOrEqual(20);
    }
    for (const s of samples.s!) {
      expect(Math.abs(s * 10 - Math.round(s * 10))).toBeLessThan(1e-9);
    }
  });
});

describe("ParzenEstimator, weights", () => {
  it("rejects a weights function returning negative, non-finite or all-zero weights", () => {
    const space = normalizeSpace({ x: float(0, 1) });
    for (const weights of [() => [-1, 1], () => [NaN, 1], () => [0, 0]]) {
      const parameters = { ...defaultParzenEstimatorParameters, weights };
      expect(() => new ParzenEstimator({ x: [0.1, 0.2] }, space, parameters)).toThrow(/invalid TPE sampler option/);
    }
  });
});
