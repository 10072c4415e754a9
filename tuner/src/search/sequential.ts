import { budgetViolation, lowerBoundViolation, type QualityBudget, type QualityEstimate } from "./budget.ts";

/**
 * How a sequential decision ended: the upper 95% bound inside the budget (accepted), the lower bound outside it
 * (rejected), or still straddling it at the most chunks it may grow to, the cap or what the time limit leaves
 * (rejected: at the cap the upper bound decides, which is conservative: a setting that might be over is not taken).
 */
export type DecidedBy = "upper-within" | "lower-over" | "cap" | "time";

export type Verdict = { kind: "accept" | "reject"; decidedBy: DecidedBy } | { kind: "grow" };

/**
 * The chunk counts a decision looks at: `first`, then doubling, up to `cap` (always the last one). `first` above
 * `cap` is clipped to it.
 */
export function chunkLevels(first: number, cap: number): number[] {
  if (!Number.isInteger(first) || first < 1)
    throw new RangeError(`first chunk level must be an integer ≥ 1, got ${first}`);
  if (!Number.isInteger(cap) || cap < 1) throw new RangeError(`chunk cap must be an integer ≥ 1, got ${cap}`);
  const levels: number[] = [];
  for (let n = Math.min(first, cap); n < cap; n *= 2) levels.push(n);
  levels.push(cap);
  return levels;
}

/**
 * The rule at one look: accept when the upper bound is within the budget, reject when the lower bound is over it,
 * otherwise grow, unless this is the last look (`atCap`): then the upper bound decides, and a straddling interval
 * is rejected.
 */
export function verdictOf(budget: QualityBudget, estimate: QualityEstimate, atCap: false | "cap" | "time"): Verdict {
  if (budgetViolation(budget, estimate) <= 0) return { kind: "accept", decidedBy: "upper-within" };
  if (lowerBoundViolation(budget, estimate) > 0) return { kind: "reject", decidedBy: "lower-over" };
  if (atCap) return { kind: "reject", decidedBy: atCap };
  return { kind: "grow" };
}

export interface SequentialOutcome<M> {
  accepted: boolean;
  decidedBy: DecidedBy;
  /** the measurement the decision was taken on (the last look) */
  measurement: M;
  /** the chunk count of every look, in order */
  looks: number[];
}

export interface SequentialOptions<M extends QualityEstimate & { chunks: number }> {
  budget: QualityBudget;
  /** from chunkLevels */
  levels: number[];
  /**
   * The measurement on the first `chunks` chunks; a measurer reuses what earlier looks measured and may return more
   * chunks than asked for when they were measured before (its `chunks` says how many it used), and fewer when the
   * text has no more: that is the cap.
   */
  measure: (chunks: number) => Promise<M>;
  /** asked before each growth: false stops it, and the current look decides as at the cap ("time") */
  mayGrow?: (from: number, to: number) => boolean;
  /** after each look */
  onLook?: (measurement: M, verdict: Verdict, next: number | undefined) => void;
}

/**
 * A sequential decision: measure on the first level; while the interval straddles the budget, measure on the next
 * level (more chunks of the same text, reusing the measured ones), up to the last.
 */
export async function decideSequentially<M extends QualityEstimate & { chunks: number }>(
  options: SequentialOptions<M>,
): Promise<SequentialOutcome<M>> {
  const { budget, levels, measure } = options;
  const looks: number[] = [];
  let level = 0;
  for (;;) {
    const asked = levels[level]!;
    const measurement = await measure(asked);
    looks.push(measurement.chunks);
    // fewer than asked: the text ran out, which is the cap
    const exhausted = measurement.chunks < asked;
    // a measurer that had more chunks at hand used them: skip the levels they already cover
    while (level + 1 < levels.length && levels[level + 1]! <= measurement.chunks) level++;
    const next = levels[level + 1];
    const stop: false | "cap" | "time" =
      next === undefined || exhausted
        ? "cap"
        : options.mayGrow && !options.mayGrow(measurement.chunks, next)
          ? "time"
          : false;
    const verdict = verdictOf(budget, measurement, stop);
    options.onLook?.(measurement, verdict, verdict.kind === "grow" ? next : undefined);
    if (verdict.kind !== "grow")
      return { accepted: verdict.kind === "accept", decidedBy: verdict.decidedBy, measurement, looks };
    level++;
  }
}
