// The search measured (issue #12): `tuner search` with a cold eval cache on each model the repo ships, then every
// uniform pair measured the way the winner was confirmed (same half, same tokens, same 95% interval), so the profile's
// bytes can be set against the smallest uniform pair that is within the budget by the same rule.
//
//   npm run bench:search -- [--budget 1%] [--models gemma,smollm2] [--out bench/results/search-bench]
//   [--scratch DIR]  continue one model's run whose cold search finished in DIR (cold.json there says how long it took)
//
// Writes <out>/<model>/{report.md,report.json,search-report.md,profile.json,study.json} and <out>/summary.md (every
// model under <out>).
import { execa } from "execa";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { cpus, loadavg, platform, release, tmpdir } from "node:os";
import { join } from "node:path";
import yargs from "yargs";
import { hideBin } from "yargs/helpers";
import {
  cacheDirEnvVar,
  appSupportDirEnvVar,
  defaultModelPath,
  instructModelPath,
  repoRoot,
  benchResultsDir,
} from "../tuner/src/config.ts";
import { measureChunks } from "../tuner/src/eval/chunkBlocks.ts";
import type { KvSetting } from "../tuner/src/eval/types.ts";
import { loadEvalText, splitEvalText } from "../tuner/src/eval/evalText.ts";
import { evalTextPartsDir } from "../tuner/src/config.ts";
import { readModelFacts } from "../tuner/src/model/gguf.ts";
import { buildLabel, readBuildInfo } from "../tuner/src/native/buildInfo.ts";
import { profileToLlamaArgs } from "../tuner/src/profiles/args.ts";
import { profileSchema, type Profile } from "../tuner/src/profiles/schema.ts";
import { quantizedUniformPairs } from "../tuner/src/profiles/uniformPairs.ts";
import { assignmentBytes } from "../tuner/src/search/assignment.ts";
import { budgetViolation, parsePercentBudget } from "../tuner/src/search/budget.ts";
import { defaultDecisionChunks, defaultMaxChunks } from "../tuner/src/search/runSearch.ts";
import { chunkLevels, decideSequentially } from "../tuner/src/search/sequential.ts";
import { writeFileAtomic, writeJsonAtomic } from "../tuner/src/util/atomicFile.ts";
import { formatSignedPercent } from "../tuner/src/util/format.ts";

const argv = await yargs(hideBin(process.argv))
  .option("budget", { type: "string", default: "1%" })
  .option("models", { type: "string", default: "gemma,smollm2" })
  .option("out", { type: "string", default: join(benchResultsDir(), "search-bench") })
  .option("threads", { type: "number", description: "CPU threads (default: all cores)" })
  .option("scratch", { type: "string", description: "A scratch dir whose cold search finished (one model)" })
  .strict()
  .parseAsync();

const models: Record<string, string> = { gemma: defaultModelPath(), smollm2: instructModelPath() };
const budget = parsePercentBudget(argv.budget);
const uptime = async () => (await execa("uptime")).stdout.trim();
const pct = (n: number) => formatSignedPercent(n, 2);
const mib = (bytes: number) => (bytes / 1024 / 1024).toFixed(2);
const machine = `${cpus()[0]?.model ?? "unknown CPU"}, ${cpus().length} cores, ${platform()} ${release()}`;
const build = readBuildInfo();
const summaryRows: string[] = [];

for (const key of argv.models.split(",")) {
  const modelPath = models[key];
  if (!modelPath) throw new Error(`unknown model '${key}': give gemma or smollm2`);
  const facts = await readModelFacts(modelPath);
  const out = join(argv.out, key);
  mkdirSync(out, { recursive: true });
  // a cold eval cache: nothing measured before counts toward this search's time
  const scratch = argv.scratch ?? mkdtempSync(join(tmpdir(), `kvsplit-search-bench-${key}-`));
  const env = { [cacheDirEnvVar]: join(scratch, "cache"), [appSupportDirEnvVar]: join(scratch, "home") };
  const name = `${key}-bench`;
  const searchArgs = ["search", "--budget", argv.budget, "--model", modelPath, "--json"];
  if (argv.threads !== undefined) searchArgs.push("--threads", String(argv.threads));

  const coldPath = join(scratch, "cold.json");
  if (!existsSync(coldPath)) {
    const loadBefore = await uptime();
    const started = performance.now();
    const search = await execa("node", [join(repoRoot(), "tuner", "bin", "tuner.mjs"), ...searchArgs, "--name", name], {
      env,
      reject: false,
      stdin: "ignore",
      stderr: "inherit",
    });
    const cold = {
      exitCode: search.exitCode,
      stdout: search.stdout,
      wallMs: performance.now() - started,
      loadBefore,
      loadAfter: await uptime(),
    };
    writeJsonAtomic(coldPath, cold);
  }
  const cold = JSON.parse(readFileSync(coldPath, "utf8")) as {
    exitCode: number;
    stdout: string;
    wallMs?: number;
    loadBefore: string;
    loadAfter: string;
    note?: string;
  };
  const { loadBefore, loadAfter } = cold;
  const search = cold;
  const coldMs = cold.wallMs;
  if (search.exitCode !== 0) {
    summaryRows.push(`| ${facts.fileName} | search failed (exit ${search.exitCode}): ${search.stdout.slice(0, 200)} |`);
    continue;
  }
  // what the cold search saved: the profile in its store, every trial in its report folder
  const profile: Profile = profileSchema.parse(
    JSON.parse(readFileSync(join(env[appSupportDirEnvVar]!, "profiles", `${name}.json`), "utf8")),
  );
  // the cold run's artifacts, before anything else touches the store
  const reportDir = join(env[appSupportDirEnvVar]!, "reports", name);
  copyFileSync(join(reportDir, "report.md"), join(out, "search-report.md"));
  copyFileSync(join(reportDir, "study.json"), join(out, "study.json"));
  copyFileSync(join(reportDir, "pareto.png"), join(out, "pareto.png"));
  writeFileAtomic(join(out, "profile.json"), readFileSync(join(env[appSupportDirEnvVar]!, "profiles", `${name}.json`)));
  // the same search from a new study on the same eval cache, with as many TPE trials as the cold run had time for:
  // it proposes the same assignments, so every measurement is a cache hit and this is what a warm cache costs
  const study = JSON.parse(readFileSync(join(out, "study.json"), "utf8")) as { trials: { origin: string }[] };
  const result = { summary: { trials: study.trials.length } };
  const tpeTrials = study.trials.filter((t) => t.origin === "tpe").length;
  const warmArgs = [...searchArgs, "--no-resume", "--trials", String(tpeTrials), "--name", `${name}-warm`];
  const warmStarted = performance.now();
  const warm = await execa("node", [join(repoRoot(), "tuner", "bin", "tuner.mjs"), ...warmArgs], {
    env,
    stdin: "ignore",
  });
  const warmMs = performance.now() - warmStarted;
  const warmProfile = profileSchema.parse((JSON.parse(warm.stdout) as { profile: unknown }).profile);
  const warmSame = JSON.stringify(warmProfile.cache) === JSON.stringify(profile.cache);

  // every uniform pair under the test the profile had to pass: the search's sequential rule (accept when the upper
  // 95% bound is within budget, reject when the lower one is over, else measure twice the chunks, up to the cap) on
  // the confirmation half, then, for a pair that holds there, on the search half
  process.env[cacheDirEnvVar] = env[cacheDirEnvVar];
  const confirmation = profile.quality!.confirmation!;
  const [searchText, confirmText] = splitEvalText(loadEvalText(), 2, evalTextPartsDir());
  const setupOn = (text: typeof searchText) => ({
    modelPath,
    modelHash: facts.headerHash,
    text: text!,
    ctx: confirmation.ctx,
    chunks: defaultDecisionChunks,
    build,
    threads: argv.threads,
  });
  const levels = chunkLevels(defaultDecisionChunks, defaultMaxChunks);
  const decide = (text: typeof searchText, setting: KvSetting) =>
    decideSequentially({ budget, levels, measure: (chunks) => measureChunks(setupOn(text), setting, chunks) });
  const targetCtx = 8192;
  const uniform = [];
  for (const pair of quantizedUniformPairs) {
    const setting = {
      label: pair.name,
      args: profileToLlamaArgs({ cache: { mode: "uniform", k: pair.k, v: pair.v } }),
    };
    const onConfirmation = await decide(confirmText, setting);
    const r = onConfirmation.measurement;
    // the search half only matters for a pair that holds on the confirmation half
    const onSearch = onConfirmation.accepted ? await decide(searchText, setting) : undefined;
    const types = { k: Array(facts.nLayer).fill(pair.k), v: Array(facts.nLayer).fill(pair.v) };
    uniform.push({
      name: pair.name,
      bytes: assignmentBytes(facts, types, targetCtx),
      deltaPplPct: r.deltaPplPct,
      deltaPplPctInterval: r.deltaPplPctInterval,
      meanKld: r.meanKld,
      chunks: r.chunks,
      decidedBy: onConfirmation.decidedBy,
      withinOnConfirmation: onConfirmation.accepted,
      searchHalf: onSearch && {
        deltaPplPct: onSearch.measurement.deltaPplPct,
        deltaPplPctInterval: onSearch.measurement.deltaPplPctInterval,
        chunks: onSearch.measurement.chunks,
        decidedBy: onSearch.decidedBy,
      },
      withinBudget: onConfirmation.accepted && onSearch !== undefined && onSearch.accepted,
    });
  }
  delete process.env[cacheDirEnvVar];
  // a uniform pair can win (the search decides them as its floor)
  const profileTypes =
    profile.cache.mode === "per-layer"
      ? { k: profile.cache.k, v: profile.cache.v }
      : { k: Array(facts.nLayer).fill(profile.cache.k), v: Array(facts.nLayer).fill(profile.cache.v) };
  const profileBytes = assignmentBytes(facts, profileTypes, targetCtx);
  const bestUniform = uniform.filter((u) => u.withinBudget).sort((a, b) => a.bytes - b.bytes)[0];
  const bestOnConfirmation = uniform.filter((u) => u.withinOnConfirmation).sort((a, b) => a.bytes - b.bytes)[0];
  const report = {
    model: { file: facts.fileName, headerHash: facts.headerHash },
    text: { name: confirmation.evalText.name, sha256: confirmation.evalText.sha256 },
    build: buildLabel(build),
    machine,
    budget: argv.budget,
    targetCtx,
    profile: {
      name: profile.name,
      bytes: profileBytes,
      search: profile.quality,
      confirmation,
    },
    uniform,
    bestUniformWithinBudget: bestUniform?.name,
    ratioToBestUniform: bestUniform ? profileBytes / bestUniform.bytes : undefined,
    bestUniformWithinBudgetOnConfirmationOnly: bestOnConfirmation?.name,
    ratioToBestUniformOnConfirmationOnly: bestOnConfirmation ? profileBytes / bestOnConfirmation.bytes : undefined,
    trials: result.summary.trials,
    coldWallMs: coldMs,
    coldNote: cold.note,
    warmWallMs: warmMs,
    warmSameProfile: warmSame,
    load: { before: loadBefore, after: loadAfter, loadavgAfter: loadavg() },
  };
  writeJsonAtomic(join(out, "report.json"), report);

  const interval = (i: [number, number]) => `[${pct(i[0])}, ${pct(i[1])}]`;
  const markdown = [
    `# tuner search --budget ${argv.budget}: ${facts.fileName}`,
    "",
    `llama.cpp ${buildLabel(build)}; ${machine}; text ${confirmation.evalText.name} (sha256 ${confirmation.evalText.sha256.slice(0, 12)}), ` +
      `ctx ${confirmation.ctx}, ${confirmation.chunks} chunks (the second half of each scored); K/V bytes for one sequence of ${targetCtx} tokens.`,
    `Search: ${result.summary.trials} trials, ${coldMs === undefined ? cold.note : `${(coldMs / 1000).toFixed(0)} s`} wall with a cold eval cache, ${(warmMs / 1000).toFixed(0)} s warm ` +
      `(the same search again on the cached measurements: ${warmSame ? "the same profile" : "a DIFFERENT profile"}). ` +
      `Load (uptime) before: \`${loadBefore}\`; after: \`${loadAfter}\` (the 2 cores were shared with other work, so the wall time is inflated).`,
    "",
    "Within budget = accepted by the search's sequential rule on the confirmation half and on the search half: the upper " +
      `end of the 95% interval ≤ the budget, judged on ${defaultDecisionChunks} chunks of 512 tokens and, while the interval straddles the budget, on twice as many, ` +
      `up to ${defaultMaxChunks} (at the cap a straddling interval is rejected): the test the profile passed. "on N" is the chunks a decision used. ` +
      "The search half is measured only for a pair that holds on the confirmation half.",
    "",
    "| setting | KV MiB @8K | profile × | ΔPPL confirmation [95%] | ΔPPL search half [95%] | KLD (confirmation) | within budget |",
    "| --- | ---: | ---: | ---: | ---: | ---: | :---: |",
    ...uniform.map(
      (u) =>
        `| ${u.name} | ${mib(u.bytes)} | ${(profileBytes / u.bytes).toFixed(3)} | ${pct(u.deltaPplPct)} ${interval(u.deltaPplPctInterval)} on ${u.chunks}${u.decidedBy === "cap" ? " (cap)" : ""} | ` +
        `${u.searchHalf ? `${pct(u.searchHalf.deltaPplPct)} ${interval(u.searchHalf.deltaPplPctInterval)} on ${u.searchHalf.chunks}${u.searchHalf.decidedBy === "cap" ? " (cap)" : ""}` : ""} | ${u.meanKld.toFixed(5)} | ` +
        `${u.withinBudget ? "yes" : u.withinOnConfirmation ? "confirmation half only" : "no"} |`,
    ),
    `| **${profile.name}** | ${mib(profileBytes)} | 1.000 | ${pct(confirmation.deltaPplPct)} ${interval(confirmation.deltaPplPctInterval!)} | ` +
      `${pct(profile.quality!.deltaPplPct)} ${interval(profile.quality!.deltaPplPctInterval!)} | ${confirmation.meanKld.toFixed(5)} | ` +
      `${budgetViolation(budget, { deltaPplPctInterval: confirmation.deltaPplPctInterval!, pplBase: confirmation.pplBase }) <= 0 ? "yes" : "no"} |`,
    "",
    bestUniform
      ? `The profile is **${(profileBytes / bestUniform.bytes).toFixed(3)}×** the bytes of ${bestUniform.name}, the smallest uniform pair within the budget by the same rule.`
      : "No uniform pair is within the budget by the same rule.",
    bestOnConfirmation && bestOnConfirmation !== bestUniform
      ? `Judged on the confirmation half alone, ${bestOnConfirmation.name} would be the smallest within budget: the profile is ${(profileBytes / bestOnConfirmation.bytes).toFixed(3)}× its bytes.`
      : "",
    "",
  ].join("\n");
  writeFileAtomic(join(out, "report.md"), markdown);
  process.stdout.write(`${markdown}\n`);
  summaryRows.push(
    `| ${facts.fileName} | ${mib(profileBytes)} | ${bestUniform ? `${bestUniform.name} ${mib(bestUniform.bytes)}` : "none"} | ` +
      `${report.ratioToBestUniform?.toFixed(3) ?? "n/a"} | ${bestOnConfirmation ? `${bestOnConfirmation.name} ${mib(bestOnConfirmation.bytes)}` : "none"} | ` +
      `${report.ratioToBestUniformOnConfirmationOnly?.toFixed(3) ?? "n/a"} | ${pct(confirmation.deltaPplPct)} ${interval(confirmation.deltaPplPctInterval!)} | ` +
      `${result.summary.trials} | ${coldMs === undefined ? "see report" : `${(coldMs / 1000).toFixed(0)} s`} cold, ${(warmMs / 1000).toFixed(0)} s warm | \`${loadAfter.replace(/.*load average: /, "")}\` |`,
  );
  writeFileAtomic(join(out, "summary-row.md"), `${summaryRows[summaryRows.length - 1]}\n`);
}

writeFileAtomic(
  join(argv.out, "summary.md"),
  [
    `# npm run bench:search (budget ${argv.budget})`,
    "",
    `llama.cpp ${buildLabel(build)}; ${machine}; Moby-Dick halves (search / confirmation).`,
    "",
    "| model | profile MiB @8K | smallest uniform within budget (both halves) | × | smallest on the confirmation half alone | × | confirmation ΔPPL [95%] | trials | search wall | load after (1, 5, 15 min) |",
    "| --- | ---: | --- | ---: | --- | ---: | ---: | ---: | --- | --- |",
    // every model measured so far under <out>, this run's and earlier ones
    ...readdirSync(argv.out)
      .filter((d) => existsSync(join(argv.out, d, "summary-row.md")))
      .map((d) => readFileSync(join(argv.out, d, "summary-row.md"), "utf8").trim()),
    "",
  ].join("\n"),
);
