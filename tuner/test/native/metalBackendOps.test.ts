import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runBackendOps } from "./metalBackendOps.ts";
import { ggmlMetalTreeWithBug } from "./metalCompile.ts";

// No Apple GPU here: native/metal-check/test-backend-ops.sh links llama.cpp's own test-backend-ops (unmodified) with
// the unmodified ggml-metal backend (ggml-metal.cpp registers MTL0), its host code and fa.metal's decode kernels on an
// emulated Metal device (kernels compiled by clang-19 as C++, run as CPU fibers). test-backend-ops compares each case
// with ggml's CPU backend under its own FLASH_ATTN_EXT bound (NMSE 5e-4).
// The cases, from patch 0009's mixed-pair block (8 query heads over 2 K/V heads): q8_0/q4_0 at head size 128, with
// and without a mask, and f16/q4_0 at 64, at batch 1 (KV length 1024: the vec kernel and its reduce); q8_0/q4_0's
// prompt batch (75), which needs kernel_flash_attn_ext, not emulated: reported as not run, never as passed; and the
// sparse path (n_kv_max=512: the index kernel gathers each mask row's 512 finite positions of 4096, the vec kernel
// reads only those) for q8_0/q8_0 at 128. Only the 3 vec kernels these need are compiled (--kernels), so a cold
// cache costs seconds of kernel compiling; test-backend-ops' own fa_vec slice (f16 and q4_0 at 128 and 576) then
// finds none of its kernels and runs nothing, which the summary says.
const cases = [
  "-o",
  "FLASH_ATTN_EXT",
  "-p",
  "^hsk=(128,hsv=128,nh=2,nr23=\\[4,1\\],kv=(1024,nb=1|300,nb=75),mask=[01],.*type_K=q8_0,type_V=q4_0,|" +
    "64,hsv=64,nh=2,nr23=\\[4,1\\],kv=1024,nb=1,mask=1,.*type_K=f16,type_V=q4_0,|" +
    "128,hsv=128,nh=1,nr23=\\[8,1\\],kv=4096,nb=1,mask=1,sinks=0,.*type_K=q8_0,type_V=q8_0,permute=\\[0,1,2,3\\],.*n_kv_max=512$)",
];
const kernels = "^kernel_flash_attn_ext_vec_(q8_0_q4_0_dk128|f16_q4_0_dk64|q8_0_dk128)_";

const sparse = (vars: string) => vars.endsWith(",n_kv_max=512");

describe("test-backend-ops FLASH_ATTN_EXT over the emulated Metal backend (patch 0009)", () => {
  it("passes the decode and sparse cases and reports the prompt cases as not run", async () => {
    const run = await runBackendOps(cases, { kernels });
    expect(run.exitCode, run.output).toBe(0);
    const ran = run.cases.filter((c) => c.result !== "not supported");
    expect(ran.map((c) => c.result)).toEqual(["OK", "OK", "OK", "OK"]);
    expect(ran.every((c) => c.vars.includes(",nb=1,"))).toBe(true);
    expect(ran.filter((c) => sparse(c.vars))).toHaveLength(1);
    const notRun = run.cases.filter((c) => c.result === "not supported");
    expect(notRun).toHaveLength(2);
    for (const c of notRun) {
      expect(c.vars).toContain(",nb=75,");
      // the prompt kernels are not compiled here (--kernels names 3 vec kernels): the backend names the one it lacks
      expect(c.notRun).toMatch(/needs kernel_flash_attn_ext_\w+ \(the prompt path\), which the emulated library lacks/);
    }
    expect(run.output).toContain("emulated Metal summary: 4 passed, 0 failed, 2 not run");
  });

  describe("fails when the host code breaks", () => {
    const root = mkdtempSync(join(tmpdir(), "kvsplit-metal-backend-ops-"));
    afterAll(() => rmSync(root, { recursive: true, force: true }));

    // each bug goes into ggml-metal-ops.cpp of a copy of the tree; the kernels' cache key is unchanged, so only that
    // file and the link are redone
    it.each([
      {
        bug: "the vec kernel told K's row stride for V",
        pattern: /(ggml_metal_kargs_flash_attn_ext_vec args = \{[\s\S]*?)\/\*\.nb21 {10}=\*\/ nb21_attn,/,
        replacement: "$1/*.nb21          =*/ nb11_attn,",
        // V read past its rows: NaN; q8_0/q8_0's K row size is V's, so the sparse case is right
        results: ["mixed FAIL", "mixed FAIL", "mixed FAIL", "sparse OK"],
        failure: "NaN at index",
        summary: "emulated Metal summary: 1 passed, 3 failed, 2 not run",
      },
      {
        bug: "the index kernel told half the bound (half of each row's positions dropped)",
        pattern: /\/\*\.n_kv_max {10}=\*\/ n_kv_max_sparse,/,
        replacement: "/*.n_kv_max          =*/ n_kv_max_sparse/2,",
        results: ["mixed OK", "mixed OK", "mixed OK", "sparse FAIL"],
        failure: "ERR = ",
        summary: "emulated Metal summary: 3 passed, 1 failed, 2 not run",
      },
    ])("$bug: $results", async ({ bug, pattern, replacement, results, failure, summary }) => {
      const copy = ggmlMetalTreeWithBug(root, bug, "ggml-metal-ops.cpp", pattern, replacement);
      const run = await runBackendOps(cases, { ggmlMetalDir: copy, kernels });
      expect(run.exitCode).toBe(1);
      const ran = run.cases.filter((c) => c.result !== "not supported");
      expect(ran.map((c) => `${sparse(c.vars) ? "sparse" : "mixed"} ${c.result}`)).toEqual(results);
      const failures = run.output.split("\n").filter((line) => line.startsWith("[FLASH_ATTN_EXT] "));
      expect(failures).toHaveLength(results.filter((r) => r.endsWith("FAIL")).length);
      for (const line of failures) expect(line).toContain(failure);
      expect(run.output).toContain(summary);
    });
  });
});
