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
// Patch 0020's cases of the 3- and 2-bit types: 30 mixed pairs × head sizes 64 and 256 × batch 1 and 75 (mask on),
// 120 cases, which take about 2 minutes under qemu. npm test runs a representative 32: every cache type once as K
// and once as V beside iq3_nl or iq2_nl, and each of the two as K and as V at both head sizes, every pair on both
// paths. The x86 run (flashAttn.test.ts) takes all 120; `bash native/arm-check.sh` (no -p) runs all of them on ARM,
// bench/results/arm-check/ holds its latest output.
const lowBitSample: [pair: string, headSize: number][] = [
  ["f16/iq2_nl", 64],
  ["q8_0/iq3_nl", 256],
  ["q5_1/iq2_nl", 256],
  ["q5_0/iq3_nl", 64],
  ["q4_1/iq2_nl", 64],
  ["q4_0/iq3_nl", 256],
  ["iq4_nl/iq2_nl", 256],
  ["iq2_nl/f16", 256],
  ["iq3_nl/q8_0", 64],
  ["iq3_nl/q5_1", 256],
  ["iq2_nl/q5_0", 64],
  ["iq2_nl/q4_1", 256],
  ["iq3_nl/q4_0", 64],
  ["iq3_nl/iq4_nl", 256],
  ["iq2_nl/iq3_nl", 64],
  ["iq3_nl/iq2_nl", 256],
];
const cacheTypes = ["f16", "q8_0", "q5_1", "q5_0", "q4_1", "q4_0", "iq4_nl", "iq3_nl", "iq2_nl"];
const lowBit = /^iq[32]_nl$/;
// test-backend-ops -p (std::regex_search, ECMAScript): every mixed case without a 3- or 2-bit type, and the sample
const caseFilter = [
  "^(?!.*type_[KV]=iq[32]_nl,).*type_K=([^,]+),type_V=(?!\\1,)",
  ...lowBitSample.map(([pair, hs]) => {
    const [k, v] = pair.split("/");
    return `^hsk=${hs},.*type_K=${k},type_V=${v},`;
  }),
].join("|");

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
        const run = await execa("bash", [script, "-p", caseFilter], { all: true, reject: false, stdin: "ignore" });
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
        // the 3- and 2-bit types (patch 0018) run their generic C paths on ARM: the sample, each pair on both paths
        const lowBitCases = cases.filter((c) => lowBit.test(c.typeK) || lowBit.test(c.typeV));
        const key = (c: CaseResult) => `${c.typeK}/${c.typeV},hsk=${c.headSizeK},nb=${c.batch},mask=${c.mask}`;
        expect(lowBitCases.map(key).sort()).toEqual(
          lowBitSample.flatMap(([pair, hs]) => [1, 75].map((nb) => `${pair},hsk=${hs},nb=${nb},mask=true`)).sort(),
        );
        // every cache type as K and as V beside a low-bit one, and each low-bit type as K and as V at both head sizes
        for (const type of cacheTypes) {
          expect(
            lowBitCases.some((c) => c.typeK === type),
            `${type} as K`,
          ).toBe(true);
          expect(
            lowBitCases.some((c) => c.typeV === type),
            `${type} as V`,
          ).toBe(true);
        }
        for (const type of cacheTypes.filter((t) => lowBit.test(t))) {
          for (const side of ["typeK", "typeV"] as const) {
            const sizes = new Set(lowBitCases.filter((c) => c[side] === type).map((c) => c.headSizeK));
            expect(
              [...sizes].sort((a, b) => a - b),
              `${type} as ${side}`,
            ).toEqual([64, 256]);
          }
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
