import { describe, expect, it } from "vitest";
import { builtinProfiles } from "./builtins.ts";
import { InvalidProfileError } from "./errors/InvalidProfileError.ts";
import { parseProfile, profileSchema } from "./schema.ts";
import { sampleSearchProfile } from "./testProfiles.ts";

describe("profileSchema", () => {
  it("round-trips a full search profile through JSON unchanged", () => {
    const profile = sampleSearchProfile();
    expect(profileSchema.parse(JSON.parse(JSON.stringify(profile)))).toEqual(profile);
  });

  it("accepts every built-in", () => {
    for (const profile of builtinProfiles) {
      expect(profileSchema.safeParse(profile).success).toBe(true);
    }
  });

  it.each([
    ["a schema version it does not know", { schemaVersion: 2 }, "schemaVersion"],
    ["a name that is not a slug", { name: "My Profile" }, "lowercase letters and digits"],
    ["a date that is not ISO", { createdAt: "yesterday" }, "createdAt"],
    ["an unknown source", { source: "magic" }, "source"],
    ["an unknown field", { colour: "red" }, "colour"],
    ["an unknown K type", { cache: { mode: "uniform", k: "q3_k", v: "f16" } }, "cache.k"],
    [
      "K and V of different lengths",
      { cache: { mode: "per-layer", k: ["f16", "f16", "f16", "f16"], v: ["f16"] } },
      "k has 4, v has 1",
    ],
    ["a per-layer cache without a model", { model: undefined }, "must name the model"],
    [
      "a cache for another layer count",
      { cache: { mode: "per-layer", k: ["f16"], v: ["f16"] } },
      "model has 4 layers, cache lists 1",
    ],
    [
      "a header hash that is not sha256",
      { model: { fileName: "m.gguf", sizeBytes: 1, headerHash: "xyz", nLayer: 4 } },
      "sha256",
    ],
  ])("rejects %s", (_what, change, message) => {
    const candidate = { ...sampleSearchProfile(), ...change };
    const result = profileSchema.safeParse(candidate);
    expect(result.success).toBe(false);
    expect(() => parseProfile(candidate, "test.json")).toThrow(InvalidProfileError);
    expect(() => parseProfile(candidate, "test.json")).toThrow(message);
  });
});
