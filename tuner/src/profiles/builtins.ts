import type { KvType, Profile } from "./schema.ts";

// Built-ins are uniform, so they fit any model; their date is fixed so they compare equal across runs.
const builtinCreatedAt = "2025-01-01T00:00:00.000Z";

function uniform(name: string, k: KvType, v: KvType, description: string): Profile {
  return {
    schemaVersion: 1,
    name,
    description,
    createdAt: builtinCreatedAt,
    source: "builtin",
    cache: { mode: "uniform", k, v },
  };
}

export const builtinProfiles: readonly Profile[] = [
  uniform("f16", "f16", "f16", "16-bit keys and values: llama.cpp's default, the quality reference"),
  uniform("k8v8", "q8_0", "q8_0", "8-bit keys and values: about half the memory of f16, near-lossless"),
  uniform("k8v4", "q8_0", "q4_0", "8-bit keys, 4-bit values: keys are the more sensitive half"),
  uniform("k4v8", "q4_0", "q8_0", "4-bit keys, 8-bit values: for comparison with k8v4"),
  uniform("k4v4", "q4_0", "q4_0", "4-bit keys and values: the smallest uniform setting"),
];

export function isBuiltinProfileName(name: string): boolean {
  return builtinProfiles.some((profile) => profile.name === name);
}

export function findBuiltinProfile(name: string): Profile | undefined {
  return builtinProfiles.find((profile) => profile.name === name);
}
