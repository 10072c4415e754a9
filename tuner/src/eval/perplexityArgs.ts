import { availableParallelism } from "node:os";
import type { EvalSetup } from "./types.ts";

/**
 * Flags shared by every llama-perplexity run of one setup. One sequence per batch (-b = ctx), so the K/V cache
 * holds exactly `ctx` cells, and -lv 4 so the patched llama.cpp prints its per-layer K/V report.
 */
export function perplexityArgs(setup: EvalSetup): string[] {
  return [
    "-m",
    setup.modelPath,
    "-c",
    String(setup.ctx),
    "-b",
    String(setup.ctx),
    "--chunks",
    String(setup.chunks),
    "-t",
    String(setup.threads ?? availableParallelism()),
    "-fa",
    "on",
    "-lv",
    "4",
    "--no-warmup",
  ];
}
