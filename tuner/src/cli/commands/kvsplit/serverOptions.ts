import type { Argv } from "yargs";
import { appSupportDir } from "../../../config.ts";
import { ActiveServer } from "../../../server/activeServer.ts";
import { InvalidPortError, isValidPort } from "../../../server/errors/InvalidPortError.ts";
import { checkContextSize, checkThreads } from "../../../server/settingsCheck.ts";
import { defaultContextSize, defaultServerPort } from "../../../server/types.ts";
import { parseByteSize } from "../../../util/byteSize.ts";

/** The server settings every kvsplit command takes. */
export interface ServerOptions {
  port: number;
  ctx?: number;
  ctxBeyondTraining: boolean;
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
      type: "string",
      description: `Context size in tokens (default: ${defaultContextSize}, or the model's training context if smaller)`,
      group: "Server:",
      // checked before anything stops: `--ctx 1` would stop the working server for one that aborts
      coerce: checkContextSize,
    })
    .option("ctxBeyondTraining", {
      alias: "ctx-beyond-training",
      type: "boolean",
      default: false,
      description: "Allow a --ctx longer than the model's training context",
      group: "Server:",
    })
    .option("kv-memory", {
      type: "string",
      description:
        "K/V memory limit, e.g. 64MiB: the context becomes the largest whose K/V cache fits (overrides --ctx)",
      group: "Server:",
    })
    .option("threads", {
      type: "string",
      description: "CPU threads (default: performance cores less one)",
      group: "Server:",
      coerce: checkThreads,
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
    contextBeyondTraining: argv.ctxBeyondTraining,
    kvMemoryBytes: argv.kvMemory === undefined ? undefined : parseByteSize(argv.kvMemory, "--kv-memory"),
    threads: argv.threads,
    gpuLayers: argv.gpuLayers,
    modelPath: argv.model,
    binaryPath: argv.serverBin,
  });
}

function parsePort(given: string): number {
  // digits only: Number() would also take "0x2221" (8737), "1e3" and " 80 "
  const port = /^\d+$/.test(given) ? Number(given) : Number.NaN;
  if (!isValidPort(port)) throw new InvalidPortError(given);
  return port;
}

/** `--force`, for the commands that may restart a server another command is streaming an answer from. */
export function withForceOption<T>(yargs: Argv<T>): Argv<T & { force: boolean }> {
  return yargs.option("force", {
    type: "boolean",
    default: false,
    description: "Restart the server even while it streams an answer (the answer is cut)",
    group: "Server:",
  });
}

/** Start steps go to stderr, so an answer on stdout can be piped. */
export function printStep(step: string): void {
  process.stderr.write(`kvsplit: ${step}…\n`);
}
