import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runBackendOps } from "./metalBackendOps.ts";
import { ggmlMetalTreeWithBug } from "./metalCompile.ts";

// The cache writes and the K/V rotation under llama.cpp's own test-backend-ops, over the emulated Metal backend
// (native/metal-check/test-backend-ops.sh: the unmodified host code, quantize.metal's and misc.metal's kernels
// compiled as C++ and run on CPU fibers), each case compared with ggml's CPU backend by test-backend-ops:
// SET_ROWS of F32 rows into every cache type (f16, bf16, q8_0, q5_1, q5_0, q4_1, q4_0, iq4_nl, iq3_nl, iq2_nl) at I64
// positions, CPY of F32 into q4_0 and iq3_nl and back, and MUL_MAT with the Hadamard hint (kernel_fwht_f32_128: one
// row, and 32 rows). Only the cache and rotation kernels and one vec kernel are compiled (--kernels).
const setRowsTypes = "f16|bf16|q8_0|q5_1|q5_0|q4_1|q4_0|iq4_nl|iq3_nl|iq2_nl";
const cases = [
  "-o",
  "SET_ROWS,CPY,MUL_MAT_HADAMARD",
  "-p",
  `^type_src=f32,type_dst=(${setRowsTypes}),type_idx=i64,ne=\\[256,5,1,3\\],nr23=\\[1,1\\],r=1,v=0$|` +
    "^type_src=(f32,type_dst=(q4_0|iq3_nl)|(q4_0|iq3_nl),type_dst=f32),ne_src=\\[256,4,4,4\\],permute_src=\\[0,0,0,0\\],|" +
    "^type_a=f32,type_b=f32,m=128,n=(1|32),k=128,bs=\\[1,1\\],",
];
const kernels =
  "^kernel_(set_rows_f32_i64_|cpy_(f32_(q4_0|iq3_nl)|(q4_0|iq3_nl)_f32)$|fwht_f32_128$)|^kernel_flash_attn_ext_vec_q8_0_dk64_";
const env = { KVSPLIT_FA_HEAD_SIZES: "64" };

const summary = (ok: number, fail: number) =>
  `emulated Metal summary: ${ok} passed, ${fail} failed, 0 not run (a kernel the emulated library lacks)`;

describe("test-backend-ops SET_ROWS, CPY and the Hadamard rotation over the emulated Metal backend", () => {
  it("passes every cache type, both ways, and the rotation", async () => {
    const run = await runBackendOps(cases, { kernels, env });
    expect(run.exitCode, run.output).toBe(0);
    const ran = run.cases.filter((c) => c.result !== "not supported");
    expect(ran.filter((c) => c.op === "SET_ROWS").map((c) => /type_dst=(\w+)/.exec(c.vars)?.[1])).toEqual([
      "f16",
      "bf16",
      "q4_0",
      "q4_1",
      "q5_0",
      "q5_1",
      "q8_0",
      "iq4_nl",
      "iq3_nl",
      "iq2_nl",
    ]);
    expect(ran.filter((c) => c.op === "CPY")).toHaveLength(4);
    expect(ran.filter((c) => c.op === "MUL_MAT_HADAMARD")).toHaveLength(2);
    expect(ran.every((c) => c.result === "OK")).toBe(true);
    expect(run.output).toContain(summary(16, 0));
  });

  describe("fails when the host code breaks", () => {
    const root = mkdtempSync(join(tmpdir(), "kvsplit-metal-backend-ops-cache-"));
    afterAll(() => rmSync(root, { recursive: true, force: true }));

    it.each([
      {
        bug: "SET_ROWS told one block fewer per row",
        pattern: /(ggml_metal_kargs_set_rows args = \{\s*\/\*\.nk0 {2}=\*\/ )nk0,/,
        replacement: "$1nk0 - 1,",
        failed: ["SET_ROWS"],
        summary: summary(6, 10),
      },
      {
        bug: "the rotation's threadgroup count rounded down (rows of the last threadgroup not rotated)",
        pattern: /const int64_t n_tg = \(nrows \+ sg_per_tg - 1\) \/ sg_per_tg;/,
        replacement: "const int64_t n_tg = nrows / sg_per_tg;",
        failed: ["MUL_MAT_HADAMARD"],
        summary: summary(15, 1),
      },
    ])("$bug", async ({ pattern, replacement, failed, summary: expected, bug }) => {
      const copy = ggmlMetalTreeWithBug(root, bug, "ggml-metal-ops.cpp", pattern, replacement);
      const run = await runBackendOps(cases, { ggmlMetalDir: copy, kernels, env });
      expect(run.exitCode).toBe(1);
      const failing = [...new Set(run.cases.filter((c) => c.result === "FAIL").map((c) => c.op))];
      expect(failing).toEqual(failed);
      expect(run.output).toContain(expected);
    });
  });
});
