import { existsSync } from "node:fs";
import { join } from "node:path";
import { defaultModelPath, repoRoot } from "../src/config.ts";

/** Files the integration tests read in place: shared data is never copied into the repo. */
export const sharedDataDir = join(repoRoot(), "..", "shared", "data");
export const wikiTestPath = join(sharedDataDir, "wiki.test.raw");
/** A real but tiny model whose head dim 8 makes every quantized K/V type invalid. */
export const stories260kPath = join(sharedDataDir, "stories260K.gguf");

export function gemmaModelPath(): string {
  const path = defaultModelPath();
  if (!existsSync(path)) {
    throw new Error(`default model missing at ${path}: run 'npm run setup'`);
  }
  return path;
}
