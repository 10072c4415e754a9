import { existsSync } from "node:fs";
import type { ModelFacts } from "../model/gguf.ts";
import { profileToLlamaArgs } from "../profiles/args.ts";
import { perLayerTypes, type PerLayerTypes } from "../profiles/perLayerTypes.ts";
import { kvTypeSchema, kvTypes, type KvType, type Profile } from "../profiles/schema.ts";
import { ProfileStore, readProfileFile } from "../profiles/store.ts";
import { ProfileModelMismatchError } from "./errors/ProfileModelMismatchError.ts";
import type { KvSetting } from "./types.ts";

/** A K/V setting with the per-layer types it stands for (what the formula and the search need). */
export interface ResolvedSetting extends KvSetting {
  types: PerLayerTypes;
  profile: Profile;
}

/** A saved profile's name, a built-in's name, or a profile file's path. */
export function loadProfileRef(ref: string, store = new ProfileStore()): Profile {
  const looksLikePath = ref.includes("/") || ref.endsWith(".json");
  return looksLikePath && existsSync(ref) ? readProfileFile(ref) : store.get(ref);
}

/** A per-layer profile made for another model (layer count or content hash) is refused, never silently applied. */
export function checkProfileFitsModel(profile: Profile, facts: ModelFacts): void {
  const model = profile.model;
  if (!model) return;
  if (model.nLayer !== facts.nLayer) {
    throw new ProfileModelMismatchError(
      profile.name,
      `${model.nLayer} layers (${model.fileName})`,
      `${facts.nLayer} layers (${facts.fileName})`,
    );
  }
  if (model.headerHash !== facts.headerHash) {
    throw new ProfileModelMismatchError(
      profile.name,
      `${model.fileName} with header hash ${model.headerHash.slice(0, 12)}…`,
      `${facts.fileName} with header hash ${facts.headerHash.slice(0, 12)}…`,
    );
  }
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
