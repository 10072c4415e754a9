import { alignToStep, stepOf } from "./distributions.ts";
import { InvalidSamplerOptionError } from "./errors/InvalidSamplerOptionError.ts";
import { defaultWeights } from "./gamma.ts";
import type { Rng } from "./rng.ts";
import { logGaussMass, normLogPdf, ppf } from "./truncnorm.ts";
import type { FloatDistribution, IntDistribution, SearchSpace } from "./types.ts";

const EPS = 1e-12;

/** How the estimator places and weighs its kernels (Optuna's `_ParzenEstimatorParameters`). */
export interface ParzenEstimatorParameters {
  /** Weight of the prior component (uniform over choices; N(mid, range²) for numbers). Defaults to 1. */
  readonly priorWeight: number;
  /** Floor each bandwidth at range / min(100, 1 + kernels) ("magic clip"). Defaults to true. */
  readonly considerMagicClip: boolean;
  /** Let the outermost kernels' bandwidths reach the bounds. Defaults to false. */
  readonly considerEndpoints: boolean;
  /** Kernel weights for n observations, oldest first. Defaults to `defaultWeights`. */
  readonly weights: (n: number) => readonly number[];
}

export const defaultParzenEstimatorParameters: ParzenEstimatorParameters = {
  priorWeight: 1,
  considerMagicClip: true,
  considerEndpoints: false,
  weights: defaultWeights,
};

/** Values in the internal representation (choice index, or the number itself), one array per parameter. */
export type Observations = Readonly<Record<string, readonly number[]>>;

/** Kernel k of a categorical parameter is the distribution `weights[k]` over choice indices; the prior is last. */
export interface CategoricalKernels {
  readonly kind: "categorical";
  readonly weights: readonly (readonly number[])[];
  /** log of `weights`, flattened as [kernel · nChoices + choice], for logPdf. */
  readonly flatLogWeights: Float64Array;
}

/**
 * Kernel k of a numeric parameter is N(mus[k], sigmas[k]²) truncated to [adaptedLow, adaptedHigh]; on log(x) for
 * log scale, widened by step/2 each side for a grid (and its mass then taken per grid cell). The prior is last.
 */
export interface NumericKernels {
  readonly kind: "numeric";
  readonly mus: readonly number[];
  readonly sigmas: readonly number[];
  readonly low: number;
  readonly high: number;
  readonly step: number;
  readonly log: boolean;
  readonly adaptedLow: number;
  readonly adaptedHigh: number;
  /** log of each kernel's Gaussian mass inside [adaptedLow, adaptedHigh]. */
  readonly logMass: readonly number[];
}

export type Kernels = CategoricalKernels | NumericKernels;

/**
 * A mixture of product kernels over the parameters of `space` (Optuna's `_ParzenEstimator`): one component per
 * observation plus a prior component, each a product of one kernel per parameter. With a single parameter this is
 * the univariate TPE density; with several, the joint density of multivariate TPE.
 */
export class ParzenEstimator {
  /** Mixture weights, one per observation then the prior, summing to 1. */
  readonly weights: readonly number[];
  private readonly logWeights: readonly number[];
  private readonly kernels: ReadonlyMap<string, Kernels>;

  constructor(
    observations: Observations,
    readonly space: SearchSpace,
    parameters: ParzenEstimatorParameters = defaultParzenEstimatorParameters,
    predeterminedWeights?: readonly number[],
  ) {
    if (!(parameters.priorWeight >= 0)) {
      throw new InvalidSamplerOptionError("priorWeight", "a number ≥ 0", parameters.priorWeight);
    }
    const names = Object.keys(space);
    const n = names.length === 0 ? 0 : (observations[names[0]!]?.length ?? 0);
    for (const name of names) {
      if ((observations[name]?.length ?? 0) !== n) {
        throw new RangeError(`observations of "${name}" have length ${observations[name]?.length ?? 0}, expected ${n}`);
      }
    }
    let weights: number[];
    if (n === 0) {
      weights = [1];
    } else {
      weights = [...(predeterminedWeights ?? callWeights(parameters.weights, n)), parameters.priorWeight];
      if (weights.length !== n + 1) {
        throw new RangeError(`got ${weights.length - 1} weights for ${n} observations`);
      }
    }
    const total = weights.reduce((sum, w) => sum + w, 0);
    this.weights = weights.map((w) => w / total);
    this.logWeights = this.weights.map((w) => Math.log(w));
    const kernels = new Map<string, Kernels>();
    for (const name of names) {
      const distribution = space[name]!;
      const values = observations[name] ?? [];
      kernels.set(
        name,
        distribution.type === "categorical"
          ? categoricalKernels(values, distribution.choices.length, parameters)
          : numericKernels(values, distribution, parameters),
      );
    }
    this.kernels = kernels;
  }

  /** The kernels of one parameter. */
  kernelsOf(name: string): Kernels {
    const kernels = this.kernels.get(name);
    if (!kernels) {
      throw new RangeError(`parameter "${name}" is not in this estimator's search space`);
    }
    return kernels;
  }

  /** `size` draws in the internal representation: pick a component by weight, then draw each parameter from it. */
  sample(rng: Rng, size: number): Record<string, number[]> {
    const active = Array.from({ length: size }, () => rng.choice(this.weights));
    const samples: Record<string, number[]> = {};
    for (const [name, kernels] of this.kernels) {
      samples[name] = active.map((k) => sampleKernel(kernels, k, rng));
    }
    return samples;
  }

  /** log density of each sample (internal representation) under the mixture. */
  logPdf(samples: Observations): number[] {
    const entries = [...this.kernels].map(([name, kernels]) => ({ kernels, values: samples[name] ?? [] }));
    const size = entries[0]?.values.length ?? 0;
    const nKernels = this.weights.length;
    // acc[i·nKernels + k] = log weight_k + Σ_params log kernel_k(sample i), filled one parameter at a time
    const acc = new Float64Array(size * nKernels);
    for (let i = 0; i < size; i++) {
      acc.set(this.logWeights, i * nKernels);
    }
    for (const { kernels, values } of entries) {
      if (kernels.kind === "categorical") {
        const nChoices = kernels.weights[0]!.length;
        const logWeights = kernels.flatLogWeights;
        for (let i = 0; i < size; i++) {
          const x = values[i]!;
          const offset = i * nKernels;
          for (let k = 0; k < nKernels; k++) {
            acc[offset + k]! += logWeights[k * nChoices + x]!;
          }
        }
      } else {
        for (let i = 0; i < size; i++) {
          const offset = i * nKernels;
          for (let k = 0; k < nKernels; k++) {
            acc[offset + k]! += numericLogPdf(kernels, k, values[i]!);
          }
        }
      }
    }
    return Array.from({ length: size }, (_, i) => logSumExp(acc.subarray(i * nKernels, (i + 1) * nKernels)));
  }
}

function callWeights(weightsFunction: (n: number) => readonly number[], n: number): number[] {
  const w = weightsFunction(n).slice(0, n);
  if (w.some((x) => x < 0)) {
    throw new InvalidSamplerOptionError("weights", "non-negative weights", `[${w.join(", ")}] for n=${n}`);
  }
  if (!w.every((x) => Number.isFinite(x))) {
    throw new InvalidSamplerOptionError("weights", "finite weights", `[${w.join(", ")}] for n=${n}`);
  }
  if (w.length > 0 && w.reduce((sum, x) => sum + x, 0) <= 0) {
    throw new InvalidSamplerOptionError("weights", "weights that are not all zero", `[${w.join(", ")}] for n=${n}`);
  }
  return w;
}

/**
 * Optuna's categorical kernel: each observed kernel puts mass 1 on its observed choice plus priorWeight/(n+1)
 * spread over every choice; the prior kernel is uniform. Rows are normalized.
 */
function categoricalKernels(
  observed: readonly number[],
  nChoices: number,
  parameters: ParzenEstimatorParameters,
): CategoricalKernels {
  if (observed.length === 0) {
    const row = new Array<number>(nChoices).fill(1 / nChoices);
    return {
      kind: "categorical",
      weights: [row],
      flatLogWeights: new Float64Array(nChoices).fill(-Math.log(nChoices)),
    };
  }
  const nKernels = observed.length + 1;
  const fill = parameters.priorWeight / nKernels;
  // every observed row is (fill, …, fill + 1, …, fill) / (nChoices·fill + 1): two distinct values
  const observedSum = nChoices * fill + 1;
  const hit = (fill + 1) / observedSum;
  const miss = fill / observedSum;
  const priorSum = nChoices * fill;
  const prior = priorSum === 0 ? 0 : fill / priorSum;
  const weights: number[][] = [];
  const flatLogWeights = new Float64Array(nKernels * nChoices);
  const logMiss = Math.log(miss);
  for (let k = 0; k < observed.length; k++) {
    const row = new Array<number>(nChoices).fill(miss);
    row[observed[k]!] = hit;
    weights.push(row);
    flatLogWeights.fill(logMiss, k * nChoices, (k + 1) * nChoices);
    flatLogWeights[k * nChoices + observed[k]!] = Math.log(hit);
  }
  weights.push(new Array<number>(nChoices).fill(prior));
  flatLogWeights.fill(Math.log(prior), observed.length * nChoices);
  return { kind: "categorical", weights, flatLogWeights };
}

/**
 * Optuna's numeric kernels: one truncated normal per observation, centred on it, with bandwidth the larger gap to
 * its sorted neighbours (bounds count as neighbours; without considerEndpoints the outermost kernels use their inner
 * gap), clipped to [range / min(100, 1 + kernels), range]; plus the prior N(mid, range²).
 */
function numericKernels(
  observed: readonly number[],
  distribution: FloatDistribution | IntDistribution,
  parameters: ParzenEstimatorParameters,
): NumericKernels {
  const step = stepOf(distribution);
  const log = distribution.log ?? false;
  const transform = log ? Math.log : (x: number) => x;
  const adaptedLow = transform(distribution.low - step / 2);
  const adaptedHigh = transform(distribution.high + step / 2);
  const range = adaptedHigh - adaptedLow;
  const mus = observed.map(transform);

  const order = mus.map((_, i) => i).sort((i, j) => mus[i]! - mus[j]!);
  const withEndpoints = [adaptedLow, ...order.map((i) => mus[i]!), adaptedHigh];
  const sortedSigmas = order.map((_, r) =>
    Math.max(withEndpoints[r + 1]! - withEndpoints[r]!, withEndpoints[r + 2]! - withEndpoints[r + 1]!),
  );
  if (!parameters.considerEndpoints && withEndpoints.length >= 4) {
    sortedSigmas[0] = withEndpoints[2]! - withEndpoints[1]!;
    sortedSigmas[sortedSigmas.length - 1] =
      withEndpoints[withEndpoints.length - 2]! - withEndpoints[withEndpoints.length - 3]!;
  }
  const maxSigma = range;
  const minSigma = parameters.considerMagicClip ? range / Math.min(100, 1 + (observed.length + 1)) : EPS;
  const sigmas = new Array<number>(mus.length);
  order.forEach((i, r) => {
    sigmas[i] = Math.min(maxSigma, Math.max(minSigma, sortedSigmas[r]!));
  });

  mus.push(0.5 * (adaptedLow + adaptedHigh));
  sigmas.push(range);
  const logMass = mus.map((mu, k) => logGaussMass((adaptedLow - mu) / sigmas[k]!, (adaptedHigh - mu) / sigmas[k]!));
  return {
    kind: "numeric",
    mus,
    sigmas,
    low: distribution.low,
    high: distribution.high,
    step,
    log,
    adaptedLow,
    adaptedHigh,
    logMass,
  };
}

function sampleKernel(kernels: Kernels, k: number, rng: Rng): number {
  if (kernels.kind === "categorical") {
    const row = kernels.weights[k]!;
    const u = rng.uniform();
    let cumulative = 0;
    for (let c = 0; c < row.length - 1; c++) {
      cumulative += row[c]!;
      if (!(cumulative < u)) {
        return c;
      }
    }
    return row.length - 1;
  }
  const mu = kernels.mus[k]!;
  const sigma = kernels.sigmas[k]!;
  const a = (kernels.adaptedLow - mu) / sigma;
  const b = (kernels.adaptedHigh - mu) / sigma;
  let value = ppf(rng.uniform(), a, b) * sigma + mu;
  if (kernels.log) {
    value = Math.exp(value);
  }
  return kernels.step > 0
    ? alignToStep(value, kernels.low, kernels.high, kernels.step)
    : Math.min(kernels.high, Math.max(kernels.low, value));
}

function numericLogPdf(kernels: NumericKernels, k: number, x: number): number {
  const mu = kernels.mus[k]!;
  const sigma = kernels.sigmas[k]!;
  if (kernels.step > 0) {
    const half = kernels.step / 2;
    const left = kernels.log ? Math.log(x - half) : x - half;
    const right = kernels.log ? Math.log(x + half) : x + half;
    return logGaussMass((left - mu) / sigma, (right - mu) / sigma) - kernels.logMass[k]!;
  }
  const xt = kernels.log ? Math.log(x) : x;
  if (xt < kernels.adaptedLow || xt > kernels.adaptedHigh) {
    return -Infinity;
  }
  return normLogPdf((xt - mu) / sigma) - kernels.logMass[k]! - Math.log(sigma);
}

function logSumExp(values: Float64Array): number {
  let max = -Infinity;
  for (const v of values) {
    if (v > max) {
      max = v;
    }
  }
  if (max === -Infinity) {
    return -Infinity;
  }
  let sum = 0;
  for (const v of values) {
    sum += Math.exp(v - max);
  }
  return Math.log(sum) + max;
}
