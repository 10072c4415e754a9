import { describe, expect, it } from "vitest";
import { findBuiltinProfile } from "./builtins.ts";
import { ProfileModelMismatchError } from "./errors/ProfileModelMismatchError.ts";
import { checkProfileFitsModel, profileFitDifferences } from "./fit.ts";
import { sampleSearchProfile } from "./testProfiles.ts";

const tuned = sampleSearchProfile();
const ownModel = { fileName: "m.gguf", nLayer: 4, headerHash: "ab".repeat(32) };

describe("the profile fit rule", () => {
  it("fits built-ins to any model and a tuned profile to its own model", () => {
    expect(() => checkProfileFitsModel(findBuiltinProfile("k8v4")!, { ...ownModel, nLayer: 30 })).not.toThrow();
    expect(() => checkProfileFitsModel(tuned, ownModel)).not.toThrow();
  });

  it("refuses a model that differs in file name, layer count or header hash, naming each difference", () => {
    expect(profileFitDifferences(tuned, { ...ownModel, fileName: "other.gguf" })).toEqual(["file name"]);
    expect(profileFitDifferences(tuned, { ...ownModel, nLayer: 26 })).toEqual(["layer count"]);
    expect(profileFitDifferences(tuned, { ...ownModel, headerHash: "cd".repeat(32) })).toEqual(["header hash"]);
    // the case the issue found: the right file name, the wrong layer count
    const error = (() => {
      try {
        checkProfileFitsModel(sampleSearchProfile({ model: { ...tuned.model!, nLayer: 26 } }), ownModel);
      } catch (caught) {
        return caught;
      }
    })();
    expect(error).toBeInstanceOf(ProfileModelMismatchError);
    expect((error as ProfileModelMismatchError).expected.nLayer).toBe(26);
    expect((error as ProfileModelMismatchError).actual.nLayer).toBe(4);
    expect((error as Error).message).toMatch(/26 layers.*4 layers.*layer count differs.*built-in profile/);
  });
});
