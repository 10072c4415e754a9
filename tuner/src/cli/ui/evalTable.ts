import type { RetrievalScore } from "../../eval/retrieval.ts";
import type { EvalResult } from "../../eval/types.ts";
import type { PerLayerTypes } from "../../profiles/perLayerTypes.ts";
import { formatBytes } from "../../util/format.ts";

/** The quality numbers of an EvalResult, plus where they came from and what they cost. */
export interface EvalReport extends Pick<
  EvalResult,
  "ppl" | "pplError" | "pplBase" | "deltaPpl" | "deltaPplPct" | "meanKld" | "meanKldError" | "top1Agreement"
> {
  /** 95% intervals from the per-token differences against f16 (eval/pairedQuality.ts) */
  deltaPplPctInterval: [number, number];
  meanKldInterval: [number, number];
  setting: string;
  types: PerLayerTypes;
  model: { file: string; headerHash: string };
  text: { name: string; sha256: string };
  ctx: number;
  chunks: number;
  build: string;
  kvBytes: { measured: number; formula: number; k: number; v: number };
  /** passkey retrieval per length with this setting, and with f16 on the same prompts */
  retrieval?: { setting: RetrievalScore; f16: RetrievalScore }[];
  fromCache: boolean;
  baselineComputed: boolean;
  llamaWallMs: number;
  totalWallMs: number;
}

const signed = (n: number, digits: number) => `${n >= 0 ? "+" : ""}${n.toFixed(digits)}`;

function retrievalLine(setting: RetrievalScore, f16: RetrievalScore): string {
  if (setting.skipped) return `not asked: ${setting.skipped}`;
  const f16Says =
    f16.correct * 2 >= f16.trials
      ? `f16 ${f16.correct}/${f16.trials}`
      : `f16 ${f16.correct}/${f16.trials}: the model cannot do it even with f16`;
  return `${setting.correct}/${setting.trials} keys retrieved (${f16Says})`;
}

/** A short table for people; --json carries every field. */
export function formatEvalTable(r: EvalReport): string {
  const rows: [string, string][] = [
    ["setting", r.setting],
    ["model", r.model.file],
    ["text", `${r.text.name} (ctx ${r.ctx}, ${r.chunks} chunks)`],
    ["llama.cpp", r.build],
    ["PPL", `${r.ppl.toFixed(4)} ± ${r.pplError.toFixed(4)}`],
    ["PPL f16", r.pplBase.toFixed(4)],
    [
      "ΔPPL",
      `${signed(r.deltaPpl, 4)} (${signed(r.deltaPplPct, 3)}%; 95% interval ${signed(r.deltaPplPctInterval[0], 3)}% to ${signed(r.deltaPplPctInterval[1], 3)}%)`,
    ],
    ["mean KLD vs f16", `${r.meanKld.toFixed(6)} ± ${r.meanKldError.toFixed(6)}`],
    ["top-1 agreement", `${(r.top1Agreement * 100).toFixed(2)}%`],
    [
      "K/V bytes (llama.cpp)",
      `${r.kvBytes.measured} B (${formatBytes(r.kvBytes.measured)}; K ${formatBytes(r.kvBytes.k)}, V ${formatBytes(r.kvBytes.v)})`,
    ],
    [
      "K/V bytes (formula)",
      `${r.kvBytes.formula} B: ${r.kvBytes.formula === r.kvBytes.measured ? "match" : "MISMATCH"}`,
    ],
    ...(r.retrieval ?? []).map(({ setting, f16 }): [string, string] => [
      `passkey @${setting.lengthTokens}`,
      retrievalLine(setting, f16),
    ]),
    ["result", r.fromCache ? "from cache" : `measured in ${(r.llamaWallMs / 1000).toFixed(1)} s`],
  ];
  const width = Math.max(...rows.map(([name]) => name.length));
  return `${rows.map(([name, value]) => `${name.padEnd(width)}  ${value}`).join("\n")}\n`;
}
