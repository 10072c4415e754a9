import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { smollmModelPath } from "../fixtures.ts";
import { runTuner } from "./runTuner.ts";

// Long-context quality on SmolLM2 135M (its 49K-token vocabulary keeps a long chunk's logits small): one chunk of
// 2048 tokens (four times the default) and one passkey trial at 1024 tokens, small enough for a shared 2-core
// machine. The README's 8K/16K numbers come from the commands it names.
let env: Record<string, string>;
let longEval: string[];
beforeAll(() => {
  const dir = mkdtempSync(join(tmpdir(), "kvsplit-long-"));
  env = { KVSPLIT_CACHE_DIR: join(dir, "cache"), KVSPLIT_HOME: join(dir, "home") };
  longEval = ["eval", "--k", "q8_0", "--v", "q4_0", "--model", smollmModelPath(), "--ctx", "2048", "--chunks", "1"];
});

describe("tuner eval at long context", () => {
  it("measures ΔPPL and KLD vs f16 with 2048-token chunks, and passkey retrieval beside f16's", async () => {
    const r = await runTuner([...longEval, "--passkey", "1024,16384", "--passkey-trials", "1", "--json"], env);
    expect(r.stderr).toBe("");
    expect(r.exitCode).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.ctx).toBe(2048);
    // the cache holds the whole 2048-token chunk, and it is what the formula says
    expect(report.kvBytes.measured).toBe(30 * 2048 * (204 + 108));
    expect(report.kvBytes.formula).toBe(report.kvBytes.measured);
    expect(report.meanKld).toBeGreaterThan(0);

    const [at1k, at16k] = report.retrieval;
    for (const side of [at1k.setting, at1k.f16]) {
      expect(side).toMatchObject({ lengthTokens: 1024, trials: 1 });
      expect(side.answers).toHaveLength(1);
      expect(side.answers[0].promptTokens).toBeGreaterThan(900);
      expect(side.answers[0].promptTokens).toBeLessThanOrEqual(1024);
    }
    // beyond SmolLM2's 8192-token training context nothing is asked, and the report says why
    expect(at16k.setting).toMatchObject({ lengthTokens: 16384, trials: 0 });
    expect(at16k.f16.skipped).toBe("beyond the model's training context (8192 tokens)");
  }, 900_000);

  it("prints the ctx and a passkey length it did not ask in the table", async () => {
    const r = await runTuner([...longEval, "--passkey", "16384"], env);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/text\s+moby-dick \(ctx 2048, 1 chunks\)/);
    expect(r.stdout).toMatch(/passkey @16384\s+not asked: beyond the model's training context \(8192 tokens\)/);
  }, 900_000);

  it("refuses a passkey length below 256 tokens", async () => {
    const r = await runTuner([...longEval, "--passkey", "100"], env);
    expect(r.stderr).toContain("--passkey takes lengths ≥ 256 tokens, got '100'");
    expect(r.exitCode).toBe(1);
  });
});
