import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { AttnPlacementMissingError } from "./errors/AttnPlacementMissingError.ts";
import { decidePairSupport } from "./probeTypes.ts";

// the probe's own llama-bench command, run on an NVIDIA H200 by bench/gpu/attention-placement.sh
const h200 = (build: string) =>
  readFileSync(new URL(`../../../bench/results/cuda-attention-placement/${build}/probe.log`, import.meta.url), "utf8");
const types = ["f16", "q8_0", "q4_0"];
const allPairs = types.flatMap((k) => types.map((v) => `${k}/${v}`));

describe("decidePairSupport", () => {
  it("rejects every pair whose attention fell back to the CPU (CUDA without GGML_CUDA_FA_ALL_QUANTS)", () => {
    const decided = decidePairSupport(h200("fa-default"), allPairs);
    expect(decided.onDevice).toEqual(["f16/f16", "q8_0/q8_0", "q4_0/q4_0"]);
    expect(Object.keys(decided.cpuFallback).sort()).toEqual([
      "f16/q4_0",
      "f16/q8_0",
      "q4_0/f16",
      "q4_0/q8_0",
      "q8_0/f16",
      "q8_0/q4_0",
    ]);
    expect(decided.cpuFallback["q8_0/q4_0"]).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });

  it("accepts every pair when the GPU runs them all (GGML_CUDA_FA_ALL_QUANTS)", () => {
    const decided = decidePairSupport(h200("fa-all-quants"), allPairs);
    expect(decided.onDevice).toEqual(allPairs);
    expect(decided.cpuFallback).toEqual({});
  });

  it("accepts attention on the CPU when the K/V are on the CPU too (a CPU-only machine)", () => {
    const out =
      "llama-bench: attention: type_k = q8_0, type_v = q4_0: layers 0-17: flash_attn = CPU, kv = CPU, fallback = 0";
    expect(decidePairSupport(out, ["q8_0/q4_0"])).toEqual({ onDevice: ["q8_0/q4_0"], cpuFallback: {} });
  });

  it("refuses to decide from a binary that does not report placement", () => {
    const tableOnly = "| llama 1B F16 | 1.2 GiB | 1 B | CUDA | 99 | q8_0 | q4_0 | 1 | pp8 | 100.0 ± 0.0 |";
    expect(() => decidePairSupport(tableOnly, ["q8_0/q4_0"])).toThrow(AttnPlacementMissingError);
  });
});
