import { execa } from "execa";
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { repoRoot } from "../../src/config.ts";
import { studySchema, type Study } from "../../src/search/study.ts";
import { gemmaModelPath } from "../fixtures.ts";
import { runTuner } from "./runTuner.ts";

// A short search on the real model: 2 groups of 9 layers, 1 chunk of 256 tokens per screened trial, 10 to decide and
// confirm, 2 TPE trials.
let short: string[];
const isolated = () => {
  const dir = mkdtempSync(join(tmpdir(), "kvsplit-search-"));
  return { KVSPLIT_CACHE_DIR: join(dir, "cache"), KVSPLIT_HOME: join(dir, "home") };
};
const studyOf = (env: Record<string, string>): Study | undefined => {
  const dir = join(env.KVSPLIT_CACHE_DIR!, "search");
  const file = existsSync(dir) ? readdirSync(dir).find((f) => f.endsWith(".json")) : undefined;
  return file ? studySchema.parse(JSON.parse(readFileSync(join(dir, file), "utf8"))) : undefined;
};
const savedProfile = (env: Record<string, string>, name: string) =>
  JSON.parse(readFileSync(join(env.KVSPLIT_HOME!, "profiles", `${name}.json`), "utf8"));

beforeAll(() => {
  short = [
    "--model",
    gemmaModelPath(),
    "--ctx",
    "256",
    "--chunks",
    "1",
    "--decision-chunks",
    "10",
    "--group",
    "9",
    "--trials",
    "2",
    "--seed",
    "7",
  ];
});

describe("tuner search", () => {
  const env = isolated();

  // three searches, each with its decision and confirmation on 10 chunks: longer than the default 10 minutes when the
  // 2 cores are shared
  it(
    "survives kill -9: a resumed search keeps every finished trial and reaches the same result as an uninterrupted run",
    {
      timeout: 1_500_000,
    },
    async () => {
      const search = execa(
        "node",
        [join(repoRoot(), "tuner", "bin", "tuner.mjs"), "search", "--budget", "2%", ...short, "--name", "resumed"],
        {
          env,
          reject: false,
          stdin: "ignore",
        },
      );
      // wait for a few finished trials, then pull the plug
      for (let i = 0; i < 600 && (studyOf(env)?.trials.length ?? 0) < 3; i++)
        await new Promise((r) => setTimeout(r, 500));
      search.kill("SIGKILL");
      await search;
      const beforeKill = studyOf(env)!;
      expect(beforeKill.trials.length).toBeGreaterThanOrEqual(3);

      const resumed = await runTuner(
        ["search", "--budget", "2%", ...short, "--name", "resumed", "--resume", "--json"],
        env,
      );
      expect(resumed.stderr).not.toContain("tuner:");
      expect(resumed.exitCode).toBe(0);
      const after = studyOf(env)!;
      // the decision phase adds longer measurements to some trials; what was screened stays as it was
      const screened = (trials: Study["trials"]) => trials.map(({ decision: _decision, ...t }) => t);
      expect(screened(after.trials).slice(0, beforeKill.trials.length)).toEqual(screened(beforeKill.trials));
      expect(readdirSync(join(env.KVSPLIT_CACHE_DIR!, "search")).filter((f) => f.includes(".tmp-"))).toEqual([]);

      const fresh = isolated();
      const uninterrupted = await runTuner(
        ["search", "--budget", "2%", ...short, "--name", "resumed", "--json"],
        fresh,
      );
      expect(uninterrupted.exitCode).toBe(0);
      expect(savedProfile(env, "resumed").cache).toEqual(savedProfile(fresh, "resumed").cache);
      expect(studyOf(fresh)!.trials.map((t) => [t.origin, t.assignment, t.deltaPpl, t.decision?.deltaPpl])).toEqual(
        after.trials.map((t) => [t.origin, t.assignment, t.deltaPpl, t.decision?.deltaPpl]),
      );
    },
  );

  it("--no-resume starts the stored study over instead of continuing it", async () => {
    const before = studyOf(env)!;
    const r = await runTuner(["search", "--budget", "2%", ...short, "--name", "resumed", "--no-resume", "--json"], env);
    expect(r.exitCode).toBe(0);
    const after = studyOf(env)!;
    // every trial was taken again (from the eval cache, so quickly): none keeps its old finish time
    expect(after.trials.length).toBeGreaterThan(0);
    expect(after.trials[0]!.finishedAt).not.toBe(before.trials[0]!.finishedAt);
  });

  it("saves a profile within budget on both texts, which tuner eval reproduces", async () => {
    const profile = savedProfile(env, "resumed");
    expect(profile.source).toBe("search");
    expect(profile.cache.mode).toBe("per-layer");
    expect(profile.cache.k).toHaveLength(18);
    // within budget means the upper end of the 95% interval, on the search half and on the unseen half
    expect(profile.quality.deltaPplPctInterval[1]).toBeLessThanOrEqual(2);
    expect(profile.quality.confirmation.deltaPplPctInterval[1]).toBeLessThanOrEqual(2);
    expect(profile.quality.confirmation.deltaPplPctInterval[0]).toBeLessThanOrEqual(
      profile.quality.confirmation.deltaPplPct,
    );
    expect(profile.quality.confirmation.chunks).toBe(10);
    expect(profile.budget.maxDeltaPplPct).toBe(2);
    expect(profile.budget.maxDeltaPpl).toBeCloseTo((profile.quality.pplBase * 2) / 100, 9);
    expect(existsSync(join(env.KVSPLIT_HOME!, "reports", "resumed", "pareto.png"))).toBe(true);
    expect(readFileSync(join(env.KVSPLIT_HOME!, "reports", "resumed", "report.md"), "utf8")).toContain(
      "| layer | attention | K | V |",
    );

    // measured again from scratch (not from the cache) on the confirmation text, as a user would
    const confirmText = readdirSync(join(env.KVSPLIT_CACHE_DIR!, "texts")).find((f) => f.includes("part2of2"))!;
    const again = await runTuner(
      [
        "eval",
        "--profile",
        "resumed",
        "--model",
        gemmaModelPath(),
        "--eval-file",
        join(env.KVSPLIT_CACHE_DIR!, "texts", confirmText),
        "--ctx",
        "256",
        "--chunks",
        "10",
        "--fresh",
        "--json",
      ],
      env,
    );
    expect(again.exitCode).toBe(0);
    const measured = JSON.parse(again.stdout);
    expect(measured.deltaPplPct).toBeCloseTo(profile.quality.confirmation.deltaPplPct, 6);
    expect(measured.deltaPplPctInterval[1]).toBeCloseTo(profile.quality.confirmation.deltaPplPctInterval[1], 6);
  });

  it("with --min-speed, candidates for the best are timed against f16 and the profile records the speed it met", async () => {
    const r = await runTuner(
      ["search", "--budget", "2%", ...short, "--name", "fast", "--min-speed", "0.3", "--speed-depth", "0", "--json"],
      env,
    );
    expect(r.exitCode).toBe(0);
    const profile = savedProfile(env, "fast");
    expect(profile.budget.minSpeed).toBe(0.3);
    const speed = profile.speed;
    expect(speed.ctx).toBe(0);
    expect(
      Math.min(
        speed.promptTokensPerSecond / speed.f16PromptTokensPerSecond,
        speed.generationTokensPerSecond / speed.f16GenerationTokensPerSecond,
      ),
    ).toBeGreaterThanOrEqual(0.3);
    const report = readFileSync(join(env.KVSPLIT_HOME!, "reports", "fast", "report.md"), "utf8");
    expect(report).toContain("| speed vs f16 |");
    expect(report).toMatch(/\| \*\*fast\*\* \|.*\| \d\.\d\d× \|/);
    // a llama-bench run at depth costs more than a trial: only candidates the screening kept are timed, before their
    // decision on more tokens
    const dir = join(env.KVSPLIT_CACHE_DIR!, "search");
    const timed = readdirSync(dir)
      .filter((f) => f.endsWith(".json"))
      .map((f) => studySchema.parse(JSON.parse(readFileSync(join(dir, f), "utf8"))))
      .find((s) => s.trials.some((t) => t.speed));
    expect(timed).toBeDefined();
    for (const t of timed!.trials.filter((t) => t.speed && t.speed.ratio >= 0.3)) expect(t.decision).toBeDefined();
    expect(timed!.trials.some((t) => !t.speed && t.deltaPplPctInterval[0] > 2)).toBe(true);
  });

  it("gives profiles whose bytes do not grow as the budget grows", async () => {
    const bytes: number[] = [];
    // 1% is out of reach on 10 chunks of 256 tokens: its interval alone is about that wide
    for (const budget of ["2%", "3%", "5%"]) {
      const r = await runTuner(
        ["search", "--budget", budget, ...short, "--name", `b${budget.replace("%", "")}`, "--json"],
        env,
      );
      expect(r.exitCode).toBe(0);
      bytes.push(JSON.parse(r.stdout).summary.bestBytes);
    }
    expect(bytes[1]).toBeLessThanOrEqual(bytes[0]!);
    expect(bytes[2]).toBeLessThanOrEqual(bytes[1]!);
  });
});

describe("tuner search errors: one clear message, exit code 1, nothing saved", () => {
  const env = isolated();

  it.each([
    [["--budget", "0%"], "invalid budget '0%': the budget must be above 0%"],
    [["--budget=-1%"], "invalid budget '-1%'"],
    [["--budget", "lots"], "invalid budget 'lots': not a percentage"],
    [["--max-delta-ppl", "0"], "the maximum PPL increase must be a number above 0"],
    [["--budget", "1%", "--max-delta-ppl", "0.1"], "give exactly one of --budget and --max-delta-ppl"],
    [["--budget", "1%", "--types", "f16"], "no quantized K/V type runs with flash attention on this backend"],
    [["--budget", "1%", "--time-limit", "soon"], "invalid duration 'soon'"],
  ])("%j", async (args, message) => {
    const r = await runTuner(["search", ...args, ...short], env);
    expect(r.stderr).toContain(message);
    expect(r.exitCode).toBe(1);
    expect(existsSync(join(env.KVSPLIT_HOME!, "profiles"))).toBe(false);
  });

  it("a budget no assignment can meet (only 4-bit K, which costs Gemma ~10% PPL)", async () => {
    const r = await runTuner(["search", "--budget", "1%", ...short, "--types", "q4_0"], env);
    expect(r.stderr).toContain("no assignment met the budget (ΔPPL ≤ 1%)");
    expect(r.stderr).toContain("nothing was saved");
    expect(r.exitCode).toBe(1);
    expect(existsSync(join(env.KVSPLIT_HOME!, "profiles"))).toBe(false);
  });

  it("an eval text too short to split", async () => {
    const text = join(mkdtempSync(join(tmpdir(), "kvsplit-short-")), "short.txt");
    writeFileSync(text, "It was the best of times. ".repeat(60));
    const r = await runTuner(["search", "--budget", "1%", ...short, "--eval-file", text], env);
    expect(r.stderr).toContain(
      "eval text 'short.txt' is too short to split into a search part and a disjoint confirmation part",
    );
    expect(r.exitCode).toBe(1);
    expect(existsSync(join(env.KVSPLIT_HOME!, "profiles"))).toBe(false);
  });
});
