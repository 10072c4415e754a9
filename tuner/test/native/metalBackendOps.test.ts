import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runBackendOps } from "./metalBackendOps.ts";
import { copyGgmlMetalTree, patchedGgmlMetalDir } from "./metalCompile.ts";

// No Apple GPU here: native/metal-check/test-backend-ops.sh links llama.cpp's own test-backend-ops (unmodified) with
// the unmodified ggml-metal backend (ggml-metal.cpp registers MTL0), its host code and fa.metal's decode kernels on an
// emulated Metal device (kernels compiled by clang-19 as C++, run as CPU fibers). test-backend-ops compares each case
// with ggml's CPU backend under its own FLASH_ATTN_EXT bound (NMSE 5e-4).
// The cases, from patch 0009's mixed-pair block (8 query heads over 2 K/V heads): q8_0/q4_0 at head size 128, with
// and without a mask, and f16/q4_0 at 64, at batch 1 (KV length 1024: the vec kernel and its reduce); and q8_0/q4_0's
// prompt batch (75), which needs kernel_flash_attn_ext, not emulated: reported as not run, never as passed.
const cases = [
  "-o",
  "FLASH_ATTN_EXT",
  "-p",
  "^hsk=(128,hsv=128,nh=2,nr23=\\[4,1\\],kv=(1024,nb=1|300,nb=75),mask=[01],.*type_K=q8_0,type_V=q4_0|" +
    "64,hsv=64,nh=2,nr23=\\[4,1\\],kv=1024,nb=1,mask=1,.*type_K=f16,type_V=q4_0),",
];

describe("test-backend-ops FLASH_ATTN_EXT over the emulated Metal backend (patch 0009)", () => {
  it("passes the decode cases and reports the prompt cases as not run", async () => {
    const run = await runBackendOps(cases);
    expect(run.exitCode, run.output).toBe(0);
    const ran = run.cases.filter((c) => c.result !== "not supported");
    expect(ran.map((c) => c.result)).toEqual(["OK", "OK", "OK"]);
    expect(ran.every((c) => c.vars.includes(",nb=1,"))).toBe(true);
    const notRun = run.cases.filter((c) => c.result === "not supported");
    expect(notRun).toHaveLength(2);
    for (const c of notRun) {
      expect(c.vars).toContain(",nb=75,");
      expect(c.notRun).toContain("needs kernel_flash_attn_ext (the prompt path");
    }
    expect(run.output).toContain("emulated Metal summary: 3 passed, 0 failed, 2 not run");
  });

  describe("fails when the host code breaks", () => {
    const root = mkdtempSync(join(tmpdir(), "kvsplit-metal-backend-ops-"));
    afterAll(() => rmSync(root, { recursive: true, force: true }));

    it("the vec kernel told K's row stride for V: every decode case fails", async () => {
      const copy = copyGgmlMetalTree(patchedGgmlMetalDir(), join(root, "v-row-stride"));
      const ops = join(copy, "ggml-metal-ops.cpp");
      const source = readFileSync(ops, "utf8");
      const broken = source.replace(
        /(ggml_metal_kargs_flash_attn_ext_vec args = \{[\s\S]*?)\/\*\.nb21 {10}=\*\/ nb21_attn,/,
        "$1/*.nb21          =*/ nb11_attn,",
      );
      expect(broken).not.toBe(source);
      writeFileSync(ops, broken);
      const run = await runBackendOps(cases, copy);
      expect(run.exitCode).toBe(1);
      const ran = run.cases.filter((c) => c.result !== "not supported");
      expect(ran.map((c) => c.result)).toEqual(["FAIL", "FAIL", "FAIL"]);
      // every failure is a NaN: V read past its rows
      expect(run.output.match(/NaN at index/g)).toHaveLength(3);
      // test-backend-ops' fa_vec slice runs only equal pairs, where K's row size is V's: it passes
      expect(run.output).toContain("emulated Metal summary: 0 passed, 3 failed, 2 not run");
    });
  });
});
