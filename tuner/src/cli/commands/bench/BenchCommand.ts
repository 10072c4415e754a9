import { availableParallelism } from "node:os";
import { join } from "node:path";
import type { CommandModule } from "yargs";
import { formatBenchMarkdown, formatBenchTerminal } from "../../../bench/format.ts";
import { writeBenchChart } from "../../../bench/plot.ts";
import { runBench } from "../../../bench/runBench.ts";
import { benchResultsDir } from "../../../config.ts";
import { settingFromProfile } from "../../../eval/kvSetting.ts";
import { builtinProfiles } from "../../../profiles/builtins.ts";
import { loadProfileRef } from "../../../profiles/load.ts";
import { writeFileAtomic, writeJsonAtomic } from "../../../util/atomicFile.ts";
import { parseByteSize } from "../../../util/byteSize.ts";
import { prepareMeasurement, withMeasurementOptions, type MeasurementOptions } from "../../measurementOptions.ts";
import { createProgressBar } from "../../ui/progress.ts";

interface BenchCommandOptions extends MeasurementOptions {
  builtins: string[];
  profile: string[];
  contexts: number[];
  longCtx: number[];
  longChunks: number;
  passkey: number[];
  passkeyTrials: number;
  kvMemory: string;
  depth: number[];
  prompt: number;
  gen: number;
  reps: number;
  json: boolean;
  out?: string;
  plot: boolean;
}

// "none" turns a measurement off
const intList = (name: string) => (values: (string | number)[]) =>
  values
    .flatMap((v) => String(v).split(","))
    .filter((v) => v !== "none")
    .map((v) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 0) throw new Error(`--${name} takes non-negative integers, got '${v}'`);
      return n;
    });

const builtinNames = builtinProfiles.map((profile) => profile.name);

/** --builtins: names of built-ins, kept in the built-ins' own order (f16, the reference, first); "none" for none */
function builtinRows(values: (string | number)[]): string[] {
  const names = values.flatMap((v) => String(v).split(",")).filter((v) => v !== "none");
  const unknown = names.filter((name) => !builtinNames.includes(name));
  if (unknown.length > 0)
    throw new Error(
      `--builtins: no built-in named '${unknown.join("', '")}'; the built-ins are ${builtinNames.join(", ")}`,
    );
  return builtinNames.filter((name) => names.includes(name));
}

export const BenchCommand: CommandModule<object, BenchCommandOptions> = {
  command: "bench",
  describe: `Memory, quality and speed of ${builtinProfiles.map((profile) => profile.name.toUpperCase().replace("F16", "f16")).join(", ")} and any profile, measured in one run`,
  builder: (yargs) =>
    withMeasurementOptions(yargs, {
      chunks: 8,
      chunksDescription: "Quality chunks scored",
      evalFileDescription: "Text for quality (default: Moby-Dick)",
    })
      .option("builtins", {
        type: "array",
        default: builtinNames,
        coerce: builtinRows,
        description: "Built-in rows to measure, by name ('none' for only the --profile rows)",
      })
      .option("profile", {
        type: "string",
        array: true,
        default: [],
        description: "Extra rows: profile names or files",
      })
      .option("contexts", {
        type: "array",
        default: [4096, 8192, 32768],
        coerce: intList("contexts"),
        description: "Context sizes for K/V memory",
      })
      .option("kvMemory", {
        alias: "kv-memory",
        type: "string",
        default: "64MiB",
        description: "K/V memory for the max-context column, found by starting the server ('none' to skip)",
      })
      .option("longCtx", {
        alias: "long-ctx",
        type: "array",
        default: [8192],
        coerce: intList("long-ctx"),
        description: "Long contexts for ΔPPL and KLD vs f16 (tokens per chunk; 'none' to skip)",
      })
      .option("longChunks", {
        alias: "long-chunks",
        type: "number",
        default: 1,
        description: "Chunks scored at each long context",
      })
      .option("passkey", {
        type: "array",
        default: [4096, 8192],
        coerce: intList("passkey"),
        description: "Passkey retrieval lengths in tokens ('none' to skip)",
      })
      .option("passkeyTrials", {
        alias: "passkey-trials",
        type: "number",
        default: 3,
        description: "Passkey trials per length (key depths spread over the context)",
      })
      .option("depth", {
        type: "array",
        default: [0, 4096],
        coerce: intList("depth"),
        description: "llama-bench depths (tokens already in the cache; 'none': no speed test)",
      })
      .option("prompt", { type: "number", default: 512, description: "Prompt tokens per speed test" })
      .option("gen", { type: "number", default: 64, description: "Generated tokens per speed test" })
      .option("reps", { type: "number", default: 3, description: "llama-bench repetitions (median reported, ≥ 3)" })
      .option("json", { type: "boolean", default: false, description: "Print the report as JSON" })
      .option("out", { type: "string", description: "Write report.json, report.md (and the chart) into this folder" })
      .option("plot", {
        type: "boolean",
        default: false,
        description: "Write the chart (SVG and PNG) next to the report",
      })
      .check((argv) => {
        if (!Number.isInteger(argv.reps) || argv.reps < 3)
          throw new Error(`--reps must be at least 3 (the median of fewer is noise), got ${argv.reps}`);
        for (const [flag, value] of [
          ["--long-chunks", argv.longChunks],
          ["--passkey-trials", argv.passkeyTrials],
        ] as const) {
          if (!Number.isInteger(value) || value < 1) throw new Error(`${flag} must be an integer ≥ 1, got ${value}`);
        }
        if (argv.builtins.length === 0 && argv.profile.length === 0)
          throw new Error("nothing to measure: --builtins none and no --profile");
        if (argv.kvMemory !== "none") parseByteSize(argv.kvMemory, "--kv-memory");
        return true;
      }),
  async handler(argv) {
    const threads = argv.threads ?? availableParallelism();
    const { setup, facts } = await prepareMeasurement({ ...argv, threads });
    const builtins = builtinProfiles.filter((profile) => argv.builtins.includes(profile.name));
    const profiles = [...builtins, ...argv.profile.map((ref) => loadProfileRef(ref))];
    const settings = profiles.map((profile) => settingFromProfile(profile, facts));

    const progress = createProgressBar("bench");
    const report = await runBench(setup, facts, settings, {
      contexts: argv.contexts,
      promptTokens: argv.prompt,
      genTokens: argv.gen,
      depths: argv.depth,
      repetitions: argv.reps,
      threads,
      longContexts: argv.longCtx,
      longChunks: argv.longChunks,
      passkeyLengths: argv.passkey,
      passkeyTrials: argv.passkeyTrials,
      kvMemoryLimitBytes: argv.kvMemory === "none" ? undefined : parseByteSize(argv.kvMemory, "--kv-memory"),
      onStep: (done, total, step) => progress.update(done, total, step, "steps"),
    });
    progress.stop();

    const outDir = argv.out ?? (argv.plot ? benchResultsDir() : undefined);
    if (outDir) {
      writeJsonAtomic(join(outDir, "report.json"), report);
      writeFileAtomic(join(outDir, "report.md"), formatBenchMarkdown(report));
      if (argv.plot) {
        const chart = await writeBenchChart(report, join(outDir, "chart"));
        process.stderr.write(`chart: ${chart.svg}, ${chart.png}\n`);
      }
      process.stderr.write(`report: ${join(outDir, "report.json")}, ${join(outDir, "report.md")}\n`);
    }
    process.stdout.write(argv.json ? `${JSON.stringify(report, null, 2)}\n` : formatBenchTerminal(report));
  },
};
