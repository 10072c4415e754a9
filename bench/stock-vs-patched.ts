// Speed of quantized and mixed K/V caches relative to f16, stock llama.cpp vs KVSplit's patched build, measured
// pair by pair in one run on one machine (issue #6). Builds the stock release first if it is missing.
//
//   npm run bench:speed -- [--model PATH] [--depth 0,4096] [--prompt 512] [--gen 64] [--reps 3] [--threads N]
//                          [--pairs q8_0/q4_0,q8_0/iq3_nl] [--no-stock] [--rounds 1]
//
// Writes bench/results/stock-vs-patched.{json,md} and prints the Markdown table; with --no-stock (the patched build
// only, e.g. for the KVSplit-only types) bench/results/patched-speed.{json,md}. f16/f16 is always measured: the
// ratios are to it.
import { execa } from "execa";
import { existsSync } from "node:fs";
import { availableParallelism, cpus, platform, release } from "node:os";
import { join } from "node:path";
import yargs from "yargs";
import { hideBin } from "yargs/helpers";
import { measureSpeed, median, type SpeedPoint } from "../tuner/src/bench/llamaBench.ts";
import {
  benchResultsDir,
  defaultModelPath,
  nativeBinDir,
  nativeToolPath,
  repoRoot,
  stockNativeBinDir,
} from "../tuner/src/config.ts";
import { buildLabel, readBuildInfo } from "../tuner/src/native/buildInfo.ts";
import { kvsplitOnlyTypes } from "../tuner/src/profiles/kvType.ts";
import type { KvType } from "../tuner/src/profiles/schema.ts";
import { uniformPairs } from "../tuner/src/profiles/uniformPairs.ts";
import { writeFileAtomic, writeJsonAtomic } from "../tuner/src/util/atomicFile.ts";

// the uniform pairs, then two mixed ones (K and V of different types)
const allPairs: { k: KvType; v: KvType }[] = [...uniformPairs, { k: "q8_0", v: "f16" }, { k: "f16", v: "q4_0" }];

const argv = await yargs(hideBin(process.argv))
  .option("model", { type: "string", default: defaultModelPath() })
  .option("depth", { type: "string", default: "0,4096" })
  .option("prompt", { type: "number", default: 512 })
  .option("gen", { type: "number", default: 64 })
  .option("reps", { type: "number", default: 3 })
  .option("rounds", {
    type: "number",
    default: 1,
    description: "Measure every pair this many times, in turn (ratios to f16 taken round by round)",
  })
  .option("threads", { type: "number", default: availableParallelism() })
  .option("pairs", { type: "string", description: "K/V pairs to measure, e.g. q8_0/q4_0,q8_0/iq3_nl (default: all)" })
  .option("stock", { type: "boolean", default: true, description: "Also measure stock llama.cpp (--no-stock: not)" })
  .check((args) => {
    if (!Number.isInteger(args.rounds) || args.rounds < 1)
      throw new Error(`--rounds must be an integer ≥ 1, got ${args.rounds}`);
    return true;
  })
  .strict()
  .parseAsync();

const pairName = (pair: { k: string; v: string }) => `${pair.k}/${pair.v}`;
const asked = argv.pairs?.split(",").map((name) => name.trim());
const unknown = asked?.filter((name) => !allPairs.some((pair) => pairName(pair) === name)) ?? [];
if (unknown.length > 0) {
  process.stderr.write(
    `bench:speed: unknown pair ${unknown.join(", ")}: choose from ${allPairs.map(pairName).join(", ")}\n`,
  );
  process.exit(2);
}
// f16 first: every ratio is to it
const pairs = allPairs.filter(
  (pair) => asked === undefined || asked.includes(pairName(pair)) || (pair.k === "f16" && pair.v === "f16"),
);

const stockBin = stockNativeBinDir();
if (argv.stock && !existsSync(nativeToolPath("llama-bench", stockBin))) {
  await execa("bash", [join(repoRoot(), "native", "build.sh"), "--stock"], { stdio: "inherit" });
}
const builds = [
  ...(argv.stock ? [{ name: "stock", binDir: stockBin }] : []),
  { name: "patched", binDir: nativeBinDir() },
];
const depths = argv.depth.split(",").map(Number);

type Row = { build: string; k: string; v: string; rounds: SpeedPoint[][] };
const rows: Row[] = [];
for (const { k, v } of pairs) {
  for (const build of builds) {
    // stock llama.cpp has no iq3_nl / iq2_nl: those pairs run on the patched build only
    if (build.name === "stock" && (kvsplitOnlyTypes.includes(k) || kvsplitOnlyTypes.includes(v))) continue;
    rows.push({ build: build.name, k, v, rounds: [] });
  }
}
// Round after round, every row once: a machine whose speed drifts over minutes then slows every row of a round alike,
// and the ratio to f16 is taken within each round.
for (let round = 1; round <= argv.rounds; round++) {
  for (const row of rows) {
    process.stderr.write(
      `${argv.rounds > 1 ? `round ${round}/${argv.rounds}: ` : ""}${row.build} K=${row.k} V=${row.v}\n`,
    );
    const { points } = await measureSpeed(
      {
        modelPath: argv.model,
        cache: { mode: "uniform", k: row.k as KvType, v: row.v as KvType },
        promptTokens: argv.prompt,
        genTokens: argv.gen,
        depths,
        repetitions: argv.reps,
        threads: argv.threads,
      },
      { binDir: builds.find((build) => build.name === row.build)!.binDir },
    );
    row.rounds.push(points);
  }
}

const pointOf = (points: SpeedPoint[], test: "pp" | "tg", depth: number) =>
  points.find((p) => p.test === test && p.depth === depth)!;
// every repetition of every round
const tps = (row: Row, test: "pp" | "tg", depth: number) =>
  median(row.rounds.flatMap((points) => pointOf(points, test, depth).samplesTps));
const f16Of = (build: string) => rows.find((r) => r.build === build && r.k === "f16" && r.v === "f16")!;
// the ratio to f16 of the same build, round by round: median, min, max
const ratios = (row: Row, test: "pp" | "tg", depth: number) => {
  const f16 = f16Of(row.build);
  const each = row.rounds
    .map((points, i) => pointOf(points, test, depth).medianTps / pointOf(f16.rounds[i]!, test, depth).medianTps)
    .sort((a, b) => a - b);
  return { median: median(each), min: each[0]!, max: each[each.length - 1]!, each };
};
const ratioCell = (row: Row, test: "pp" | "tg", depth: number) => {
  const r = ratios(row, test, depth);
  return argv.rounds > 1 ? `${r.median.toFixed(2)} [${r.min.toFixed(2)}, ${r.max.toFixed(2)}]` : r.median.toFixed(2);
};
const header = [
  "K / V",
  "build",
  ...depths.flatMap((d) => [`pp${argv.prompt} @d${d} t/s`, "vs f16", `tg${argv.gen} @d${d} t/s`, "vs f16"]),
];
const lines = rows.map((row) => [
  `${row.k} / ${row.v}`,
  row.build,
  ...depths.flatMap((d) =>
    (["pp", "tg"] as const).flatMap((test) => [tps(row, test, d).toFixed(1), ratioCell(row, test, d)]),
  ),
]);
const patched = readBuildInfo();
const method =
  argv.rounds > 1
    ? `${argv.rounds} rounds, each pair in turn, ${argv.reps} repetitions each: t/s the median of all repetitions, ` +
      `"vs f16" the median [min, max] over the rounds of the round's ratio`
    : `median of ${argv.reps}`;
const provenance =
  `Measured by \`npm run bench:speed\`: llama-bench, flash attention on, ${argv.threads} threads, ${method}; ` +
  `model ${argv.model.split("/").pop()}; ${argv.stock ? `stock llama.cpp ${patched.llamaCppTag} vs ` : ""}${buildLabel(patched)}; ` +
  `${cpus()[0]?.model ?? "unknown CPU"}, ${cpus().length} cores, ${platform()} ${release()}; ${new Date().toISOString()}.`;
const markdown = [
  `| ${header.join(" | ")} |`,
  `| ${header.map((_, i) => (i < 2 ? "---" : "---:")).join(" | ")} |`,
  ...lines.map((cells) => `| ${cells.join(" | ")} |`),
  "",
  provenance,
  "",
].join("\n");

const summary = rows.map((row) => ({
  build: row.build,
  k: row.k,
  v: row.v,
  rounds: row.rounds,
  vsF16: depths.flatMap((depth) =>
    (["pp", "tg"] as const).map((test) => ({
      test,
      depth,
      medianTps: tps(row, test, depth),
      ...ratios(row, test, depth),
    })),
  ),
}));
const out = benchResultsDir();
const name = argv.stock ? "stock-vs-patched" : "patched-speed";
writeJsonAtomic(join(out, `${name}.json`), { rows: summary, provenance });
writeFileAtomic(join(out, `${name}.md`), markdown);
process.stdout.write(markdown);
