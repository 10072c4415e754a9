import type { Argv } from "yargs";
import { appSupportDir } from "../../../config.ts";
import { ActiveServer } from "../../../server/activeServer.ts";
import { InvalidPortError, isValidPort } from "../../../server/errors/InvalidPortError.ts";
import { defaultContextSize, defaultServerPort } from "../../../server/types.ts";
import { parseByteSize } from "../../../util/byteSize.ts";

/** The server settings every kvsplit command takes. */
export interface ServerOptions {
  port: number;
  ctx: number;
  kvMemory?: string;
  threads?: number;
  gpuLayers?: number;
  model?: string;
  serverBin?: string;
}

export function withServerOptions<T>(yargs: Argv<T>): Argv<T & ServerOptions> {
  return yargs
    .option("port", {
      type: "string",
      default: String(defaultServerPort),
      description: "Loopback port of llama-server",
      group: "Server:",
      // yargs would turn `--port abc` into NaN and Node would later reject it with its own words
      coerce: parsePort,
    })
    .option("ctx", {
      type: "number",
      default: defaultContextSize,
      description: "Context size in tokens",
      group: "Server:",
    })
    .option("kv-memory", {
      type: "string",
      description:
        "K/V memory limit, e.g. 64MiB: the context becomes the largest whose K/V cache fits (overrides --ctx)",
      group: "Server:",
    })
    .option("threads", {
      type: "number",
      description: "CPU threads (default: performance cores less one)",
      group: "Server:",
    })
    .option("gpu-layers", { type: "number", description: "Layers offloaded to the GPU", group: "Server:" })
    .option("model", {
      type: "string",
      description: "GGUF model file (default: SmolLM2 135M Instruct, fetched by npm run setup)",
      group: "Server:",
    })
    .option("server-bin", {
      type: "string",
      description: "llama-server binary (default: native/bin/llama-server)",
      group: "Server:",
    });
}

export function activeServerFrom(argv: ServerOptions): ActiveServer {
  return new ActiveServer(appSupportDir(), {
    port: argv.port,
    contextSize: argv.ctx,
    kvMemoryBytes: argv.kvMemory === undefined ? undefined : parseByteSize(argv.kvMemory, "--kv-memory"),
    threads: argv.threads,
    gpuLayers: argv.gpuLayers,
    modelPath: argv.model,
    binaryPath: argv.serverBin,
  });
}

function parsePort(given: string): number {
  const port = Number(given);
  if (given.trim() === "" || !isValidPort(port)) throw new InvalidPortError(given);
  return port;
}

/** Start steps go to stderr, so an answer on stdout can be piped. */
export function printStep(step: string): void {
  process.stderr.write(`kvsplit: ${step}…\n`);
}
