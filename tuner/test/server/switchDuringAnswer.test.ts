import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ServerManager } from "../../src/server/ServerManager.ts";
import { waitUntil } from "../../src/server/processInfo.ts";
import { freeLoopbackPort } from "../../src/util/loopbackPort.ts";
import { kvsplitRunner, runningPid } from "./kvsplitProcess.ts";

describe("switching the server while another command streams an answer (real server, SmolLM2)", () => {
  let supportDir: string;
  let port: number;
  const kvsplit = kvsplitRunner(
    () => supportDir,
    () => port,
  );

  /** A long answer, streaming once its first text arrived. */
  async function longAnswer(): Promise<{ ask: ReturnType<typeof kvsplit>; received: () => string }> {
    // greedy SmolLM2 on f16 writes until the cap: 900 tokens at about 20 tokens/s here, far longer than the test needs
    const ask = kvsplit("ask", "Write the numbers from 1 to 500, separated by commas.", "--max-tokens", "900");
    let received = "";
    ask.stdout!.on("data", (chunk: Buffer) => (received += chunk.toString()));
    expect(await waitUntil(async () => received.length > 20, 60_000, 50)).toBe(true);
    return { ask, received: () => received };
  }

  beforeAll(async () => {
    supportDir = mkdtempSync(join(tmpdir(), "kvsplit-switch-busy-test-"));
    port = await freeLoopbackPort();
    expect((await kvsplit("server", "start")).exitCode).toBe(0);
  });
  afterAll(async () => {
    await new ServerManager({ supportDir }).stop();
    rmSync(supportDir, { recursive: true, force: true });
  });

  it("profile use and an ask with other flags are refused while an answer streams; --force cuts it", async () => {
    const pid = runningPid((await kvsplit("server", "status")).stdout);
    const { ask, received } = await longAnswer();

    const use = await kvsplit("profile", "use", "k8v8");
    expect(use.exitCode, `${use.stdout}\n${use.stderr}\nanswer so far: ${received()}`).toBe(1);
    expect(use.stderr).toMatch(/an answer is in progress.*--force/s);
    const otherFlags = await kvsplit("ask", "Hi", "--ctx", "2048", "--max-tokens", "2");
    expect(otherFlags.exitCode).toBe(1);
    expect(otherFlags.stderr).toContain("-c 1024 → 2048");
    expect(otherFlags.stderr).toMatch(/an answer is in progress/);

    // nothing changed: the same server, the old profile, the answer still streaming
    const status = await kvsplit("server", "status");
    expect(runningPid(status.stdout)).toBe(pid);
    expect(status.stdout).toContain("profile:      f16");
    const sofar = received().length;
    expect(await waitUntil(async () => received().length > sofar, 10_000, 50)).toBe(true);
    expect(ask.exitCode).toBeNull(); // still running

    const forced = await kvsplit("profile", "use", "k8v8", "--force");
    expect(forced.exitCode).toBe(0);
    expect(forced.stdout).toMatch(/active profile: k8v8 \(llama-server restarted, pid \d+\)/);
    const cut = await ask;
    expect(cut.exitCode).toBe(1);
    expect(cut.stderr).toContain("closed the connection");
  });
});
