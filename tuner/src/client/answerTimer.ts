import type { AnswerStats } from "./types.ts";

/** Times one streamed answer: time to first token, then the generation rate over the rest. */
export class AnswerTimer {
  private readonly startedAt = performance.now();
  private firstTokenAt: number | undefined;
  private lastTokenAt: number | undefined;
  private chunks = 0;

  tokenArrived(): void {
    const now = performance.now();
    this.firstTokenAt ??= now;
    this.lastTokenAt = now;
    this.chunks++;
  }

  /** `completionTokens` from the server's usage report when it sent one; else one token per chunk. */
  finish(usage?: { completionTokens?: number; promptTokens?: number }): AnswerStats {
    const end = performance.now();
    const completionTokens = usage?.completionTokens ?? this.chunks;
    const generationMs = (this.lastTokenAt ?? end) - (this.firstTokenAt ?? end);
    // the first token is the end of prompt processing, so the rate counts the tokens after it
    const tokensPerSecond = generationMs > 0 ? ((completionTokens - 1) * 1000) / generationMs : 0;
    return {
      timeToFirstTokenMs: (this.firstTokenAt ?? end) - this.startedAt,
      tokensPerSecond: Math.max(0, tokensPerSecond),
      completionTokens,
      promptTokens: usage?.promptTokens,
      totalMs: end - this.startedAt,
    };
  }
}
