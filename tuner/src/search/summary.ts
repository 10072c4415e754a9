import { assignmentBytes, assignmentKey, uniformAssignment } from "./assignment.ts";
import { budgetViolation } from "./budget.ts";
import type { SearchOutcome } from "./runSearch.ts";
import type { Trial } from "./study.ts";

/** The search's result in a few numbers, computed once when the search ends. */
export interface SearchSummary {
  f16Bytes: number;
  bestBytes: number;
  /** the winner's saving over K8V4 at the target context, in percent; undefined when K8V4 was not measured */
  belowK8v4Pct?: number;
  /** uniform settings whose upper 95% bound was within the budget on the search half (on the decision's chunks where measured) */
  uniformWithinBudget: string[];
  /** the smallest of them, and the winner's bytes as a share of its bytes */
  bestUniformWithinBudget?: { name: string; bytes: number; ratio: number };
  /** uniform settings within the budget that are smaller than the winner (should be none) */
  smallerUniformWithinBudget: string[];
  trials: number;
  /** candidates measured again on the decision's chunks */
  decisions: number;
}

const uniformNames: Record<string, string> = {
  "q8_0/q8_0": "K8V8",
  "q8_0/q4_0": "K8V4",
  "q4_0/q8_0": "K4V8",
  "q4_0/q4_0": "K4V4",
};

export const uniformName = (t: Pick<Trial, "assignment">) =>
  uniformNames[`${t.assignment.k[0]}/${t.assignment.v[0]}`] ?? `${t.assignment.k[0]}/${t.assignment.v[0]}`;

/** The measurement a trial is judged on: the decision's, when the screening left it undecided. */
export const decidingMeasurement = (t: Trial) => t.decision ?? t;

export function k8v4Trial(outcome: Pick<SearchOutcome, "uniform" | "groups">): Trial | undefined {
  const k8v4 = assignmentKey(uniformAssignment(outcome.groups.length, "q8_0", "q4_0"));
  return outcome.uniform.find((t) => assignmentKey(t.assignment) === k8v4);
}

export function summarizeSearch(outcome: Omit<SearchOutcome, "summary">): SearchSummary {
  const { facts, best, budget } = outcome;
  const f16Bytes = assignmentBytes(
    facts,
    { k: Array(facts.nLayer).fill("f16"), v: Array(facts.nLayer).fill("f16") },
    outcome.study.targetCtx,
  );
  const k8v4 = k8v4Trial(outcome);
  const within = outcome.uniform.filter((t) => budgetViolation(budget.given, decidingMeasurement(t)) <= 0);
  const smallest = [...within].sort((a, b) => a.bytes - b.bytes)[0];
  return {
    f16Bytes,
    bestBytes: best.bytes,
    belowK8v4Pct: k8v4 ? (1 - best.bytes / k8v4.bytes) * 100 : undefined,
    uniformWithinBudget: within.map(uniformName),
    bestUniformWithinBudget: smallest
      ? { name: uniformName(smallest), bytes: smallest.bytes, ratio: best.bytes / smallest.bytes }
      : undefined,
    smallerUniformWithinBudget: within
      .filter((t) => t.bytes <= best.bytes && assignmentKey(t.assignment) !== assignmentKey(best.assignment))
      .map(uniformName),
    trials: outcome.study.trials.length,
    decisions: outcome.study.trials.filter((t) => t.decision).length,
  };
}
