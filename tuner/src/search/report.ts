import { join } from "node:path";
import type { TopLevelSpec } from "vega-lite";
import { paretoChartName } from "../config.ts";
import { paretoFront, writeChart } from "../bench/plot.ts";
import type { Profile } from "../profiles/schema.ts";
import { writeFileAtomic } from "../util/atomicFile.ts";
import { formatSignedPercent } from "../util/format.ts";
import { budgetViolation, describeBudget } from "./budget.ts";
import type { KldPrediction, SearchOutcome } from "./runSearch.ts";
import type { Measurement, Trial } from "./study.ts";
import { decidingMeasurement, k8v4Trial, uniformName } from "./summary.ts";

const mib = (bytes: number) => (bytes / 1024 / 1024).toFixed(2);
const pct = (n: number) => formatSignedPercent(n, 2);
/** ΔPPL with its 95% interval and the chunks it was measured on: "+0.68% [+0.13%, +1.24%] on 16 chunks". */
export const withInterval = (m: { deltaPplPct: number; deltaPplPctInterval: [number, number]; chunks?: number }) =>
  `${pct(m.deltaPplPct)} [${pct(m.deltaPplPctInterval[0])}, ${pct(m.deltaPplPctInterval[1])}]` +
  (m.chunks === undefined ? "" : ` on ${m.chunks} chunk${m.chunks === 1 ? "" : "s"}`);

const decidedByText: Record<NonNullable<Measurement["decidedBy"]>, string> = {
  "upper-within": "",
  "lower-over": "",
  cap: " (cap)",
  time: " (time limit)",
};
/** A sequential decision: the interval on the chunks it ended on, and when it stopped at the cap or the time limit. */
const decisionCell = (m: Measurement | undefined) =>
  m ? `${withInterval(m)}${m.decidedBy ? decidedByText[m.decidedBy] : ""}` : "";

/** How well the cost model's KLD matched the measured one: the median ratio and the correlation of the logs. */
export function predictionFit(predictions: KldPrediction[]): {
  n: number;
  medianRatio: number;
  logCorrelation: number;
} {
  const usable = predictions.filter((p) => p.predicted > 0 && p.measured > 0);
  const ratios = usable.map((p) => p.measured / p.predicted).sort((a, b) => a - b);
  const x = usable.map((p) => Math.log(p.predicted));
  const y = usable.map((p) => Math.log(p.measured));
  const mean = (v: number[]) => v.reduce((s, a) => s + a, 0) / v.length;
  const [mx, my] = [mean(x), mean(y)];
  const cov = x.reduce((s, xi, i) => s + (xi - mx) * (y[i]! - my), 0);
  const sx = Math.sqrt(x.reduce((s, xi) => s + (xi - mx) ** 2, 0));
  const sy = Math.sqrt(y.reduce((s, yi) => s + (yi - my) ** 2, 0));
  return {
    n: usable.length,
    medianRatio: ratios.length ? ratios[Math.floor(ratios.length / 2)]! : Number.NaN,
    logCorrelation: usable.length > 2 && sx > 0 && sy > 0 ? cov / (sx * sy) : Number.NaN,
  };
}

export function searchReportMarkdown(outcome: SearchOutcome, profile: Profile): string {
  const { best, confirmation, study, summary, facts, budget } = outcome;
  const minSpeed = outcome.speed?.minSpeed;
  const speedCell = (t: Trial) => (minSpeed === undefined ? "" : ` ${t.speed ? `${t.speed.ratio.toFixed(2)}×` : ""} |`);
  const row = (name: string, t: Trial) =>
    `| ${name} | ${mib(t.bytes)} | ${((1 - t.bytes / summary.f16Bytes) * 100).toFixed(1)}% | ${withInterval(t)} | ` +
    `${decisionCell(t.decision)} | ${decisionCell(t.confirmation)} | ` +
    `${t.meanKld.toFixed(5)} | ${budgetViolation(budget.given, decidingMeasurement(t)) <= 0 ? "yes" : "no"} |${speedCell(t)}`;
  const k8v4 = k8v4Trial(outcome);
  const versusK8v4 = (below: number) =>
    below >= 0
      ? `**${below.toFixed(1)}% fewer K/V bytes than K8V4**`
      : `**${(-below).toFixed(1)}% more K/V bytes than K8V4**` +
        (k8v4?.speed && minSpeed !== undefined && k8v4.speed.ratio < minSpeed
          ? ` (K8V4 ran at ${k8v4.speed.ratio.toFixed(2)}× f16, below --min-speed ${minSpeed})`
          : "");
  const versusUniform = summary.bestUniformWithinBudget
    ? `${summary.bestUniformWithinBudget.ratio.toFixed(3)}× the bytes of ${summary.bestUniformWithinBudget.name}, the smallest uniform setting this search measured within budget.`
    : "No uniform setting was measured within budget in this search (uniform settings are decided on more tokens only when they are the cheapest candidates left).";
  const fit = predictionFit(outcome.predictions);
  const layerRows = facts.layers.map(
    (l) => `| ${l.il} | ${l.swa ? "sliding window" : "full"} | ${profile.cache.k[l.il]} | ${profile.cache.v[l.il]} |`,
  );
  const { searchSetup, decisionSetup, confirmSetup } = outcome;
  return [
    `# Search result: ${profile.name}`,
    "",
    `${describeBudget(budget.given)} at context ${searchSetup.ctx} on ${searchSetup.text.name}, decided on the upper end ` +
      `of a 95% interval of ΔPPL against f16 on the same tokens (${budget.percent.toFixed(3)}% = ΔPPL ${budget.deltaPpl.toFixed(4)} ` +
      `of f16's PPL ${budget.pplBase.toFixed(3)} there). Screened on ${searchSetup.chunks} chunks of it; candidates decided ` +
      `sequentially from ${decisionSetup.chunks} chunks, doubled while the interval straddled the budget, up to ${outcome.maxChunks} ` +
      `(at the cap the upper bound decides: a straddling interval is rejected), the winner confirmed by the same rule on ` +
      `${confirmation.chunks} chunks of ${confirmSetup.text.name} ` +
      `(the second half of each chunk of ${searchSetup.ctx} tokens scored). K/V bytes for one sequence of ${study.targetCtx} tokens. ` +
      `${study.trials.length} trials, ${summary.decisions} decided on more tokens, ${(outcome.wallMs / 1000).toFixed(0)} s; ` +
      `model ${facts.fileName}; llama.cpp ${outcome.build.llamaCppTag}+${outcome.build.patchHash.slice(0, 8)}; seed ${outcome.seed}.`,
    "",
    summary.belowK8v4Pct === undefined
      ? ""
      : `${versusK8v4(summary.belowK8v4Pct)} at ${withInterval(decidingMeasurement(best))} ΔPPL on the search half, ` +
        `confirmation ${withInterval(confirmation)}. ${versusUniform}`,
    "",
    `| setting | KV MiB | saving vs f16 | ΔPPL screen [95%] | ΔPPL decision [95%] | ΔPPL confirm [95%] | KLD | within budget |${minSpeed === undefined ? "" : " speed vs f16 |"}`,
    `| --- | ---: | ---: | ---: | ---: | ---: | ---: | :---: |${minSpeed === undefined ? "" : " ---: |"}`,
    ...outcome.uniform.map((t) => row(uniformName(t), t)),
    row(`**${profile.name}**`, best),
    "",
    `Cost model: ΔPPL% ≈ ${outcome.qualityModel.pplPctPerKld.toFixed(1)} × KLD, per-token variance of ln(PPL ratio) ≈ ` +
      `${outcome.qualityModel.lnVariancePerKld.toFixed(2)} × KLD (fitted on the screened trials). ` +
      (fit.n === 0
        ? "No knapsack or TPE trial to compare the predicted KLD with."
        : `On ${fit.n} knapsack and TPE trials, measured KLD / predicted KLD has median ${fit.medianRatio.toFixed(2)}, ` +
          `and the logs correlate at ${Number.isNaN(fit.logCorrelation) ? "n/a" : fit.logCorrelation.toFixed(2)}.`),
    "",
    "| layer | attention | K | V |",
    "| ---: | --- | --- | --- |",
    ...layerRows,
    "",
  ].join("\n");
}

function paretoChartSpec(outcome: SearchOutcome): TopLevelSpec {
  const { f16Bytes } = outcome.summary;
  const points = outcome.study.trials.map((t) => ({
    saving: (1 - t.bytes / f16Bytes) * 100,
    deltaPplPct: t.deltaPplPct,
    origin: t.origin === "uniform" ? uniformName(t) : t.origin,
    chosen: t.number === outcome.best.number ? "chosen" : "",
  }));
  const limit = outcome.budget.percent;
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
export async function writeSearchReport(dir: string, outcome: SearchOutcome, profile: Profile) {
  const markdown = searchReportMarkdown(outcome, profile);
  writeFileAtomic(join(dir, "report.md"), markdown);
  writeFileAtomic(join(dir, "study.json"), `${JSON.stringify(outcome.study, null, 2)}\n`);
  const chart = await writeChart(paretoChartSpec(outcome), join(dir, paretoChartName));
  return { markdown, chart, reportPath: join(dir, "report.md") };
}
