import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { BenchReport } from "../../src/bench/types.ts";
import { gemmaModelPath } from "../fixtures.ts";
import { runTuner } from "./runTuner.ts";

// A small bench on the real model (short speed tests, one quality chunk): the table's structure and its
// measured memory, not its speed (speed targets live in `npm run bench`, not in tests). Five of the seven built-in
// rows: f16, the 8- and 4-bit pairs the assertions compare, and one low-bit pair (k8v2, iq2_nl V); the default
// rows are the seven (asserted from --help), and K4V8's and K8V3's bytes are kvBytesFormula.test.ts's.
const rows = ["f16", "k8v8", "k8v4", "k4v4", "k8v2"];
describe("tuner bench", () => {
  it("measures every built-in row unless --builtins narrows them", async () => {
    const r = await runTuner(["bench", "--help"]);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain('[default: ["f16","k8v8","k8v4","k4v8","k4v4","k8v3","k8v2"]]');
  });

  it("measures the uniform rows and writes JSON, Markdown and the chart", { timeout: 1_500_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), "kvsplit-bench-"));
    const env = { KVSPLIT_CACHE_DIR: join(dir, "cache"), KVSPLIT_HOME: join(dir, "home") };
    const out = join(dir, "out");
    const r = await runTuner(
      [
        "bench",
        "--model",
        gemmaModelPath(),
        "--builtins",
        rows.join(","),
        "--ctx",
        "256",
        "--chunks",
        "1",
        "--contexts",
        "4096,32768",
        "--depth",
        "0",
        "--prompt",
        "32",
        "--gen",
        "4",
        "--reps",
        "3",
        "--kv-memory",
        "16MiB",
        "--long-ctx",
        "512",
        "--long-chunks",
        "1",
        "--passkey",
        "65536",
        "--out",
        out,
        "--plot",
      ],
      env,
    );
    expect(r.exitCode).toBe(0);
    const report = JSON.parse(readFileSync(join(out, "report.json"), "utf8")) as BenchReport;
    expect(report.rows.map((row) => row.label)).toEqual(rows);

    const row = (label: string) => report.rows.find((x) => x.label === label)!;
    // bytes come from llama.cpp; uniform savings follow from bits per element (16 → 8.5 → 6.5 → 4.5 on average)
    expect(row("k8v8").savingPct[32768]).toBeCloseTo((1 - 8.5 / 16) * 100, 6);
    expect(row("k8v4").savingPct[32768]).toBeCloseTo((1 - (8.5 + 4.5) / 32) * 100, 6);
    expect(row("k4v4").savingPct[4096]).toBeCloseTo((1 - 4.5 / 16) * 100, 6);
    expect(row("f16").kvBytes[32768]).toBeGreaterThan(row("f16").kvBytes[4096]!);
    expect(Math.abs(row("f16").quality.deltaPplPct)).toBeLessThan(0.01); // f16 against its own logits
    expect(row("k4v4").quality.meanKld).toBeGreaterThan(row("k8v8").quality.meanKld);
    for (const x of report.rows) {
      expect(x.speed.map((p) => p.test).sort()).toEqual(["pp", "tg"]);
      expect(x.speed.every((p) => p.samplesTps.length === 3 && p.medianTps > 0)).toBe(true);
    }
    expect(row("f16").speedVsF16.every((s) => s.ratio === 1)).toBe(true);

    // max context at 16 MiB: the server's answer is the formula's, and one step more does not fit
    for (const x of report.rows) {
      const max = x.maxContext!;
      expect(max.measuredCtx).toBe(max.formula.ctx);
      expect(max.measuredBytes).toBeLessThanOrEqual(16 * 1024 * 1024);
      expect(max.nextMeasuredBytes).toBeGreaterThan(16 * 1024 * 1024);
    }
    expect(row("k4v4").maxContext!.measuredCtx).toBeGreaterThan(row("k8v4").maxContext!.measuredCtx);
    expect(row("k8v4").maxContext!.measuredCtx).toBeGreaterThan(row("f16").maxContext!.measuredCtx);

    // long-context quality against f16 at the same context
    for (const x of report.rows) expect(x.longContext.map((q) => [q.ctx, q.chunks])).toEqual([[512, 1]]);
    expect(Math.abs(row("f16").longContext[0]!.deltaPplPct)).toBeLessThan(0.01);
    expect(row("k4v4").longContext[0]!.meanKld).toBeGreaterThan(row("k8v8").longContext[0]!.meanKld);

    // passkey (asked in longContext.test.ts): a length beyond Gemma's 32K training context is reported, not asked
    for (const x of report.rows) {
      expect(x.retrieval).toHaveLength(1);
      expect(x.retrieval[0]).toMatchObject({ lengthTokens: 65536, trials: 0 });
      expect(x.retrieval[0]!.skipped).toContain("training context (32768 tokens)");
    }

    const markdown = readFileSync(join(out, "report.md"), "utf8");
    expect(markdown).toContain("| K/V | KV MiB @4K | KV MiB @32K | max ctx @16.00 MiB (server / formula) |");
    expect(markdown).toContain("| ΔPPL % @512 [95%] | KLD @512 [95%] | passkey @64K |");
    // every quality cell carries its interval, and the interval holds the estimate (not f16's: against itself its
    // KLD prints as -0.000002 and its interval is clipped at 0)
    const quantizedRows = report.rows.filter((r) => r.label !== "f16");
    for (const x of [...quantizedRows.map((r) => r.quality), ...quantizedRows.map((r) => r.longContext[0]!)]) {
      const [low, high] = x.deltaPplPctInterval;
      expect(low).toBeLessThanOrEqual(x.deltaPplPct);
      expect(high).toBeGreaterThanOrEqual(x.deltaPplPct);
      expect(x.meanKldInterval[0]).toBeLessThanOrEqual(x.meanKld);
      expect(x.meanKldInterval[1]).toBeGreaterThanOrEqual(x.meanKld);
    }
    const k8v4Quality = row("k8v4").quality;
    expect(markdown).toContain(
      `${k8v4Quality.deltaPplPct >= 0 ? "+" : ""}${k8v4Quality.deltaPplPct.toFixed(2)}% [${k8v4Quality.deltaPplPctInterval[0] >= 0 ? "+" : ""}${k8v4Quality.deltaPplPctInterval[0].toFixed(2)}, `,
    );
    expect(markdown).toContain("- passkey @64K: not asked, beyond the model's training context");
    expect(markdown).toContain("gemma-3-270m-q4_k_m.gguf");
    expect(readFileSync(join(out, "chart.svg"), "utf8")).toContain("<svg");
    expect(readFileSync(join(out, "chart.png")).subarray(1, 4).toString()).toBe("PNG");
    expect(r.stdout).toContain("k8v4");
  });

  it.each([
    [["--reps", "2"], "--reps must be at least 3"],
    [["--builtins", "k8v4,k9v9"], "--builtins: no built-in named 'k9v9'; the built-ins are f16, k8v8, k8v4,"],
    [["--builtins", "none"], "nothing to measure: --builtins none and no --profile"],
  ])("refuses %j", async (args, message) => {
    const r = await runTuner(["bench", ...args]);
    expect(r.stderr).toContain(message);
    expect(r.exitCode).toBe(1);
  });
});
