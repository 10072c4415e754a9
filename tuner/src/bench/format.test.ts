import { describe, expect, it } from "vitest";
import { formatBenchMarkdown } from "./format.ts";
import type { BenchReport, BenchRow } from "./types.ts";

const quality = {
  ppl: 10.2,
  pplBase: 10,
  deltaPpl: 0.2,
  deltaPplPct: 2,
  meanKld: 0.03,
  top1Agreement: 0.9,
  deltaPplPctInterval: [1.5, 2.5] as [number, number],
  meanKldInterval: [0.028, 0.032] as [number, number],
};

function report(depths: number[]): BenchReport {
  const row = (label: string, tps: number): BenchRow => ({
    label,
    kvBytes: { 8192: 16 * 1024 * 1024 },
    savingPct: { 8192: 60 },
    quality,
    longContext: [],
    retrieval: [],
    speed: depths.flatMap((depth) => [
      { test: "pp" as const, tokens: 512, depth, medianTps: tps, samplesTps: [tps] },
      { test: "tg" as const, tokens: 64, depth, medianTps: tps / 10, samplesTps: [tps / 10] },
    ]),
    speedVsF16: depths.flatMap((depth) => [
      { test: "pp" as const, depth, ratio: tps / 300 },
      { test: "tg" as const, depth, ratio: tps / 300 },
    ]),
  });
  return {
    model: { file: "model.gguf", headerHash: "0123456789abcdef" },
    text: { name: "moby-dick", sha256: "ff" },
    ctx: 512,
    chunks: 16,
    build: "v0.4.0+kvsplit.test",
    machine: { cpu: "cpu", cores: 2, threads: 1, backend: "CPU", os: "linux" },
    contexts: [8192],
    longContexts: [],
    longChunks: 1,
    passkey: { lengths: [], trials: 2 },
    speedTest: { promptTokens: 512, genTokens: 64, depths, repetitions: 3 },
    rows: [row("f16", 300), row("k8v3", 290)],
    createdAt: "2026-12-03T00:00:00.000Z",
  };
}

// `tuner bench --depth none` measures quality and memory only: the table then has no speed columns and its
// provenance says no speed was measured, instead of naming a llama-bench run that did not happen
describe("formatBenchMarkdown", () => {
  it("has speed columns and names llama-bench when depths were measured", () => {
    const markdown = formatBenchMarkdown(report([4096]));
    expect(markdown).toContain("pp512 @d4096 t/s (vs f16)");
    expect(markdown).toContain("speed by llama-bench (flash attention, 1 threads, median of 3)");
  });

  it("has no speed columns and says so without depths", () => {
    const markdown = formatBenchMarkdown(report([]));
    expect(markdown).not.toContain("pp512");
    expect(markdown).not.toContain("llama-bench");
    expect(markdown).toContain("no speed test");
    expect(markdown).toContain("| k8v3 |");
  });
});
