import type { ModelFacts } from "../model/gguf.ts";
import { profileToLlamaArgs } from "../profiles/args.ts";
import { perLayerTypes, type PerLayerTypes } from "../profiles/perLayerTypes.ts";
import type { Profile } from "../profiles/schema.ts";
import { checkProfileFitsModel } from "../profiles/fit.ts";
import type { KvSetting } from "./types.ts";

/** A K/V setting with the per-layer types it stands for (what the formula and the search need). */
export interface ResolvedSetting extends KvSetting {
  types: PerLayerTypes;
  profile: Profile;
}

export function settingFromProfile(profile: Profile, facts: ModelFacts): ResolvedSetting {
  checkProfileFitsModel(profile, facts);
  return {
    label: profile.name,
    args: profileToLlamaArgs(profile),
    types: perLayerTypes(profile.cache, facts.nLayer),
    profile,
  };
}
