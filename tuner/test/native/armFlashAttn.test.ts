import { join } from "node:path";
import { stripVTControlCharacters } from "node:util";
import { execa } from "execa";
import { beforeAll, describe, expect, it } from "vitest";
import { repoRoot } from "../../src/config.ts";

// Apple's CPU cores are ARM, and patch 0006 gives the CPU's flash attention x86-only (AVX2) paths: native/arm-check.sh
// cross-compiles test-backend-ops for aarch64 and runs the mixed K/V cases under qemu-aarch64 against the CPU's
// reference path. On an ARM machine flashAttn.test.ts already runs them natively, so this one is for x86-64 Linux.
const script = join(repoRoot(), "native", "arm-check.sh");
// a cold cross build of test-backend-ops takes about 6 min on 2 free cores; slower while other builds share them
const crossBuildTimeoutMs = 45 * 60_000;
const qemuRunTimeoutMs = 30 * 60_000;

// patch 0007's pairs, each at head sizes 64, 128 and 256, batch 1 (split-KV decode) and 75 (tiled), mask on and off
const mixedPairs = [
  "q8_0/q4_0",
  "q4_0/q8_0",
  "q4_1/q5_0",
  "q5_0/q5_1",
  "q5_1/iq4_nl",
  "iq4_nl/q4_1",
  "q8_0/f16",
  "f16/q4_0",
];
// patch 0020's pairs of the 3- and 2-bit types, a sample of the 30 mixed ones (mask on, head sizes 64 and 256)
const lowBitPairs = ["q8_0/iq3_nl", "q8_0/iq2_nl", "iq3_nl/q4_0", "f16/iq2_nl", "iq2_nl/iq3_nl", "iq3_nl/q5_1"];

interface CaseResult {
  params: string;
  typeK: string;
  typeV: string;
  headSizeK: number;
  batch: number;
  mask: boolean;
  ok: boolean;
}

/**
 * test-backend-ops prints one "FLASH_ATTN_EXT(params): OK|FAIL" line per case, OK and FAIL in colour; a failing case's
 * error ("[FLASH_ATTN_EXT] ERR = ...") lands on the same line, before it.
 */
function parseCases(output: string): CaseResult[] {
  const plain = stripVTControlCharacters(output);
  return [...plain.matchAll(/(?:^|\s)FLASH_ATTN_EXT\((.*)\): .*?(OK|FAIL)$/gm)].map(([, params, verdict]) => {
    const field = (name: string) => {
      const value = new RegExp(`(?:^|,)${name}=([^,]+)`).exec(params!)?.[1];
      if (value === undefined) throw new Error(`no ${name} in FLASH_ATTN_EXT(${params})`);
      return value;
    };
    return {
      params: params!,
      typeK: field("type_K"),
      typeV: field("type_V"),
      headSizeK: Number(field("hsk")),
      batch: Number(field("nb")),
      mask: field("mask") === "1",
      ok: verdict === "OK",
    };
  });
}

function lastLines(output: string, count = 30): string {
  return output.trim().split("\n").slice(-count).join("\n");
}

describe.runIf(process.platform === "linux" && process.arch === "x64")(
  "CPU flash attention with mixed K/V on aarch64 (native/arm-check.sh under qemu-aarch64)",
  () => {
    beforeAll(async () => {
      const build = await execa("bash", [script, "--build-only"], { all: true, reject: false, stdin: "ignore" });
      expect(build.exitCode, lastLines(String(build.all))).toBe(0);
    }, crossBuildTimeoutMs);

    it(
      "passes every mixed pair at head sizes 64, 128 and 256, batch 1 and 75, with and without mask",
      async () => {
        const run = await execa("bash", [script], { all: true, reject: false, stdin: "ignore" });
        const output = String(run.all);
        expect(run.exitCode, lastLines(output)).toBe(0);

        const cases = parseCases(output);
        expect(cases.filter((c) => !c.ok).map((c) => c.params)).toEqual([]);
        expect(cases.filter((c) => c.typeK === c.typeV).map((c) => c.params)).toEqual([]);
        const shapes = [64, 128, 256].flatMap((hsk) =>
          [1, 75].flatMap((nb) => [true, false].map((mask) => `hsk=${hsk},nb=${nb},mask=${mask}`)),
        );
        for (const pair of mixedPairs) {
          const ofPair = cases.filter((c) => `${c.typeK}/${c.typeV}` === pair);
          const seen = ofPair.map((c) => `hsk=${c.headSizeK},nb=${c.batch},mask=${c.mask}`);
          expect(seen, pair).toEqual(expect.arrayContaining(shapes));
        }
        // the 3- and 2-bit types (patch 0018; NEON K dot and V decoders since 0023): each mixed pair with them, both paths
        const lowBitShapes = [64, 256].flatMap((hsk) => [1, 75].map((nb) => `hsk=${hsk},nb=${nb},mask=true`));
        for (const pair of lowBitPairs) {
          const seen = cases
            .filter((c) => `${c.typeK}/${c.typeV}` === pair)
            .map((c) => `hsk=${c.headSizeK},nb=${c.batch},mask=${c.mask}`);
          expect(seen, pair).toEqual(expect.arrayContaining(lowBitShapes));
        }
        const summary = /passed (\d+)\/(\d+) FLASH_ATTN_EXT cases on aarch64/.exec(output);
        expect(summary, lastLines(output)).not.toBeNull();
        expect(Number(summary![1])).toBe(cases.length);
        expect(Number(summary![2])).toBe(cases.length);
      },
      qemuRunTimeoutMs,
    );
  },
);
