import { confidenceZ, type Interval } from "../eval/pairedQuality.ts";
import { bitsPerElement } from "../profiles/kvType.ts";
import type { KvType } from "../profiles/schema.ts";
import type { GroupAssignment } from "./assignment.ts";

/** What lowering one group's K (or V) alone to `type` cost in KL-divergence against f16, measured. */
export interface Sensitivity {
  group: number;
  component: "k" | "v";
  type: KvType;
  kld: number;
}

const isFull = (type: KvType) => type === "f16" || type === "bf16";

/**
 * Expected KLD of a group's component at `type`, scaled from the measured one: quantization noise power falls by
 * 4× per extra bit, so one bit more costs a quarter. Rough for any single layer, good enough to rank downgrades.
 */
export function predictedKld(sensitivity: Sensitivity, type: KvType): number {
  if (isFull(type)) return 0;
  return sensitivity.kld * 4 ** -(bitsPerElement(type) - bitsPerElement(sensitivity.type));
}

/** Σ over groups and components: interactions between layers are left to the measured trials and TPE. */
export function predictedAssignmentKld(assignment: GroupAssignment, sensitivities: Sensitivity[]): number {
  return sensitivities.reduce(
    (sum, s) => sum + predictedKld(s, (s.component === "k" ? assignment.k : assignment.v)[s.group]!),
    0,
  );
}

/**
 * Sensitivities scaled so the model's KLD matches the measured KLD of whole assignments (the uniform settings) at the
 * median: one layer's downgrade alone underestimates what the same downgrade everywhere costs together.
 */
export function calibrateSensitivities(
  sensitivities: Sensitivity[],
  measured: { assignment: GroupAssignment; meanKld: number }[],
): { sensitivities: Sensitivity[]; factor: number } {
  const ratios = measured
    .map((m) => ({ measured: m.meanKld, predicted: predictedAssignmentKld(m.assignment, sensitivities) }))
    .filter((r) => r.measured > 1e-3 && r.predicted > 0)
    .map((r) => r.measured / r.predicted)
    .sort((a, b) => a - b);
  const factor = ratios.length === 0 ? 1 : ratios[Math.floor(ratios.length / 2)]!;
  return { sensitivities: sensitivities.map((s) => ({ ...s, kld: s.kld * factor })), factor };
}

/** ΔPPL% per unit of KLD, fitted through the origin on measured trials (the median ratio, robust to noise). */
export function pplPerKld(trials: { meanKld: number; deltaPplPct: number }[], fallback = 70): number {
  const ratios = trials
    .filter((t) => t.meanKld > 1e-3 && t.deltaPplPct > 0)
    .map((t) => t.deltaPplPct / t.meanKld)
    .sort((a, b) => a - b);
  if (ratios.length === 0) return fallback;
  return ratios[Math.floor(ratios.length / 2)]!;
}

/** A measured trial as the quality model sees it: its KLD, ΔPPL% with interval, and how many tokens it scored. */
export interface QualityPoint {
  meanKld: number;
  deltaPplPct: number;
  deltaPplPctInterval: Interval;
  tokens: number;
}

/**
 * How ΔPPL% and its uncertainty grow with KLD, fitted on measured trials. KLD is paired and precise on few tokens,
 * ΔPPL is not: the model turns a cheap KLD into the upper bound a measurement on `tokens` would likely show.
 * The variance of the per-token log ratio grows about linearly with KLD (both are second order in the logit error).
 */
export interface QualityModel {
  pplPctPerKld: number;
  /** variance of one token's ln(PPL ratio) per unit of KLD */
  lnVariancePerKld: number;
}

/** The per-token variance behind an interval: SE = half width / z, variance = SE² · tokens. */
const tokenVariance = (p: QualityPoint) => {
  const [lo, hi] = p.deltaPplPctInterval;
  const se = (Math.log1p(hi / 100) - Math.log1p(lo / 100)) / (2 * confidenceZ);
  return se * se * p.tokens;
};

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
};

/**
 * ΔPPL% per unit of KLD through the origin, weighting each trial by its precision: ΔPPL's variance grows with KLD,
 * so the inverse-variance fit is Σ ΔPPL% / Σ KLD. Trials with a negative ΔPPL count too: leaving them out (as a
 * median of positive ratios does) selects the unlucky draws and overstates the cost.
 */
export function pooledPplPerKld(trials: { meanKld: number; deltaPplPct: number }[], fallback: number): number {
  const informative = trials.filter((t) => t.meanKld > 1e-3);
  const kld = informative.reduce((s, t) => s + t.meanKld, 0);
  const ppl = informative.reduce((s, t) => s + t.deltaPplPct, 0);
  return kld > 0 && ppl > 0 ? ppl / kld : fallback;
}

export function fitQualityModel(
  points: QualityPoint[],
  fallback: QualityModel = { pplPctPerKld: 70, lnVariancePerKld: 2 },
) {
  const informative = points.filter((p) => p.meanKld > 1e-3 && p.tokens > 0);
  return {
    pplPctPerKld: pooledPplPerKld(points, fallback.pplPctPerKld),
    lnVariancePerKld:
      informative.length === 0
        ? fallback.lnVariancePerKld
        : median(informative.map((p) => tokenVariance(p) / p.meanKld)),
  };
}

/** The upper 95% bound of ΔPPL% the model expects for a setting of this KLD measured on `tokens` tokens. */
export function predictedUpperPct(model: QualityModel, kld: number, tokens: number): number {
  return model.pplPctPerKld * kld + confidenceZ * Math.sqrt((model.lnVariancePerKld * kld) / tokens) * 100;
}

/** The largest KLD whose predicted upper bound on `tokens` tokens stays within `budgetPct`: a·k + b·√k = B. */
export function kldBudgetFor(model: QualityModel, budgetPct: number, tokens: number): number {
  const a = model.pplPctPerKld;
  const b = confidenceZ * Math.sqrt(model.lnVariancePerKld / tokens) * 100;
  const root = (-b + Math.sqrt(b * b + 4 * a * budgetPct)) / (2 * a);
  return root * root;
}

/** Where the greedy starts: an assignment and its measured KLD (all-f16 and 0 when nothing is known). */
export interface GreedyStart {
  assignment: GroupAssignment;
  kld: number;
}

/**
 * Greedy knapsack: from `start`, repeatedly take the downgrade that saves the most bytes per unit of predicted
 * extra KLD, while the total stays within `kldBudget`. Starting from a measured assignment (a uniform setting
 * within budget) limits the model's error to the differences. `bytesOf` prices an assignment at the target ctx.
 */
export function greedyAssignment(
  start: GreedyStart,
  types: readonly KvType[],
  sensitivities: Sensitivity[],
  kldBudget: number,
  bytesOf: (assignment: GroupAssignment) => number,
  allowedPair: (k: KvType, v: KvType) => boolean = () => true,
): GroupAssignment {
  const nGroups = start.assignment.k.length;
  const byBits = [...types].sort((a, b) => bitsPerElement(b) - bitsPerElement(a));
  const current: GroupAssignment = { k: [...start.assignment.k], v: [...start.assignment.v] };
  // the start's measured KLD, plus the model's difference for every change made from it
  const offset = start.kld - predictedAssignmentKld(current, sensitivities);
  let spent = start.kld;
  let bytes = bytesOf(current);

  for (;;) {
    let best: { next: GroupAssignment; kld: number; bytes: number; efficiency: number } | undefined;
    for (let g = 0; g < nGroups; g++) {
      // K alone, V alone, or both together (a backend may only run K and V of the same type)
      for (const components of [["k"], ["v"], ["k", "v"]] as const) {
        const at = Math.max(...components.map((c) => byBits.indexOf(current[c][g]!)));
        for (const lower of byBits.slice(at + 1)) {
          const next: GroupAssignment = { k: [...current.k], v: [...current.v] };
          for (const c of components) next[c][g] = lower;
          if (!allowedPair(next.k[g]!, next.v[g]!)) continue;
          const kld = offset + predictedAssignmentKld(next, sensitivities);
          const nextBytes = bytesOf(next);
          const saved = bytes - nextBytes;
          if (saved <= 0 || kld > kldBudget) continue;
          const efficiency = saved / Math.max(kld - spent, 1e-12);
          if (!best || efficiency > best.efficiency) best = { next, kld, bytes: nextBytes, efficiency };
        }
      }
    }
    if (!best) return current;
    current.k = best.next.k;
    current.v = best.next.v;
    spent = best.kld;
    bytes = best.bytes;
  }
}
