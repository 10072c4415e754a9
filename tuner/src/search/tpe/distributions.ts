import { InvalidDistributionError } from "./errors/InvalidDistributionError.ts";
import type { Rng } from "./rng.ts";
import type {
  CategoricalChoice,
  CategoricalDistribution,
  Distribution,
  FloatDistribution,
  IntDistribution,
  ParamValue,
  SearchSpace,
} from "./types.ts";

/** A categorical parameter over `choices` (at least one, no duplicates). */
export function categorical<const T extends CategoricalChoice>(choices: readonly T[]): CategoricalDistribution {
  return { type: "categorical", choices };
}

/** A float parameter in [low, high]; `log` for scale parameters, `step` for a grid. */
export function float(low: number, high: number, options: { log?: boolean; step?: number } = {}): FloatDistribution {
  return { type: "float", low, high, ...options };
}

/** An integer parameter in [low, high]; `step` defaults to 1. */
export function int(low: number, high: number, options: { log?: boolean; step?: number } = {}): IntDistribution {
  return { type: "int", low, high, ...options };
}

/**
 * Checks a distribution and returns it in the form the estimators use: ints get an explicit step, and `high` of a
 * stepped range is moved down onto the grid (as Optuna's distributions do). Throws InvalidDistributionError.
 */
export function normalizeDistribution(name: string, distribution: Distribution): Distribution {
  const fail = (reason: string): never => {
    throw new InvalidDistributionError(name, reason);
  };
  if (distribution.type === "categorical") {
    const { choices } = distribution;
    if (choices.length === 0) {
      fail("a categorical parameter needs at least one choice");
    }
    choices.forEach((choice, i) => {
      if (choices.findIndex((other) => sameChoice(other, choice)) !== i) {
        fail(`choice ${JSON.stringify(choice)} is listed twice`);
      }
    });
    return distribution;
  }
  const { low, high, log = false } = distribution;
  if (!Number.isFinite(low) || !Number.isFinite(high) || low > high) {
    fail(`expected finite low ≤ high, got low=${low}, high=${high}`);
  }
  if (log && low <= 0) {
    fail(`a log-scale parameter needs low > 0, got low=${low}`);
  }
  if (distribution.type === "int") {
    const step = distribution.step ?? 1;
    if (!Number.isInteger(low) || !Number.isInteger(high) || !Number.isInteger(step) || step < 1) {
      fail(`an int parameter needs integer low, high and step ≥ 1, got low=${low}, high=${high}, step=${step}`);
    }
    if (log && step !== 1) {
      fail(`a log-scale int parameter needs step 1, got step=${step}`);
    }
    return { type: "int", low, high: low + Math.floor((high - low) / step) * step, log, step };
  }
  if (distribution.step === undefined) {
    return { type: "float", low, high, log };
  }
  const { step } = distribution;
  if (!(step > 0) || !Number.isFinite(step)) {
    fail(`a float step must be a finite number above 0, got step=${step}`);
  }
  if (log) {
    fail("a float parameter cannot have both log and step");
  }
  const steps = Math.floor((high - low) / step + 1e-9);
  return { type: "float", low, high: Math.min(high, low + steps * step), log, step };
}

export function normalizeSpace(space: SearchSpace): SearchSpace {
  const normalized: Record<string, Distribution> = {};
  for (const [name, distribution] of Object.entries(space)) {
    normalized[name] = normalizeDistribution(name, distribution);
  }
  return normalized;
}

function sameChoice(a: CategoricalChoice, b: unknown): boolean {
  return a === b || (typeof a === "number" && typeof b === "number" && Number.isNaN(a) && Number.isNaN(b));
}

/** True when the distribution allows one value only; such parameters are never sampled (as in Optuna). */
export function isSingle(distribution: Distribution): boolean {
  if (distribution.type === "categorical") {
    return distribution.choices.length === 1;
  }
  if (distribution.low === distribution.high) {
    return true;
  }
  return distribution.step !== undefined && distribution.high - distribution.low < distribution.step;
}

/** The step of a numeric distribution's grid, or 0 for a continuous float. */
export function stepOf(distribution: FloatDistribution | IntDistribution): number {
  return distribution.type === "int" ? (distribution.step ?? 1) : (distribution.step ?? 0);
}

/**
 * The number the estimators work with: the index of a categorical choice, the value itself for numbers.
 * `undefined` when the value does not belong to the distribution (another search space's value, a stale choice),
 * in which case the trial is treated as not having the parameter.
 */
export function toInternal(distribution: Distribution, value: ParamValue | undefined): number | undefined {
  if (value === undefined) {
    return undefined;
  }
  if (distribution.type === "categorical") {
    const index = distribution.choices.findIndex((choice) => sameChoice(choice, value));
    return index >= 0 ? index : undefined;
  }
  if (typeof value !== "number" || !Number.isFinite(value)) {
    return undefined;
  }
  if (value < distribution.low || value > distribution.high) {
    return undefined;
  }
  const step = stepOf(distribution);
  if (step > 0) {
    const k = (value - distribution.low) / step;
    if (Math.abs(k - Math.round(k)) > 1e-8) {
      return undefined;
    }
  }
  return value;
}

export function toExternal(distribution: Distribution, internal: number): ParamValue {
  if (distribution.type === "categorical") {
    return distribution.choices[internal]!;
  }
  if (distribution.type === "int") {
    return Math.round(internal);
  }
  return internal;
}

/** The one value of a single-valued distribution. */
export function singleValue(distribution: Distribution): ParamValue {
  return distribution.type === "categorical" ? distribution.choices[0]! : distribution.low;
}

/** Rounds onto the grid low + k·step and clips into [low, high]. */
export function alignToStep(value: number, low: number, high: number, step: number): number {
  return Math.min(high, Math.max(low, low + Math.round((value - low) / step) * step));
}

/**
 * A uniform draw, as Optuna's RandomSampler does it: a uniform choice; a uniform float (on log(x) for log scale);
 * a stepped value drawn uniformly on [low − step/2, high + step/2] then rounded onto the grid.
 */
export function sampleUniform(distribution: Distribution, rng: Rng): ParamValue {
  if (distribution.type === "categorical") {
    return distribution.choices[Math.floor(rng.uniform() * distribution.choices.length)]!;
  }
  const { low, high } = distribution;
  const step = stepOf(distribution);
  const lower = low - step / 2;
  const upper = high + step / 2;
  let value = distribution.log
    ? Math.exp(rng.uniformIn(Math.log(lower), Math.log(upper)))
    : rng.uniformIn(lower, upper);
  value = step > 0 ? alignToStep(value, low, high, step) : Math.min(high, Math.max(low, value));
  return toExternal(distribution, value);
}
