import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { defaultModelPath, instructModelPath, repoRoot } from "../src/config.ts";

/**
 * Files the integration tests read in place: shared data is never copied into the repo. It lives in `shared/data`
 * next to the checkout (`../shared/data`); a clone placed deeper finds it in the nearest ancestor that has it, and
 * KVSPLIT_SHARED_DATA overrides both.
 */
export const sharedDataDir = findSharedDataDir();
export const wikiTestPath = join(sharedDataDir, "wiki.test.raw");
/** A real but tiny model whose head dim 8 makes every quantized K/V type invalid. */
export const stories260kPath = join(sharedDataDir, "stories260K.gguf");

function findSharedDataDir(): string {
  const fromEnv = process.env.KVSPLIT_SHARED_DATA;
  if (fromEnv) return fromEnv;
  const besideRepo = join(repoRoot(), "..", "shared", "data");
  for (let dir = dirname(repoRoot()); ; dir = dirname(dir)) {
    const candidate = join(dir, "shared", "data");
    if (existsSync(join(candidate, "stories260K.gguf"))) return candidate;
    if (dirname(dir) === dir) return besideRepo; // not found: tests fail naming the expected place
  }
}

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
