import { toInternal } from "./distributions.ts";
import { isUsableComplete } from "./splitTrials.ts";
import type { FrozenTrial, SearchSpace } from "./types.ts";

/** The parameters of `space` a finished trial holds, with values that belong to their distributions. */
function paramsOf(space: SearchSpace, trial: FrozenTrial): Set<string> {
  return new Set(Object.keys(space).filter((name) => toInternal(space[name]!, trial.params[name]) !== undefined));
}

/**
 * The part of `space` every completed trial has a valid value for (Optuna's IntersectionSearchSpace): what
 * multivariate TPE models jointly. Parameters outside it are sampled one at a time. Empty before any trial completes.
 */
export function intersectionSearchSpace(space: SearchSpace, trials: readonly FrozenTrial[]): SearchSpace {
  let common: Set<string> | undefined;
  for (const trial of trials) {
    if (!isUsableComplete(trial)) {
      continue;
    }
    const present = paramsOf(space, trial);
    common = common === undefined ? present : new Set([...common].filter((name) => present.has(name)));
  }
  const result: Record<string, SearchSpace[string]> = {};
  for (const name of Object.keys(space)) {
    if (common?.has(name)) {
      result[name] = space[name]!;
    }
  }
  return result;
}

/**
 * Optuna's group-decomposed search space: the coarsest partition of the parameters seen in completed trials such
 * that every trial holds each part wholly or not at all. Each part is modelled jointly; names sorted within a part.
 */
export function groupDecomposedSearchSpace(space: SearchSpace, trials: readonly FrozenTrial[]): SearchSpace[] {
  let groups: Set<string>[] = [];
  for (const trial of trials) {
    if (!isUsableComplete(trial)) {
      continue;
    }
    const remaining = paramsOf(space, trial);
    const next: Set<string>[] = [];
    for (const group of groups) {
      next.push(new Set([...group].filter((name) => remaining.has(name))));
      next.push(new Set([...group].filter((name) => !remaining.has(name))));
      for (const name of group) {
        remaining.delete(name);
      }
    }
    next.push(remaining);
    groups = next.filter((group) => group.size > 0);
  }
  return groups.map((group) => {
    const subspace: Record<string, SearchSpace[string]> = {};
    for (const name of [...group].sort()) {
      subspace[name] = space[name]!;
    }
    return subspace;
  });
}
