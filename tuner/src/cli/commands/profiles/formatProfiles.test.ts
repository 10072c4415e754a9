import { describe, expect, it } from "vitest";
import { builtinProfiles } from "../../../profiles/builtins.ts";
import { sampleSearchProfile } from "../../../profiles/testProfiles.ts";
import { describeCache, formatProfileList } from "./formatProfiles.ts";

describe("describeCache", () => {
  it("names uniform types and compacts per-layer ones into ranges", () => {
    expect(describeCache({ mode: "uniform", k: "q8_0", v: "q4_0" })).toBe("K q8_0, V q4_0");
    expect(describeCache(sampleSearchProfile().cache)).toBe("K 0-1:q8_0,2:q4_0,3:q5_1; V 0-2:q4_0,3:q8_0");
  });
});

describe("formatProfileList", () => {
  it("aligns one row per profile, marks the active one and appends bad files", () => {
    const text = formatProfileList(
      [builtinProfiles[0]!, sampleSearchProfile()],
      [{ path: "/p/bad.json", message: "not JSON\nat line 1" }],
      "gemma-tuned",
    );
    const lines = text.trimEnd().split("\n");
    expect(lines[0]).toBe("  f16          builtin  K f16, V f16                                 any model");
    expect(lines[1]).toBe(
      "* gemma-tuned  search   K 0-1:q8_0,2:q4_0,3:q5_1; V 0-2:q4_0,3:q8_0  m.gguf     1000 B/token  ΔPPL 0.80%",
    );
    expect(lines.slice(2)).toEqual(["! /p/bad.json: not JSON", "    at line 1"]);
  });
});
