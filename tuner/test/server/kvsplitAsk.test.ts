import { execa } from "execa";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freeLoopbackPort } from "../../src/util/loopbackPort.ts";
import { defaultMaxAnswerTokens } from "../../src/client/askDefaults.ts";
import { instructModelFileName, repoRoot, serverStatePath } from "../../src/config.ts";
import { ServerManager } from "../../src/server/ServerManager.ts";
import { waitUntil } from "../../src/server/processInfo.ts";
import { smollmModelPath } from "../fixtures.ts";

const kvsplitBin = join(repoRoot(), "tuner", "bin", "kvsplit.mjs");

/** `kvsplit ask` as a user runs it: the default model, context and answer cap; only the port is private. */
describe("kvsplit ask with the default set-up (real server, SmolLM2 135M Instruct)", () => {
  let supportDir: string;
  let port: number;
  const kvsplit = (...args: string[]) =>
    execa(kvsplitBin, [...args, "--port", String(port)], {
      env: { KVSPLIT_HOME: supportDir },
      reject: false,
      stdin: "ignore",
    });

  beforeAll(async () => {
    smollmModelPath(); // fails with "run npm run setup" when the instruct model is missing
    supportDir = mkdtempSync(join(tmpdir(), "kvsplit-ask-test-"));
    port = await freeLoopbackPort();
  });
  afterAll(async () => {
    await new ServerManager({ supportDir }).stop();
    rmSync(supportDir, { recursive: true, force: true });
  });

  it("refuses --max-tokens below 1 before starting anything", async () => {
    for (const value of ["0", "-5", "2.5"]) {
      const ask = await kvsplit("ask", "Hi", "--max-tokens", value);
      expect(ask.exitCode).toBe(1);
      expect(ask.stderr).toContain(`kvsplit: --max-tokens must be a whole number ≥ 1, got ${value}`);
    }
    expect(existsSync(serverStatePath(supportDir))).toBe(false);
  });

  it('answers "What is the capital of France?" with Paris from a cold start and stops by itself', async () => {
    const ask = await kvsplit("ask", "What is the capital of France?");
    expect(ask.exitCode).toBe(0);
    expect(ask.stderr).toContain("kvsplit: starting llama-server");
    expect(ask.stdout).toContain("Paris");
    // the model ended its answer: fewer tokens than the cap, and no "cut at" note
    const tokens = Number(/f16 · (\d+) tokens/.exec(ask.stderr)?.[1]);
    expect(tokens).toBeGreaterThan(0);
    expect(tokens).toBeLessThan(defaultMaxAnswerTokens);
    expect(ask.stderr).not.toContain("cut at --max-tokens");

    const status = await kvsplit("server", "status");
    expect(status.stdout).toContain(instructModelFileName);
  });

  it("says when an answer hit the cap", async () => {
    const ask = await kvsplit("ask", "Count from 1 to 100.", "--max-tokens", "5");
    expect(ask.exitCode).toBe(0);
    expect(ask.stderr).toMatch(/f16 · 5 tokens · .* · cut at --max-tokens 5/);
  });

  it("Ctrl-C stops the answer, and the server stops generating too", async () => {
    const client = new ServerManager({ supportDir }).clientFor(port);
    const ask = execa(
      kvsplitBin,
      ["ask", "Count from 1 to 1000, one number per line.", "--max-tokens", "3000", "--port", String(port)],
      { env: { KVSPLIT_HOME: supportDir }, reject: false, stdin: "ignore" },
    );
    let received = "";
    ask.stdout.on("data", (chunk: Buffer) => (received += chunk.toString()));
    expect(await waitUntil(async () => received.length > 40, 60_000, 50)).toBe(true);
    expect(await client.busySlots()).toBe(1);

    ask.kill("SIGINT");
    const result = await ask;
    expect(result.exitCode).toBe(130);
    expect(result.stderr).toMatch(/ · stopped$/m);
    // a 3000-token answer takes far longer than this: only a cancelled task frees the slot so soon
    expect(await waitUntil(async () => (await client.busySlots()) === 0, 2_000, 50)).toBe(true);
  });
});
