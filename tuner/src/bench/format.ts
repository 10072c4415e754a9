import type { BenchReport, BenchRow } from "./types.ts";

const mib = (bytes: number) => (bytes / 1024 / 1024).toFixed(2);
const signed = (n: number, digits: number) => (Number.isNaN(n) ? "n/a" : `${n >= 0 ? "+" : ""}${n.toFixed(digits)}`);
const ctxLabel = (ctx: number) => (ctx % 1024 === 0 ? `${ctx / 1024}K` : String(ctx));

function speedCell(row: BenchRow, test: "pp" | "tg", depth: number): string {
  const point = row.speed.find((p) => p.test === test && p.depth === depth);
  const ratio = row.speedVsF16.find((r) => r.test === test && r.depth === depth)?.ratio;
  if (!point) return "n/a";
  return `${point.medianTps.toFixed(1)} (${ratio === undefined || Number.isNaN(ratio) ? "n/a" : `${ratio.toFixed(2)}×`})`;
}

/** Header and cells of the bench table, shared by the terminal and Markdown renderings. */
export function benchTable(report: BenchReport): { header: string[]; rows: string[][] } {
  const { contexts, speedTest } = report;
  const savingCtx = contexts.includes(8192) ? 8192 : contexts[contexts.length - 1]!;
  const header = [
    "K/V",
    ...contexts.map((ctx) => `KV MiB @${ctxLabel(ctx)}`),
    `saving @${ctxLabel(savingCtx)}`,
    "ΔPPL",
    "ΔPPL %",
    "KLD",
    "top-1",
    ...speedTest.depths.flatMap((d) => [
      `pp${speedTest.promptTokens} @d${d} t/s (vs f16)`,
      `tg${speedTest.genTokens} @d${d} t/s (vs f16)`,
    ]),
  ];
  const rows = report.rows.map((row) => [
    row.label,
    ...contexts.map((ctx) => mib(row.kvBytes[ctx]!)),
    `${row.savingPct[savingCtx]!.toFixed(1)}%`,
    signed(row.quality.deltaPpl, 4),
    `${signed(row.quality.deltaPplPct, 2)}%`,
    row.quality.meanKld.toFixed(5),
    `${(row.quality.top1Agreement * 100).toFixed(1)}%`,
    ...speedTest.depths.flatMap((d) => [speedCell(row, "pp", d), speedCell(row, "tg", d)]),
  ]);
  return { header, rows };
}

export function provenance(report: BenchReport): string {
  const { machine, speedTest } = report;
  return (
    `model ${report.model.file} (header sha256 ${report.model.headerHash.slice(0, 12)}…); quality on ${report.text.name}, ` +
    `${report.chunks} chunks of ${report.ctx} tokens, KL-divergence vs the f16 cache; speed by llama-bench ` +
    `(flash attention, ${machine.threads} threads, median of ${speedTest.repetitions}); llama.cpp ${report.build}; ` +
    `${machine.cpu}, ${machine.cores} cores, ${machine.backend}, ${machine.os}; ${report.createdAt}`
  );
}

export function formatBenchMarkdown(report: BenchReport): string {
  const { header, rows } = benchTable(report);
  const line = (cells: string[]) => `| ${cells.join(" | ")} |`;
  return [
    line(header),
    line(header.map((_, i) => (i === 0 ? "---" : "---:"))),
    ...rows.map(line),
    "",
    `Measured by \`tuner bench\`: ${provenance(report)}.`,
    "",
  ].join("\n");
}

export function formatBenchTerminal(report: BenchReport): string {
  const { header, rows } = benchTable(report);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ");
  return [
    line(header),
    widths.map((w) => "-".repeat(w)).join("  "),
    ...rows.map(line),
    "",
    provenance(report),
    "",
  ].join("\n");
}
