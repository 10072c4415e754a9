import { describe, expect, it } from "vitest";
import { AnswerStalledError } from "./errors/AnswerStalledError.ts";
import { ConnectionLostError } from "./errors/ConnectionLostError.ts";
import { InvalidServerResponseError } from "./errors/InvalidServerResponseError.ts";
import { ServerHttpError } from "./errors/ServerHttpError.ts";
import { ServerNotRunningError } from "./errors/ServerNotRunningError.ts";
import { ServerTimeoutError } from "./errors/ServerTimeoutError.ts";
import { LlamaServerClient } from "./LlamaServerClient.ts";
import type { FetchFunction } from "./types.ts";

// The client's replaceable fetch, answered by these tests with real Response objects and real byte streams: what
// llama-server would send, including the failures a live server only produces by chance (a cut stream, a timeout).

const baseUrl = "http://127.0.0.1:8737";
const question = { messages: [{ role: "user" as const, content: "2+2?" }] };

interface SeenRequest {
  url: string;
  method: string;
  headers: Headers;
  body: unknown;
}

/** A fetch that records each request and answers it with `answer`. */
function fakeFetch(answer: (url: string, init: RequestInit) => Promise<Response> | Response) {
  const seen: SeenRequest[] = [];
  const fetch: FetchFunction = async (input, init = {}) => {
    const url = String(input);
    seen.push({
      url,
      method: init.method ?? "GET",
      headers: new Headers(init.headers),
      body: typeof init.body === "string" ? JSON.parse(init.body) : undefined,
    });
    return answer(url, init);
  };
  return { fetch, seen };
}

const encoder = new TextEncoder();

/** A streamed body sent in exactly these byte pieces; with `holdAfter`, it then waits until the signal aborts. */
function byteStream(pieces: Uint8Array[], signal?: AbortSignal | null, holdAfter = false): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(controller) {
      for (const piece of pieces) controller.enqueue(piece);
      if (!holdAfter) return controller.close();
      // as undici does: aborting the request errors the body it is reading
      signal?.addEventListener("abort", () => controller.error(signal.reason));
    },
  });
}

const event = (data: unknown) => `data: ${typeof data === "string" ? data : JSON.stringify(data)}\n\n`;
const piece = (content: string) => ({ choices: [{ delta: { content }, finish_reason: null }] });
const finish = (reason: string) => ({ choices: [{ delta: {}, finish_reason: reason }] });
const usage = { choices: [], usage: { completion_tokens: 5, prompt_tokens: 11 } };

/** The bytes of `text` cut every `size` bytes, so events, lines and UTF-8 characters are split across reads. */
function cut(text: string, size: number): Uint8Array[] {
  const bytes = encoder.encode(text);
  const pieces: Uint8Array[] = [];
  for (let i = 0; i < bytes.length; i += size) pieces.push(bytes.slice(i, i + size));
  return pieces;
}

const sse = (body: ReadableStream<Uint8Array>) =>
  new Response(body, { status: 200, headers: { "content-type": "text/event-stream" } });

/** A fetch rejected the way undici rejects it: TypeError "fetch failed" around the socket error. */
function fetchFailed(code: string): TypeError {
  return new TypeError("fetch failed", { cause: Object.assign(new Error(code), { code }) });
}

/** A fetch that answers only when the request's signal aborts, and then rejects with its reason (as undici does). */
const neverAnswers: FetchFunction = (_input, init) =>
  new Promise((_resolve, reject) => {
    const signal = init?.signal;
    if (signal?.aborted) reject(signal.reason);
    signal?.addEventListener("abort", () => reject(signal.reason));
  });

describe("LlamaServerClient.chat: the stream", () => {
  it("joins pieces split anywhere (mid-event, mid-character), in order, with the finish reason and usage", async () => {
    const text = [piece("Vier"), piece(" – "), piece("ünf? 4"), finish("stop"), usage, "[DONE]"].map(event).join("");
    const { fetch, seen } = fakeFetch((_url, init) => sse(byteStream(cut(text, 7), init.signal)));
    const client = new LlamaServerClient({ baseUrl: `${baseUrl}/`, fetch, apiKey: "k1" });
    const pieces: string[] = [];

    const answer = await client.chat({ ...question, maxTokens: 16, temperature: 0 }, (p) => pieces.push(p));

    expect(pieces).toEqual(["Vier", " – ", "ünf? 4"]);
    expect(answer.text).toBe("Vier – ünf? 4");
    expect(answer.finishReason).toBe("stop");
    expect(answer.stats.completionTokens).toBe(5);
    expect(answer.stats.promptTokens).toBe(11);
    expect(seen).toHaveLength(1);
    expect(seen[0]!.url).toBe(`${baseUrl}/v1/chat/completions`);
    expect(seen[0]!.method).toBe("POST");
    expect(seen[0]!.headers.get("authorization")).toBe("Bearer k1");
    expect(seen[0]!.body).toEqual({
      messages: question.messages,
      stream: true,
      stream_options: { include_usage: true },
      max_tokens: 16,
      temperature: 0,
    });
  });

  it("calls a stream that ends without a finish reason a lost connection, keeping the text and naming the log", async () => {
    const { fetch } = fakeFetch((_url, init) => sse(byteStream([encoder.encode(event(piece("half")))], init.signal)));
    const client = new LlamaServerClient({ baseUrl, fetch, logPath: "/support/server.log" });

    const error = await client.chat(question).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(ConnectionLostError);
    expect((error as ConnectionLostError).partialText).toBe("half");
    expect((error as ConnectionLostError).message).toContain("see /support/server.log");
  });

  it("turns an error event inside the stream into ServerHttpError, and a non-JSON event into a clear error", async () => {
    const failing = event({ error: { code: 500, message: "context full" } });
    const { fetch } = fakeFetch((_url, init) =>
      sse(byteStream([encoder.encode(event(piece("a")) + failing)], init.signal)),
    );
    const error = await new LlamaServerClient({ baseUrl, fetch }).chat(question).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServerHttpError);
    expect(error).toMatchObject({ status: 500, serverMessage: "context full" });

    const garbled = fakeFetch((_url, init) => sse(byteStream([encoder.encode(event("{not json"))], init.signal)));
    await expect(new LlamaServerClient({ baseUrl, fetch: garbled.fetch }).chat(question)).rejects.toThrow(
      new InvalidServerResponseError("/v1/chat/completions", "an event that is not JSON: {not json"),
    );
  });
});

describe("LlamaServerClient: HTTP errors and a server that is not there", () => {
  it("names the route, status and the server's own message of a non-2xx answer", async () => {
    const { fetch } = fakeFetch(() =>
      Response.json({ error: { message: "Invalid API Key", type: "authentication_error" } }, { status: 401 }),
    );
    const error = await new LlamaServerClient({ baseUrl, fetch }).chat(question).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServerHttpError);
    expect((error as ServerHttpError).message).toBe(
      "llama-server answered /v1/chat/completions with HTTP 401: Invalid API Key",
    );
  });

  it("says ready on 200, loading on 503, down when the connection is refused, and throws on other statuses", async () => {
    const health = (answer: () => Response | Promise<Response>) =>
      new LlamaServerClient({ baseUrl, fetch: fakeFetch(answer).fetch }).health();
    expect(await health(() => Response.json({ status: "ok" }))).toBe("ready");
    expect(await health(() => Response.json({ error: { message: "Loading model" } }, { status: 503 }))).toBe("loading");
    expect(await health(() => Promise.reject(fetchFailed("ECONNREFUSED")))).toBe("down");
    await expect(health(() => new Response("teapot", { status: 418 }))).rejects.toThrow(
      "llama-server answered /health with HTTP 418: teapot",
    );
  });

  it("calls a refused chat ServerNotRunningError and a reset before any answer a lost connection", async () => {
    const refused = fakeFetch(() => Promise.reject(fetchFailed("ECONNREFUSED")));
    await expect(new LlamaServerClient({ baseUrl, fetch: refused.fetch }).chat(question)).rejects.toThrow(
      ServerNotRunningError,
    );
    const reset = fakeFetch(() => Promise.reject(fetchFailed("ECONNRESET")));
    await expect(new LlamaServerClient({ baseUrl, fetch: reset.fetch }).chat(question)).rejects.toThrow(
      ConnectionLostError,
    );
  });

  it("sends a GET once more when its connection closes before any answer, but never a chat", async () => {
    let closes = 1;
    const staleOnce = fakeFetch(() =>
      closes-- > 0 ? Promise.reject(fetchFailed("UND_ERR_SOCKET")) : Response.json({}),
    );
    expect(await new LlamaServerClient({ baseUrl, fetch: staleOnce.fetch }).health()).toBe("ready");
    expect(staleOnce.seen.map((request) => request.url)).toEqual([`${baseUrl}/health`, `${baseUrl}/health`]);

    const alwaysClosed = fakeFetch(() => Promise.reject(fetchFailed("UND_ERR_SOCKET")));
    await expect(new LlamaServerClient({ baseUrl, fetch: alwaysClosed.fetch }).health()).rejects.toThrow(
      ConnectionLostError,
    );
    expect(alwaysClosed.seen).toHaveLength(2);
    // a chat the server may have started is not sent twice
    await expect(new LlamaServerClient({ baseUrl, fetch: alwaysClosed.fetch }).chat(question)).rejects.toThrow(
      ConnectionLostError,
    );
    expect(alwaysClosed.seen).toHaveLength(3);
  });

  it("reads the K/V report of the patched /props, nothing from a stock server, and refuses a malformed one", async () => {
    const props = (kvCache: unknown) =>
      new LlamaServerClient({ baseUrl, fetch: fakeFetch(() => Response.json({ kv_cache: kvCache })).fetch }).kvCache();
    const layer = { il: 0, type_k: "q8_0", type_v: "q4_0", size_k: 100, size_v: 60, swa: false };
    expect(await props({ size_k: 100, size_v: 60, layers: [layer] })).toEqual({
      sizeK: 100,
      sizeV: 60,
      layers: [{ il: 0, typeK: "q8_0", typeV: "q4_0", sizeK: 100, sizeV: 60, swa: false }],
    });
    expect(await props(undefined)).toBeUndefined();
    await expect(props({ size_k: "big" })).rejects.toThrow(InvalidServerResponseError);
  });
});

describe("LlamaServerClient: timeouts and abort", () => {
  it("gives up on a short request after requestTimeoutMs with ServerTimeoutError", async () => {
    const client = new LlamaServerClient({ baseUrl, fetch: neverAnswers, requestTimeoutMs: 50 });
    const started = performance.now();
    await expect(client.health()).rejects.toThrow(new ServerTimeoutError("/health", 50));
    await expect(client.busySlots()).rejects.toThrow(ServerTimeoutError);
    expect(performance.now() - started).toBeLessThan(2_000);
  });

  it("returns the text so far as cancelled when the caller aborts mid-answer, and nothing when before it", async () => {
    const controller = new AbortController();
    const { fetch } = fakeFetch((_url, init) =>
      sse(byteStream([encoder.encode(event(piece("Four")) + event(piece(",")))], init.signal, true)),
    );
    const pieces: string[] = [];
    const answer = new LlamaServerClient({ baseUrl, fetch }).chat({ ...question, signal: controller.signal }, (p) => {
      pieces.push(p);
      if (pieces.length === 2) controller.abort();
    });
    expect(await answer).toMatchObject({ text: "Four,", finishReason: "cancelled" });

    const early = new AbortController();
    early.abort();
    const before = await new LlamaServerClient({ baseUrl, fetch: neverAnswers }).chat({
      ...question,
      signal: early.signal,
    });
    expect(before).toMatchObject({ text: "", finishReason: "cancelled" });
  });

  it("abandons an answer that sends no byte for answerIdleTimeoutMs, naming the server's state, keeping the text", async () => {
    // the answer's first piece, then silence; /health does not answer either (a stopped server)
    const { fetch, seen } = fakeFetch((url, init) =>
      url.endsWith("/health")
        ? neverAnswers(url, init)
        : sse(byteStream([encoder.encode(event(piece("Four")))], init.signal, true)),
    );
    const client = new LlamaServerClient({
      baseUrl,
      fetch,
      answerIdleTimeoutMs: 200,
      describeProcess: async () => "pid 4242 is stopped",
    });
    const started = performance.now();
    const error = await client.chat(question).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AnswerStalledError);
    expect((error as AnswerStalledError).partialText).toBe("Four");
    expect((error as Error).message).toBe(
      "llama-server sent nothing for 0.2 s during /v1/chat/completions, so the answer was abandoned (expected a " +
        "token or a keep-alive at least that often); pid 4242 is stopped; it does not answer /health either (hung or stopped)",
    );
    expect(performance.now() - started).toBeGreaterThanOrEqual(200);
    expect(seen.map((request) => request.url)).toEqual([`${baseUrl}/v1/chat/completions`, `${baseUrl}/health`]);
  });

  it("never abandons an answer whose bytes keep coming, however long it takes in all", async () => {
    const pieces = Array.from({ length: 8 }, (_, i) => event(piece(String(i))));
    const slow = (signal: AbortSignal | null | undefined) =>
      new ReadableStream<Uint8Array>({
        async start(controller) {
          signal?.addEventListener("abort", () => controller.error(signal.reason));
          for (const text of [...pieces, event(finish("stop"))]) {
            await new Promise((resolve) => setTimeout(resolve, 60));
            if (signal?.aborted) return;
            controller.enqueue(encoder.encode(text));
          }
          controller.close();
        },
      });
    const { fetch } = fakeFetch((_url, init) => sse(slow(init.signal)));
    const answer = await new LlamaServerClient({ baseUrl, fetch, answerIdleTimeoutMs: 200 }).chat(question);
    expect(answer).toMatchObject({ text: "01234567", finishReason: "stop" });
    expect(answer.stats.totalMs).toBeGreaterThan(400);
  });

  it("abandons a request whose answer never begins (no headers) after the same silence", async () => {
    const client = new LlamaServerClient({
      baseUrl,
      fetch: neverAnswers,
      answerIdleTimeoutMs: 100,
      requestTimeoutMs: 100,
    });
    const error = await client.chat(question).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AnswerStalledError);
    expect((error as Error).message).toContain("sent nothing for 0.1 s");
  });
});
