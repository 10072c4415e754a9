import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { repoRoot, serverStatePath } from "../../src/config.ts";
import { ServerManager } from "../../src/server/ServerManager.ts";
import type { ServerState } from "../../src/server/types.ts";
import { freeLoopbackPort } from "../../src/util/loopbackPort.ts";
import { kvsplitRunner, runningPid } from "./kvsplitProcess.ts";

const tunerBin = join(repoRoot(), "tuner", "bin", "tuner.mjs");

describe("tuner and kvsplit refuse bad input in one clear line, before any work, and change nothing", () => {
  let supportDir: string;
  let scratch: string;
  let port: number;
  const tuner = (...args: string[]) =>
    // the old search ran a whole search before refusing a built-in --name: a minute is far more than a refusal needs
    execa(tunerBin, args, { env: { KVSPLIT_HOME: supportDir }, reject: false, stdin: "ignore", timeout: 60_000 });
  const kvsplit = kvsplitRunner(
    () => supportDir,
    () => port,
  );

  beforeAll(async () => {
    supportDir = mkdtempSync(join(tmpdir(), "kvsplit-refusals-test-"));
    scratch = mkdtempSync(join(tmpdir(), "kvsplit-refusals-files-"));
    port = await freeLoopbackPort();
  });
  afterAll(async () => {
    await new ServerManager({ supportDir }).stop();
    rmSync(supportDir, { recursive: true, force: true });
    rmSync(scratch, { recursive: true, force: true });
  });

  it("profiles import --force does not replace the active profile", async () => {
    const file = join(scratch, "mine.json");
    expect((await tuner("profiles", "export", "k8v8", file)).exitCode).toBe(0);
    expect((await tuner("profiles", "import", file, "--name", "mine")).exitCode).toBe(0);
    expect((await kvsplit("profile", "use", "mine")).exitCode).toBe(0);
    const before = readFileSync(join(supportDir, "profiles", "mine.json"), "utf8");

    const replace = await tuner("profiles", "import", file, "--name", "mine", "--force");
    expect(replace.exitCode).toBe(1);
    expect(replace.stderr).toContain('profile "mine" is the active profile; expected an inactive one to replace');
    expect(readFileSync(join(supportDir, "profiles", "mine.json"), "utf8")).toBe(before);
  });

  it("profile use says when the running server already runs the profile's flags, and records its name", async () => {
    const started = await kvsplit("server", "start");
    expect(started.exitCode).toBe(0);
    const pid = runningPid(started.stdout);
    expect((await kvsplit("profile", "use", "k8v8")).stdout).toBe(
      `active profile: k8v8 (llama-server already runs these flags, pid ${pid})`,
    );
    const recorded = JSON.parse(readFileSync(serverStatePath(supportDir), "utf8")) as ServerState;
    expect(recorded).toMatchObject({ pid, profileName: "k8v8" });
    expect((await kvsplit("server", "status")).stdout).toContain("profile:      k8v8");
  });

  it("ask blames a full context, not --max-tokens, when the context ends the answer", async () => {
    // 512 tokens of context, an answer allowed 2000: greedy SmolLM2 writes until the context is full
    const ask = await kvsplit(
      "ask",
      "Write the numbers from 1 to 500, separated by commas.",
      "--ctx",
      "512",
      "--max-tokens",
      "2000",
    );
    expect(ask.exitCode).toBe(0);
    expect(ask.stderr).toMatch(/ · cut: the context \(512 tokens, --ctx\) is full$/m);
    expect(ask.stderr).not.toContain("cut at --max-tokens");
  });

  it("profiles import of a device or a file that is not a profile names it; escapes are not echoed raw", async () => {
    const zero = await tuner("profiles", "import", "/dev/zero");
    expect(zero.exitCode).toBe(1);
    expect(zero.stderr).toContain(
      "/dev/zero is not a valid KVSplit profile (schemaVersion 1):\nit is not a regular file",
    );

    const escapes = join(scratch, "escapes.json");
    writeFileSync(escapes, "\u001b[2J\u001b[31mnot json\u0007");
    const shown = await tuner("profiles", "import", escapes);
    expect(shown.exitCode).toBe(1);
    expect(shown.stderr).toContain("is not a valid KVSplit profile");
    expect(shown.stderr).not.toContain("\u001b");
    expect(shown.stderr).not.toContain("\u0007");
    expect(shown.stderr).toContain("\\x1b[2J");
  });

  it("search refuses a built-in --name and a negative --budget at once, before reading the model", async () => {
    const builtin = await tuner("search", "--budget", "1%", "--name", "k8v4");
    expect(builtin.exitCode).toBe(1);
    expect(builtin.stderr).toContain('cannot save "k8v4": it is a built-in profile');
    expect(builtin.stderr).not.toContain("search:");

    const negative = await tuner("search", "--budget", "-1%");
    expect(negative.exitCode).toBe(1);
    expect(negative.stderr).toContain("invalid budget '-1%': the budget must be above 0%");
    expect(negative.stderr).not.toContain("Unknown argument");
  });

  it("--port takes decimal digits only (0x2221 is not 8737)", async () => {
    for (const given of ["0x2221", "1e3", " 80"]) {
      const status = await execa(
        join(repoRoot(), "tuner", "bin", "kvsplit.mjs"),
        ["server", "status", "--port", given],
        {
          env: { KVSPLIT_HOME: supportDir },
          reject: false,
        },
      );
      expect(status.exitCode, given).toBe(1);
      expect(status.stderr).toContain(`invalid port ${JSON.stringify(given)}`);
    }
  });
});
