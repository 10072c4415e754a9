/*
 * erf and erfc to double precision, following fdlibm's s_erf.c (the rational approximations Optuna's _erf.py
 * and most C libraries use). The coefficients are fdlibm's:
 *
 *   Copyright (C) 1993 by Sun Microsystems, Inc. All rights reserved.
 *   Developed at SunSoft, a Sun Microsystems, Inc. business.
 *   Permission to use, copy, modify, and distribute this software is freely granted, provided that this notice
 *   is preserved.
 */

const erx = 8.45062911510467529297e-1;
const efx = 1.28379167095512586316e-1;

// |x| < 0.84375
const pp = [
  1.28379167095512558561e-1, -3.2504210724700149937e-1, -2.84817495755985104766e-2, -5.77027029648944159157e-3,
  -2.37630166566501626084e-5,
];
const qq = [
  1, 3.97917223959155352819e-1, 6.50222499887672944485e-2, 5.08130628187576562776e-3, 1.32494738004321644526e-4,
  -3.9602282787753681232e-6,
];
// 0.84375 <= |x| < 1.25
const pa = [
  -2.36211856075265944077e-3, 4.14856118683748331666e-1, -3.72207876035701323847e-1, 3.18346619901161753674e-1,
  -1.10894694282396677476e-1, 3.54783043256182359371e-2, -2.166375594868790843e-3,
];
const qa = [
  1, 1.06420880400844228286e-1, 5.40397917702171048937e-1, 7.18286544141962662868e-2, 1.26171219808761642112e-1,
  1.36370839120290507362e-2, 1.1984499846799107417e-2,
];
// 1.25 <= |x| < 1/0.35
const ra = [
  -9.86494403484714822705e-3, -6.93858572707181764372e-1, -1.05586262253232909814e1, -6.23753324503260060396e1,
  -1.62396669462573470355e2, -1.84605092906711035994e2, -8.12874355063065934246e1, -9.81432934416914548592,
];
const sa = [
  1, 1.96512716674392571292e1, 1.376577541435190426e2, 4.34565877475229228821e2, 6.45387271733267880336e2,
  4.29008140027567833386e2, 1.08635005541779435134e2, 6.57024977031928170135, -6.04244152148580987438e-2,
];
// 1/0.35 <= |x| < 28
const rb = [
  -9.86494292470009928597e-3, -7.99283237680523006574e-1, -1.77579549177547519889e1, -1.60636384855821916062e2,
  -6.37566443368389627722e2, -1.02509513161107724954e3, -4.83519191608651397019e2,
];
const sb = [
  1, 3.03380607434824582924e1, 3.25792512996573918826e2, 1.53672958608443695994e3, 3.19985821950859553908e3,
  2.55305040643316442583e3, 4.74528541206955367215e2, -2.24409524465858183362e1,
];

function poly(coefficients: readonly number[], x: number): number {
  let result = 0;
  for (let i = coefficients.length - 1; i >= 0; i--) {
    result = result * x + coefficients[i]!;
  }
  return result;
}

/** erfc(x)·x for 1.25 ≤ x < 28, computed as exp(-x² - 0.5625 + R/S) with x² split so its rounding error stays out. */
function erfcTimesX(x: number): number {
  const s = 1 / (x * x);
  const ratio = x < 1 / 0.35 ? poly(ra, s) / poly(sa, s) : poly(rb, s) / poly(sb, s);
  // z keeps 26 significant bits of x, so z·z is exact (fdlibm clears the low word for the same purpose)
  const z = Math.trunc(x * 2097152) / 2097152;
  return Math.exp(-z * z - 0.5625) * Math.exp((z - x) * (z + x) + ratio);
}

/** erf(x)/x − 1 for |x| < 0.84375. */
function smallRatio(x: number): number {
  const z = x * x;
  return poly(pp, z) / poly(qq, z);
}

/** erf(|x|) − erx for 0.84375 ≤ |x| < 1.25. */
function midRatio(ax: number): number {
  const s = ax - 1;
  return poly(pa, s) / poly(qa, s);
}

export function erf(x: number): number {
  if (Number.isNaN(x)) {
    return NaN;
  }
  const ax = Math.abs(x);
  if (ax < 0.84375) {
    if (ax < 2 ** -28) {
      return x + efx * x;
    }
    return x + x * smallRatio(x);
  }
  if (ax < 1.25) {
    const value = erx + midRatio(ax);
    return x >= 0 ? value : -value;
  }
  if (ax >= 6) {
    return x >= 0 ? 1 : -1;
  }
  const value = 1 - erfcTimesX(ax) / ax;
  return x >= 0 ? value : -value;
}

export function erfc(x: number): number {
  if (Number.isNaN(x)) {
    return NaN;
  }
  const ax = Math.abs(x);
  if (ax < 0.84375) {
    if (ax < 2 ** -56) {
      return 1 - x;
    }
    const y = smallRatio(x);
    if (x < 0.25) {
      return 1 - (x + x * y);
    }
    return 0.5 - (x * y + (x - 0.5));
  }
  if (ax < 1.25) {
    const ratio = midRatio(ax);
    return x >= 0 ? 1 - erx - ratio : 1 + (erx + ratio);
  }
  if (ax < 28) {
    if (x < -6) {
      return 2;
    }
    const r = erfcTimesX(ax) / ax;
    return x > 0 ? r : 2 - r;
  }
  return x > 0 ? 0 : 2;
}
