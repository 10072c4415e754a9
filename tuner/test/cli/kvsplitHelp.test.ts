import { execa } from "execa";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { repoRoot } from "../../src/config.ts";
import { freeLoopbackPort } from "../../src/util/loopbackPort.ts";

const kvsplitBin = join(repoRoot(), "tuner", "bin", "kvsplit.mjs");

describe("kvsplit as a new user reads it", () => {
  const home = mkdtempSync(join(tmpdir(), "kvsplit-help-"));
  afterAll(() => rmSync(home, { recursive: true, force: true }));
  const kvsplit = (...args: string[]) =>
    execa("node", [kvsplitBin, ...args], { env: { KVSPLIT_HOME: home }, reject: false });

  it("ask --help names --max-tokens once, without a --maxTokens twin", async () => {
    const help = (await kvsplit("ask", "--help")).stdout;
    expect(help.match(/--max-tokens/g)).toHaveLength(1);
    expect(help).not.toContain("maxTokens");
  });

  it("server status --json prints the status as JSON for scripts", async () => {
    const status = await kvsplit("server", "status", "--json", "--port", String(await freeLoopbackPort()));
    expect(status.exitCode).toBe(0);
    expect(JSON.parse(status.stdout)).toEqual({ state: "stopped", logPath: join(home, "server.log") });
  });
});
