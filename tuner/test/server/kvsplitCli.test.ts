import { execa } from "execa";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freeLoopbackPort } from "../../src/util/loopbackPort.ts";
import { repoRoot } from "../../src/config.ts";
import { ServerManager } from "../../src/server/ServerManager.ts";
import { isProcessAlive } from "../../src/server/processInfo.ts";

const kvsplitBin = join(repoRoot(), "tuner", "bin", "kvsplit.mjs");

describe("kvsplit (terminal twin) on the real server", () => {
  let supportDir: string;
  let serverArgs: string[];
  const kvsplit = (...args: string[]) =>
    execa(kvsplitBin, [...args, ...serverArgs], { env: { KVSPLIT_HOME: supportDir }, reject: false, stdin: "ignore" });

  beforeAll(async () => {
    supportDir = mkdtempSync(join(tmpdir(), "kvsplit-cli-test-"));
    serverArgs = ["--port", String(await freeLoopbackPort()), "--ctx", "1024", "--threads", "2"];
  });
  afterAll(async () => {
    await new ServerManager({ supportDir }).stop();
    rmSync(supportDir, { recursive: true, force: true });
  });

  it("starts a server that outlives the command, then streams an answer from it", async () => {
    const start = await kvsplit("server", "start");
    expect(start.exitCode).toBe(0);
    expect(start.stdout).toMatch(/llama-server: running at http:\/\/127\.0\.0\.1:\d+ \(pid (\d+)\)/);
    const pid = Number(/pid (\d+)/.exec(start.stdout)![1]);
    // the CLI process has exited; the server it started must still be there
    expect(await isProcessAlive(pid)).toBe(true);

    const ask = await kvsplit("ask", "Name a fruit.", "--max-tokens", "8");
    expect(ask.exitCode).toBe(0);
    expect(ask.stdout.trim().length).toBeGreaterThan(0);
    expect(ask.stderr).toMatch(/f16 · 8 tokens · [\d.]+ tokens\/s · first token after \d+ ms/);
    expect(ask.stderr).not.toContain("starting llama-server");
  });

  it("switches the profile and restarts the running server with it", async () => {
    const use = await kvsplit("profile", "use", "k8v8");
    expect(use.stdout).toMatch(/active profile: k8v8 \(llama-server restarted, pid \d+\)/);
    const status = await kvsplit("server", "status");
    expect(status.stdout).toContain("profile:      k8v8");
    expect(status.stdout).toMatch(/K\/V memory: {3}[\d.]+ MiB/);
    // no GPU here: attention runs on the CPU, where the K/V are, and nothing is said about a fallback
    expect(status.stdout).toContain("attention:    CPU, where the K/V are");
  });

  it("names an unknown profile and exits 1", async () => {
    const use = await kvsplit("profile", "use", "no-such-profile");
    expect(use.exitCode).toBe(1);
    expect(use.stderr).toContain('no profile named "no-such-profile"');
  });

  it("stops the server", async () => {
    expect((await kvsplit("server", "stop")).stdout).toBe("stopped llama-server");
    expect((await kvsplit("server", "status")).stdout).toBe("llama-server: stopped");
  });
});
