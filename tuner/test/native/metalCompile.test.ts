import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  copyGgmlMetalTree,
  failedKernels,
  patchedGgmlMetalDir,
  runCompileCheck,
  type CompileCheck,
} from "./metalCompile.ts";

// No Mac here: native/metal-check/compile-kernels.sh compiles every Metal kernel file of the patched tree (patch 0009
// adds the mixed K/V flash-attention kernels to fa.metal) with clang++-19 against a stand-in metal_stdlib, every
// explicit instantiation, with and without bfloat. It needs the Debian package clang-19 and says so if it is missing.
// Cached per file: only a changed file compiles again (fa.metal takes 10 to 40 s on the 2-core machine).
const mixable = ["f16", "q8_0", "q5_1", "q5_0", "q4_1", "q4_0"];

function replaceFirst(path: string, from: string, to: string): void {
  const source = readFileSync(path, "utf8");
  expect(source.includes(from), `${from} in ${path}`).toBe(true);
  writeFileSync(path, source.replace(from, to));
}

describe("every Metal kernel compiles with clang-19 and a stand-in metal_stdlib (patch 0009's fa.metal included)", () => {
  const metalDir = patchedGgmlMetalDir();
  let check: CompileCheck;

  beforeAll(async () => {
    check = await runCompileCheck(metalDir);
  });

  it("compiles every kernel file of the patched tree, with and without bfloat", () => {
    expect(check.exitCode, check.output).toBe(0);
    const files = readdirSync(join(metalDir, "kernels")).filter((file) => file.endsWith(".metal"));
    expect(files.length).toBeGreaterThanOrEqual(20);
    const compiled = check.results.filter((r) => r.ok).map((r) => `${r.file} ${r.variant}`);
    expect(compiled.sort()).toEqual(files.flatMap((file) => [`${file} bf16`, `${file} plain`]).sort());
  });

  it("instantiates every fa.metal kernel, the mixed K/V pairs of patch 0009 among them", () => {
    const fa = readFileSync(join(metalDir, "kernels", "fa.metal"), "utf8");
    const names = [...fa.matchAll(/host_name\(\s*"([^"]+)"\s*\)/g)].map((match) => match[1]!);
    const mixed = names.filter((name) => {
      const pair = /^kernel_flash_attn_ext_vec_([a-z0-9]+_[0-9]|f16)_([a-z0-9]+_[0-9]|f16)_dk/.exec(name);
      return pair !== null && pair[1] !== pair[2] && mixable.includes(pair[1]!) && mixable.includes(pair[2]!);
    });
    expect(mixed).toContain("kernel_flash_attn_ext_vec_q8_0_q4_0_dk128_dv128");
    expect(mixed.length).toBe(300); // 30 ordered pairs of 6 types, 10 head sizes
    // patch 0022: iq3_nl and iq2_nl with each other, themselves and every mixable type, as K or V (28 pairs), at the
    // 8 head sizes of whole 64-blocks
    const iqNl = names.filter((name) => /^kernel_flash_attn_ext_vec_.*iq[32]_nl.*_dk/.test(name));
    for (const name of [
      "kernel_flash_attn_ext_vec_q8_0_iq3_nl_dk128_dv128",
      "kernel_flash_attn_ext_vec_q4_1_iq2_nl_dk64_dv64",
      "kernel_flash_attn_ext_vec_iq3_nl_q5_0_dk256_dv256",
      "kernel_flash_attn_ext_vec_iq2_nl_f16_dk576_dv512",
      "kernel_flash_attn_ext_vec_iq3_nl_iq2_nl_dk192_dv128",
    ]) {
      expect(iqNl).toContain(name);
    }
    expect(iqNl.length).toBe(224);
    expect(new Set(iqNl).size).toBe(224);
    expect(names).toContain("kernel_flash_attn_ext_kv_iq3_nl_f16");
    expect(names).toContain("kernel_flash_attn_ext_kv_iq2_nl_f16");
    const bf16 = check.results.find((r) => r.file === "fa.metal" && r.variant === "bf16");
    // every explicit instantiation in fa.metal is one clang saw (the bf16 ones only with bfloat on)
    expect(bf16?.instantiations).toBe(names.length);
  });

  describe("fails on bugs injected into a copy of the tree, naming the file and the kernels", () => {
    const root = mkdtempSync(join(tmpdir(), "kvsplit-metal-bugs-"));
    let broken: CompileCheck;

    beforeAll(async () => {
      const copy = copyGgmlMetalTree(metalDir, root);
      const fa = join(copy, "kernels", "fa.metal");
      // 1. the vec kernel reads V through K's block type: wrong for every mixed pair, harmless for equal ones
      replaceFirst(
        fa,
        "device const vd4_t * pv4 = (device const vd4_t *) (v + i11*args.nb21);",
        "device const kd4_t * pv4 = (device const kd4_t *) (v + i11*args.nb21);",
      );
      // 2. a wrong template argument: q4_0 blocks with the q4_1 dequantizer, in one equal-pair instantiation
      const q4_0 = `kernel_flash_attn_ext_vec<FA_TYPES, block_q4_0, 8, dequantize_q4_0_t4, block_q4_0, 8, dequantize_q4_0_t4, 128, 128, 1>;`;
      const source = readFileSync(fa, "utf8");
      const line = source.split("\n").find((l) => l.includes('"kernel_flash_attn_ext_vec_q4_0_dk128_dv128"'));
      expect(line?.replace(/ +/g, " ")).toContain(q4_0.replace(/ +/g, " "));
      writeFileSync(fa, source.replace(line!, line!.replace(/dequantize_q4_0_t4, 128/, "dequantize_q4_1_t4, 128")));
      // 3. a syntax error in another file
      replaceFirst(
        join(copy, "kernels", "softmax.metal"),
        "threadgroup_barrier(mem_flags::mem_threadgroup);\n",
        "threadgroup_barrier(mem_flags::mem_threadgroup)\n",
      );
      broken = await runCompileCheck(copy);
    });

    afterAll(() => rmSync(root, { recursive: true, force: true }));

    it("fails in exactly the two broken files, with and without bfloat", () => {
      expect(broken.exitCode, broken.output).toBe(1);
      const failed = broken.results.filter((r) => !r.ok).map((r) => `${r.file} ${r.variant}`);
      expect(failed.sort()).toEqual(["fa.metal bf16", "fa.metal plain", "softmax.metal bf16", "softmax.metal plain"]);
      expect(broken.output).toMatch(/softmax\.metal:\d+:\d+: error: expected ';'/);
    });

    it("names every mixed-pair kernel and the one wrong instantiation, and no other kernel", () => {
      const fa = broken.results.find((r) => r.file === "fa.metal" && r.variant === "plain")!;
      const named = failedKernels(fa);
      expect(named).toContain("kernel_flash_attn_ext_vec_q8_0_q4_0_dk128_dv128");
      expect(named).toContain("kernel_flash_attn_ext_vec_q4_0_dk128_dv128");
      expect(named).not.toContain("kernel_flash_attn_ext_vec_q8_0_dk128_dv128");
      expect(named).toContain("kernel_flash_attn_ext_vec_q8_0_iq2_nl_dk256_dv256");
      expect(named).toContain("kernel_flash_attn_ext_vec_iq3_nl_q4_0_dk128_dv128");
      expect(named).not.toContain("kernel_flash_attn_ext_vec_iq3_nl_dk128_dv128");
      // the 300 mixed pairs of patch 0009, the 208 of patch 0022 (26 pairs of iq3_nl or iq2_nl with another type, 8
      // head sizes each), the wrong one
      expect(named.length).toBe(509);
    });
  });
});
