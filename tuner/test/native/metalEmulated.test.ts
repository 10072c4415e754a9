import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { copyGgmlMetalTree, patchedGgmlMetalDir } from "./metalCompile.ts";
import { runEmulatedFlashAttn } from "./metalEmulated.ts";

// No Apple GPU here: native/metal-check/emulate-fa.sh runs ggml-metal's unmodified host code (ggml-metal-ops.cpp,
// ggml-metal-device.cpp, patch 0009's mixed K/V pairs and padding) on an emulated Metal device whose kernels are
// fa.metal's, compiled by clang-19 as C++ and run as fibers in lockstep at threadgroup memory. Each case is compared
// with ggml's CPU backend by normalised mean squared error, below test-backend-ops' FLASH_ATTN_EXT bound (5e-4):
// Metal builds the kernels with fast math and accumulates in half, so equality is not expected.
// K/V lengths 1000 and 300 are not multiples of the kernel's chunk: the host adds the padding kernel.
// 4096: long enough for 2 simdgroups per threadgroup (the executor runs them skewed, see executor/fibers.h).
// Patch 0022: iq3_nl and iq2_nl (blocks of 64, read by the vec kernel as 16 groups of 4) as V with K q8_0 (the
// built-in k8v3), as K with a V of 32-value blocks, and with each other; every one of their 28 pairs at head sizes 64,
// 128 and 256 is in the script's full run (bench/results/metal-check/emulated-decode-iq-nl.txt).
const decodeCases = [
  "q8_0/q4_0/128/512",
  "q4_0/q8_0/128/1000",
  "f16/q5_0/64/256",
  "q5_1/q4_1/256/300",
  "q8_0/q8_0/128/512",
  "q8_0/q4_0/128/4096",
  "q8_0/iq3_nl/128/1000",
  "iq2_nl/q4_0/256/300",
  "iq3_nl/iq2_nl/64/512",
];

describe("FLASH_ATTN_EXT decode on the emulated Metal device matches the CPU backend (patches 0009, 0022)", () => {
  it("runs every case through the host code's dispatches and matches", async () => {
    const run = await runEmulatedFlashAttn(decodeCases);
    expect(run.exitCode, run.output).toBe(0);
    expect(run.cases.map((c) => `${c.k}/${c.v}/${c.headSize}/${c.nKv}`)).toEqual(decodeCases);
    for (const c of run.cases) {
      expect(c.ok, JSON.stringify(c)).toBe(true);
      expect(c.nmse).toBeLessThan(5e-4);
      // the vec kernel and its reduce; the padding kernel first where the KV length needs it
      expect(c.dispatches).toBe(c.nKv % 32 === 0 ? 2 : 3);
    }
  });

  describe("fails on bugs the compile check cannot see", () => {
    const root = mkdtempSync(join(tmpdir(), "kvsplit-metal-emulated-"));
    afterAll(() => rmSync(root, { recursive: true, force: true }));

    it.each([
      [
        "the vec kernel steps V rows by K's row size",
        (source: string) =>
          source.replace("(v + ((ic + NE*cc + ty)*args.nb21))", "(v + ((ic + NE*cc + ty)*args.nb11))"),
        "q8_0/q4_0/128/512",
      ],
      [
        "the vec kernel's first threadgroup barrier removed",
        (source: string) =>
          source.replace(
            /(kernel void kernel_flash_attn_ext_vec\([\s\S]*?)\n\s*threadgroup_barrier\(mem_flags::mem_threadgroup\);/,
            "$1",
          ),
        "q8_0/q4_0/128/4096",
      ],
    ])("%s: the case fails, naming its pair", async (_bug, inject, emulatedCase) => {
      const copy = copyGgmlMetalTree(patchedGgmlMetalDir(), join(root, emulatedCase.replaceAll("/", "-")));
      const fa = join(copy, "kernels", "fa.metal");
      const source = readFileSync(fa, "utf8");
      const broken = inject(source);
      expect(broken).not.toBe(source);
      writeFileSync(fa, broken);
      const run = await runEmulatedFlashAttn([emulatedCase], copy);
      expect(run.exitCode).toBe(1);
      expect(run.cases).toHaveLength(1);
      expect(run.cases[0]).toMatchObject({ ok: false, k: "q8_0", v: "q4_0" });
      // memory read past V's rows or before it was written: a NaN error, or a large one
      const { nmse } = run.cases[0]!;
      expect(Number.isNaN(nmse) || nmse > 5e-4, `NMSE ${nmse}`).toBe(true);
    });

    // the iq3_nl/iq2_nl decoders (kernels/dequantize.h): K/V are quantized by ggml's CPU code, so a Metal decoder
    // that reads the block differently from ggml's shows up as a wrong V
    it.each([
      [
        "iq3_nl's high bit ignored",
        (source: string) => source.replace("const uint8_t qh = xb->qh[l/2] >> 4*(l%2);", "const uint8_t qh = 0;"),
        "q8_0/iq3_nl/128/1000",
      ],
      [
        "iq2_nl reads the first half of a block's quants for both halves",
        (source: string) =>
          source.replace(
            /(dequantize_iq2_nl_4[\s\S]*?)device const uint8_t \* qs = xb->qs \+ 8\*\(l\/8\) \+ 4\*\(l%2\);/,
            "$1device const uint8_t * qs = xb->qs + 4*(l%2);",
          ),
        "q8_0/iq2_nl/256/300",
      ],
    ])("%s: the case fails, naming its pair", async (_bug, inject, emulatedCase) => {
      const copy = copyGgmlMetalTree(patchedGgmlMetalDir(), join(root, emulatedCase.replaceAll("/", "-")));
      const header = join(copy, "kernels", "dequantize.h");
      const source = readFileSync(header, "utf8");
      const broken = inject(source);
      expect(broken).not.toBe(source);
      writeFileSync(header, broken);
      const run = await runEmulatedFlashAttn([emulatedCase], copy);
      expect(run.exitCode).toBe(1);
      expect(run.cases).toHaveLength(1);
      const [k, v] = emulatedCase.split("/");
      expect(run.cases[0]).toMatchObject({ ok: false, k, v });
      const { nmse } = run.cases[0]!;
      expect(Number.isNaN(nmse) || nmse > 5e-4, `NMSE ${nmse}`).toBe(true);
    });
  });
});
