/**
 * A small seeded PRNG: xoshiro128** (Blackman & Vigna), state filled by splitmix32 from (seed, stream).
 * `stream` picks an independent sequence for the same seed; the sampler uses the trial number, so a suggestion
 * depends only on the seed and the history, never on how many suggestions this process made before.
 */
export class Rng {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;

  constructor(seed: number, stream = 0) {
    let x = (Math.trunc(seed) ^ Math.imul(Math.trunc(stream) + 1, 0x9e3779b9)) >>> 0;
    // mix the high bits of seeds above 2^32 in as well
    x = (x ^ Math.trunc(seed / 0x100000000)) >>> 0;
    const next = (): number => {
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x21f0aaad);
      z = Math.imul(z ^ (z >>> 15), 0x735a2d97);
      return (z ^ (z >>> 15)) >>> 0;
    };
    this.s0 = next();
    this.s1 = next();
    this.s2 = next();
    this.s3 = next();
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) {
      this.s0 = 1;
    }
  }

  /** A uniform 32-bit unsigned integer. */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** A uniform double in [0, 1) with 53 random bits. */
  uniform(): number {
    const high = this.nextUint32() >>> 5; // 27 bits
    const low = this.nextUint32() >>> 6; // 26 bits
    return (high * 67108864 + low) / 9007199254740992;
  }

  /** A uniform double in [low, high). */
  uniformIn(low: number, high: number): number {
    return low + (high - low) * this.uniform();
  }

  /**
   * An index drawn with probability proportional to `weights` (numpy's `choice(p=...)`: cumulative sum,
   * normalized, first index whose cumulative mass exceeds the uniform draw).
   */
  choice(weights: readonly number[]): number {
    let total = 0;
    for (const w of weights) {
      total += w;
    }
    const u = this.uniform() * total;
    let cumulative = 0;
    for (let i = 0; i < weights.length; i++) {
      cumulative += weights[i]!;
      if (u < cumulative) {
        return i;
      }
    }
    // rounding left u at the very top: take the last index with any mass
    for (let i = weights.length - 1; i >= 0; i--) {
      if (weights[i]! > 0) {
        return i;
      }
    }
    return weights.length - 1;
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/** A seed for samplers created without one. */
export function randomSeed(): number {
  return Math.floor(Math.random() * 0x100000000);
}
