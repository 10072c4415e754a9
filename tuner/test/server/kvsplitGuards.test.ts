import { execFileSync } from "node:child_process";
import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, readSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freeLoopbackPort } from "../../src/util/loopbackPort.ts";
import { activeProfilePath, repoRoot, serverKeyPath } from "../../src/config.ts";
import { readModelFacts } from "../../src/model/gguf.ts";
import { ServerManager } from "../../src/server/ServerManager.ts";
import { isProcessAlive, waitUntil } from "../../src/server/processInfo.ts";
import { smollmModelPath } from "../fixtures.ts";

const kvsplitBin = join(repoRoot(), "tuner", "bin", "kvsplit.mjs");
const tunerBin = join(repoRoot(), "tuner", "bin", "tuner.mjs");

/** The pid `kvsplit server status` prints for the running server. */
function runningPid(statusOutput: string): number {
  const match = /running at http:\/\/127\.0\.0\.1:\d+ \(pid (\d+)\)/.exec(statusOutput);
  if (!match) throw new Error(`expected a running server, got:\n${statusOutput}`);
  return Number(match[1]);
}

/** A copy of the model's first `bytes` bytes: a download cut short. */
function truncatedCopy(source: string, destination: string, bytes: number): void {
  const buffer = Buffer.alloc(bytes);
  const fd = openSync(source, "r");
  readSync(fd, buffer, 0, bytes, 0);
  closeSync(fd);
  writeFileSync(destination, buffer);
}

describe("kvsplit commands that fail leave the server and the active profile alone (real server, SmolLM2)", () => {
  let supportDir: string;
  let port: number;
  let scratch: string;
  const env = () => ({ KVSPLIT_HOME: supportDir });
  // SmolLM2 named explicitly (it is also the default), unless a test names another model
  const kvsplit = (...args: string[]) => {
    const model = args.includes("--model") ? [] : ["--model", smollmModelPath()];
    return execa(kvsplitBin, [...args, "--port", String(port), "--ctx", "1024", ...model], {
      env: env(),
      reject: false,
      stdin: "ignore",
    });
  };
  const tuner = (...args: string[]) => execa(tunerBin, args, { env: env(), reject: false, stdin: "ignore" });

  beforeAll(async () => {
    smollmModelPath();
    supportDir = mkdtempSync(join(tmpdir(), "kvsplit-guards-test-"));
    scratch = mkdtempSync(join(tmpdir(), "kvsplit-guards-files-"));
    port = await freeLoopbackPort();
  });
  afterAll(async () => {
    await new ServerManager({ supportDir }).stop();
    rmSync(supportDir, { recursive: true, force: true });
    rmSync(scratch, { recursive: true, force: true });
  });

  it("two cold asks at once: one starts the server, the other waits for it, both answer, no orphan", async () => {
    const [first, second] = await Promise.all([
      kvsplit("ask", "Name a fruit.", "--max-tokens", "4"),
      kvsplit("ask", "Name a color.", "--max-tokens", "4"),
    ]);
    expect([first.exitCode, second.exitCode]).toEqual([0, 0]);
    const stderr = [first.stderr, second.stderr];
    expect(stderr.filter((text) => text.includes("kvsplit: starting llama-server"))).toHaveLength(1);
    // the later one waits when the two overlap (under load they may not); a waiter never starts a server itself
    for (const text of stderr.filter((text) => text.includes("waiting for another kvsplit command"))) {
      expect(text).not.toContain("kvsplit: starting llama-server");
    }
    const servers = execFileSync("ps", ["-ww", "-A", "-o", "args="])
      .toString()
      .split("\n")
      .filter((line) => line.includes(`--api-key-file ${serverKeyPath(supportDir)}`));
    expect(servers).toHaveLength(1);
  });

  it("does not stop a working server for a bad --port, a truncated model or a directory as model", async () => {
    const pid = runningPid((await kvsplit("server", "status")).stdout);
    const truncated = join(scratch, "truncated.gguf");
    truncatedCopy(smollmModelPath(), truncated, 1024 * 1024);

    const badPort = await execa(kvsplitBin, ["ask", "Hi", "--port", "99999"], { env: env(), reject: false });
    expect(badPort.exitCode).toBe(1);
    expect(badPort.stderr).toContain('invalid port "99999"; expected a whole number from 1 to 65535');
    const notANumber = await execa(kvsplitBin, ["server", "status", "--port", "abc"], { env: env(), reject: false });
    expect(notANumber.stderr).toContain('invalid port "abc"');

    const cut = await kvsplit("ask", "Hi", "--model", truncated);
    expect(cut.exitCode).toBe(1);
    expect(cut.stderr).toMatch(/truncated\.gguf is truncated/);
    const directory = await kvsplit("ask", "Hi", "--model", scratch);
    expect(directory.stderr).toContain(`model ${scratch} is a directory, not a file`);
    for (const failed of [badPort, cut, directory]) expect(failed.stderr).not.toContain("stopping the old server");
    expect(runningPid((await kvsplit("server", "status")).stdout)).toBe(pid);
  });

  it("refuses a profile made for another model (right file name, wrong layer count); nothing changes", async () => {
    const facts = await readModelFacts(smollmModelPath());
    const layers = 26;
    const foreign = {
      schemaVersion: 1,
      name: "smollm-26-layers",
      createdAt: new Date().toISOString(),
      source: "manual",
      cache: { mode: "per-layer", k: Array(layers).fill("q8_0"), v: Array(layers).fill("q4_0") },
      model: { fileName: facts.fileName, sizeBytes: facts.sizeBytes, headerHash: facts.headerHash, nLayer: layers },
    };
    const file = join(scratch, "foreign.json");
    writeFileSync(file, JSON.stringify(foreign));
    expect((await tuner("profiles", "import", file)).exitCode).toBe(0);
    const duplicate = await tuner("profiles", "import", file);
    expect(duplicate.stderr).toContain("pass --force to replace it");

    const pid = runningPid((await kvsplit("server", "status")).stdout);
    for (const use of [
      await kvsplit("profile", "use", "smollm-26-layers"),
      await tuner("profiles", "use", "smollm-26-layers", "--model", smollmModelPath()),
    ]) {
      expect(use.exitCode).toBe(1);
      expect(use.stderr).toMatch(/26 layers.*30 layers.*layer count differs/);
    }
    const status = await kvsplit("server", "status");
    expect(runningPid(status.stdout)).toBe(pid);
    expect(status.stdout).toContain("profile:      f16");
  });

  it("calls a damaged active-profile file an error and keeps the running k8v4 server, never restarting it as f16", async () => {
    expect((await kvsplit("profile", "use", "k8v4")).exitCode).toBe(0);
    const pid = runningPid((await kvsplit("server", "status")).stdout);
    writeFileSync(activeProfilePath(supportDir), "{ not json");

    const ask = await kvsplit("ask", "Hi", "--max-tokens", "2");
    expect(ask.exitCode).toBe(1);
    expect(ask.stderr).toMatch(/active-profile file .* is damaged.*kvsplit profile use <name>/);
    const status = await kvsplit("server", "status");
    expect(runningPid(status.stdout)).toBe(pid);
    expect(status.stdout).toContain("profile:      k8v4");
    expect((await kvsplit("profile", "use", "k8v4")).exitCode).toBe(0);
  });

  it("server status exits 1 after a crash; the next start keeps the crashed server's log as server.log.1", async () => {
    const pid = runningPid((await kvsplit("server", "status")).stdout);
    process.kill(pid, "SIGKILL");
    expect(await waitUntil(async () => !(await isProcessAlive(pid)), 5_000)).toBe(true);
    const crashed = await kvsplit("server", "status");
    expect(crashed.exitCode).toBe(1);
    expect(crashed.stdout).toContain(`llama-server: crashed (pid ${pid} is gone)`);

    const ask = await kvsplit("ask", "Hi", "--max-tokens", "2");
    expect(ask.exitCode).toBe(0);
    expect(readFileSync(join(supportDir, "server.log.1"), "utf8")).toContain(`--port ${port}`);
    expect(readFileSync(join(supportDir, "server.log.1"), "utf8")).toMatch(/listening on http:\/\/127\.0\.0\.1/);
  });

  it("refuses to overwrite an export without --force", async () => {
    const active = await tuner("profiles", "rm", "smollm-26-layers");
    expect(active.exitCode).toBe(0); // not active: removable
    const destination = join(scratch, "k8v4.json");
    writeFileSync(destination, "mine");
    const refused = await tuner("profiles", "export", "k8v4", destination);
    expect(refused.exitCode).toBe(1);
    expect(refused.stderr).toContain("already exists; expected a new file name (or pass --force to replace it)");
    expect(readFileSync(destination, "utf8")).toBe("mine");
    expect((await tuner("profiles", "export", "k8v4", destination, "--force")).exitCode).toBe(0);
  });
});

describe("first steps on a fresh store", () => {
  let supportDir: string;
  beforeAll(() => {
    supportDir = mkdtempSync(join(tmpdir(), "kvsplit-fresh-test-"));
  });
  afterAll(() => rmSync(supportDir, { recursive: true, force: true }));

  it("points the README's profile at the file to import", async () => {
    const use = await execa(kvsplitBin, ["profile", "use", "gemma-3-270m-q4-k-m-1pct"], {
      env: { KVSPLIT_HOME: supportDir },
      cwd: repoRoot(),
      reject: false,
    });
    expect(use.exitCode).toBe(1);
    expect(use.stderr).toContain("run 'tuner profiles import bench/results/search-1pct/profile.json'");
  });

  it("calls a truncated GGUF invalid and a directory not a file", async () => {
    const truncated = join(supportDir, "truncated.gguf");
    truncatedCopy(smollmModelPath(), truncated, 1024 * 1024);
    const info = await execa(tunerBin, ["model", "info", "--model", truncated], { reject: false });
    expect(info.exitCode).toBe(1);
    expect(info.stderr).toMatch(/is truncated: its tensors need at least \d+ bytes, the file has 1048576/);

    const dir = join(supportDir, "texts");
    mkdirSync(dir);
    const evalDir = await execa(tunerBin, ["eval", "--k", "f16", "--v", "f16", "--eval-file", dir], { reject: false });
    expect(evalDir.exitCode).toBe(1);
    expect(evalDir.stderr).toContain(`eval text ${dir} is a directory, not a file`);
  });
});
