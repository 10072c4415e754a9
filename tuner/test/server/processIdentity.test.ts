import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { serverStatePath } from "../../src/config.ts";
import { resolveNativeBinary } from "../../src/native/binaries.ts";
import { ServerManager } from "../../src/server/ServerManager.ts";
import type { ServerState } from "../../src/server/types.ts";
import { freeLoopbackPort } from "../../src/util/loopbackPort.ts";
import { kvsplitRunner } from "./kvsplitProcess.ts";

/** Whether `pid` still runs (signal 0 checks without signalling). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * A process that is not llama-server but whose command line contains its path: what a recycled pid may belong to
 * (an editor on a notes file next to the binary). Resolves once it runs.
 */
async function startDecoy(binaryPath: string): Promise<ChildProcess> {
  const decoy = spawn("python3", ["-c", "import time; time.sleep(600)", `${binaryPath}-my-notes.txt`], {
    stdio: "ignore",
  });
  await new Promise<void>((resolve, reject) => {
    decoy.once("spawn", resolve);
    decoy.once("error", reject);
  });
  return decoy;
}

describe("a recorded pid that now belongs to another process is never called ours nor signalled", () => {
  let supportDir: string;
  let port: number;
  let real: ServerState;
  const decoys: ChildProcess[] = [];
  const kvsplit = kvsplitRunner(
    () => supportDir,
    () => port,
  );

  beforeAll(async () => {
    supportDir = mkdtempSync(join(tmpdir(), "kvsplit-identity-test-"));
    port = await freeLoopbackPort();
    // one real start, for a genuine server.json; then the server stops and its record is replayed
    expect((await kvsplit("server", "start")).exitCode).toBe(0);
    real = JSON.parse(readFileSync(serverStatePath(supportDir), "utf8")) as ServerState;
    expect((await kvsplit("server", "stop")).exitCode).toBe(0);
  });
  afterEach(() => {
    for (const decoy of decoys.splice(0)) decoy.kill("SIGKILL");
  });
  afterAll(async () => {
    await new ServerManager({ supportDir }).stop();
    rmSync(supportDir, { recursive: true, force: true });
  });

  it("status does not call a decoy whose command line contains the binary path ours, and stop leaves it alone", async () => {
    const decoy = await startDecoy(resolveNativeBinary("llama-server"));
    decoys.push(decoy);
    writeFileSync(serverStatePath(supportDir), JSON.stringify({ ...real, pid: decoy.pid }));

    const status = await kvsplit("server", "status");
    expect(status.stdout).not.toMatch(/running|loading the model/);
    expect(status.stdout).toContain(`pid ${decoy.pid} now belongs to another process`);
    expect(status.exitCode).toBe(1);

    const stop = await kvsplit("server", "stop");
    expect(stop.exitCode).toBe(0);
    expect(stop.stdout).toContain("forgot its record");
    expect(alive(decoy.pid!)).toBe(true);
    expect(decoy.exitCode).toBeNull();
  });

  it("an ask with the matching plan starts its own server instead of waiting on the decoy and killing it", async () => {
    const decoy = await startDecoy(resolveNativeBinary("llama-server"));
    decoys.push(decoy);
    writeFileSync(serverStatePath(supportDir), JSON.stringify({ ...real, pid: decoy.pid }));

    const ask = await kvsplit("ask", "Name a fruit.", "--max-tokens", "4");
    expect(ask.exitCode).toBe(0);
    expect(ask.stderr).toContain("kvsplit: starting llama-server");
    expect(alive(decoy.pid!)).toBe(true);
    const recorded = JSON.parse(readFileSync(serverStatePath(supportDir), "utf8")) as ServerState;
    expect(recorded.pid).not.toBe(decoy.pid);
    expect((await kvsplit("server", "stop")).stdout).toBe("stopped llama-server");
    expect(alive(decoy.pid!)).toBe(true);
  });
});
