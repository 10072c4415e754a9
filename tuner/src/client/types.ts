export type FetchFunction = typeof globalThis.fetch;

export interface ChatMessage {
  role: "system" | "user" | "assistant";
  content: string;
}

export interface ChatRequest {
  /** the whole conversation so far, oldest first; the last one is the new question */
  messages: ChatMessage[];
  /** Defaults to the server's limit (until end of text or the context is full). */
  maxTokens?: number;
  /** Defaults to the server's sampling settings. */
  temperature?: number;
  /** aborting ends the answer early; the text so far is returned with `finishReason: "cancelled"` */
  signal?: AbortSignal;
}

/** Speed of one answer, measured on the client so it includes HTTP and streaming overhead. */
export interface AnswerStats {
  /** request sent → first text chunk */
  timeToFirstTokenMs: number;
  /** generated tokens per second after the first one */
  tokensPerSecond: number;
  completionTokens: number;
  /** tokens the server read for this answer: the whole conversation (from the server's usage report) */
  promptTokens?: number;
  totalMs: number;
}

export interface ChatAnswer {
  text: string;
  /** "stop" (end of text), "length" (token limit), "cancelled" (aborted), or what the server said */
  finishReason: string;
  stats: AnswerStats;
}

export type HealthState = "ready" | "loading" | "down";
