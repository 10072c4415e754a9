import { execa, type ResultPromise } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freeLoopbackPort } from "../../src/util/loopbackPort.ts";
import { resolveNativeBinary } from "../../src/native/binaries.ts";
import { serverKvCacheSchema } from "../../src/native/kvReport.ts";
import { waitUntil } from "../../src/server/processInfo.ts";
import { gemmaModelPath } from "../fixtures.ts";

// The mixed profile of issue #2: K 0-8 q8_0 / 9-17 q4_0, V q4_0 everywhere, at context 4096.
describe("llama-server with per-layer K/V types", () => {
  let server: ResultPromise;
  let base: string;

  beforeAll(async () => {
    const port = await freeLoopbackPort();
    base = `http://127.0.0.1:${port}`;
    server = execa(
      resolveNativeBinary("llama-server"),
      [
        "-m",
        gemmaModelPath(),
        "--host",
        "127.0.0.1",
        "--port",
        String(port),
        "-c",
        "4096",
        "-np",
        "1",
        "-t",
        "2",
        "-fa",
        "on",
        "--cache-type-k-layers",
        "0-8:q8_0,9-17:q4_0",
        "-ctv",
        "q4_0",
      ],
      { reject: false, stdin: "ignore" },
    );
    const healthy = () =>
      fetch(`${base}/health`).then(
        (r) => r.ok,
        () => false,
      );
    if (!(await waitUntil(healthy, 60_000, 200))) throw new Error("llama-server did not become healthy in 60 s");
  });

  afterAll(async () => {
    server.kill("SIGTERM");
    await server;
  });

  it("reports each layer's types and exact bytes in /props", async () => {
    const props = (await (await fetch(`${base}/props`)).json()) as { kv_cache: unknown };
    const kv = serverKvCacheSchema.parse(props.kv_cache);
    expect(kv.layers).toHaveLength(18);
    for (const layer of kv.layers) {
      expect(layer.type_k).toBe(layer.il <= 8 ? "q8_0" : "q4_0");
      expect(layer.type_v).toBe("q4_0");
    }
    expect(kv.size_k).toBe(kv.layers.reduce((s, l) => s + l.size_k, 0));
    expect(kv.size_v).toBe(kv.layers.reduce((s, l) => s + l.size_v, 0));
    // layer 5 is a full-attention layer of Gemma 3: 4096 cells of 256 q8_0 values (34 bytes per 32)
    expect(kv.layers[5]).toMatchObject({ swa: false, size_k: 4096 * (256 / 32) * 34 });
  });

  it("reports where each layer's attention runs in /props: on this CPU-only machine, the CPU, with its K/V", async () => {
    const props = (await (await fetch(`${base}/props`)).json()) as { kv_cache: unknown };
    const kv = serverKvCacheSchema.parse(props.kv_cache);
    expect(kv.layers).toHaveLength(18);
    for (const layer of kv.layers) {
      expect(layer).toMatchObject({ attn_device: "CPU", kv_device: "CPU", attn_fallback: false });
    }
  });

  it("answers a chat completion on 127.0.0.1", async () => {
    const response = await fetch(`${base}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        messages: [{ role: "user", content: "Name one color." }],
        max_tokens: 16,
        temperature: 0,
      }),
    });
    expect(response.status).toBe(200);
    const body = (await response.json()) as {
      choices: { message: { content: string } }[];
      usage: { completion_tokens: number };
    };
    expect(body.choices[0]!.message.content.length).toBeGreaterThan(0);
    expect(body.usage.completion_tokens).toBeGreaterThan(0);
  });
});
