import { ProfileModelMismatchError, type FitFacts } from "./errors/ProfileModelMismatchError.ts";
import type { Profile } from "./schema.ts";

/**
 * The one fit rule: built-ins name no model and fit any; a profile tuned for a model fits only a model with the same
 * file name, layer count and header hash (its per-layer types mean nothing for another model). Returns the facts
 * that differ; empty when it fits.
 */
export function profileFitDifferences(profile: Profile, facts: FitFacts): string[] {
  const model = profile.model;
  if (!model) return [];
  const differences: string[] = [];
  if (model.fileName !== facts.fileName) differences.push("file name");
  if (model.nLayer !== facts.nLayer) differences.push("layer count");
  if (model.headerHash !== facts.headerHash) differences.push("header hash");
  return differences;
}

export function profileFits(profile: Profile, facts: FitFacts): boolean {
  return profileFitDifferences(profile, facts).length === 0;
}

/** Throws {@link ProfileModelMismatchError} when `profile` does not fit the model `facts` describe. */
export function checkProfileFitsModel(profile: Profile, facts: FitFacts): void {
  const differences = profileFitDifferences(profile, facts);
  if (differences.length > 0) {
    const { fileName, nLayer, headerHash } = profile.model!;
    throw new ProfileModelMismatchError(profile.name, { fileName, nLayer, headerHash }, facts, differences);
  }
}
