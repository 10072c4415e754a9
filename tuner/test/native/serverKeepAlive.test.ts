import { execa, type ResultPromise } from "execa";
import { Agent, request, type IncomingMessage } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { resolveNativeBinary } from "../../src/native/binaries.ts";
import { waitUntil } from "../../src/server/processInfo.ts";
import { freeLoopbackPort } from "../../src/util/loopbackPort.ts";
import { smollmModelPath } from "../fixtures.ts";

interface Answer {
  status: number;
  body: string;
  /** whether the request went out on a connection an earlier request had left open */
  reusedSocket: boolean;
}

// One keep-alive connection for every request, as Node's fetch and Raycast keep one per host: whether the next
// request reuses it is exactly whether llama-server kept it open.
describe("llama-server keeps a keep-alive connection open after a streamed answer (patch 0014)", () => {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  let server: ResultPromise;
  let port: number;

  const send = (method: "GET" | "POST", path: string, body?: unknown) =>
    new Promise<Answer>((resolve, reject) => {
      const payload = body === undefined ? undefined : JSON.stringify(body);
      const sent = request(
        {
          host: "127.0.0.1",
          port,
          method,
          path,
          agent,
          headers: payload ? { "content-type": "application/json" } : {},
        },
        (response: IncomingMessage) => {
          let text = "";
          response.setEncoding("utf8");
          response.on("data", (chunk: string) => (text += chunk));
          response.on("end", () =>
            resolve({ status: response.statusCode ?? 0, body: text, reusedSocket: sent.reusedSocket }),
          );
        },
      );
      sent.on("error", reject);
      sent.end(payload);
    });
  const streamedChat = () =>
    send("POST", "/v1/chat/completions", {
      messages: [{ role: "user", content: "Say hi." }],
      max_tokens: 4,
      stream: true,
    });

  beforeAll(async () => {
    port = await freeLoopbackPort();
    server = execa(
      resolveNativeBinary("llama-server"),
      ["-m", smollmModelPath(), "--host", "127.0.0.1", "--port", String(port), "-c", "512", "-np", "1", "-t", "2"],
      { reject: false, stdin: "ignore" },
    );
    const healthy = async () => (await send("GET", "/health").catch(() => undefined))?.status === 200;
    if (!(await waitUntil(healthy, 60_000, 200))) throw new Error("llama-server did not become healthy in 60 s");
  });

  afterAll(async () => {
    agent.destroy();
    server.kill("SIGTERM");
    await server;
  });

  it("answers the requests after a stream on the same connection", async () => {
    for (let round = 0; round < 3; round++) {
      const chat = await streamedChat();
      expect(chat.status).toBe(200);
      expect(chat.body).toContain("data: [DONE]");
      // long enough for a close to reach the agent, which would then open a new connection
      await new Promise((resolve) => setTimeout(resolve, 200));
      const health = await send("GET", "/health");
      expect(health).toMatchObject({ status: 200, reusedSocket: true });
    }
  });

  it("answers a request sent right after a stream ends (what Ask's metadata refresh does)", async () => {
    for (let round = 0; round < 5; round++) {
      expect((await streamedChat()).status).toBe(200);
      expect(await send("GET", "/props")).toMatchObject({ status: 200, reusedSocket: true });
    }
  });
});
