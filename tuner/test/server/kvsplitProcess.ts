import { join } from "node:path";
import { execa } from "execa";
import { repoRoot } from "../../src/config.ts";
import { smollmModelPath } from "../fixtures.ts";

export const kvsplitBin = join(repoRoot(), "tuner", "bin", "kvsplit.mjs");

/**
 * `kvsplit` as a user runs it, against a private support directory and port (read when called: tests set them in
 * beforeAll); `--ctx 1024` and SmolLM2 unless the arguments name their own.
 */
export function kvsplitRunner(supportDir: () => string, port: () => number) {
  return (...args: string[]) =>
    execa(
      kvsplitBin,
      [
        ...args,
        ...["--port", String(port())],
        ...(args.includes("--ctx") ? [] : ["--ctx", "1024"]),
        ...(args.includes("--model") ? [] : ["--model", smollmModelPath()]),
      ],
      { env: { KVSPLIT_HOME: supportDir() }, reject: false, stdin: "ignore" },
    );
}

/** The pid `kvsplit server status` prints for the running server. */
export function runningPid(statusOutput: string): number {
  const match = /running at http:\/\/127\.0\.0\.1:\d+ \(pid (\d+)\)/.exec(statusOutput);
  if (!match) throw new Error(`expected a running server, got:\n${statusOutput}`);
  return Number(match[1]);
}
