import { z } from "zod";
import { kvCacheReportFromServer, serverKvCacheSchema, type KvCacheReport } from "../native/kvReport.ts";
import { withApiKey } from "./authorizedFetch.ts";
import { streamChat } from "./chatStream.ts";
import { ConnectionLostError } from "./errors/ConnectionLostError.ts";
import { InvalidServerResponseError } from "./errors/InvalidServerResponseError.ts";
import { ServerHttpError } from "./errors/ServerHttpError.ts";
import { ServerNotRunningError } from "./errors/ServerNotRunningError.ts";
import { ServerTimeoutError } from "./errors/ServerTimeoutError.ts";
import { isAbortError } from "./fetchErrors.ts";
import { requestServer } from "./request.ts";
import type { ChatAnswer, ChatRequest, FetchFunction, HealthState } from "./types.ts";

export interface LlamaServerClientOptions {
  /** e.g. `http://127.0.0.1:8737` */
  baseUrl: string;
  /** Defaults to `globalThis.fetch`; tests and other runtimes pass their own. */
  fetch?: FetchFunction;
  /** Timeout of short requests (health, props). Defaults to 10 000 ms. */
  requestTimeoutMs?: number;
  /** Sent as `Authorization: Bearer <apiKey>`; the managed server refuses requests without it. */
  apiKey?: string;
  /** The server's log, named when the connection breaks mid-answer. */
  logPath?: string;
  /**
   * How long a streamed answer may send no byte (while the prompt is read, or between tokens) before it is
   * abandoned with AnswerStalledError. Defaults to {@link defaultAnswerIdleTimeoutMs}.
   */
  answerIdleTimeoutMs?: number;
  /** What the OS says about the server's process (ServerManager knows its pid), for the stalled-answer error. */
  describeProcess?: () => Promise<string>;
}

/**
 * No byte for two minutes: far longer than llama-server takes to read a full 4096-token prompt on a laptop CPU
 * with the default model (seconds), short enough that a stopped or hung server is named instead of waited on.
 */
export const defaultAnswerIdleTimeoutMs = 120_000;

// the health probe after a stall must not stall the error itself
const stallProbeTimeoutMs = 2_000;

const slotsSchema = z.array(z.object({ id: z.number(), is_processing: z.boolean() }));

/** llama-server's OpenAI-compatible API plus its /health and (patched) /props. Never starts anything. */
export class LlamaServerClient {
  readonly baseUrl: string;
  private readonly fetchFn: FetchFunction;
  private readonly requestTimeoutMs: number;
  private readonly logPath: string | undefined;
  private readonly answerIdleTimeoutMs: number;
  private readonly describeProcess: (() => Promise<string>) | undefined;

  constructor(options: LlamaServerClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/$/, "");
    this.fetchFn = withApiKey(options.fetch ?? globalThis.fetch, options.apiKey);
    this.logPath = options.logPath;
    this.requestTimeoutMs = options.requestTimeoutMs ?? 10_000;
    this.answerIdleTimeoutMs = options.answerIdleTimeoutMs ?? defaultAnswerIdleTimeoutMs;
    this.describeProcess = options.describeProcess;
  }

  /** "ready" on 200, "loading" on 503 (the model is still loading), "down" when nothing listens. */
  async health(): Promise<HealthState> {
    try {
      await this.get("/health");
      return "ready";
    } catch (error) {
      if (error instanceof ServerNotRunningError) return "down";
      if (error instanceof ServerHttpError && error.status === 503) return "loading";
      throw error;
    }
  }

  /** The K/V cache the server allocated, from the patched /props; undefined on a stock llama-server. */
  async kvCache(): Promise<KvCacheReport | undefined> {
    const props = (await (await this.get("/props")).json()) as { kv_cache?: unknown };
    if (props.kv_cache === undefined) return undefined;
    const parsed = serverKvCacheSchema.safeParse(props.kv_cache);
    if (!parsed.success) throw new InvalidServerResponseError("/props", `kv_cache: ${parsed.error.message}`);
    return kvCacheReportFromServer(parsed.data);
  }

  /**
   * How many slots are generating now, from GET /slots. Zero once an answer ends, including one whose client
   * went away: llama-server cancels a streaming task when its connection closes.
   */
  async busySlots(): Promise<number> {
    const parsed = slotsSchema.safeParse(await (await this.get("/slots")).json());
    if (!parsed.success) throw new InvalidServerResponseError("/slots", parsed.error.message);
    return parsed.data.filter((slot) => slot.is_processing).length;
  }

  /** Streams an answer; see {@link streamChat}. */
  chat(request: ChatRequest, onText?: (text: string) => void): Promise<ChatAnswer> {
    const idle = { timeoutMs: this.answerIdleTimeoutMs, describeServer: () => this.describeStalledServer() };
    return streamChat(this.baseUrl, this.fetchFn, request, onText, idle).catch((error: unknown) => {
      // the stream knows no paths: name the log where the server's last words are
      if (error instanceof ConnectionLostError && this.logPath !== undefined && error.logPath === undefined) {
        throw new ConnectionLostError(error.route, error.partialText, { cause: error.cause, logPath: this.logPath });
      }
      throw error;
    });
  }

  /** The server's state after an answer went silent: its process (when known), and whether /health answers. */
  private async describeStalledServer(): Promise<string> {
    const process = await this.describeProcess?.().catch(() => undefined);
    let health: string;
    try {
      await this.get("/health", stallProbeTimeoutMs);
      health = "it answers /health, so it runs but this answer stalled";
    } catch (error) {
      if (error instanceof ServerTimeoutError) health = `it does not answer /health either (hung or stopped)`;
      else if (error instanceof ServerNotRunningError) health = "nothing listens on its port any more";
      else health = `/health fails: ${error instanceof Error ? error.message : String(error)}`;
    }
    return process ? `${process}; ${health}` : health;
  }

  private async get(route: string, timeoutMs = this.requestTimeoutMs): Promise<Response> {
    try {
      return await requestServer(this.baseUrl, route, this.fetchFn, { signal: AbortSignal.timeout(timeoutMs) });
    } catch (error) {
      if (isAbortError(error)) throw new ServerTimeoutError(route, timeoutMs);
      throw error;
    }
  }
}
