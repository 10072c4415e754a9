import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join, relative } from "node:path";
import { benchResultsDir } from "../config.ts";

/**
 * A profile file named `name` that ships in the repository (bench/results/<run>/profile.json, the README's
 * examples), as a path relative to the working directory; undefined when none does or the repo is not at hand.
 */
export function shippedProfileFile(name: string): string | undefined {
  let resultsDir: string;
  try {
    resultsDir = benchResultsDir();
  } catch {
    return undefined; // a bundled build (the Raycast extension) has no repository
  }
  if (!existsSync(resultsDir)) return undefined;
  for (const run of readdirSync(resultsDir)) {
    const path = join(resultsDir, run, "profile.json");
    if (!existsSync(path)) continue;
    try {
      if ((JSON.parse(readFileSync(path, "utf8")) as { name?: unknown }).name === name) {
        return relative(process.cwd(), path) || path;
      }
    } catch {
      continue; // not a profile: nothing to suggest
    }
  }
  return undefined;
}
