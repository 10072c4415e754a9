import type { Profile } from "./schema.ts";
import { pairCache, uniformPairs, type UniformPair } from "./uniformPairs.ts";

// Built-ins are uniform, so they fit any model; their date is fixed so they compare equal across runs.
const builtinCreatedAt = "2025-01-01T00:00:00.000Z";

function uniform(pair: UniformPair): Profile {
  return {
    schemaVersion: 1,
    name: pair.name,
    description: pair.description,
    createdAt: builtinCreatedAt,
    source: "builtin",
    cache: pairCache(pair),
  };
}

export const builtinProfiles: readonly Profile[] = uniformPairs.map(uniform);

export function isBuiltinProfileName(name: string): boolean {
  return builtinProfiles.some((profile) => profile.name === name);
}

export function findBuiltinProfile(name: string): Profile | undefined {
  return builtinProfiles.find((profile) => profile.name === name);
}
