import { execa } from "execa";
import { join } from "node:path";
import { repoRoot } from "../../src/config.ts";

/** Runs the real `tuner` CLI as a user would, with extra environment (cache and store directories for isolation). */
export async function runTuner(args: string[], env: Record<string, string> = {}) {
  const result = await execa("node", [join(repoRoot(), "tuner", "bin", "tuner.mjs"), ...args], {
    reject: false,
    env: { ...env, FORCE_COLOR: "0" },
    stdin: "ignore",
  });
  return { exitCode: result.exitCode, stdout: String(result.stdout), stderr: String(result.stderr) };
}
