import { erf, erfc } from "./erf.ts";

/**
 * The truncated standard normal pieces Optuna's `_truncnorm.py` provides (itself from SciPy): the normal CDF and
 * its log with accurate tails, the log mass of an interval, the quantile function, and the log density.
 * Bounds `a`, `b` are in standard units: (bound − loc) / scale.
 */

const normPdfLogC = 0.5 * Math.log(2 * Math.PI);
const ndtriExpApproxC = Math.sqrt(3) / Math.PI;
const sqrt1_2 = Math.SQRT1_2;

/** Φ(a), the standard normal CDF. */
export function ndtr(a: number): number {
  const x = a / Math.SQRT2;
  if (x < -sqrt1_2) {
    return 0.5 * erfc(-x);
  }
  if (x < sqrt1_2) {
    return 0.5 + 0.5 * erf(x);
  }
  return 1 - 0.5 * erfc(x);
}

/** log Φ(a), accurate in both tails (asymptotic series below −20, as SciPy's log_ndtr). */
export function logNdtr(a: number): number {
  if (a > 6) {
    return -ndtr(-a); // log(1 − ε) ≈ −ε
  }
  if (a > -20) {
    return Math.log(ndtr(a));
  }
  const logLhs = -0.5 * a * a - Math.log(-a) - normPdfLogC;
  let lastTotal = 0;
  let rightHandSide = 1;
  let numerator = 1;
  let denomFactor = 1;
  const denomCons = 1 / (a * a);
  let sign = 1;
  for (let i = 1; Math.abs(lastTotal - rightHandSide) > Number.EPSILON; i++) {
    lastTotal = rightHandSide;
    sign = -sign;
    denomFactor *= denomCons;
    numerator *= 2 * i - 1;
    rightHandSide += sign * numerator * denomFactor;
  }
  return logLhs + Math.log(rightHandSide);
}

export function normLogPdf(x: number): number {
  return -(x * x) / 2 - normPdfLogC;
}

export function logAddExp(p: number, q: number): number {
  if (p === -Infinity) {
    return q;
  }
  if (q === -Infinity) {
    return p;
  }
  const max = Math.max(p, q);
  return max + Math.log1p(Math.exp(-Math.abs(p - q)));
}

function logDiff(logP: number, logQ: number): number {
  return logP + Math.log1p(-Math.exp(logQ - logP));
}

/** log(Φ(b) − Φ(a)), working in the left tail where Φ is accurate. */
export function logGaussMass(a: number, b: number): number {
  if (b <= 0) {
    return logDiff(logNdtr(b), logNdtr(a));
  }
  if (a > 0) {
    return logDiff(logNdtr(-a), logNdtr(-b));
  }
  // central: 1 − Φ(a) − Φ(−b) avoids cancellation when the mass is close to 1
  return Math.log1p(-ndtr(a) - ndtr(-b));
}

/** x with log Φ(x) = y, by Newton's method from Optuna's initial guesses (tail asymptotics / logistic CDF). */
export function ndtriExp(y: number): number {
  if (y >= 0) {
    return Infinity;
  }
  if (y === -Infinity) {
    return -Infinity;
  }
  const flipped = y > -1e-2;
  const z = flipped ? Math.log(-Math.expm1(y)) : y;
  let x = z < -5 ? -Math.sqrt(-2 * (z + normPdfLogC)) : -ndtriExpApproxC * Math.log(Math.expm1(-z));
  for (let i = 0; i < 100; i++) {
    const logNdtrX = logNdtr(x);
    const dx = (logNdtrX - z) * Math.exp(logNdtrX - normLogPdf(x));
    x -= dx;
    if (!(Math.abs(dx) > 1e-14 * Math.abs(x))) {
      break;
    }
  }
  return flipped ? -x : x;
}

/** The q-quantile of the standard normal truncated to [a, b]. */
export function ppf(q: number, a: number, b: number): number {
  if (a === b) {
    return NaN;
  }
  if (q <= 0) {
    return a;
  }
  if (q >= 1) {
    return b;
  }
  const logMass = logGaussMass(a, b);
  if (a < 0) {
    return ndtriExp(logAddExp(logNdtr(a), Math.log(q) + logMass));
  }
  // for a ≥ 0 flip to the left tail, where log Φ is accurate
  return -ndtriExp(logAddExp(logNdtr(-b), Math.log1p(-q) + logMass));
}

/** One draw from N(loc, scale²) truncated to [loc + a·scale, loc + b·scale], by inverting the CDF at u ∈ [0, 1). */
export function truncnormFromUniform(u: number, a: number, b: number, loc: number, scale: number): number {
  return ppf(u, a, b) * scale + loc;
}

/** log density of N(loc, scale²) truncated to standard bounds [a, b] at x (−∞ outside). */
export function truncnormLogPdf(x: number, a: number, b: number, loc: number, scale: number): number {
  if (a === b) {
    return NaN;
  }
  const standard = (x - loc) / scale;
  if (standard < a || standard > b) {
    return -Infinity;
  }
  return normLogPdf(standard) - logGaussMass(a, b) - Math.log(scale);
}
