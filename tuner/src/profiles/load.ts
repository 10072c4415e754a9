import { existsSync } from "node:fs";
import { checkProfileFitsModel } from "./fit.ts";
import type { FitFacts } from "./errors/ProfileModelMismatchError.ts";
import type { Profile } from "./schema.ts";
import { ProfileStore, readProfileFile } from "./store.ts";

/** A saved profile's name, a built-in's name, or a profile file's path. */
export function loadProfileRef(ref: string, store = new ProfileStore()): Profile {
  const looksLikePath = ref.includes("/") || ref.endsWith(".json");
  return looksLikePath && existsSync(ref) ? readProfileFile(ref) : store.get(ref);
}

/** {@link loadProfileRef}, refused with ProfileModelMismatchError when it was made for another model. */
export function loadProfileForModel(ref: string, facts: FitFacts, store = new ProfileStore()): Profile {
  const profile = loadProfileRef(ref, store);
  checkProfileFitsModel(profile, facts);
  return profile;
}
