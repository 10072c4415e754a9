import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { serverKeyPath, serverStatePath } from "../../src/config.ts";
import { ServerManager } from "../../src/server/ServerManager.ts";
import { waitUntil } from "../../src/server/processInfo.ts";
import { freeLoopbackPort } from "../../src/util/loopbackPort.ts";
import { kvsplitRunner } from "./kvsplitProcess.ts";

/** The pids of the llama-servers that read this support directory's key file: the ones a test started. */
function serversOf(supportDir: string): number[] {
  return execFileSync("ps", ["-ww", "-A", "-o", "pid=,args="])
    .toString()
    .split("\n")
    .filter((line) => line.includes(`--api-key-file ${serverKeyPath(supportDir)}`))
    .map((line) => Number(line.trim().split(/\s+/)[0]));
}

describe("the server and its record (server.json, server.key) go together (real server, SmolLM2)", () => {
  let supportDir: string;
  let port: number;
  const kvsplit = kvsplitRunner(
    () => supportDir,
    () => port,
  );

  beforeAll(async () => {
    port = await freeLoopbackPort();
  });
  afterEach(async () => {
    rmSync(serverStatePath(supportDir), { recursive: true, force: true });
    await new ServerManager({ supportDir }).stop();
    // a server the old code left without a record: only ours, found by this directory's key file
    for (const pid of serversOf(supportDir)) process.kill(pid, "SIGKILL");
    rmSync(supportDir, { recursive: true, force: true });
  });

  it("stops the new server and says why when server.json cannot be written (a directory in its place)", async () => {
    supportDir = mkdtempSync(join(tmpdir(), "kvsplit-record-test-"));
    mkdirSync(serverStatePath(supportDir));

    const start = await kvsplit("server", "start");
    expect(start.exitCode).toBe(1);
    expect(start.stderr).toContain(`could not record the server in ${serverStatePath(supportDir)}`);
    expect(start.stderr).toMatch(/EISDIR/);
    expect(start.stderr).toContain("the new server was stopped");
    expect(await waitUntil(async () => serversOf(supportDir).length === 0, 10_000)).toBe(true);
  });

  it("with server.json and server.key both damaged, status still names our server and stop stops it", async () => {
    supportDir = mkdtempSync(join(tmpdir(), "kvsplit-record-test-"));
    expect((await kvsplit("server", "start")).exitCode).toBe(0);
    const [pid] = serversOf(supportDir);
    writeFileSync(serverStatePath(supportDir), "{ garbage");
    writeFileSync(serverKeyPath(supportDir), "garbage\n");

    const status = await kvsplit("server", "status");
    expect(status.stdout).not.toContain("not a KVSplit server");
    expect(status.stdout).toContain(`(pid ${pid})`);
    expect(status.stdout).toContain("server.json and server.key are damaged");
    const ask = await kvsplit("ask", "Hi", "--max-tokens", "2");
    expect(ask.exitCode).toBe(1);
    expect(ask.stderr).toContain("kvsplit server restart");

    const stop = await kvsplit("server", "stop");
    expect(stop.stdout).toBe("stopped llama-server");
    expect(await waitUntil(async () => serversOf(supportDir).length === 0, 10_000)).toBe(true);
  });

  it("stop stops the server first, even when its record cannot be removed, and says so", async () => {
    supportDir = mkdtempSync(join(tmpdir(), "kvsplit-record-test-"));
    expect((await kvsplit("server", "start")).exitCode).toBe(0);
    expect(serversOf(supportDir)).toHaveLength(1);
    // a directory where server.json was: unreadable (the server is found by server.key) and not removable as a file
    rmSync(serverStatePath(supportDir));
    mkdirSync(join(serverStatePath(supportDir), "in-the-way"), { recursive: true });

    const stop = await kvsplit("server", "stop");
    expect(stop.exitCode).toBe(1);
    expect(stop.stderr).toContain(
      `stopped llama-server, but could not remove its record ${serverStatePath(supportDir)}`,
    );
    expect(await waitUntil(async () => serversOf(supportDir).length === 0, 10_000)).toBe(true);
  });
});
