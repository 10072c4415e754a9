import { execa } from "execa";
import { availableParallelism } from "node:os";
import { freeLoopbackPort } from "../util/loopbackPort.ts";
import { resolveNativeBinary } from "./binaries.ts";
import { llamaServerArgs } from "./llamaServerArgs.ts";

export class ScratchServerError extends Error {
  constructor(ctx: number, detail: string) {
    super(`llama-server at context ${ctx}: ${detail}`);
    this.name = "ScratchServerError";
  }
}

export interface ScratchServerOptions {
  modelPath: string;
  /** the setting's K/V flags (profileToLlamaArgs, a KvSetting's args) */
  cacheArgs: string[];
  ctx: number;
  threads?: number;
  /** how long the model may take to load. Defaults to 60 s. */
  readyTimeoutMs?: number;
}

/**
 * Runs `use` against a private patched llama-server (loopback, a free port, one slot of `ctx` tokens), then stops
 * it. For measurements that need the server itself (its allocation, its answers), never for the user's server.
 */
export async function withScratchServer<T>(
  options: ScratchServerOptions,
  use: (baseUrl: string) => Promise<T>,
): Promise<T> {
  const port = await freeLoopbackPort();
  const server = execa(
    resolveNativeBinary("llama-server"),
    llamaServerArgs({
      modelPath: options.modelPath,
      port,
      ctx: options.ctx,
      threads: options.threads ?? availableParallelism(),
      extraArgs: ["--no-warmup"],
      kvArgs: options.cacheArgs,
    }),
    { reject: false, all: true, stdin: "ignore" },
  );
  const baseUrl = `http://127.0.0.1:${port}`;
  const timeoutMs = options.readyTimeoutMs ?? 60_000;
  const deadline = Date.now() + timeoutMs;
  try {
    for (;;) {
      if (server.exitCode !== null) {
        const result = await server;
        const tail = String(result.all).trim().split("\n").slice(-8).join("\n");
        throw new ScratchServerError(options.ctx, `exited (${result.exitCode}):\n${tail}`);
      }
      if (Date.now() > deadline) {
        throw new ScratchServerError(options.ctx, `did not become ready within ${timeoutMs} ms`);
      }
      // /health answers 503 while the model loads
      const ready = await fetch(`${baseUrl}/health`).then(
        (response) => response.ok,
        () => false,
      );
      if (ready) return await use(baseUrl);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  } finally {
    server.kill("SIGTERM");
    await server;
  }
}
