import { execa } from "execa";
import { createServer } from "node:net";
import { availableParallelism } from "node:os";
import { kvCacheReportFromServer, serverKvCacheSchema, type KvCacheReport } from "../native/kvReport.ts";
import { resolveNativeBinary } from "../native/binaries.ts";

export class KvMemoryProbeError extends Error {
  constructor(ctx: number, detail: string) {
    super(`could not measure the K/V cache at context ${ctx}: ${detail}`);
    this.name = "KvMemoryProbeError";
  }
}

export async function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() =>
        typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port")),
      );
    });
  });
}

/**
 * The K/V cache llama.cpp allocates for one sequence of `ctx` tokens: starts the patched llama-server on loopback,
 * reads its /props report, stops it. Allocation only, nothing is processed, so 32K contexts cost a second.
 */
export async function measureKvMemory(
  modelPath: string,
  cacheArgs: string[],
  ctx: number,
  timeoutMs = 60_000,
): Promise<KvCacheReport> {
  const port = await freeLoopbackPort();
  const server = execa(
    resolveNativeBinary("llama-server"),
    [
      "-m",
      modelPath,
      "-c",
      String(ctx),
      "-np",
      "1",
      "--host",
      "127.0.0.1",
      "--port",
      String(port),
      "-t",
      String(availableParallelism()),
      "--no-warmup",
      ...cacheArgs,
    ],
    { reject: false, all: true, stdin: "ignore" },
  );
  const deadline = Date.now() + timeoutMs;
  try {
    while (Date.now() < deadline) {
      if (server.exitCode !== null) {
        const result = await server;
        throw new KvMemoryProbeError(
          ctx,
          `llama-server exited (${result.exitCode}):\n${String(result.all).trim().split("\n").slice(-8).join("\n")}`,
        );
      }
      try {
        const response = await fetch(`http://127.0.0.1:${port}/props`);
        if (response.ok) {
          const props = (await response.json()) as { kv_cache?: unknown };
          return kvCacheReportFromServer(serverKvCacheSchema.parse(props.kv_cache));
        }
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new KvMemoryProbeError(ctx, `llama-server did not answer within ${timeoutMs} ms`);
  } finally {
    server.kill("SIGTERM");
    await server;
  }
}
