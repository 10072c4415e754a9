import { EventSourceParserStream } from "eventsource-parser/stream";
import { AnswerTimer } from "./answerTimer.ts";
import { chatChunkSchema, type ChatChunk } from "./chatChunk.ts";
import { AnswerStalledError } from "./errors/AnswerStalledError.ts";
import { ConnectionLostError } from "./errors/ConnectionLostError.ts";
import { InvalidServerResponseError } from "./errors/InvalidServerResponseError.ts";
import { ServerHttpError } from "./errors/ServerHttpError.ts";
import { isAbortError } from "./fetchErrors.ts";
import { requestServer } from "./request.ts";
import type { ChatAnswer, ChatRequest, FetchFunction } from "./types.ts";

export const chatRoute = "/v1/chat/completions";

/** How long a stream may be silent, and how to describe the server when it was. */
export interface IdleLimit {
  timeoutMs: number;
  describeServer: () => Promise<string>;
}

/**
 * Streams one chat completion: `onText` gets every piece of text as it arrives, the promise the whole answer
 * with its timing. Aborting `request.signal` is not an error: the text so far comes back as "cancelled". With
 * `idle`, no byte for its timeout (before the answer's headers or between its pieces) abandons the request with
 * AnswerStalledError.
 */
export async function streamChat(
  baseUrl: string,
  fetchFn: FetchFunction,
  request: ChatRequest,
  onText: (text: string) => void = () => {},
  idle?: IdleLimit,
): Promise<ChatAnswer> {
  const timer = new AnswerTimer();
  let text = "";
  let finishReason: string | undefined;
  let usage: ChatChunk["usage"];

  const watchdog = new IdleWatchdog(idle?.timeoutMs);
  const signal = request.signal ? AbortSignal.any([request.signal, watchdog.signal]) : watchdog.signal;
  const stalled = async () =>
    new AnswerStalledError(chatRoute, text, idle!.timeoutMs, await idle!.describeServer().catch(() => "state unknown"));
  const cancelled = (): ChatAnswer => ({ text, finishReason: "cancelled", stats: timer.finish() });
  let response: Response;
  try {
    response = await requestServer(baseUrl, chatRoute, fetchFn, { body: requestBody(request), signal });
  } catch (error) {
    watchdog.stop();
    if (request.signal?.aborted && isAbortError(error)) return cancelled();
    if (watchdog.fired) throw await stalled();
    throw error;
  }
  if (!response.body) throw new InvalidServerResponseError(chatRoute, "the stream has no body");

  const events = response.body
    .pipeThrough(watchdog.bytesSeen())
    .pipeThrough(new TextDecoderStream())
    .pipeThrough(new EventSourceParserStream())
    .getReader();
  try {
    for (;;) {
      const { done, value: event } = await events.read();
      if (done || event.data === "[DONE]") break;
      const chunk = parseChunk(event.data);
      const choice = chunk.choices[0];
      const piece = choice?.delta?.content;
      if (piece) {
        timer.tokenArrived();
        text += piece;
        onText(piece);
      }
      finishReason = choice?.finish_reason ?? finishReason;
      usage = chunk.usage ?? usage;
    }
  } catch (error) {
    watchdog.stop();
    if (request.signal?.aborted) return cancelled();
    if (watchdog.fired) throw await stalled();
    if (error instanceof ServerHttpError || error instanceof InvalidServerResponseError) throw error;
    throw new ConnectionLostError(chatRoute, text, { cause: error });
  } finally {
    watchdog.stop();
    events.releaseLock();
  }
  // a stream that ends without a finish reason was cut off, not finished
  if (finishReason === undefined) {
    if (request.signal?.aborted) return cancelled();
    throw new ConnectionLostError(chatRoute, text);
  }
  const stats = timer.finish(
    usage ? { completionTokens: usage.completion_tokens, promptTokens: usage.prompt_tokens } : undefined,
  );
  return { text, finishReason, stats };
}

function requestBody(request: ChatRequest): Record<string, unknown> {
  return {
    messages: request.messages,
    stream: true,
    stream_options: { include_usage: true },
    ...(request.maxTokens !== undefined ? { max_tokens: request.maxTokens } : {}),
    ...(request.temperature !== undefined ? { temperature: request.temperature } : {}),
  };
}

function parseChunk(data: string): ChatChunk {
  let json: unknown;
  try {
    json = JSON.parse(data);
  } catch {
    throw new InvalidServerResponseError(chatRoute, `an event that is not JSON: ${data.slice(0, 200)}`);
  }
  const parsed = chatChunkSchema.safeParse(json);
  if (!parsed.success) throw new InvalidServerResponseError(chatRoute, parsed.error.message);
  if (parsed.data.error) {
    throw new ServerHttpError(chatRoute, parsed.data.error.code ?? 500, parsed.data.error.message);
  }
  return parsed.data;
}

/** Aborts its signal once no byte arrived for `timeoutMs` (never without one); every byte re-arms it. */
class IdleWatchdog {
  private readonly controller = new AbortController();
  private timer: ReturnType<typeof setTimeout> | undefined;
  fired = false;

  constructor(private readonly timeoutMs: number | undefined) {
    this.arm();
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** A pass-through stream that re-arms the watchdog on every chunk of bytes. */
  bytesSeen(): TransformStream<Uint8Array<ArrayBuffer>, Uint8Array<ArrayBuffer>> {
    return new TransformStream({
      transform: (chunk, controller) => {
        this.arm();
        controller.enqueue(chunk);
      },
    });
  }

  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private arm(): void {
    if (this.timeoutMs === undefined || this.controller.signal.aborted) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.fired = true;
      // closing the connection is what tells a live llama-server to drop the task
      this.controller.abort(new DOMException("the answer went silent", "TimeoutError"));
    }, this.timeoutMs);
  }
}
