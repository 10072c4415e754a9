import type { RetrievalScore } from "../eval/retrieval.ts";
import type { BenchQuality, BenchReport, BenchRow } from "./types.ts";

const mib = (bytes: number) => (bytes / 1024 / 1024).toFixed(2);
const signed = (n: number, digits: number) => (Number.isNaN(n) ? "n/a" : `${n >= 0 ? "+" : ""}${n.toFixed(digits)}`);
const ctxLabel = (ctx: number) => (ctx % 1024 === 0 ? `${ctx / 1024}K` : String(ctx));

function speedCell(row: BenchRow, test: "pp" | "tg", depth: number): string {
  const point = row.speed.find((p) => p.test === test && p.depth === depth);
  const ratio = row.speedVsF16.find((r) => r.test === test && r.depth === depth)?.ratio;
  if (!point) return "n/a";
  return `${point.medianTps.toFixed(1)} (${ratio === undefined || Number.isNaN(ratio) ? "n/a" : `${ratio.toFixed(2)}×`})`;
}

function maxContextCell(row: BenchRow): string {
  const max = row.maxContext;
  if (!max) return "n/a";
  const capped = max.formula.cappedAtTraining ? " (training max)" : "";
  return `${max.measuredCtx} / ${max.formula.ctx}${capped}`;
}

/** "+0.68% [+0.13, +1.24]": the estimate and its 95% interval. */
const deltaPplPctCell = (q: BenchQuality) =>
  `${signed(q.deltaPplPct, 2)}% [${signed(q.deltaPplPctInterval[0], 2)}, ${signed(q.deltaPplPctInterval[1], 2)}]`;
const meanKldCell = (q: BenchQuality) =>
  `${q.meanKld.toFixed(5)} [${q.meanKldInterval[0].toFixed(5)}, ${q.meanKldInterval[1].toFixed(5)}]`;

function longCell(row: BenchRow, ctx: number, measure: "deltaPplPct" | "meanKld"): string {
  const long = row.longContext.find((q) => q.ctx === ctx);
  if (!long) return "n/a";
  return measure === "deltaPplPct" ? deltaPplPctCell(long) : meanKldCell(long);
}

const retrievalCell = (score: RetrievalScore | undefined) =>
  !score ? "n/a" : score.skipped ? "n/a" : `${score.correct}/${score.trials}`;

/** The f16 row's retrieval at a length: what the other rows' scores are to be read against. */
function f16Retrieval(report: BenchReport, length: number): RetrievalScore | undefined {
  return report.rows.find((row) => row.label === "f16")?.retrieval.find((r) => r.lengthTokens === length);
}

/** Header and cells of the bench table, shared by the terminal and Markdown renderings. */
export function benchTable(report: BenchReport): { header: string[]; rows: string[][] } {
  const { contexts, speedTest, longContexts, passkey, kvMemoryLimitBytes } = report;
  const savingCtx = contexts.includes(8192) ? 8192 : contexts[contexts.length - 1]!;
  const withMaxContext = kvMemoryLimitBytes !== undefined;
  const header = [
    "K/V",
    ...contexts.map((ctx) => `KV MiB @${ctxLabel(ctx)}`),
    ...(withMaxContext ? [`max ctx @${mib(kvMemoryLimitBytes)} MiB (server / formula)`] : []),
    `saving @${ctxLabel(savingCtx)}`,
    "ΔPPL",
    "ΔPPL % [95%]",
    "KLD [95%]",
    "top-1",
    ...longContexts.flatMap((ctx) => [`ΔPPL % @${ctxLabel(ctx)} [95%]`, `KLD @${ctxLabel(ctx)} [95%]`]),
    ...passkey.lengths.map((length) => `passkey @${ctxLabel(length)}`),
    ...speedTest.depths.flatMap((d) => [
      `pp${speedTest.promptTokens} @d${d} t/s (vs f16)`,
      `tg${speedTest.genTokens} @d${d} t/s (vs f16)`,
    ]),
  ];
  const rows = report.rows.map((row) => [
    row.label,
    ...contexts.map((ctx) => mib(row.kvBytes[ctx]!)),
    ...(withMaxContext ? [maxContextCell(row)] : []),
    `${row.savingPct[savingCtx]!.toFixed(1)}%`,
    signed(row.quality.deltaPpl, 4),
    deltaPplPctCell(row.quality),
    meanKldCell(row.quality),
    `${(row.quality.top1Agreement * 100).toFixed(1)}%`,
    ...longContexts.flatMap((ctx) => [longCell(row, ctx, "deltaPplPct"), longCell(row, ctx, "meanKld")]),
    ...passkey.lengths.map((length) => retrievalCell(row.retrieval.find((r) => r.lengthTokens === length))),
    ...speedTest.depths.flatMap((d) => [speedCell(row, "pp", d), speedCell(row, "tg", d)]),
  ]);
  return { header, rows };
}

/**
 * What the passkey columns can say: at a length where f16 itself does not retrieve the key (fewer than half the
 * trials) the model cannot do the task, and a low score there says nothing about the K/V types.
 */
export function retrievalNotes(report: BenchReport): string[] {
  return report.passkey.lengths.map((length) => {
    const f16 = f16Retrieval(report, length);
    const label = `passkey @${ctxLabel(length)}`;
    if (!f16) return `${label}: no f16 row to compare with`;
    if (f16.skipped) return `${label}: not asked, ${f16.skipped}`;
    return f16.correct * 2 >= f16.trials
      ? `${label}: f16 retrieves ${f16.correct}/${f16.trials}`
      : `${label}: the model cannot do it even with the f16 cache (${f16.correct}/${f16.trials}); the column says nothing about the K/V types`;
  });
}

function longContextProvenance(report: BenchReport): string {
  const parts = [];
  if (report.longContexts.length > 0) {
    parts.push(
      `long-context quality at ${report.longContexts.join(", ")} tokens per chunk, ${report.longChunks} chunk(s) each, ` +
        `the second half of each chunk scored`,
    );
  }
  if (report.passkey.lengths.length > 0) {
    parts.push(
      `passkey retrieval (llama.cpp's examples/passkey prompt) at ${report.passkey.lengths.join(", ")} tokens, ` +
        `${report.passkey.trials} key depths each, greedy, via llama-server`,
    );
  }
  if (report.kvMemoryLimitBytes !== undefined) {
    parts.push(
      `max context: the largest whose K/V allocation llama-server reports within ${mib(report.kvMemoryLimitBytes)} MiB ` +
        `while 256 more tokens would not fit, next to the formula's answer`,
    );
  }
  return parts.map((part) => `; ${part}`).join("");
}

export function provenance(report: BenchReport): string {
  const { machine, speedTest } = report;
  return (
    `model ${report.model.file} (header sha256 ${report.model.headerHash.slice(0, 12)}…); quality on ${report.text.name}, ` +
    `${report.chunks} chunks of ${report.ctx} tokens, KL-divergence vs the f16 cache${longContextProvenance(report)}; ` +
    (speedTest.depths.length > 0
      ? `speed by llama-bench (flash attention, ${machine.threads} threads, median of ${speedTest.repetitions})`
      : "no speed test") +
    `; llama.cpp ${report.build}; ` +
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
    ...retrievalNotes(report).map((note) => `- ${note}`),
    ...(report.passkey.lengths.length > 0 ? [""] : []),
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
    ...retrievalNotes(report),
    provenance(report),
    "",
  ].join("\n");
}
