import { existsSync, mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { defaultEvalTextPath } from "../../src/eval/evalText.ts";
import { parsePerplexity } from "../../src/native/perplexityOutput.ts";
import { runNativeTool } from "../../src/native/run.ts";
import { gemmaModelPath, stories260kPath } from "../fixtures.ts";
import { runTuner } from "./runTuner.ts";

// A fresh cache and profile store per file: the f16 baseline is computed here, exactly once.
let env: Record<string, string>;
let small: string[];

beforeAll(() => {
  const dir = mkdtempSync(join(tmpdir(), "kvsplit-eval-"));
  env = { KVSPLIT_CACHE_DIR: join(dir, "cache"), KVSPLIT_HOME: join(dir, "home") };
  // the model stays where setup put it; only results and profiles are isolated
  small = ["--model", gemmaModelPath(), "--ctx", "256", "--chunks", "2"];
});

describe("tuner eval on Gemma 3 270M", () => {
  it("gives the same PPL as llama-perplexity run by hand with the same flags", async () => {
    const tuner = await runTuner(["eval", "--k", "q8_0", "--v", "q8_0", ...small, "--json"], env);
    expect(tuner.stderr).toBe("");
    expect(tuner.exitCode).toBe(0);
    const report = JSON.parse(tuner.stdout);
    expect(report.baselineComputed).toBe(true);

    const byHand = await runNativeTool("llama-perplexity", [
      "-m",
      gemmaModelPath(),
      "-f",
      defaultEvalTextPath(),
      "-c",
      "256",
      "-b",
      "256",
      "--chunks",
      "2",
      "-fa",
      "on",
      "-ctk",
      "q8_0",
      "-ctv",
      "q8_0",
    ]);
    expect(report.ppl).toBeCloseTo(parsePerplexity(byHand.all).ppl, 3);
    expect(report.kvBytes.measured).toBe(report.kvBytes.formula);
    expect(report.top1Agreement).toBeGreaterThan(0.5);
    expect(report.meanKld).toBeGreaterThan(0);
    // 95% intervals around the paired estimates, from the same run
    const [lo, hi] = report.deltaPplPctInterval;
    expect(lo).toBeLessThan(report.deltaPplPct);
    expect(hi).toBeGreaterThan(report.deltaPplPct);
    expect(report.meanKldInterval[0]).toBeLessThan(report.meanKld);
    expect(report.meanKldInterval[1]).toBeGreaterThan(report.meanKld);
  });

  it("computes the f16 baseline once and reuses it for the next setting", async () => {
    const baselines = () => readdirSync(join(env.KVSPLIT_CACHE_DIR!, "eval", "baselines"));
    expect(baselines()).toHaveLength(1);
    const second = await runTuner(["eval", "--kvq-key", "8", "--kvq-val", "4", ...small, "--json"], env);
    expect(second.exitCode).toBe(0);
    const report = JSON.parse(second.stdout);
    expect(report.baselineComputed).toBe(false);
    expect(report.fromCache).toBe(false);
    expect(baselines()).toHaveLength(1);

    const again = JSON.parse((await runTuner(["eval", "--k", "q8_0", "--v", "q4_0", ...small, "--json"], env)).stdout);
    expect(again.fromCache).toBe(true);
    expect(again.ppl).toBe(report.ppl);
  });

  it("prints a readable table by default", async () => {
    const table = await runTuner(["eval", "--profile", "k8v4", ...small], env);
    expect(table.exitCode).toBe(0);
    expect(table.stdout).toMatch(
      /ΔPPL\s+[+-]\d+\.\d{4} \([+-]\d+\.\d{3}%; 95% interval [+-]\d+\.\d{3}% to [+-]\d+\.\d{3}%\)/,
    );
    expect(table.stdout).toMatch(/K\/V bytes \(formula\)\s+\d+ B: match/);
  });
});

describe("tuner eval errors: one clear message, exit code 1", () => {
  it("names the command that fetches a missing model", async () => {
    const r = await runTuner(["eval", "--k", "f16", "--v", "f16", "--model", "/nonexistent/model.gguf"], env);
    expect(r.stderr).toContain("model file not found: /nonexistent/model.gguf");
    expect(r.stderr).toContain("tuner model fetch");
    expect(r.exitCode).toBe(1);
  });

  it("names the command that builds a missing binary", async () => {
    const r = await runTuner(["eval", "--k", "f16", "--v", "f16", ...small], {
      ...env,
      KVSPLIT_NATIVE_BIN: "/nonexistent/bin",
    });
    expect(r.stderr).toMatch(/at \/nonexistent\/bin\/.*run .npm run setup./);
    expect(r.exitCode).toBe(1);
  });

  it("refuses an eval text shorter than ctx × chunks", async () => {
    const dir = mkdtempSync(join(tmpdir(), "kvsplit-short-"));
    const text = join(dir, "short.txt");
    writeFileSync(text, "Call me Ishmael. ".repeat(200));
    const r = await runTuner(
      [
        "eval",
        "--k",
        "q8_0",
        "--v",
        "q8_0",
        "--eval-file",
        text,
        "--model",
        gemmaModelPath(),
        "--ctx",
        "256",
        "--chunks",
        "8",
      ],
      env,
    );
    expect(r.stderr).toMatch(/eval text 'short.txt' is too short: 8 chunks of 256 tokens requested, it holds \d/);
    expect(r.exitCode).toBe(1);
    expect(existsSync(join(env.KVSPLIT_CACHE_DIR!, "eval", "baselines"))).toBe(true);
    expect(readdirSync(join(env.KVSPLIT_CACHE_DIR!, "eval", "baselines")).filter((f) => f.includes(".tmp-"))).toEqual(
      [],
    );
  });

  it("refuses a profile made for another model", async () => {
    const profile = {
      schemaVersion: 1,
      name: "for-stories",
      createdAt: new Date().toISOString(),
      source: "manual",
      cache: { mode: "per-layer", k: Array(5).fill("f16"), v: Array(5).fill("f16") },
      model: { fileName: "stories260K.gguf", sizeBytes: 1185376, headerHash: "a".repeat(64), nLayer: 5 },
    };
    const file = join(mkdtempSync(join(tmpdir(), "kvsplit-profile-")), "for-stories.json");
    writeFileSync(file, JSON.stringify(profile));
    const r = await runTuner(["eval", "--profile", file, ...small], env);
    expect(r.stderr).toContain('profile "for-stories" was made for stories260K.gguf (5 layers');
    expect(r.stderr).toContain("(file name, layer count, header hash differ)");
    expect(r.exitCode).toBe(1);
  });

  it("refuses quantized types on a model whose head dim they do not divide", async () => {
    const r = await runTuner(
      ["eval", "--k", "q8_0", "--v", "q8_0", "--model", stories260kPath, "--ctx", "64", "--chunks", "1"],
      env,
    );
    expect(r.stderr).toContain("K cache type q8_0 with block size 32 does not divide n_embd_head_k=8");
    expect(r.exitCode).toBe(1);
  });

  it.each([
    [["--kvq-key", "7", "--kvq-val", "4"], "invalid value for --kvq-key: '7'"],
    [["--k", "q3_k", "--v", "f16"], "q3_k"],
    [["--k", "f16"], "--k and --v go together"],
  ])("rejects %j", async (args, message) => {
    const r = await runTuner(["eval", ...args, ...small], env);
    expect(r.stderr).toContain(message);
    expect(r.exitCode).toBe(1);
  });
});
