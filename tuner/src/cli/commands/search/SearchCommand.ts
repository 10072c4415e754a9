import { isBuiltinProfileName } from "../../../profiles/builtins.ts";
import { BuiltinProfileReadOnlyError } from "../../../profiles/errors/BuiltinProfileReadOnlyError.ts";
import { ProfileExistsError } from "../../../profiles/errors/ProfileExistsError.ts";
import { existsSync } from "node:fs";
import type { CommandModule } from "yargs";
import { searchReportDir } from "../../../config.ts";
import { profileNameSchema } from "../../../profiles/schema.ts";
import { ProfileStore } from "../../../profiles/store.ts";
import { parseAbsoluteBudget, parsePercentBudget, type QualityBudget } from "../../../search/budget.ts";
import { defaultProfileName, profileFromSearch } from "../../../search/profileFromSearch.ts";
import { withInterval, writeSearchReport } from "../../../search/report.ts";
import { defaultDecisionChunks, defaultMaxChunks, defaultSearchTypes, runSearch } from "../../../search/runSearch.ts";
import { defaultSpeedCheck } from "../../../search/relativeSpeed.ts";
import { parseKvType } from "../../kvFlags.ts";
import { prepareMeasurement, withMeasurementOptions, type MeasurementOptions } from "../../measurementOptions.ts";
import { createProgressBar } from "../../ui/progress.ts";
import { parseDuration } from "./parseDuration.ts";

interface SearchCommandOptions extends MeasurementOptions {
  budget?: string;
  maxDeltaPpl?: number;
  decisionChunks: number;
  maxChunks: number;
  targetCtx: number;
  trials: number;
  timeLimit: string;
  types?: string;
  group: string;
  name?: string;
  seed: number;
  resume: boolean;
  force: boolean;
  json: boolean;
  minSpeed?: number;
  speedDepth: number;
}

export const SearchCommand: CommandModule<object, SearchCommandOptions> = {
  command: "search",
  describe: "Find the per-layer K/V types with the fewest bytes whose perplexity stays within a budget",
  builder: (yargs) =>
    withMeasurementOptions(yargs, {
      chunks: 2,
      chunksDescription: "Chunks each trial is screened on (KLD is precise on few tokens, ΔPPL is not)",
      evalFileDescription: "Text: the first half searches, the second confirms (default: Moby-Dick)",
    })
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
      .option("decisionChunks", {
        alias: "decision-chunks",
        type: "number",
        default: defaultDecisionChunks,
        description:
          "Chunks a candidate is first decided on (search half) and confirmed on (unseen half); doubled while its interval straddles the budget",
        group: "Measurement:",
      })
      .option("maxChunks", {
        alias: "max-chunks",
        type: "number",
        default: defaultMaxChunks,
        description:
          "Most chunks a straddling candidate grows to on either half (fewer if the half has fewer); there the upper bound decides",
        group: "Measurement:",
      })
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
        default: "10m",
        description: "Stop proposing trials once only the decision's expected time is left of this (e.g. 600, 10m)",
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
        description: "Continue the stored study of the same search (kill -9 safe); --no-resume starts it over",
      })
      .option("force", {
        type: "boolean",
        default: false,
        description: "Replace a saved profile of the same name (refused otherwise, before the search starts)",
      })
      .option("json", { type: "boolean", default: false, description: "Print the result as JSON" })
      .check((argv) => {
        if ((argv.budget === undefined) === (argv.maxDeltaPpl === undefined))
          throw new Error("give exactly one of --budget and --max-delta-ppl");
        if (argv.name !== undefined && !profileNameSchema.safeParse(argv.name).success) {
          throw new Error(`invalid --name '${argv.name}': lowercase letters and digits joined by - or _`);
        }
        // refused now, not after an hour of searching
        if (argv.name !== undefined && isBuiltinProfileName(argv.name)) {
          throw new BuiltinProfileReadOnlyError(argv.name, "save");
        }
        for (const [flag, value, min] of [
          ["--trials", argv.trials, 0],
          ["--decision-chunks", argv.decisionChunks, 1],
          ["--max-chunks", argv.maxChunks, 1],
          ["--target-ctx", argv.targetCtx, 1],
        ] as const) {
          if (!Number.isInteger(value) || value < min)
            throw new Error(`${flag} must be an integer ≥ ${min}, got ${value}`);
        }
        if (argv.maxChunks < argv.decisionChunks)
          throw new Error(
            `--max-chunks (${argv.maxChunks}) must be at least --decision-chunks (${argv.decisionChunks}): a decision starts on that many chunks`,
          );
        if (argv.minSpeed !== undefined && !(argv.minSpeed > 0))
          throw new Error(`--min-speed must be above 0, got ${argv.minSpeed}`);
        return true;
      }),
  async handler(argv) {
    const budget: QualityBudget =
      argv.budget !== undefined ? parsePercentBudget(argv.budget) : parseAbsoluteBudget(argv.maxDeltaPpl!);
    const timeLimitMs = parseDuration(argv.timeLimit);
    const types = argv.types ? argv.types.split(",").map((t) => parseKvType("--types", t.trim())) : defaultSearchTypes;
    const { setup, facts } = await prepareMeasurement(argv);
    const name = argv.name ?? defaultProfileName(facts, budget);
    const store = new ProfileStore();
    // refused now, not after the search: a saved profile is replaced only when asked to
    if (!argv.force && existsSync(store.pathOf(name))) throw new ProfileExistsError(name, store.pathOf(name));

    const progress = createProgressBar("search");
    let phase = "";
    const outcome = await runSearch({
      facts,
      setup,
      decisionChunks: argv.decisionChunks,
      maxChunks: argv.maxChunks,
      budget,
      targetCtx: argv.targetCtx,
      trials: argv.trials,
      timeLimitMs,
      grouping: argv.group,
      types,
      seed: argv.seed,
      minSpeed: argv.minSpeed,
      speedCheck: { ...defaultSpeedCheck, depth: argv.speedDepth },
      resume: argv.resume,
      onEvent: (event) => {
        if (event.kind === "phase") {
          phase = event.phase;
          // the decision phase counts chunks, not trials: a bar of its own, so its ETA is not the trials' pace
          if (event.phase === "confirm") progress.stop();
          if (!process.stderr.isTTY) process.stderr.write(`search: ${event.detail}\n`);
          return;
        }
        if (event.kind === "look") {
          // one line per look: the interval, the chunks it is on, what the rule made of it
          const outcome =
            event.verdict.kind === "grow"
              ? `straddles the budget: growing to ${event.next} chunks`
              : `${event.verdict.kind === "accept" ? "accepted" : "rejected"} (${event.verdict.decidedBy})`;
          const line = `#${event.trial.number} ${event.half === "search" ? "decision" : "confirmation"}: ${withInterval(event.measurement)}, ${outcome}`;
          if (!process.stderr.isTTY) process.stderr.write(`search: ${line}\n`);
          progress.update(event.done, Math.max(1, event.planned), line, "chunks");
          return;
        }
        progress.update(event.done, event.planned, phase, "trials");
      },
    });
    progress.stop();

    const profile = profileFromSearch(outcome, name);
    const profilePath = store.save(profile);
    const report = await writeSearchReport(searchReportDir(name), outcome, profile);
    const { summary } = outcome;
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
