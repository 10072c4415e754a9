/** How many of n finished trials form the "good" density l(x): Optuna's `default_gamma`, min(⌈0.1·n⌉, 25). */
export function defaultGamma(n: number): number {
  return Math.min(Math.ceil(0.1 * n), 25);
}

/** hyperopt 0.1.2's rule, min(⌈0.25·√n⌉, 25) (Optuna's `hyperopt_default_gamma`). */
export function hyperoptDefaultGamma(n: number): number {
  return Math.min(Math.ceil(0.25 * Math.sqrt(n)), 25);
}

/**
 * Kernel weights for n observations ordered oldest first (Optuna's `default_weights`): all 1 below 25; from 25 on,
 * the 25 newest get 1 and the n − 25 older ones ramp linearly from 1/n up to 1 (numpy.linspace(1/n, 1, n − 25)).
 */
export function defaultWeights(n: number): number[] {
  if (n <= 0) {
    return [];
  }
  if (n < 25) {
    return new Array<number>(n).fill(1);
  }
  return [...linspace(1 / n, 1, n - 25), ...new Array<number>(25).fill(1)];
}

/** numpy.linspace with endpoint=True: `num` evenly spaced values, the last exactly `stop`. */
function linspace(start: number, stop: number, num: number): number[] {
  if (num <= 0) {
    return [];
  }
  if (num === 1) {
    return [start];
  }
  const step = (stop - start) / (num - 1);
  const values = Array.from({ length: num }, (_, i) => start + i * step);
  values[num - 1] = stop;
  return values;
}
