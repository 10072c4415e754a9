import { describe, expect, it } from "vitest";
import { runTuner } from "./runTuner.ts";

// --model --eval-file --ctx --chunks --threads are declared once (cli/measurementOptions.ts) and checked alike in
// eval, search and bench: before any model is read, with one message and exit code 1.
describe("measurement options", () => {
  const setting: Record<string, string[]> = {
    eval: ["--k", "q8_0", "--v", "q4_0"],
    search: ["--budget", "1%"],
    bench: [],
  };

  it.each([
    [["--ctx", "10"], "--ctx must be an integer ≥ 64, got 10"],
    [["--ctx", "512.5"], "--ctx must be an integer ≥ 64, got 512.5"],
    [["--chunks", "0"], "--chunks must be an integer ≥ 1, got 0"],
    [["--threads", "0"], "--threads must be an integer ≥ 1, got 0"],
  ])("%j is refused by eval, search and bench alike", async (args, message) => {
    for (const command of ["eval", "search", "bench"]) {
      const r = await runTuner([command, ...setting[command]!, ...args]);
      expect(r.stderr, command).toContain(message);
      expect(r.exitCode, command).toBe(1);
    }
  });
});
