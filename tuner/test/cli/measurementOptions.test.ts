import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
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

  // it used to run for minutes, llama.cpp trying to allocate the context, before failing
  it("a --ctx beyond the model's training context is refused by eval and search as soon as the model is read", async () => {
    for (const command of ["eval", "search"]) {
      const started = performance.now();
      const r = await runTuner([command, ...setting[command]!, "--ctx", "1000000000"]);
      expect(r.stderr, command).toContain("--ctx 1000000000 is beyond the 32768 tokens");
      expect(r.exitCode, command).toBe(1);
      expect(performance.now() - started, command).toBeLessThan(30_000);
    }
  });

  // llama.cpp scores NUL bytes at a perplexity of about 1.0 and 100% top-1: a result that looks perfect
  it("an eval text of NUL bytes is refused, not scored", async () => {
    const text = join(mkdtempSync(join(tmpdir(), "kvsplit-nul-")), "zeros.txt");
    writeFileSync(text, Buffer.concat([Buffer.from("Call me Ishmael.\n"), Buffer.alloc(65536)]));
    const r = await runTuner(["eval", ...setting.eval!, "--eval-file", text, "--chunks", "1"]);
    expect(r.stderr).toContain(`eval text ${text} is not text: it has a NUL byte at offset 17`);
    expect(r.exitCode).toBe(1);
    expect(r.stdout).not.toContain("PPL");
  });
});
