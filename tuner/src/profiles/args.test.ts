import { describe, expect, it } from "vitest";
import { cacheTypeArgs, profileToLlamaArgs } from "./args.ts";
import { builtinProfiles } from "./builtins.ts";

describe("profileToLlamaArgs", () => {
  it("selects a uniform cache with -ctk/-ctv and flash attention", () => {
    expect(profileToLlamaArgs({ cache: { mode: "uniform", k: "q8_0", v: "q4_0" } })).toEqual([
      "-fa",
      "on",
      "-ctk",
      "q8_0",
      "-ctv",
      "q4_0",
    ]);
  });

  it("selects a per-layer cache with one type per layer", () => {
    const args = profileToLlamaArgs({
      cache: { mode: "per-layer", k: ["q8_0", "q8_0", "q4_0"], v: ["q4_0", "f16", "q4_0"] },
    });
    expect(args).toEqual([
      "-fa",
      "on",
      "--cache-type-k-layers",
      "q8_0,q8_0,q4_0",
      "--cache-type-v-layers",
      "q4_0,f16,q4_0",
    ]);
  });

  it("gives each built-in its own flags: its type flags after flash attention", () => {
    for (const profile of builtinProfiles)
      expect(profileToLlamaArgs(profile)).toEqual(["-fa", "on", ...cacheTypeArgs(profile.cache)]);
    const flags = builtinProfiles.map((profile) => cacheTypeArgs(profile.cache).join(" "));
    expect(flags).toEqual([
      "-ctk f16 -ctv f16",
      "-ctk q8_0 -ctv q8_0",
      "-ctk q8_0 -ctv q4_0",
      "-ctk q4_0 -ctv q8_0",
      "-ctk q4_0 -ctv q4_0",
      "-ctk q8_0 -ctv iq3_nl",
      "-ctk q8_0 -ctv iq2_nl",
    ]);
  });
});
