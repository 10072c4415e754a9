import { describe, expect, it } from "vitest";
import { runNativeTool } from "../../src/native/run.ts";

// Patch 0006 lets the CPU's tiled and split-KV flash-attention paths read quantized and mixed K/V; llama.cpp's own
// test-backend-ops compares them with the reference one-row path (patch 0007 adds the mixed pairs).
const mixedPairs = [
  "q8_0,type_V=q4_0",
  "q4_0,type_V=q8_0",
  "q4_1,type_V=q5_0",
  "q5_0,type_V=q5_1",
  "q5_1,type_V=iq4_nl",
  "iq4_nl,type_V=q4_1",
  "q8_0,type_V=f16",
  "f16,type_V=q4_0",
];

describe("CPU flash attention with quantized and mixed K/V (test-backend-ops)", () => {
  it("passes every mixed pair at head dims 64 and 256, batch 1 and 75, with and without mask", async () => {
    const run = await runNativeTool("test-backend-ops", [
      "-o",
      "FLASH_ATTN_EXT",
      "-b",
      "CPU",
      "-p",
      `hsk=(64|256),.*type_K=(${mixedPairs.join("|")}),`,
    ]);
    const passed = run.all.match(/(\d+)\/(\d+) tests passed/);
    expect(passed).not.toBeNull();
    expect(Number(passed![1])).toBe(Number(passed![2]));
    // 8 pairs × 2 head dims × mask on/off × 2 batch shapes, at least
    expect(Number(passed![2])).toBeGreaterThanOrEqual(64);
    expect(run.all).not.toContain("FAIL");
  });

  it("passes iq3_nl and iq2_nl (patch 0018) as K and as V with every cache type, on both paths", async () => {
    const run = await runNativeTool("test-backend-ops", [
      "-o",
      "FLASH_ATTN_EXT",
      "-b",
      "CPU",
      "-p",
      "type_[KV]=iq[32]_nl,",
    ]);
    const passed = run.all.match(/(\d+)\/(\d+) tests passed/);
    expect(passed).not.toBeNull();
    expect(Number(passed![1])).toBe(Number(passed![2]));
    // 32 pairs (each with f16, q8_0, q5_1, q5_0, q4_1, q4_0, iq4_nl and each other) × 2 head dims × 2 batches
    expect(Number(passed![2])).toBeGreaterThanOrEqual(128);
    expect(run.all).not.toContain("FAIL");
  });
});
