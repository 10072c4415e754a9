import { closeSync, existsSync, openSync, readFileSync, readSync, rmSync, statSync, writeSync } from "node:fs";
import { evalResultPath } from "../config.ts";
import { llamaPerplexityArgs } from "../native/llamaPerplexityArgs.ts";
import { parseKlDivergence, parseKlRunPerplexity } from "../native/perplexityOutput.ts";
import { runNativeTool } from "../native/run.ts";
import { tempPathFor, writeJsonAtomic } from "../util/atomicFile.ts";
import { evalCacheKey } from "./cacheKey.ts";
import { cachedResult, evaluate, type EvaluateOptions } from "./evaluate.ts";
import { ensureKlBaseline } from "./klBaseline.ts";
import {
  deltaPplPctOf,
  interval,
  pairedSe,
  parsePairedQuality,
  scoredTokensPerChunk,
  type Interval,
} from "./pairedQuality.ts";
import type { EvalResult, EvalSetup, KvSetting } from "./types.ts";

/**
 * Chunks [from, to) of a text measured in one llama-perplexity run against f16: the run's own summary (exact
 * token statistics) and its per-chunk values. Every block a setting was measured in is kept, so no chunk is measured
 * twice and more chunks only cost the new ones.
 */
export interface ChunkBlock {
  from: number;
  to: number;
  tokens: number;
  /** mean negative log-likelihood of the setting and of f16 over the block's scored tokens (ln PPL) */
  lnPpl: number;
  lnPplBase: number;
  lnPplRatio: number;
  /** llama.cpp's per-token standard error of the block's mean ln ratio (and of its mean KLD) */
  lnPplRatioTokenSe: number;
  meanKld: number;
  meanKldTokenSe: number;
  top1Agreement: number;
  chunkLnPplRatio: number[];
  chunkKld: number[];
  wallMs: number;
}

/** The blocks of one setting on one text and ctx, and how many chunks the text holds once a baseline ran out. */
interface ChunkCache {
  version: 1;
  blocks: ChunkBlock[];
}

/** A measurement on the first `chunks` chunks, combined from the blocks that cover them. */
export interface ChunkMeasurement {
  chunks: number;
  tokens: number;
  ppl: number;
  pplBase: number;
  deltaPpl: number;
  deltaPplPct: number;
  deltaPplPctInterval: Interval;
  meanKld: number;
  meanKldInterval: Interval;
  top1Agreement: number;
  /** wall time of the runs measured now (0 for blocks from the cache) */
  wallMs: number;
  /** chunks measured by this call (not from the cache) */
  measuredChunks: number;
}

/** tools/perplexity: `if (kld.count < 100) return;` before the summary statistics */
const minBlockTokens = 100;

const setupKey = (setup: EvalSetup, extra: unknown) => evalCacheKey({ ...setup, chunks: 0 }, extra);
const cachePath = (setup: EvalSetup, setting: KvSetting) => evalResultPath(setupKey(setup, { blocks: setting.args }));
const capacityPath = (setup: EvalSetup) => evalResultPath(setupKey(setup, "chunk-capacity"));

function loadBlocks(setup: EvalSetup, setting: KvSetting): ChunkBlock[] {
  const path = cachePath(setup, setting);
  if (!existsSync(path)) return [];
  return (JSON.parse(readFileSync(path, "utf8")) as ChunkCache).blocks;
}

function saveBlock(setup: EvalSetup, setting: KvSetting, block: ChunkBlock) {
  const blocks = loadBlocks(setup, setting).filter((b) => b.from !== block.from || b.to !== block.to);
  blocks.push(block);
  blocks.sort((a, b) => a.from - b.from || a.to - b.to);
  writeJsonAtomic(cachePath(setup, setting), { version: 1, blocks } satisfies ChunkCache);
}

/** How many chunks of `ctx` the text holds, once a baseline found it out (undefined: at least as many as asked so far). */
export function knownChunkCapacity(setup: EvalSetup): number | undefined {
  const path = capacityPath(setup);
  return existsSync(path) ? (JSON.parse(readFileSync(path, "utf8")) as { chunks: number }).chunks : undefined;
}

/** A block from an ordinary evaluation of the first `chunks` chunks (tuner eval and the screening measure those). */
export function blockOfResult(result: EvalResult, wallMs = result.wallMs): ChunkBlock {
  const { paired } = result;
  return {
    from: 0,
    to: paired.chunks,
    tokens: paired.tokens,
    lnPpl: Math.log(result.ppl),
    lnPplBase: Math.log(result.pplBase),
    lnPplRatio: paired.lnPplRatio,
    // results cached before the token errors were kept: the paired one, never smaller
    lnPplRatioTokenSe: paired.lnPplRatioTokenSe ?? paired.lnPplRatioSe,
    meanKld: result.meanKld,
    meanKldTokenSe: paired.meanKldTokenSe ?? paired.meanKldSe,
    top1Agreement: result.top1Agreement,
    chunkLnPplRatio: paired.chunkLnPplRatio,
    chunkKld: paired.chunkKld,
    wallMs,
  };
}

/** Mean and per-token standard error of a quantity over blocks, from each block's mean and standard error. */
function pooled(blocks: ChunkBlock[], mean: (b: ChunkBlock) => number, se: (b: ChunkBlock) => number) {
  const n = blocks.reduce((s, b) => s + b.tokens, 0);
  const m = blocks.reduce((s, b) => s + b.tokens * mean(b), 0) / n;
  // llama.cpp's se² = Var/(N−1) per block (population variance): pool E[x²], then the variance about the pooled mean
  const ex2 = blocks.reduce((s, b) => s + b.tokens * (se(b) ** 2 * Math.max(0, b.tokens - 1) + mean(b) ** 2), 0) / n;
  const variance = Math.max(0, ex2 - m * m);
  return { mean: m, tokenSe: n > 1 ? Math.sqrt(variance / (n - 1)) : 0 };
}

/**
 * One measurement from contiguous blocks, the same statistics evaluate() computes from one run: means over all
 * scored tokens, per-token standard errors pooled from the blocks' own, widened by the spread between chunks
 * (pairedSe). For a single block it is that block's evaluation.
 */
export function combineBlocks(blocks: ChunkBlock[]): Omit<ChunkMeasurement, "measuredChunks" | "wallMs"> {
  if (blocks.length === 0) throw new RangeError("no blocks to combine");
  for (let i = 1; i < blocks.length; i++) {
    if (blocks[i]!.from !== blocks[i - 1]!.to)
      throw new RangeError(
        `blocks not contiguous: [${blocks[i - 1]!.from}, ${blocks[i - 1]!.to}) then [${blocks[i]!.from}, …)`,
      );
  }
  const tokens = blocks.reduce((s, b) => s + b.tokens, 0);
  const mean = (f: (b: ChunkBlock) => number) => blocks.reduce((s, b) => s + b.tokens * f(b), 0) / tokens;
  const ratio = pooled(
    blocks,
    (b) => b.lnPplRatio,
    (b) => b.lnPplRatioTokenSe,
  );
  const kld = pooled(
    blocks,
    (b) => b.meanKld,
    (b) => b.meanKldTokenSe,
  );
  const ratioSe = pairedSe(
    ratio.tokenSe,
    blocks.flatMap((b) => b.chunkLnPplRatio),
  );
  const kldSe = pairedSe(
    kld.tokenSe,
    blocks.flatMap((b) => b.chunkKld),
  );
  const [lo, hi] = interval(ratio.mean, ratioSe);
  const [kldLo, kldHi] = interval(kld.mean, kldSe);
  const ppl = blocks.length === 1 ? Math.exp(blocks[0]!.lnPpl) : Math.exp(mean((b) => b.lnPpl));
  const pplBase = blocks.length === 1 ? Math.exp(blocks[0]!.lnPplBase) : Math.exp(mean((b) => b.lnPplBase));
  return {
    chunks: blocks[blocks.length - 1]!.to - blocks[0]!.from,
    tokens,
    ppl,
    pplBase,
    deltaPpl: ppl - pplBase,
    deltaPplPct: ((ppl - pplBase) / pplBase) * 100,
    deltaPplPctInterval: [deltaPplPctOf(lo), deltaPplPctOf(hi)],
    meanKld: kld.mean,
    meanKldInterval: [Math.max(0, kldLo), kldHi],
    top1Agreement: mean((b) => b.top1Agreement),
  };
}

/** llama-perplexity's KL-divergence base file: header, then every chunk's tokens, then every chunk's log-probs. */
interface BaseLayout {
  nCtx: number;
  nVocab: number;
  nChunk: number;
  tokensOffset: number;
  logProbsOffset: number;
  chunkBytes: number;
}

function readBaseLayout(path: string): BaseLayout {
  const fd = openSync(path, "r");
  try {
    const header = Buffer.alloc(20);
    readSync(fd, header, 0, 20, 0);
    if (header.toString("latin1", 0, 8) !== "_logits_")
      throw new Error(`${path} is not a llama-perplexity logits file`);
    const nCtx = header.readUInt32LE(8);
    const nVocab = header.readInt32LE(12);
    const nChunk = header.readInt32LE(16);
    // tools/perplexity: per chunk (n_ctx − 1 − n_ctx/2) rows of nv uint16 (log-probs of the scored tokens)
    const nv = 2 * Math.floor((nVocab + 1) / 2) + 4;
    const chunkBytes = (nCtx - 1 - Math.floor(nCtx / 2)) * nv * 2;
    const layout = { nCtx, nVocab, nChunk, tokensOffset: 20, logProbsOffset: 20 + nCtx * nChunk * 4, chunkBytes };
    const expected = layout.logProbsOffset + nChunk * chunkBytes;
    if (statSync(path).size !== expected)
      throw new Error(`${path}: ${statSync(path).size} bytes, expected ${expected} for ${nChunk} chunks of ${nCtx}`);
    return layout;
  } finally {
    closeSync(fd);
  }
}

function copyRange(from: number, to: number, offset: number, length: number) {
  const buffer = Buffer.alloc(Math.min(length, 64 << 20));
  for (let done = 0; done < length;) {
    const n = readSync(from, buffer, 0, Math.min(buffer.length, length - done), offset + done);
    if (n <= 0) throw new Error("logits file ended early");
    for (let written = 0; written < n;) written += writeSync(to, buffer, written, n - written);
    done += n;
  }
}

/** A base file of chunks [from, to) of `base`, so llama-perplexity --kl-divergence scores only those. */
export function sliceKlBase(base: string, from: number, to: number, out: string): void {
  const layout = readBaseLayout(base);
  if (!(0 <= from && from < to && to <= layout.nChunk))
    throw new RangeError(`chunks [${from}, ${to}) are not in a base of ${layout.nChunk} chunks`);
  const input = openSync(base, "r");
  const output = openSync(out, "w");
  try {
    const header = Buffer.alloc(20);
    readSync(input, header, 0, 20, 0);
    header.writeInt32LE(to - from, 16);
    writeSync(output, header);
    copyRange(input, output, layout.tokensOffset + from * layout.nCtx * 4, (to - from) * layout.nCtx * 4);
    copyRange(input, output, layout.logProbsOffset + from * layout.chunkBytes, (to - from) * layout.chunkBytes);
  } finally {
    closeSync(input);
    closeSync(output);
  }
}

/** Measures chunks [from, to) of the setup's text alone, against the slice of f16's logits for them. */
async function measureBlock(
  setup: EvalSetup,
  setting: KvSetting,
  from: number,
  to: number,
  options: EvaluateOptions,
): Promise<ChunkBlock | { capacity: number }> {
  const baseline = await ensureKlBaseline({ ...setup, chunks: to }, { signal: options.signal, upTo: true });
  if (baseline.chunks < to) {
    writeJsonAtomic(capacityPath(setup), { chunks: baseline.chunks });
    return { capacity: baseline.chunks };
  }
  const slice = tempPathFor(baseline.path);
  try {
    sliceKlBase(baseline.path, from, to, slice);
    const run = await runNativeTool(
      "llama-perplexity",
      [
        ...llamaPerplexityArgs({ ...setup, chunks: to - from }, setting.args),
        "--kl-divergence-base",
        slice,
        "--kl-divergence",
      ],
      { signal: options.signal },
    );
    const ppl = parseKlRunPerplexity(run.all);
    const kl = parseKlDivergence(run.all);
    const paired = parsePairedQuality(run.all, scoredTokensPerChunk(setup.ctx));
    if (paired.chunks !== to - from)
      throw new Error(
        `llama-perplexity scored ${paired.chunks} chunks of the slice [${from}, ${to}), expected ${to - from}`,
      );
    return {
      from,
      to,
      tokens: paired.tokens,
      lnPpl: Math.log(ppl.ppl),
      lnPplBase: Math.log(kl.pplBase),
      lnPplRatio: paired.lnPplRatio,
      lnPplRatioTokenSe: paired.lnPplRatioTokenSe!,
      meanKld: kl.meanKld,
      meanKldTokenSe: paired.meanKldTokenSe!,
      top1Agreement: kl.sameTop,
      chunkLnPplRatio: paired.chunkLnPplRatio,
      chunkKld: paired.chunkKld,
      wallMs: run.wallMs,
    };
  } finally {
    rmSync(slice, { force: true });
  }
}

/** The contiguous blocks from chunk 0 that cover the first `chunks` (a block may reach past them). */
function coveringPrefix(blocks: ChunkBlock[], chunks: number): ChunkBlock[] {
  const prefix: ChunkBlock[] = [];
  let end = 0;
  for (const b of [...blocks].sort((a, c) => a.from - c.from || c.to - a.to)) {
    if (end >= chunks) break;
    if (b.from === end) {
      prefix.push(b);
      end = b.to;
    }
  }
  return prefix;
}

/** Whether the first `chunks` chunks of the setting are measured already: measureChunks would run nothing. */
export function chunksCovered(setup: EvalSetup, setting: KvSetting, chunks: number): boolean {
  const capacity = knownChunkCapacity(setup);
  const target = capacity === undefined ? chunks : Math.min(chunks, capacity);
  const prefix = coveringPrefix(loadBlocks(setup, setting), target);
  const end = prefix.length ? prefix[prefix.length - 1]!.to : 0;
  return end >= target || (end === 0 && cachedResult({ ...setup, chunks: target }, setting) !== undefined);
}

/**
 * The setting on the first `chunks` chunks of the setup's text, measuring only the chunks no earlier call measured:
 * the first block is an ordinary evaluation (cached and shared with tuner eval), later ones run on a slice of f16's
 * logits. Every block is saved as soon as it is measured, so a killed search loses at most the block that was
 * running. Blocks measured before may reach past `chunks`: the measurement then uses them all (its `chunks` says
 * so). A text that runs out gives fewer chunks than asked for.
 */
export async function measureChunks(
  setup: EvalSetup,
  setting: KvSetting,
  chunks: number,
  options: EvaluateOptions & {
    /** an evaluation of this setting on the first chunks of the same text, e.g. the screening */
    prefix?: EvalResult;
  } = {},
): Promise<ChunkMeasurement> {
  let blocks = loadBlocks(setup, setting);
  if (options.prefix && !blocks.some((b) => b.from === 0 && b.to === options.prefix!.paired.chunks)) {
    saveBlock(setup, setting, blockOfResult(options.prefix, 0));
    blocks = loadBlocks(setup, setting);
  }
  let measuredChunks = 0;
  let wallMs = 0;
  const capacity = knownChunkCapacity(setup);
  const target = capacity === undefined ? chunks : Math.min(chunks, capacity);
  let prefix = coveringPrefix(blocks, target);
  const end = prefix.length ? prefix[prefix.length - 1]!.to : 0;
  if (end < target) {
    let block: ChunkBlock | { capacity: number };
    let cached = false;
    if (end === 0) {
      const { result, fromCache } = await evaluate({ ...setup, chunks: target }, setting, options);
      block = blockOfResult(result, fromCache ? 0 : result.wallMs);
      cached = fromCache;
    } else {
      // llama-perplexity prints no summary for fewer than 100 scored tokens: a block is at least that long
      const minBlock = Math.ceil(minBlockTokens / scoredTokensPerChunk(setup.ctx));
      block = await measureBlock(setup, setting, end, Math.max(target, end + minBlock), options);
      if ("capacity" in block) {
        return measureChunks(setup, setting, block.capacity, { ...options, prefix: undefined });
      }
    }
    measuredChunks = cached ? 0 : block.to - block.from;
    wallMs = block.wallMs;
    saveBlock(setup, setting, block);
    prefix = coveringPrefix(loadBlocks(setup, setting), block.to);
  }
  return { ...combineBlocks(prefix), wallMs, measuredChunks };
}
