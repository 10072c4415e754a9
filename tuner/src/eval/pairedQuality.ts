import { PerplexityOutputError } from "../native/perplexityOutput.ts";

/** z for a two-sided 95% interval: its upper end is the bound a budget is checked against. */
export const confidenceZ = 1.96;

/** A 95% interval, low end first. */
export type Interval = [number, number];

/**
 * A setting against f16 on the same tokens (llama-perplexity --kl-divergence): the per-token differences are
 * paired, so most of the text's own noise cancels. Standard errors are the larger of llama.cpp's per-token one
 * and the spread between chunks (tokens of one chunk are not independent), so a few odd chunks widen the interval.
 */
export interface PairedQuality {
  chunks: number;
  /** scored tokens: the second half of each chunk */
  tokens: number;
  /** mean ln(PPL(setting)/PPL(f16)) over the scored tokens, and its standard error */
  lnPplRatio: number;
  lnPplRatioSe: number;
  /** ΔPPL as a percentage of PPL(f16), 95% interval */
  deltaPplPctInterval: Interval;
  meanKldSe: number;
  meanKldInterval: Interval;
  /** llama.cpp's per-token standard errors alone (absent in results cached before they were kept) */
  lnPplRatioTokenSe?: number;
  meanKldTokenSe?: number;
  /** per chunk, recovered from llama-perplexity's running means */
  chunkLnPplRatio: number[];
  chunkKld: number[];
}

/** Between-chunk spread is only an estimate worth taking from this many chunks on. */
const minChunksForSpread = 4;

export const interval = (mean: number, se: number, z = confidenceZ): Interval => [mean - z * se, mean + z * se];

/** ΔPPL% from a mean log ratio: PPL(Q)/PPL(base) = exp(mean ln ratio). */
export const deltaPplPctOf = (lnRatio: number) => Math.expm1(lnRatio) * 100;

/** Standard error of the mean of `values` (sample standard deviation / √n). */
export function standardError(values: number[]): number {
  const n = values.length;
  if (n < 2) return 0;
  const mean = values.reduce((s, v) => s + v, 0) / n;
  const variance = values.reduce((s, v) => s + (v - mean) ** 2, 0) / (n - 1);
  return Math.sqrt(variance / n);
}

/** Chunk i's own value from running means over equal-sized chunks: i·mᵢ − (i−1)·mᵢ₋₁. */
export function chunkValuesFromRunningMeans(running: number[]): number[] {
  return running.map((m, i) => (i === 0 ? m : (i + 1) * m - i * running[i - 1]!));
}

/** The larger of the per-token standard error and, with enough chunks, the between-chunk one. */
export function pairedSe(tokenSe: number, chunkValues: number[]): number {
  return chunkValues.length >= minChunksForSpread ? Math.max(tokenSe, standardError(chunkValues)) : tokenSe;
}

// "   3     43.3784 ±    4.2804     0.00773 ±    0.00508     0.01004 ±    0.00037     2.102 ±  0.160 %  ..."
const chunkRow = /^\s*(\d+)\s+(?:[\d.]+|nan|inf)\s+±\s+\S+\s+(-?[\d.]+)\s+±\s+\S+\s+(-?[\d.]+)\s+±/gm;

/** Tokens llama-perplexity scores per chunk of `ctx`: the second half, less the last token. */
export const scoredTokensPerChunk = (ctx: number) => ctx - 1 - Math.floor(ctx / 2);

/**
 * llama.cpp prints an uncertainty as sqrt(E[x²] − E[x]²)-style differences: when a setting scores (almost) exactly
 * what f16 scores, round-off makes the variance a tiny negative number and the uncertainty `-nan`. It is zero.
 */
const uncertainty = "(-?nan|[\\d.]+)";
const uncertaintyOf = (printed: string) => (printed.endsWith("nan") ? 0 : Number(printed));

/** The paired statistics of a --kl-divergence run: summary lines plus the per-chunk table. */
export function parsePairedQuality(output: string, tokensPerChunk: number): PairedQuality {
  const ratio = output.match(
    new RegExp(`Mean ln\\(PPL\\(Q\\)/PPL\\(base\\)\\)\\s+:\\s+(-?[\\d.]+)\\s+±\\s+${uncertainty}`),
  );
  const kld = output.match(new RegExp(`Mean\\s+KLD:\\s+(-?[\\d.]+)\\s+±\\s+${uncertainty}`));
  const rows = [...output.matchAll(chunkRow)];
  if (!ratio || !kld || rows.length === 0) {
    const tail = output.trim().split("\n").slice(-15).join("\n");
    throw new PerplexityOutputError("paired statistics (ln(PPL(Q)/PPL(base)), KLD, per-chunk table)", tail);
  }
  const chunkLnPplRatio = chunkValuesFromRunningMeans(rows.map((r) => Number(r[2])));
  const chunkKld = chunkValuesFromRunningMeans(rows.map((r) => Number(r[3])));
  const lnPplRatio = Number(ratio[1]);
  const lnPplRatioTokenSe = uncertaintyOf(ratio[2]!);
  const lnPplRatioSe = pairedSe(lnPplRatioTokenSe, chunkLnPplRatio);
  const meanKld = Number(kld[1]);
  const meanKldTokenSe = uncertaintyOf(kld[2]!);
  const meanKldSe = pairedSe(meanKldTokenSe, chunkKld);
  const [lo, hi] = interval(lnPplRatio, lnPplRatioSe);
  const [kldLo, kldHi] = interval(meanKld, meanKldSe);
  return {
    chunks: rows.length,
    tokens: rows.length * tokensPerChunk,
    lnPplRatio,
    lnPplRatioSe,
    deltaPplPctInterval: [deltaPplPctOf(lo), deltaPplPctOf(hi)],
    meanKldSe,
    meanKldInterval: [Math.max(0, kldLo), kldHi],
    chunkLnPplRatio,
    chunkKld,
    lnPplRatioTokenSe,
    meanKldTokenSe,
  };
}
