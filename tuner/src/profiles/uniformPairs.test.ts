import { describe, expect, it } from "vitest";
import { builtinProfiles } from "./builtins.ts";
import { cacheOfTypes } from "./perLayerTypes.ts";
import { f16Pair, pairCache, quantizedUniformPairs, uniformPairs } from "./uniformPairs.ts";

describe("uniform pairs", () => {
  it("are the built-in profiles, f16 first, and the quantized ones are the rest", () => {
    expect(builtinProfiles.map((profile) => [profile.name, profile.cache])).toEqual(
      uniformPairs.map((pair) => [pair.name, pairCache(pair)]),
    );
    expect(f16Pair.name).toBe("f16");
    expect(quantizedUniformPairs.map((pair) => `${pair.k}/${pair.v}`)).toEqual([
      "q8_0/q8_0",
      "q8_0/q4_0",
      "q4_0/q8_0",
      "q4_0/q4_0",
      "q8_0/iq3_nl",
      "q8_0/iq2_nl",
    ]);
  });
});

describe("cacheOfTypes", () => {
  it("is uniform when every layer has the same pair, per-layer otherwise", () => {
    expect(cacheOfTypes({ k: ["q8_0", "q8_0"], v: ["q4_0", "q4_0"] })).toEqual({
      mode: "uniform",
      k: "q8_0",
      v: "q4_0",
    });
    expect(cacheOfTypes({ k: ["q8_0", "q8_0"], v: ["q4_0", "f16"] })).toEqual({
      mode: "per-layer",
      k: ["q8_0", "q8_0"],
      v: ["q4_0", "f16"],
    });
  });
});
