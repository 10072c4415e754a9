import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { describe, expect, it } from "vitest";
import { repoRoot } from "../src/config.ts";
import { readModelFacts } from "../src/model/gguf.ts";
import { sampleSearchProfile } from "../src/profiles/testProfiles.ts";
import { gemmaModelPath, stories260kPath } from "./fixtures.ts";

const tunerBin = join(repoRoot(), "tuner", "bin", "tuner.mjs");

/** Runs the real CLI in its own process, with its own app-support directory. */
function tuner(args: string[], home: string) {
  return execa("node", [tunerBin, ...args], { reject: false, env: { KVSPLIT_HOME: home }, stdin: "ignore" });
}

const newHome = () => mkdtempSync(join(tmpdir(), "kvsplit-cli-"));

describe("tuner profiles", () => {
  it("imports, lists, shows, activates, exports and removes a profile", async () => {
    const home = newHome();
    const file = join(home, "tuned.json");
    writeFileSync(file, JSON.stringify(sampleSearchProfile()));

    expect((await tuner(["profiles", "import", file], home)).exitCode).toBe(0);
    // the sample was tuned for a 4-layer m.gguf: the one fit rule refuses it for the real model
    const foreign = await tuner(["profiles", "use", "gemma-tuned", "--model", gemmaModelPath()], home);
    expect(foreign.exitCode).toBe(1);
    expect(foreign.stderr).toContain("(file name, layer count, header hash differ)");
    // the same profile made for the real model is accepted
    const facts = await readModelFacts(gemmaModelPath());
    const { fileName, sizeBytes, headerHash, nLayer } = facts;
    const fitting = {
      ...sampleSearchProfile(),
      cache: { mode: "per-layer", k: Array(nLayer).fill("q8_0"), v: Array(nLayer).fill("q4_0") },
      model: { fileName, sizeBytes, headerHash, nLayer },
    };
    writeFileSync(file, JSON.stringify(fitting));
    expect((await tuner(["profiles", "import", file, "--force"], home)).exitCode).toBe(0);
    const use = await tuner(["profiles", "use", "gemma-tuned", "--model", gemmaModelPath()], home);
    expect(use.stdout).toBe("active profile: gemma-tuned");

    const list = await tuner(["profiles", "list", "--json"], home);
    const listed = JSON.parse(list.stdout) as { active: string; profiles: { name: string; source: string }[] };
    expect(listed.active).toBe("gemma-tuned");
    expect(listed.profiles.map((p) => `${p.name}:${p.source}`)).toContain("gemma-tuned:import");

    const show = await tuner(["profiles", "show", "gemma-tuned"], home);
    expect(show.stdout).toContain(
      `llama.cpp flags: -fa on --cache-type-k-layers ${Array(18).fill("q8_0").join(",")} --cache-type-v-layers`,
    );

    const exported = join(home, "out", "copy.json");
    expect((await tuner(["profiles", "export", "gemma-tuned", exported], home)).exitCode).toBe(0);
    expect(JSON.parse(readFileSync(exported, "utf8"))).toMatchObject({ name: "gemma-tuned", source: "import" });

    // the active profile is not removed (the server would quietly become f16); another one is chosen first
    const activeRm = await tuner(["profiles", "rm", "gemma-tuned"], home);
    expect(activeRm.exitCode).toBe(1);
    expect(activeRm.stderr).toContain('profile "gemma-tuned" is the active profile');
    expect((await tuner(["profiles", "use", "f16"], home)).exitCode).toBe(0);
    expect((await tuner(["profiles", "rm", "gemma-tuned"], home)).exitCode).toBe(0);
    const after = JSON.parse((await tuner(["profiles", "list", "--json"], home)).stdout) as { active?: string };
    expect(after.active).toBe("f16");
  });

  it("fails with one line naming what was expected", async () => {
    const home = newHome();
    const missing = await tuner(["profiles", "show", "nope"], home);
    expect(missing.exitCode).toBe(1);
    expect(missing.stderr).toBe(
      'tuner: no profile named "nope"; expected one of: f16, k8v8, k8v4, k4v8, k4v4, k8v3, k8v2; ' +
        "a profile file can be added with 'tuner profiles import <file.json>'",
    );

    const builtin = await tuner(["profiles", "rm", "k8v8"], home);
    expect(builtin.exitCode).toBe(1);
    expect(builtin.stderr).toContain("it is a built-in profile");

    const bad = join(home, "bad.json");
    writeFileSync(bad, JSON.stringify({ ...sampleSearchProfile(), schemaVersion: 7 }));
    const invalid = await tuner(["profiles", "import", bad], home);
    expect(invalid.exitCode).toBe(1);
    expect(invalid.stderr).toContain(`tuner: ${bad} is not a valid KVSplit profile`);
    expect(invalid.stderr).toContain("schemaVersion");
  });

  it("rejects unknown commands", async () => {
    const unknown = await tuner(["profiles", "bogus"], newHome());
    expect(unknown.exitCode).toBe(1);
    expect(unknown.stderr).toContain("tuner: Unknown command: bogus");
  });
});

describe("tuner model", () => {
  it("info reports the real Gemma model's shape and the built-ins' exact K/V bytes", async () => {
    const info = await tuner(["model", "info", "--model", gemmaModelPath(), "--ctx", "4096", "--json"], newHome());
    expect(info.exitCode).toBe(0);
    const report = JSON.parse(info.stdout) as {
      facts: { nLayer: number; slidingWindow: number };
      kvCost: { profile: string; bytesPerToken: number; bytesAtCtx: number }[];
    };
    expect(report.facts).toMatchObject({ nLayer: 18, slidingWindow: 512 });
    const f16 = report.kvCost.find((row) => row.profile === "f16")!;
    // 18 layers × (K + V) × 256 elements × 2 bytes; at 4096: 3 full layers of 4096 cells, 15 window layers of 1024
    expect(f16.bytesPerToken).toBe(18 * 2 * 256 * 2);
    expect(f16.bytesAtCtx).toBe((3 * 4096 + 15 * 1024) * 2 * 256 * 2);
  });

  it("info reads a model without a sliding window", async () => {
    const info = await tuner(["model", "info", "--model", stories260kPath], newHome());
    expect(info.exitCode).toBe(0);
    expect(info.stdout).toContain("full attention in every layer");
    expect(info.stdout).toContain("4 KV heads × 8 (K) / 8 (V)");
    // rows of 4 × 8 = 32 elements hold q4_0's 32-element blocks, not iq3_nl's 64-element ones
    expect(info.stdout).toMatch(/k4v4 +\d+ B\/token/);
    expect(info.stdout).toContain(
      "k8v3   not on this model: iq3_nl stores blocks of 64 elements: a row of 32 does not divide into them",
    );
  });

  it("fetch reuses the present default model and prints its path", async () => {
    const fetch = await tuner(["model", "fetch", "--quiet"], newHome());
    expect(fetch.exitCode).toBe(0);
    expect(fetch.stdout).toBe(gemmaModelPath());
  });
});
