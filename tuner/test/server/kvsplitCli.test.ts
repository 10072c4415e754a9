import { execa } from "execa";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
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

  it("refuses a --history file that is not a chat before anything starts", async () => {
    const history = join(supportDir, "bad-history.json");
    writeFileSync(
      history,
      JSON.stringify([
        { role: "user", content: "Hi" },
        { role: "user", content: "Hi?" },
      ]),
    );
    const ask = await kvsplit("ask", "Hello", "--history", history);
    expect(ask.exitCode).toBe(1);
    expect(ask.stderr).toBe(
      `kvsplit: --history ${history}: message 2 is out of turn; expected a JSON array of ` +
        '{"role": "user" | "assistant", "content": string}, questions and answers taking turns, a question first',
    );
    expect((await kvsplit("server", "status")).stdout).toBe("llama-server: stopped");
  });

  it("sends a --history longer than the context without its oldest turns", async () => {
    const history = join(supportDir, "long-history.json");
    // 50 turns of about 60 tokens each: three times the 1024-token context
    const turn = (n: number) => [
      { role: "user", content: `Question ${n}: ${"tell me about the sea and the sky. ".repeat(3)}` },
      { role: "assistant", content: `Answer ${n}: ${"the sea is blue and the sky is wide. ".repeat(3)}` },
    ];
    writeFileSync(history, JSON.stringify(Array.from({ length: 50 }, (_, n) => turn(n)).flat()));
    const ask = await kvsplit("ask", "Name a fruit.", "--max-tokens", "8", "--history", history);
    expect(ask.exitCode, ask.stderr).toBe(0);
    const left = Number(/· (\d+) earlier turns left out to fit the context/.exec(ask.stderr)![1]);
    expect(left).toBeGreaterThan(0);
    expect(left).toBeLessThan(50);
    expect(Number(/prompt (\d+) tokens/.exec(ask.stderr)![1])).toBeLessThanOrEqual(1024 - 8);
  });
});
