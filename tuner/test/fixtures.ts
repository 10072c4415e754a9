import { existsSync } from "node:fs";
import { join } from "node:path";
import { defaultModelPath, instructModelPath, repoRoot } from "../src/config.ts";

/** The texts and the tiny model the integration tests read, carried in the repo (provenance: data/PROVENANCE.md). */
export const testDataDir = join(repoRoot(), "tuner", "test", "data");
/** @deprecated the old name of testDataDir, from when the data was read from ../shared/data beside the checkout */
export const sharedDataDir = testDataDir;
/** WikiText-2's raw test split. */
export const wikiTestPath = join(testDataDir, "wiki.test.raw");
/** A real but tiny model whose head dim 8 makes every quantized K/V type invalid. */
export const stories260kPath = join(testDataDir, "stories260K.gguf");

export function gemmaModelPath(): string {
  const path = defaultModelPath();
  if (!existsSync(path)) {
    throw new Error(`default model missing at ${path}: run 'npm run setup'`);
  }
  return path;
}

export function smollmModelPath(): string {
  const path = instructModelPath();
  if (!existsSync(path)) {
    throw new Error(`instruct model missing at ${path}: run 'npm run setup'`);
  }
  return path;
}
