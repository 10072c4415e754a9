import type { Argv } from "yargs";
import { defaultModelPath } from "../config.ts";
import { prepareEval } from "../eval/setup.ts";

/** What every quality measurement runs on: the same flags, defaults and checks in eval, search and bench. */
export interface MeasurementOptions {
  model: string;
  evalFile?: string;
  ctx: number;
  chunks: number;
  threads?: number;
}

export interface MeasurementDefaults {
  chunks: number;
  /** how --chunks is used by this command */
  chunksDescription: string;
  /** how --eval-file is used by this command */
  evalFileDescription?: string;
}

/** Smallest --ctx: llama-perplexity scores the second half of each chunk, so a tiny one scores almost nothing. */
export const minCtx = 64;

/** --model, --eval-file, --ctx, --chunks and --threads, validated alike wherever they are declared. */
export function withMeasurementOptions<T>(yargs: Argv<T>, defaults: MeasurementDefaults) {
  return yargs
    .option("model", {
      type: "string",
      default: defaultModelPath(),
      description: "GGUF model file",
      group: "Measurement:",
    })
    .option("evalFile", {
      alias: "eval-file",
      type: "string",
      description: defaults.evalFileDescription ?? "Text to measure on (default: Moby-Dick)",
      group: "Measurement:",
    })
    .option("ctx", { type: "number", default: 512, description: "Tokens per chunk", group: "Measurement:" })
    .option("chunks", {
      type: "number",
      default: defaults.chunks,
      description: defaults.chunksDescription,
      group: "Measurement:",
    })
    .option("threads", { type: "number", description: "CPU threads (default: all cores)", group: "Measurement:" })
    .check((argv) => {
      checkMeasurementOptions(argv);
      return true;
    });
}

/** One clear message per bad value; yargs prints it and exits 1. */
export function checkMeasurementOptions(argv: Pick<MeasurementOptions, "ctx" | "chunks" | "threads">): void {
  if (!Number.isInteger(argv.ctx) || argv.ctx < minCtx)
    throw new Error(`--ctx must be an integer ≥ ${minCtx}, got ${argv.ctx}`);
  if (!Number.isInteger(argv.chunks) || argv.chunks < 1)
    throw new Error(`--chunks must be an integer ≥ 1, got ${argv.chunks}`);
  if (argv.threads !== undefined && (!Number.isInteger(argv.threads) || argv.threads < 1))
    throw new Error(`--threads must be an integer ≥ 1, got ${argv.threads}`);
}

/** The model's facts and the eval setup the options name. */
export function prepareMeasurement(argv: MeasurementOptions) {
  return prepareEval({
    modelPath: argv.model,
    textPath: argv.evalFile,
    ctx: argv.ctx,
    chunks: argv.chunks,
    threads: argv.threads,
  });
}
