/** What llama-perplexity printed, read back into numbers. */
export interface PerplexityResult {
  ppl: number;
  pplError: number;
  /** Running PPL after each chunk, as llama-perplexity prints it ("[1]12.3,[2]11.9,..."). */
  chunkPpl: number[];
}

/** Present when llama-perplexity ran with --kl-divergence against saved f16 logits. */
export interface KlDivergenceResult {
  meanKld: number;
  meanKldError: number;
  /** Share of tokens whose most likely next token is the same as the baseline's, 0..1. */
  sameTop: number;
  sameTopError: number;
  pplBase: number;
}

export class PerplexityOutputError extends Error {
  constructor(what: string, tail: string) {
    super(`llama-perplexity output has no ${what}; last output:\n${tail}`);
    this.name = "PerplexityOutputError";
  }
}

const tailOf = (text: string) => text.trim().split("\n").slice(-15).join("\n");

export function parseChunkPpl(output: string): number[] {
  return [...output.matchAll(/\[(\d+)\](\d+(?:\.\d+)?|nan|inf),/g)].map((m) => Number(m[2]));
}

export function parsePerplexity(output: string): PerplexityResult {
  const final = output.match(/Final estimate: PPL = ([\d.]+) \+\/- ([\d.]+)/);
  if (!final) {
    throw new PerplexityOutputError("final PPL estimate", tailOf(output));
  }
  return { ppl: Number(final[1]), pplError: Number(final[2]), chunkPpl: parseChunkPpl(output) };
}

export function parseKlDivergence(output: string): KlDivergenceResult {
  const kld = output.match(/Mean\s+KLD:\s+([-\d.]+)\s+±\s+([\d.]+)/);
  const top = output.match(/Same top p:\s+([\d.]+)\s+±\s+([\d.]+)\s+%/);
  const base = output.match(/Mean PPL\(base\)\s+:\s+([\d.]+)/);
  if (!kld || !top || !base) {
    throw new PerplexityOutputError("KL-divergence summary", tailOf(output));
  }
  return {
    meanKld: Number(kld[1]),
    meanKldError: Number(kld[2]),
    sameTop: Number(top[1]) / 100,
    sameTopError: Number(top[2]) / 100,
    pplBase: Number(base[1]),
  };
}

/** PPL from a --kl-divergence run, which prints "Mean PPL(Q)" instead of "Final estimate". */
export function parseKlRunPerplexity(output: string): PerplexityResult {
  const q = output.match(/Mean PPL\(Q\)\s+:\s+([\d.]+)\s+±\s+([\d.]+)/);
  if (!q) {
    throw new PerplexityOutputError("Mean PPL(Q)", tailOf(output));
  }
  return { ppl: Number(q[1]), pplError: Number(q[2]), chunkPpl: [] };
}
