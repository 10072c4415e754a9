import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { serverLogPath, serverStatePath } from "../../src/config.ts";
import { ServerManager } from "../../src/server/ServerManager.ts";
import { freeLoopbackPort } from "../../src/util/loopbackPort.ts";
import { stories260kPath } from "../fixtures.ts";
import { kvsplitRunner, runningPid } from "./kvsplitProcess.ts";

describe("kvsplit checks --ctx and --threads before it stops the working server (real server, SmolLM2)", () => {
  let supportDir: string;
  let port: number;
  const kvsplit = kvsplitRunner(
    () => supportDir,
    () => port,
  );

  beforeAll(async () => {
    supportDir = mkdtempSync(join(tmpdir(), "kvsplit-settings-check-test-"));
    port = await freeLoopbackPort();
    expect((await kvsplit("server", "start")).exitCode).toBe(0);
  });
  afterAll(async () => {
    await new ServerManager({ supportDir }).stop();
    rmSync(supportDir, { recursive: true, force: true });
  });

  it("refuses a context below one batch, 0, or above the model's training context, and bad thread counts", async () => {
    const pid = runningPid((await kvsplit("server", "status")).stdout);
    const refusals: [string[], RegExp][] = [
      [["--ctx", "1"], /--ctx must be a whole number ≥ 512 \(llama-server's batch\), got 1/],
      [["--ctx", "0"], /--ctx must be a whole number ≥ 512 .*got 0/],
      [["--ctx", "abc"], /--ctx must be a whole number ≥ 512 .*got abc/],
      [["--ctx", "1000000000"], /context of 1000000000 tokens is beyond .*8192.*--ctx-beyond-training/],
      [["--threads", "0"], /--threads must be a whole number ≥ 1, got 0/],
      [["--threads", "1.5"], /--threads must be a whole number ≥ 1, got 1.5/],
      [["--threads", "abc"], /--threads must be a whole number ≥ 1, got abc/],
    ];
    for (const [flags, message] of refusals) {
      const started = performance.now();
      const ask = await kvsplit("ask", "Hi", "--max-tokens", "2", ...flags);
      expect(ask.exitCode, flags.join(" ")).toBe(1);
      expect(ask.stderr, flags.join(" ")).toMatch(message);
      expect(ask.stderr).not.toContain("stopping the old server");
      expect(performance.now() - started).toBeLessThan(30_000);
    }
    expect(runningPid((await kvsplit("server", "status")).stdout)).toBe(pid);

    // asked for, a context beyond the training one runs (llama.cpp warns in the log)
    const beyond = await kvsplit("server", "restart", "--ctx", "9216", "--ctx-beyond-training");
    expect(beyond.exitCode, beyond.stderr).toBe(0);
    expect(JSON.parse(readFileSync(serverStatePath(supportDir), "utf8")).args).toEqual(
      expect.arrayContaining(["-c", "9216"]),
    );
  });

  it("a failed switch names server.log.1, the log that holds the failure, once the old server runs again", async () => {
    // stories260K's head dim 8 fits no quantized K/V block: llama-server refuses k8v4 at start, after every check
    const model = ["--model", stories260kPath];
    expect((await kvsplit("server", "restart", ...model)).exitCode).toBe(0);
    const use = await kvsplit("profile", "use", "k8v4", ...model);
    expect(use.exitCode).toBe(1);
    expect(use.stderr).toMatch(/the previous server \(profile "f16"\) runs again/);
    const rotated = `${serverLogPath(supportDir)}.1`;
    expect(use.stderr).toContain(`last lines of ${rotated}:`);
    expect(use.stderr).not.toContain(`last lines of ${serverLogPath(supportDir)}:`);
    expect(readFileSync(rotated, "utf8")).toContain("-ctk q8_0");
  });
});
