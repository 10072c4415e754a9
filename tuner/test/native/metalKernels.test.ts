import { beforeAll, describe, expect, it } from "vitest";
import { missingKernels, readMetalSources, runMetalCheck, type MetalCheck } from "./metalKernels.ts";

// No Mac here: native/metal-check/run.sh runs ggml-metal's real host code (supports_op's flash-attention rule, the
// op encoder, the kernel naming, the tuning lookup) against stubs of its Objective-C half, for every K/V type pair,
// head size, batch, KV length, mask, sparse mode and Apple GPU. Patch 0009 adds the mixed K/V pairs, patch 0022
// iq3_nl and iq2_nl paired with each other, themselves and every mixable type, as K or as V.
const mixable = ["f16", "q8_0", "q5_1", "q5_0", "q4_1", "q4_0"];
const iqNl = ["iq3_nl", "iq2_nl"];
// a pair with iq3_nl or iq2_nl on at least one side and a mixable or iq type on the other
const iqNlPair = (k: string, v: string) =>
  (iqNl.includes(k) || iqNl.includes(v)) && [...iqNl, ...mixable].includes(k) && [...iqNl, ...mixable].includes(v);
const vecHeadSizes = [
  [32, 32],
  [64, 64],
  [96, 96],
  [128, 128],
  [192, 128],
  [192, 192],
  [256, 256],
  [320, 256],
  [512, 512],
  [576, 512],
];

describe("Metal flash-attention kernels for every K/V pair the host accepts (patches 0009, 0022)", () => {
  let check: MetalCheck;
  let sources: string[];

  beforeAll(async () => {
    check = await runMetalCheck();
    sources = readMetalSources(check.metal_source_dir);
  });

  it("has a kernel for every name the host can build", () => {
    expect(check.cases).toBeGreaterThan(100_000);
    expect(check.kernels.some((name) => /^kernel_flash_attn_ext_vec_q8_0_q4_0_dk128_dv128$/.test(name))).toBe(true);
    expect(missingKernels(check, sources)).toEqual([]);
  });

  it("accepts every mixed pair among f16, q8_0, q5_1, q5_0, q4_1, q4_0 at every vec head size", () => {
    const refused = [];
    for (const k of mixable) {
      for (const v of mixable) {
        if (k === v) continue;
        for (const [dk, dv] of vecHeadSizes) {
          const verdict = check.support.find((s) => s.k === k && s.v === v && s.dk === dk && s.dv === dv);
          if (verdict?.supported !== true) refused.push(`${k}/${v} ${dk}/${dv}: ${String(verdict?.supported)}`);
        }
      }
    }
    expect(refused).toEqual([]);
  });

  it("accepts iq3_nl and iq2_nl with each other and every mixable type, as K or V, at every head size of whole 64-blocks", () => {
    const refused = [];
    const types = [...iqNl, ...mixable];
    let pairs = 0;
    for (const k of types) {
      for (const v of types) {
        if (!iqNlPair(k, v)) continue;
        pairs++;
        for (const [dk, dv] of vecHeadSizes.filter(([dk, dv]) => dk! % 64 === 0 && dv! % 64 === 0)) {
          const verdict = check.support.find((s) => s.k === k && s.v === v && s.dk === dk && s.dv === dv);
          if (verdict?.supported !== true) refused.push(`${k}/${v} ${dk}/${dv}: ${String(verdict?.supported)}`);
        }
      }
    }
    expect(pairs).toBe(28); // 2 equal, 2 iq3_nl/iq2_nl mixed, 12 with iq as K, 12 with iq as V
    expect(refused).toEqual([]);
    // every pair's decode kernel at every such head size, and the prompt route's dequantizers, are among the names
    // the host asks for (so missingKernels checks each against fa.metal)
    const iqVec = check.kernels.filter((name) => /^kernel_flash_attn_ext_vec_.*iq[32]_nl/.test(name));
    expect(new Set(iqVec).size).toBe(28 * 8);
    for (const name of [
      "kernel_flash_attn_ext_vec_q8_0_iq3_nl_dk128_dv128",
      "kernel_flash_attn_ext_vec_iq3_nl_q4_0_dk64_dv64",
      "kernel_flash_attn_ext_vec_iq2_nl_iq3_nl_dk576_dv512",
      "kernel_flash_attn_ext_vec_iq2_nl_dk256_dv256",
      "kernel_flash_attn_ext_kv_iq3_nl_f16",
      "kernel_flash_attn_ext_kv_iq2_nl_f16",
    ]) {
      expect(check.kernels).toContain(name);
    }
  });

  it("keeps f32, bf16 and iq4_nl both-or-neither, iq3_nl/iq2_nl to their pairs, and refuses head sizes without kernels", () => {
    const wronglyAccepted = check.support.filter(
      (s) =>
        s.supported !== false &&
        ((s.k !== s.v && !iqNlPair(s.k, s.v) && (!mixable.includes(s.k) || !mixable.includes(s.v))) ||
          (iqNl.includes(s.k) && !iqNlPair(s.k, s.v)) ||
          s.k === "iq4_nl" ||
          (s.dk === 128 && s.dv === 64) ||
          s.dk === 160),
    );
    expect(wronglyAccepted).toEqual([]);
    // supports_op sees neither batch nor KV length: a pair and head size is in or out, never "partly"
    expect(check.support.filter((s) => s.supported === "partly")).toEqual([]);
  });

  it("would catch a missing instantiation: without one mixed-pair kernel, that name is reported", () => {
    const name = "kernel_flash_attn_ext_vec_q8_0_q4_0_dk128_dv128";
    const withoutOne = sources.map((source) =>
      source
        .split("\n")
        .filter((line) => !line.includes(`"${name}"`))
        .join("\n"),
    );
    expect(withoutOne.join("").length).toBeLessThan(sources.join("").length);
    expect(missingKernels(check, withoutOne)).toEqual([name]);
  });
});
