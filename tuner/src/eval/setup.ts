import { readModelFacts, type ModelFacts } from "../model/gguf.ts";
import { readBuildInfo } from "../native/buildInfo.ts";
import { EvalContextBeyondTrainingError } from "./errors/EvalContextBeyondTrainingError.ts";
import { loadEvalText } from "./evalText.ts";
import type { EvalSetup } from "./types.ts";

export interface EvalSetupOptions {
  modelPath: string;
  /** Defaults to Moby-Dick (see evalText.ts). */
  textPath?: string;
  ctx: number;
  chunks: number;
  threads?: number;
}

/** Everything an evaluation needs to know up front: the model's facts, the text's identity, the build. */
export async function prepareEval(options: EvalSetupOptions): Promise<{ setup: EvalSetup; facts: ModelFacts }> {
  const facts = await readModelFacts(options.modelPath);
  // refused before llama.cpp tries to allocate it (a --ctx of 10^9 thrashed memory for minutes before failing)
  if (options.ctx > facts.contextLength) {
    throw new EvalContextBeyondTrainingError(options.ctx, facts.contextLength, options.modelPath);
  }
  const setup: EvalSetup = {
    modelPath: options.modelPath,
    modelHash: facts.headerHash,
    text: loadEvalText(options.textPath),
    ctx: options.ctx,
    chunks: options.chunks,
    build: readBuildInfo(),
    threads: options.threads,
  };
  return { setup, facts };
}
