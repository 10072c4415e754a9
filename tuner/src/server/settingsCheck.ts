import type { ModelFacts } from "../model/gguf.ts";
import { ContextBeyondTrainingError } from "./errors/ContextBeyondTrainingError.ts";
import { InvalidServerSettingError } from "./errors/InvalidServerSettingError.ts";
import { defaultContextSize, type ServerSettings } from "./types.ts";

/**
 * The smallest context the managed server takes: llama-server's batch (-ub 512). Smaller ones are no use: llama.cpp
 * rounds the context up to 256-token steps anyway, and one below its warm-up batch aborts the server
 * (`--ctx 1`: GGML_ASSERT(n_tokens_all <= n_batch), seen with SmolLM2 on this build).
 */
export const minServerContext = 512;

/** `--ctx`: a whole number of at least {@link minServerContext} tokens. */
export function checkContextSize(given: unknown): number {
  const ctx = typeof given === "string" && given.trim() !== "" ? Number(given) : given;
  if (typeof ctx !== "number" || !Number.isInteger(ctx) || ctx < minServerContext) {
    throw new InvalidServerSettingError("--ctx", `a whole number ≥ ${minServerContext} (llama-server's batch)`, given);
  }
  return ctx;
}

/** `--threads`: a whole number of at least 1. */
export function checkThreads(given: unknown): number {
  const threads = typeof given === "string" && given.trim() !== "" ? Number(given) : given;
  if (typeof threads !== "number" || !Number.isInteger(threads) || threads < 1) {
    throw new InvalidServerSettingError("--threads", "a whole number ≥ 1", given);
  }
  return threads;
}

/**
 * The context the server runs with: the one asked for, checked against the model (at most its training context
 * unless `contextBeyondTraining`); without one, {@link defaultContextSize} or the training context if smaller.
 * Checked before any running server is touched.
 */
export function serverContextSize(settings: ServerSettings, facts: ModelFacts): number {
  if (settings.contextSize === undefined) return Math.min(defaultContextSize, facts.contextLength);
  const ctx = checkContextSize(settings.contextSize);
  if (ctx > facts.contextLength && !settings.contextBeyondTraining) {
    throw new ContextBeyondTrainingError(ctx, facts.contextLength, facts.path);
  }
  return ctx;
}
