// Speed of quantized and mixed K/V caches relative to f16, stock llama.cpp vs KVSplit's patched build, measured
// pair by pair in one run on one machine (issue #6). Builds the stock release first if it is missing.
//
//   npm run bench:speed -- [--model PATH] [--depth 0,4096] [--prompt 512] [--gen 64] [--reps 3] [--threads N]
//                          [--pairs q8_0/q4_0,q8_0/iq3_nl] [--no-stock]
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
import { measureSpeed, type SpeedPoint } from "../tuner/src/bench/llamaBench.ts";
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
  .option("threads", { type: "number", default: availableParallelism() })
  .option("pairs", { type: "string", description: "K/V pairs to measure, e.g. q8_0/q4_0,q8_0/iq3_nl (default: all)" })
  .option("stock", { type: "boolean", default: true, description: "Also measure stock llama.cpp (--no-stock: not)" })
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

type Row = { build: string; k: string; v: string; points: SpeedPoint[] };
const rows: Row[] = [];
for (const { k, v } of pairs) {
  for (const build of builds) {
    // stock llama.cpp has no iq3_nl / iq2_nl: those pairs run on the patched build only
    if (build.name === "stock" && (kvsplitOnlyTypes.includes(k) || kvsplitOnlyTypes.includes(v))) continue;
    process.stderr.write(`${build.name} K=${k} V=${v}\n`);
    const { points } = await measureSpeed(
      {
        modelPath: argv.model,
        cache: { mode: "uniform", k, v },
        promptTokens: argv.prompt,
        genTokens: argv.gen,
        depths,
        repetitions: argv.reps,
        threads: argv.threads,
      },
      { binDir: build.binDir },
    );
    rows.push({ build: build.name, k, v, points });
  }
}

const tps = (row: Row, test: "pp" | "tg", depth: number) =>
  row.points.find((p) => p.test === test && p.depth === depth)!.medianTps;
const f16Of = (build: string) => rows.find((r) => r.build === build && r.k === "f16" && r.v === "f16")!;
const header = [
  "K / V",
  "build",
  ...depths.flatMap((d) => [`pp${argv.prompt} @d${d} t/s`, "vs f16", `tg${argv.gen} @d${d} t/s`, "vs f16"]),
];
const lines = rows.map((row) => [
  `${row.k} / ${row.v}`,
  row.build,
  ...depths.flatMap((d) =>
    (["pp", "tg"] as const).flatMap((test) => [
      tps(row, test, d).toFixed(1),
      (tps(row, test, d) / tps(f16Of(row.build), test, d)).toFixed(2),
    ]),
  ),
]);
const patched = readBuildInfo();
const provenance =
  `Measured by \`npm run bench:speed\`: llama-bench, flash attention on, ${argv.threads} threads, median of ${argv.reps}; ` +
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

const out = benchResultsDir();
const name = argv.stock ? "stock-vs-patched" : "patched-speed";
writeJsonAtomic(join(out, `${name}.json`), { rows, provenance });
writeFileAtomic(join(out, `${name}.md`), markdown);
process.stdout.write(markdown);
