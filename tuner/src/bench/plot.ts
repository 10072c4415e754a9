import { Resvg } from "@resvg/resvg-js";
import { writeFileAtomic } from "../util/atomicFile.ts";
import * as vega from "vega";
import { compile, type TopLevelSpec } from "vega-lite";
import type { BenchReport } from "./types.ts";

/** Settings no other setting beats on both axes: more saving and no more ΔPPL. */
export function paretoFront<T extends { saving: number; deltaPplPct: number }>(points: T[]): T[] {
  return points
    .filter(
      (p) =>
        !points.some(
          (q) =>
            q !== p &&
            q.saving >= p.saving &&
            q.deltaPplPct <= p.deltaPplPct &&
            (q.saving > p.saving || q.deltaPplPct < p.deltaPplPct),
        ),
    )
    .sort((a, b) => a.saving - b.saving);
}

function chartSpec(report: BenchReport): TopLevelSpec {
  const savingCtx = report.contexts.includes(8192) ? 8192 : report.contexts[report.contexts.length - 1]!;
  const points = report.rows.map((row) => ({
    label: row.label,
    saving: row.savingPct[savingCtx]!,
    deltaPplPct: row.quality.deltaPplPct,
  }));
  const front = paretoFront(points);
  const speed = report.rows.flatMap((row) =>
    row.speedVsF16.map((s) => ({
      label: row.label,
      test: `${s.test === "pp" ? "prompt" : "generation"} @ depth ${s.depth}`,
      ratio: s.ratio,
    })),
  );
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title: {
      text: `KV cache precision on ${report.model.file}`,
      subtitle: `llama.cpp ${report.build}, ${report.machine.cpu}`,
    },
    resolve: { scale: { color: "independent" }, legend: { color: "independent" } },
    vconcat: [
      {
        width: 520,
        height: 300,
        title: `K/V memory saved at ${savingCtx} tokens vs perplexity increase (${report.text.name})`,
        layer: [
          {
            data: { values: front },
            mark: { type: "line", color: "#888", strokeDash: [4, 3] },
            encoding: {
              x: { field: "saving", type: "quantitative" },
              y: { field: "deltaPplPct", type: "quantitative" },
            },
          },
          {
            data: { values: points },
            mark: { type: "point", filled: true, size: 90 },
            encoding: {
              x: { field: "saving", type: "quantitative", title: "K/V memory saved vs f16 (%)" },
              y: { field: "deltaPplPct", type: "quantitative", title: "ΔPPL vs f16 (%)" },
              color: { field: "label", type: "nominal", title: "setting" },
            },
          },
          {
            data: { values: points },
            mark: { type: "text", dx: 8, align: "left", fontSize: 11 },
            encoding: {
              x: { field: "saving", type: "quantitative" },
              y: { field: "deltaPplPct", type: "quantitative" },
              text: { field: "label" },
            },
          },
        ],
      },
      {
        width: 520,
        height: 220,
        title: "Speed vs f16 (llama-bench, flash attention; 1.0 = as fast as f16)",
        data: { values: speed },
        mark: "bar",
        encoding: {
          y: { field: "label", type: "nominal", title: null },
          x: { field: "ratio", type: "quantitative", title: "tokens/s relative to f16" },
          color: { field: "test", type: "nominal", title: "test" },
          yOffset: { field: "test" },
        },
      },
    ],
  };
}

/** Renders the bench chart with Vega-Lite to SVG, and the SVG to PNG with resvg. Returns the two paths. */
export function writeBenchChart(report: BenchReport, basePath: string): Promise<{ svg: string; png: string }> {
  return writeChart(chartSpec(report), basePath);
}

/** Any Vega-Lite chart to `<basePath>.svg` and `<basePath>.png`. */
export async function writeChart(spec: TopLevelSpec, basePath: string): Promise<{ svg: string; png: string }> {
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: "none" });
  const svg = await view.toSVG();
  view.finalize();
  const png = new Resvg(svg, { background: "white", font: { loadSystemFonts: true, defaultFontFamily: "DejaVu Sans" } })
    .render()
    .asPng();
  const paths = { svg: `${basePath}.svg`, png: `${basePath}.png` };
  writeFileAtomic(paths.svg, svg);
  writeFileAtomic(paths.png, png);
  return paths;
}
