import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  describeAttention,
  formatLayerRanges,
  parseAttnPlacementLog,
  parseBenchAttnPlacement,
  summarizeAttention,
} from "./attnPlacement.ts";
import { parseKvCacheReport } from "./kvReport.ts";

// logs captured on an NVIDIA H200 by bench/gpu/attention-placement.sh (see that folder's README.md)
const h200 = (file: string) =>
  readFileSync(new URL(`../../../bench/results/cuda-attention-placement/${file}`, import.meta.url), "utf8");

describe("parseAttnPlacementLog", () => {
  it("reads the per-layer lines, a later line replacing an earlier one", () => {
    const log = [
      "llama_context: layer   0: flash_attn = CUDA0, kv = CUDA0, fallback = 0",
      "llama_context: layer   1: flash_attn = off, kv = CPU, fallback = 0",
      "llama_context: layer   0: flash_attn = CPU, kv = CUDA0, fallback = 1",
    ].join("\n");
    expect([...parseAttnPlacementLog(log)]).toEqual([
      [0, { attnDevice: "CPU", kvDevice: "CUDA0", fallback: true }],
      [1, { attnDevice: null, kvDevice: "CPU", fallback: false }],
    ]);
  });

  it("attaches the placement to the K/V report of a CUDA build without FA_ALL_QUANTS (per-layer mix, H200)", () => {
    const report = parseKvCacheReport(h200("fa-default/perplexity-mix-lv4.log"));
    expect(report.layers).toHaveLength(8);
    expect(report.layers.filter((l) => l.attention?.fallback).map((l) => l.il)).toEqual([4, 5]);
    expect(report.layers[4]).toMatchObject({ typeK: "q8_0", typeV: "q4_0", attention: { attnDevice: "CPU" } });
    expect(report.layers[0]!.attention).toEqual({ attnDevice: "CUDA0", kvDevice: "CUDA0", fallback: false });
  });
});

describe("parseBenchAttnPlacement", () => {
  it("reads every pair of the probe on the H200 without FA_ALL_QUANTS", () => {
    const byPair = parseBenchAttnPlacement(h200("fa-default/probe.log"));
    expect(byPair.size).toBe(9);
    const fallsBack = [...byPair].filter(([, layers]) => [...layers.values()].some((p) => p.fallback)).map(([p]) => p);
    expect(fallsBack.sort()).toEqual(["f16/q4_0", "f16/q8_0", "q4_0/f16", "q4_0/q8_0", "q8_0/f16", "q8_0/q4_0"]);
    expect([...byPair.get("q8_0/q4_0")!.keys()]).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });

  it("keeps a layer's fallback when another test of the pair did not fall back", () => {
    const out = [
      "llama-bench: attention: type_k = q8_0, type_v = q4_0: layers 0-3: flash_attn = CPU, kv = MTL0, fallback = 1",
      "llama-bench: attention: type_k = q8_0, type_v = q4_0: layers 0-3: flash_attn = MTL0, kv = MTL0, fallback = 0",
    ].join("\n");
    expect(parseBenchAttnPlacement(out).get("q8_0/q4_0")!.get(2)).toEqual({
      attnDevice: "CPU",
      kvDevice: "MTL0",
      fallback: true,
    });
  });
});

describe("formatLayerRanges", () => {
  it("joins consecutive layers", () => {
    expect(formatLayerRanges([5, 0, 1, 2, 9, 4])).toBe("0-2, 4-5, 9");
    expect(formatLayerRanges([3])).toBe("3");
  });
});

describe("summarizeAttention", () => {
  const layer = (il: number, attnDevice: string | null, kvDevice: string, fallback: boolean) => ({
    il,
    typeK: fallback ? "q8_0" : "f16",
    typeV: fallback ? "q4_0" : "f16",
    attention: { attnDevice, kvDevice, fallback },
  });

  it("names the layers that fall back, their devices and pairs, and what to do", () => {
    const summary = summarizeAttention([layer(0, "CUDA0", "CUDA0", false), layer(1, "CPU", "CUDA0", true)]);
    expect(summary).toEqual({ state: "fallback", layers: [1], kvDevices: ["CUDA0"], pairs: ["q8_0/q4_0"] });
    expect(describeAttention(summary)).toMatch(/^layers 1 on the CPU while their K\/V are on CUDA0 .*q8_0\/q4_0/);
    expect(describeAttention(summary)).toContain("GGML_CUDA_FA_ALL_QUANTS");
    expect(describeAttention(summarizeAttention([layer(0, "CPU", "MTL0", true)]))).toContain("Metal patch");
  });

  it("says attention is with the K/V when nothing falls back, on a CPU-only machine too", () => {
    expect(summarizeAttention([layer(0, "CPU", "CPU", false)])).toEqual({ state: "with-kv", devices: ["CPU"] });
    expect(describeAttention(summarizeAttention([layer(0, "CPU", "CPU", false)]))).toBe("CPU, where the K/V are");
  });

  it("is unknown when a build reports no placement, off when flash attention is off", () => {
    expect(summarizeAttention([{ il: 0, typeK: "f16", typeV: "f16" }])).toEqual({ state: "unknown" });
    expect(summarizeAttention([layer(0, null, "CUDA0", false)])).toEqual({ state: "off", kvDevices: ["CUDA0"] });
  });
});
