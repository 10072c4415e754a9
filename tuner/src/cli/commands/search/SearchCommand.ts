import { join } from "node:path";
import type { CommandModule } from "yargs";
import { appSupportDir, defaultModelPath } from "../../../config.ts";
import { parseKvType } from "../../kvFlags.ts";
import { loadEvalText } from "../../../eval/evalText.ts";
import { readModelFacts } from "../../../model/gguf.ts";
import { readBuildInfo } from "../../../native/buildInfo.ts";
import { profileNameSchema } from "../../../profiles/schema.ts";
import { ProfileStore } from "../../../profiles/store.ts";
import { parseAbsoluteBudget, parsePercentBudget, type QualityBudget } from "../../../search/budget.ts";
import { defaultProfileName, profileFromSearch } from "../../../search/profileFromSearch.ts";
import { summarizeSearch, writeSearchReport } from "../../../search/report.ts";
import { defaultSearchTypes, runSearch } from "../../../search/runSearch.ts";
import { defaultSpeedCheck } from "../../../search/relativeSpeed.ts";
import { createProgressBar } from "../../ui/progress.ts";
import { parseDuration } from "./parseDuration.ts";

interface SearchCommandOptions {
  budget?: string;
  maxDeltaPpl?: number;
  model: string;
  evalFile?: string;
  ctx: number;
  chunks: number;
  targetCtx: number;
  trials: number;
  timeLimit: string;
  types?: string;
  group: string;
  name?: string;
  seed: number;
  threads?: number;
  resume: boolean;
  json: boolean;
  minSpeed?: number;
  speedDepth: number;
}

export const SearchCommand: CommandModule<object, SearchCommandOptions> = {
  command: "search",
  describe: "Find the per-layer K/V types with the fewest bytes whose perplexity stays within a budget",
  builder: (yargs) =>
    yargs
      .option("budget", {
        type: "string",
        description: "Allowed perplexity increase over f16, e.g. 1%, 0.5%, 2%",
        group: "Budget:",
      })
      .option("maxDeltaPpl", {
        alias: "max-delta-ppl",
        type: "number",
        description: "Allowed absolute PPL increase instead, e.g. 0.05",
        group: "Budget:",
      })
      .option("model", { type: "string", default: defaultModelPath(), description: "GGUF model file" })
      .option("evalFile", {
        alias: "eval-file",
        type: "string",
        description: "Text: the first half searches, the second confirms (default: Moby-Dick)",
      })
      .option("ctx", { type: "number", default: 512, description: "Tokens per chunk" })
      .option("chunks", { type: "number", default: 4, description: "Chunks scored per trial (and per confirmation)" })
      .option("targetCtx", {
        alias: "target-ctx",
        type: "number",
        default: 8192,
        description: "Context the K/V bytes are priced at",
      })
      .option("trials", { type: "number", default: 20, description: "TPE trials after the seeded ones" })
      .option("timeLimit", {
        alias: "time-limit",
        type: "string",
        default: "17m",
        description: "Stop proposing trials after this long (e.g. 900, 15m)",
      })
      .option("types", {
        type: "string",
        description: `Comma-separated candidate types, probed (default: ${defaultSearchTypes.join(",")})`,
      })
      .option("group", {
        type: "string",
        default: "auto",
        description: "Layers per group: 'auto' (attention kind) or a number",
      })
      .option("name", { type: "string", description: "Name of the saved profile (default: <model>-<budget>)" })
      .option("seed", { type: "number", default: 1, description: "Sampler seed" })
      .option("threads", { type: "number", description: "CPU threads (default: all cores)" })
      .option("minSpeed", {
        alias: "min-speed",
        type: "number",
        description:
          "Also require this speed relative to f16 (llama-bench here, slower of prompt and generation), e.g. 0.95",
        group: "Budget:",
      })
      .option("speedDepth", {
        alias: "speed-depth",
        type: "number",
        default: defaultSpeedCheck.depth,
        description: "Tokens already in the cache when speed is measured",
        group: "Budget:",
      })
      .option("resume", {
        type: "boolean",
        default: true,
        description: "Continue the stored study of the same search (kill -9 safe)",
      })
      .option("json", { type: "boolean", default: false, description: "Print the result as JSON" })
      .check((argv) => {
        if ((argv.budget === undefined) === (argv.maxDeltaPpl === undefined))
          throw new Error("give exactly one of --budget and --max-delta-ppl");
        if (argv.name !== undefined && !profileNameSchema.safeParse(argv.name).success) {
          throw new Error(`invalid --name '${argv.name}': lowercase letters and digits joined by - or _`);
        }
        for (const [flag, value, min] of [
          ["--trials", argv.trials, 0],
          ["--chunks", argv.chunks, 1],
          ["--ctx", argv.ctx, 64],
          ["--target-ctx", argv.targetCtx, 1],
        ] as const) {
          if (!Number.isInteger(value) || value < min)
            throw new Error(`${flag} must be an integer ≥ ${min}, got ${value}`);
        }
        if (argv.minSpeed !== undefined && !(argv.minSpeed > 0))
          throw new Error(`--min-speed must be above 0, got ${argv.minSpeed}`);
        return true;
      }),
  async handler(argv) {
    const budget: QualityBudget =
      argv.budget !== undefined ? parsePercentBudget(argv.budget) : parseAbsoluteBudget(argv.maxDeltaPpl!);
    const timeLimitMs = parseDuration(argv.timeLimit);
    const types = argv.types ? argv.types.split(",").map((t) => parseKvType("--types", t.trim())) : defaultSearchTypes;
    const text = loadEvalText(argv.evalFile);
    const facts = await readModelFacts(argv.model);
    const build = readBuildInfo();
    const name = argv.name ?? defaultProfileName(facts, budget);
    const store = new ProfileStore();

    const progress = createProgressBar("search");
    let phase = "";
    const outcome = await runSearch({
      facts,
      text,
      build,
      ctx: argv.ctx,
      chunks: argv.chunks,
      threads: argv.threads,
      budget,
      targetCtx: argv.targetCtx,
      trials: argv.trials,
      timeLimitMs,
      grouping: argv.group,
      types,
      seed: argv.seed,
      minSpeed: argv.minSpeed,
      speedCheck: { ...defaultSpeedCheck, depth: argv.speedDepth },
      onEvent: (event) => {
        if (event.kind === "phase") {
          phase = event.phase;
          if (!process.stderr.isTTY) process.stderr.write(`search: ${event.detail}\n`);
          return;
        }
        const best = event.bestBytes === undefined ? "none yet" : `${(event.bestBytes / 1024 / 1024).toFixed(2)} MiB`;
        progress.update(event.done, event.planned, `${phase}; best within budget ${best}`, "trials");
      },
    });
    progress.stop();

    const profile = profileFromSearch(outcome, facts, budget, name, argv.seed, argv.minSpeed);
    const profilePath = store.save(profile);
    const report = await writeSearchReport(join(appSupportDir(), "reports", name), outcome, facts, budget, profile);
    const summary = summarizeSearch(outcome, facts, budget);
    if (argv.json) {
      process.stdout.write(
        `${JSON.stringify({ profile, profilePath, report: report.reportPath, chart: report.chart, summary }, null, 2)}\n`,
      );
      return;
    }
    process.stdout.write(
      `${report.markdown}\nprofile: ${profilePath}\nreport: ${report.reportPath}\nchart: ${report.chart.png}\n`,
    );
  },
};
