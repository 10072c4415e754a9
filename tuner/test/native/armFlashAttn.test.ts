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

// patch 0007's pairs; test-backend-ops has each at head sizes 64, 128 and 256, batch 1 (split-KV decode, 1024 K/V
// rows) and 75 (tiled, 300 rows), mask on and off
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
// patch 0020's 3- and 2-bit types: test-backend-ops has every mixed pair with one of them (30) at head sizes 64 and
// 256, batch 1 and 75, mask on
const fourBitAndUp = ["f16", "q8_0", "q5_1", "q5_0", "q4_1", "q4_0", "iq4_nl"];
const lowBit = ["iq3_nl", "iq2_nl"];
const lowBitPairs = [...fourBitAndUp, ...lowBit].flatMap((k) =>
  [...fourBitAndUp, ...lowBit]
    .filter((v) => v !== k && (lowBit.includes(k) || lowBit.includes(v)))
    .map((v) => `${k}/${v}`),
);

interface Shape {
  headSize: number;
  batch: 1 | 75;
  mask: boolean;
}
interface SampledCase extends Shape {
  pair: string;
}
const rowsOf = (batch: 1 | 75) => (batch === 1 ? 1024 : 300);

/**
 * Under qemu every case costs about a second, and the whole mixed set (227 cases, `bash native/arm-check.sh`) 3.5
 * minutes; npm test runs a sample that still reaches every pair and every code path. Each of patch 0007's pairs
 * runs once in the decode path and once tiled, and over the 8 pairs every (head size, mask) shape runs in both;
 * each of the 30 low-bit pairs runs once, the 4 shapes taken in turn, so each low-bit type meets both paths and both
 * head sizes as K and as V (asserted below); the small shapes (other head sizes, 1- and 2-bit K types, f32 V) all run.
 */
function sampledCases(): SampledCase[] {
  const decodeShapes = [64, 128, 256].flatMap((headSize) => [true, false].map((mask) => ({ headSize, mask })));
  const mixed = mixedPairs.flatMap((pair, i) => [
    { pair, batch: 1 as const, ...decodeShapes[i % 6]! },
    { pair, batch: 75 as const, ...decodeShapes[(i + 3) % 6]! },
  ]);
  const lowBitShapes: Shape[] = [64, 256].flatMap((headSize) =>
    ([1, 75] as const).map((batch) => ({ headSize, batch, mask: true })),
  );
  // in turn, but stepping twice as fast every second pair, so that k/iq3_nl and k/iq2_nl, which alternate, each see all 4
  const low = lowBitPairs.map((pair, i) => ({ pair, ...lowBitShapes[(i + Math.floor(i / 2)) % 4]! }));
  return [...mixed, ...low];
}

/** One test-backend-ops -p alternative per sampled case, and the small shapes (K/V rows 64 to 256) whole. */
function sampleFilter(cases: readonly SampledCase[]): string {
  const one = ({ pair, headSize, batch, mask }: SampledCase) => {
    const [k, v] = pair.split("/");
    return `hsk=${headSize},.*kv=${rowsOf(batch)},nb=${batch},mask=${mask ? 1 : 0},.*type_K=${k},type_V=${v},`;
  };
  return `^(?:${cases.map(one).join("|")}|.*kv=(?:64|96|128|256),.*type_K=([^,]+),type_V=(?!\\1,))`;
}

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
      "passes a sample that reaches every mixed pair in the decode and tiled paths, every head size, mask on and off",
      async () => {
        const sample = sampledCases();
        const run = await execa("bash", [script, "-p", sampleFilter(sample)], {
          all: true,
          reject: false,
          stdin: "ignore",
        });
        const output = String(run.all);
        expect(run.exitCode, lastLines(output)).toBe(0);

        const cases = parseCases(output);
        expect(cases.filter((c) => !c.ok).map((c) => c.params)).toEqual([]);
        expect(cases.filter((c) => c.typeK === c.typeV).map((c) => c.params)).toEqual([]);
        // every sampled case ran, once
        const ran = (s: SampledCase) =>
          cases.filter(
            (c) =>
              `${c.typeK}/${c.typeV}` === s.pair &&
              c.headSizeK === s.headSize &&
              c.batch === s.batch &&
              c.mask === s.mask &&
              c.params.includes(`kv=${rowsOf(s.batch)},`),
          ).length;
        expect(sample.filter((s) => ran(s) !== 1)).toEqual([]);
        // the small shapes: 1- and 2-bit K types, f32 V, head sizes other than 64/128/256 or K's differing from V's
        for (const pair of ["q1_0/q4_0", "q2_0/q4_0", "q4_0/q1_0", "q4_0/q2_0", "f16/f32"])
          expect(
            cases.map((c) => `${c.typeK}/${c.typeV}`),
            pair,
          ).toContain(pair);

        // the sample's reach: every pair in both paths...
        const key = (c: { headSize: number; batch: number; mask: boolean }) =>
          `hsk=${c.headSize},nb=${c.batch},mask=${c.mask}`;
        const done = cases.map((c) => ({ ...c, pair: `${c.typeK}/${c.typeV}`, headSize: c.headSizeK }));
        for (const pair of mixedPairs)
          expect(new Set(done.filter((c) => c.pair === pair && c.batch !== 2).map((c) => c.batch)), pair).toEqual(
            new Set([1, 75]),
          );
        for (const pair of lowBitPairs)
          expect(
            done.some((c) => c.pair === pair && c.batch !== 2),
            pair,
          ).toBe(true);
        // ...patch 0007's 12 shapes all run...
        const mixedShapes = new Set(done.filter((c) => mixedPairs.includes(c.pair)).map(key));
        for (const headSize of [64, 128, 256])
          for (const batch of [1, 75])
            for (const mask of [true, false]) expect([...mixedShapes]).toContain(key({ headSize, batch, mask }));
        // ...and each low-bit type, as K and as V, meets both paths at both head sizes
        for (const type of lowBit)
          for (const side of ["K", "V"] as const) {
            const ofType = done.filter(
              (c) => lowBitPairs.includes(c.pair) && (side === "K" ? c.typeK : c.typeV) === type,
            );
            expect(new Set(ofType.map((c) => c.batch)), `${type} as ${side}`).toEqual(new Set([1, 75]));
            expect(new Set(ofType.map((c) => c.headSizeK)), `${type} as ${side}`).toEqual(new Set([64, 256]));
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
