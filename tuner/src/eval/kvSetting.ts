import type { ModelFacts } from "../model/gguf.ts";
import { profileToLlamaArgs } from "../profiles/args.ts";
import { perLayerTypes, type PerLayerTypes } from "../profiles/perLayerTypes.ts";
import { kvTypeSchema, kvTypes, type KvType, type Profile } from "../profiles/schema.ts";
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

/** KVSplit's shorthand, the same table the native --kvq flags use. */
const typeByBits: Record<string, KvType> = { "16": "f16", "8": "q8_0", "6": "q5_1", "5": "q5_0", "4": "q4_0" };

export class InvalidKvBitsError extends Error {
  constructor(flag: string, given: string) {
    super(`invalid value for ${flag}: '${given}' (valid bit widths: 16 (f16), 8 (q8_0), 6 (q5_1), 5 (q5_0), 4 (q4_0))`);
    this.name = "InvalidKvBitsError";
  }
}

export class InvalidKvTypeError extends Error {
  constructor(flag: string, given: string) {
    super(`invalid value for ${flag}: '${given}' (allowed: ${kvTypes.join(", ")})`);
    this.name = "InvalidKvTypeError";
  }
}

export function parseKvType(flag: string, given: string): KvType {
  const parsed = kvTypeSchema.safeParse(given);
  if (!parsed.success) throw new InvalidKvTypeError(flag, given);
  return parsed.data;
}

export function kvTypeFromBits(flag: string, bits: string | number): KvType {
  const type = typeByBits[String(bits)];
  if (!type) throw new InvalidKvBitsError(flag, String(bits));
  return type;
}

/** An unsaved uniform profile for `--k/--v` or `--kvq-key/--kvq-val`. */
export function uniformProfile(k: KvType, v: KvType): Profile {
  return {
    schemaVersion: 1,
    name: `k-${k}-v-${v}`.replaceAll(".", "-"),
    createdAt: new Date().toISOString(),
    source: "manual",
    cache: { mode: "uniform", k, v },
  };
}
