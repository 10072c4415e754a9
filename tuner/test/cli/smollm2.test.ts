import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import type { BenchReport } from "../../src/bench/types.ts";
import { smollmModelPath } from "../fixtures.ts";
import { runTuner } from "./runTuner.ts";

// The second architecture through the tuner: SmolLM2 135M (llama, 30 full-attention layers, no window). Its search
// is search.test.ts's: the search's guarantees are tested on this model, the fast one.
let env: Record<string, string>;
beforeAll(() => {
  const dir = mkdtempSync(join(tmpdir(), "kvsplit-smollm2-"));
  env = { KVSPLIT_CACHE_DIR: join(dir, "cache"), KVSPLIT_HOME: join(dir, "home") };
});

describe("tuner eval and bench on SmolLM2 135M", () => {
  it("eval: K8V4's measured bytes equal the formula and its predictions stay close to f16", async () => {
    const r = await runTuner(
      ["eval", "--k", "q8_0", "--v", "q4_0", "--model", smollmModelPath(), "--ctx", "256", "--chunks", "2", "--json"],
      env,
    );
    expect(r.stderr).toBe("");
    expect(r.exitCode).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.model.file).toBe("SmolLM2-135M-Instruct.Q4_1.gguf");
    expect(report.kvBytes.measured).toBe(report.kvBytes.formula);
    // 30 layers × 256 cells × (192 K elements at 34/32 B + 192 V elements at 18/32 B)
    expect(report.kvBytes.measured).toBe(30 * 256 * (204 + 108));
    expect(report.top1Agreement).toBeGreaterThan(0.8);
  });

  // a bench runs many llama.cpp processes: on a shared 2-core machine they take longer than the default
  it(
    "bench: every row's memory is llama.cpp's allocation, and the max context at 16 MiB is the server's",
    { timeout: 1_800_000 },
    async () => {
      const out = join(env.KVSPLIT_HOME!, "bench");
      const r = await runTuner(
        [
          "bench",
          ...["--model", smollmModelPath(), "--ctx", "256", "--chunks", "1", "--contexts", "4096,8192"],
          ...["--depth", "0", "--prompt", "32", "--gen", "4", "--reps", "3"],
          ...["--long-ctx", "none", "--passkey", "none", "--kv-memory", "16MiB", "--out", out],
        ],
        env,
      );
      expect(r.exitCode).toBe(0);
      const report = JSON.parse(readFileSync(join(out, "report.json"), "utf8")) as BenchReport;
      const row = (label: string) => report.rows.find((x) => x.label === label)!;
      // no sliding window: bytes grow exactly with the context
      expect(row("f16").kvBytes[8192]).toBe(2 * row("f16").kvBytes[4096]!);
      expect(row("f16").kvBytes[4096]).toBe(30 * 4096 * 2 * 192 * 2);
      // 16 MiB / (30 layers × 384 elements × 2 B) = 728 tokens → 512; K4V4 gets 4.5/16 of the bytes per token
      expect(row("f16").maxContext).toMatchObject({ measuredCtx: 512 });
      expect(row("k4v4").maxContext).toMatchObject({ measuredCtx: 2560 });
      for (const x of report.rows) expect(x.maxContext!.measuredCtx).toBe(x.maxContext!.formula.ctx);
    },
  );
});
