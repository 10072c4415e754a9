import { join } from "node:path";
import type { TopLevelSpec } from "vega-lite";
import { paretoFront, writeChart } from "../bench/plot.ts";
import type { ModelFacts } from "../model/gguf.ts";
import type { Profile } from "../profiles/schema.ts";
import { writeFileAtomic } from "../util/atomicFile.ts";
import { assignmentBytes, assignmentKey, uniformAssignment } from "./assignment.ts";
import { budgetViolation, describeBudget, type QualityBudget } from "./budget.ts";
import type { SearchOutcome } from "./runSearch.ts";
import type { Trial } from "./study.ts";

const mib = (bytes: number) => (bytes / 1024 / 1024).toFixed(2);
const pct = (n: number) => `${n >= 0 ? "+" : ""}${n.toFixed(2)}%`;
const uniformNames: Record<string, string> = {
  "q8_0/q8_0": "K8V8",
  "q8_0/q4_0": "K8V4",
  "q4_0/q8_0": "K4V8",
  "q4_0/q4_0": "K4V4",
};

export interface SearchSummary {
  f16Bytes: number;
  bestBytes: number;
  /** the winner's saving over K8V4 at the target context, in percent; undefined when K8V4 was not measured */
  belowK8v4Pct?: number;
  /** uniform settings within the budget on the search text that are smaller than the winner (should be none) */
  smallerUniformWithinBudget: string[];
}

const uniformName = (t: Trial) =>
  uniformNames[`${t.assignment.k[0]}/${t.assignment.v[0]}`] ?? `${t.assignment.k[0]}/${t.assignment.v[0]}`;

const k8v4Trial = (outcome: SearchOutcome) =>
  outcome.uniform.find(
    (t) => assignmentKey(t.assignment) === assignmentKey(uniformAssignment(outcome.groups.length, "q8_0", "q4_0")),
  );

export function summarizeSearch(outcome: SearchOutcome, facts: ModelFacts, budget: QualityBudget): SearchSummary {
  const f16Bytes = assignmentBytes(
    facts,
    { k: Array(facts.nLayer).fill("f16"), v: Array(facts.nLayer).fill("f16") },
    outcome.study.targetCtx,
  );
  const k8v4 = k8v4Trial(outcome);
  return {
    f16Bytes,
    bestBytes: outcome.best.bytes,
    belowK8v4Pct: k8v4 ? (1 - outcome.best.bytes / k8v4.bytes) * 100 : undefined,
    smallerUniformWithinBudget: outcome.uniform
      .filter((t) => budgetViolation(budget, t) <= 0 && t.bytes <= outcome.best.bytes)
      .map(uniformName),
  };
}

export function searchReportMarkdown(
  outcome: SearchOutcome,
  facts: ModelFacts,
  budget: QualityBudget,
  profile: Profile,
): string {
  const summary = summarizeSearch(outcome, facts, budget);
  const { best, confirmation, study } = outcome;
  const minSpeed = profile.budget?.minSpeed;
  const speedCell = (t: Trial) => (minSpeed === undefined ? "" : ` ${t.speed ? `${t.speed.ratio.toFixed(2)}×` : ""} |`);
  const row = (name: string, t: Trial, confirmed?: number) =>
    `| ${name} | ${mib(t.bytes)} | ${((1 - t.bytes / summary.f16Bytes) * 100).toFixed(1)}% | ${pct(t.deltaPplPct)} | ${confirmed === undefined ? "" : pct(confirmed)} | ${t.meanKld.toFixed(5)} | ${budgetViolation(budget, t) <= 0 ? "yes" : "no"} |${speedCell(t)}`;
  const k8v4 = k8v4Trial(outcome);
  const versusK8v4 = (below: number) =>
    below >= 0
      ? `**${below.toFixed(1)}% fewer K/V bytes than K8V4**`
      : `**${(-below).toFixed(1)}% more K/V bytes than K8V4**` +
        (k8v4?.speed && minSpeed !== undefined && k8v4.speed.ratio < minSpeed
          ? ` (K8V4 ran at ${k8v4.speed.ratio.toFixed(2)}× f16, below --min-speed ${minSpeed})`
          : "");
  const layerRows = facts.layers.map(
    (l) => `| ${l.il} | ${l.swa ? "sliding window" : "full"} | ${profile.cache.k[l.il]} | ${profile.cache.v[l.il]} |`,
  );
  return [
    `# Search result: ${profile.name}`,
    "",
    `${describeBudget(budget)} at context ${outcome.searchSetup.ctx} on ${outcome.searchSetup.text.name} ` +
      `(${outcome.searchSetup.chunks} chunks of ${outcome.searchSetup.ctx} tokens, the second half of each scored), ` +
      `confirmed on ${outcome.confirmSetup.text.name}. K/V bytes for one sequence of ${study.targetCtx} tokens. ` +
      `${study.trials.length} trials; model ${facts.fileName}; llama.cpp ${outcome.searchSetup.build.llamaCppTag}+${outcome.searchSetup.build.patchHash.slice(0, 8)}.`,
    "",
    summary.belowK8v4Pct === undefined
      ? ""
      : `${versusK8v4(summary.belowK8v4Pct)} at ${pct(best.deltaPplPct)} ΔPPL (confirmation ${pct(confirmation.deltaPplPct)}).`,
    "",
    `| setting | KV MiB | saving vs f16 | ΔPPL (search) | ΔPPL (confirm) | KLD | within budget |${minSpeed === undefined ? "" : " speed vs f16 |"}`,
    `| --- | ---: | ---: | ---: | ---: | ---: | :---: |${minSpeed === undefined ? "" : " ---: |"}`,
    ...outcome.uniform.map((t) => row(uniformName(t), t)),
    row(`**${profile.name}**`, best, confirmation.deltaPplPct),
    "",
    "| layer | attention | K | V |",
    "| ---: | --- | --- | --- |",
    ...layerRows,
    "",
  ].join("\n");
}

function paretoChartSpec(outcome: SearchOutcome, f16Bytes: number, budget: QualityBudget): TopLevelSpec {
  const points = outcome.study.trials.map((t) => ({
    saving: (1 - t.bytes / f16Bytes) * 100,
    deltaPplPct: t.deltaPplPct,
    origin: t.origin === "uniform" ? uniformName(t) : t.origin,
    chosen: t.number === outcome.best.number ? "chosen" : "",
  }));
  const limit = budget.kind === "percent" ? budget.percent : (budget.deltaPpl / outcome.best.pplBase) * 100;
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title: { text: "K/V precision search: memory saved vs perplexity increase", subtitle: outcome.study.description },
    width: 560,
    height: 340,
    layer: [
      {
        data: { values: paretoFront(points) },
        mark: { type: "line", color: "#888", strokeDash: [4, 3] },
        encoding: { x: { field: "saving", type: "quantitative" }, y: { field: "deltaPplPct", type: "quantitative" } },
      },
      {
        data: { values: [{ y: limit }] },
        mark: { type: "rule", color: "#c33" },
        encoding: { y: { field: "y", type: "quantitative" } },
      },
      {
        data: { values: points },
        mark: { type: "point", filled: true, size: 70, opacity: 0.85 },
        encoding: {
          x: { field: "saving", type: "quantitative", title: "K/V bytes saved vs f16 (%)" },
          y: { field: "deltaPplPct", type: "quantitative", title: "ΔPPL vs f16 (%)" },
          color: { field: "origin", type: "nominal", title: "trial" },
          shape: { field: "chosen", type: "nominal", title: "", legend: null },
        },
      },
    ],
  };
}

/** report.md and the Pareto chart next to each other, in `dir`. */
export async function writeSearchReport(
  dir: string,
  outcome: SearchOutcome,
  facts: ModelFacts,
  budget: QualityBudget,
  profile: Profile,
) {
  const markdown = searchReportMarkdown(outcome, facts, budget, profile);
  writeFileAtomic(join(dir, "report.md"), markdown);
  writeFileAtomic(join(dir, "study.json"), `${JSON.stringify(outcome.study, null, 2)}\n`);
  const chart = await writeChart(
    paretoChartSpec(outcome, summarizeSearch(outcome, facts, budget).f16Bytes, budget),
    join(dir, "pareto"),
  );
  return { markdown, chart, reportPath: join(dir, "report.md") };
}
