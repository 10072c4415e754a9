import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { afterAll, describe, expect, it } from "vitest";
import { repoRoot } from "../../src/config.ts";
import { copyGgmlMetalTree, patchedGgmlMetalDir } from "./metalCompile.ts";

// No Apple GPU here: native/metal-check/emulate-cache.sh runs ggml-metal's unmodified host code for the K/V cache's
// writes (SET_ROWS, CPY into a cache type and back) and the prompt route's dequantization of K and V to F16 (a
// FLASH_ATTN_EXT at batch 32, stopped at the F16 kernel, which needs simdgroup matrices) on the emulated Metal device,
// with the kernels of quantize.metal and fa.metal compiled by clang-19 as C++. Each is compared with ggml's CPU
// backend: the cache byte for byte; decoded iq3_nl/iq2_nl values (patch 0022) bit for bit. The full set (every cache
// type) is in bench/results/metal-check/emulated-cache.txt.
async function runCacheCheck(cases: readonly string[], ggmlMetalDir?: string) {
  const script = join(repoRoot(), "native", "metal-check", "emulate-cache.sh");
  const args = [...(ggmlMetalDir ? ["--metal-dir", ggmlMetalDir] : []), ...cases];
  const run = await execa("bash", [script, ...args], { reject: false, all: true });
  const output = run.all ?? "";
  const lines = output.split("\n").filter((line) => /^(OK {2}|FAIL) /.test(line));
  return { exitCode: run.exitCode ?? -1, output, lines };
}

const cases = [
  "set_rows/iq3_nl/128/37",
  "set_rows/iq2_nl/64/20",
  "set_rows/q8_0/128/37",
  "cpy/iq3_nl/128/10",
  "cpy/iq2_nl/64/10",
  "kv_f16/iq3_nl/q4_0/128/512",
  "kv_f16/f16/iq2_nl/64/256",
  "kv_f16/iq2_nl/iq3_nl/256/256",
];

describe("K/V cache writes and the prompt route's dequantization on the emulated Metal device (patch 0022)", () => {
  it("writes the cache byte for byte as the CPU backend and dequantizes K and V as ggml does", async () => {
    const run = await runCacheCheck(cases);
    expect(run.exitCode, run.output).toBe(0);
    // a CPY case checks F32 -> TYPE, TYPE -> F32 and TYPE -> F16
    expect(run.lines).toHaveLength(cases.length + 4);
    expect(run.lines.every((line) => line.startsWith("OK  "))).toBe(true);
    expect(run.output).toContain(
      "OK   SET_ROWS f32 -> iq3_nl head size 128, 37 of 148 rows per head: 0 of 592 cache blocks differ",
    );
    expect(run.output).toMatch(
      /OK {3}FLASH_ATTN_EXT batch 32 \(prompt route\) K=iq3_nl V=q4_0 head size 128, n_kv 512: K as F16: 0 of 131072 values differ from ggml's \(bit for bit required\); V as F16: \d+ of 131072 values differ from ggml's, 0 by more than .*; stopped at kernel_flash_attn_ext_\w+, 2 dispatches/,
    );
    expect(run.output).toMatch(/K=f16 V=iq2_nl head size 64, n_kv 256: K read in place; V as F16: 0 of 32768 values/);
  });

  describe("fails on a wrong block count for the 64-value blocks", () => {
    const root = mkdtempSync(join(tmpdir(), "kvsplit-metal-cache-"));
    afterAll(() => rmSync(root, { recursive: true, force: true }));

    it.each([
      [
        "iq2_nl's SET_ROWS kernel steps the source row by 32 values a block",
        "quantize.metal",
        (source: string) =>
          source.replace(
            "kernel_set_rows_q<float, int64_t, QK2_NL, block_iq2_nl, quantize_iq2_nl>",
            "kernel_set_rows_q<float, int64_t, 32, block_iq2_nl, quantize_iq2_nl>",
          ),
        "set_rows/iq2_nl/128/20",
        /FAIL SET_ROWS f32 -> iq2_nl head size 128, 20 of 80 rows per head: [1-9]\d* of 320 cache blocks differ/,
      ],
      [
        "iq3_nl's dequantize-to-F16 kernel takes blocks of 32",
        "fa.metal",
        (source: string) =>
          source.replace(
            "kernel_flash_attn_ext_kv_f16<block_iq3_nl, 64,",
            "kernel_flash_attn_ext_kv_f16<block_iq3_nl, 32,",
          ),
        "kv_f16/iq3_nl/q4_0/128/512",
        /FAIL FLASH_ATTN_EXT batch 32 \(prompt route\) K=iq3_nl V=q4_0 .*K as F16: [1-9]\d* of 131072 values differ/,
      ],
    ])("%s: the case fails", async (_bug, file, inject, cacheCase, failure) => {
      const copy = copyGgmlMetalTree(patchedGgmlMetalDir(), join(root, cacheCase.replaceAll("/", "-")));
      const path = join(copy, "kernels", file);
      const source = readFileSync(path, "utf8");
      const broken = inject(source);
      expect(broken).not.toBe(source);
      writeFileSync(path, broken);
      const run = await runCacheCheck([cacheCase], copy);
      expect(run.exitCode).toBe(1);
      expect(run.output).toMatch(failure);
    });
  });
});
