import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { afterAll, describe, expect, it } from "vitest";
import { repoRoot } from "../../src/config.ts";
import { copyGgmlMetalTree, patchedGgmlMetalDir } from "./metalCompile.ts";

// No Apple GPU here, and the emulated device runs decode only: native/metal-check/iq-nl-codec-check.sh compiles
// patch 0022's iq3_nl/iq2_nl codecs (the quantizers SET_ROWS and CPY run, kernels/quantize.h; the decoders the vec
// kernels, the prompt route's dequantize-to-F16 kernel, CPY and GET_ROWS run, kernels/dequantize.h) as C++ against
// the stand-in metal_stdlib and checks them against ggml's CPU reference: blocks byte for byte, decoded values equal.
async function runCodecCheck(nBlocks: number, ggmlMetalDir?: string) {
  const script = join(repoRoot(), "native", "metal-check", "iq-nl-codec-check.sh");
  const args = [...(ggmlMetalDir ? ["--metal-dir", ggmlMetalDir] : []), String(nBlocks)];
  const run = await execa("bash", [script, ...args], { reject: false, all: true });
  return { exitCode: run.exitCode ?? -1, output: run.all ?? "" };
}

describe("Metal iq3_nl/iq2_nl block codecs equal ggml's CPU reference (patch 0022)", () => {
  it("quantizes 20000 blocks byte for byte as quantize_row_*_ref and decodes them as dequantize_row_*", async () => {
    const run = await runCodecCheck(20_000);
    expect(run.exitCode, run.output).toBe(0);
    for (const type of ["iq3_nl", "iq2_nl"]) {
      expect(run.output).toContain(`OK   ${type}: 20000 blocks quantized byte for byte as quantize_row_${type}_ref`);
    }
  });

  describe("fails on a quantizer or decoder that differs from the CPU's", () => {
    const root = mkdtempSync(join(tmpdir(), "kvsplit-metal-codec-"));
    afterAll(() => rmSync(root, { recursive: true, force: true }));

    it.each([
      [
        "one least-squares refit instead of two",
        "quantize.h",
        (source: string) =>
          source.replace("for (short iter = 0; iter < 2; ++iter)", "for (short iter = 0; iter < 1; ++iter)"),
        /FAIL iq3_nl: block \d+ of 20000 differs from quantize_row_iq3_nl_ref/,
      ],
      [
        "indices taken for the fp32 scale, not the scale as stored in fp16",
        "quantize.h",
        (source: string) =>
          source.replace(
            "const float id = ds != 0.0f ? 1.0f/ds : 0.0f;",
            "const float id = d != 0.0f ? 1.0f/d : 0.0f;",
          ),
        /FAIL iq2_nl: block \d+ of 20000 differs from quantize_row_iq2_nl_ref/,
      ],
      [
        "iq3_nl's high bits read from the wrong half of qh",
        "dequantize.h",
        (source: string) =>
          source.replace(
            "const uint8_t qh = xb->qh[l/2] >> 4*(l%2);",
            "const uint8_t qh = xb->qh[(l/2)%4] >> 4*(l%2);",
          ),
        /FAIL iq3_nl: dequantize_iq3_nl, block \d+ value \d+/,
      ],
    ])("%s: the check fails, naming the type", async (bug, file, inject, expected) => {
      const copy = copyGgmlMetalTree(patchedGgmlMetalDir(), join(root, bug.replaceAll(/\W+/g, "-")));
      const path = join(copy, "kernels", file);
      const source = readFileSync(path, "utf8");
      const broken = inject(source);
      expect(broken).not.toBe(source);
      writeFileSync(path, broken);
      const run = await runCodecCheck(20_000, copy);
      expect(run.exitCode).toBe(1);
      expect(run.output).toMatch(expected);
    });
  });
});
