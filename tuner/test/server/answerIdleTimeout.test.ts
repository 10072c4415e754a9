import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findBuiltinProfile } from "../../src/profiles/builtins.ts";
import { planLaunch } from "../../src/server/launchPlan.ts";
import { ServerManager } from "../../src/server/ServerManager.ts";
import type { ServerState } from "../../src/server/types.ts";
import { createServerFixture, type ServerFixture } from "./serverFixture.ts";

const idleTimeoutMs = 10_000;
const question = [{ role: "user" as const, content: "Count from 1 to 500." }];

describe("a streamed answer from a server that stops sending (real llama-server stopped with SIGSTOP)", () => {
  let fixture: ServerFixture;
  let server: ServerState;
  let stopped = false;

  beforeAll(async () => {
    fixture = await createServerFixture();
    // one thread: two of them wait for each other at every step, and on a busy machine a token then takes seconds
    server = await fixture.manager.ensureRunning(
      planLaunch({ ...fixture.settings, threads: 1 }, findBuiltinProfile("f16")!),
    );
  });
  afterAll(async () => {
    if (stopped) process.kill(server.pid, "SIGCONT");
    await fixture.cleanUp();
  });

  it("ends with an error naming the silence and the server's state, keeping the text so far", async () => {
    const manager = new ServerManager({ supportDir: fixture.supportDir, answerIdleTimeoutMs: idleTimeoutMs });
    const client = manager.clientFor(server);
    // the same question once before, with the default timeout: its prompt is then cached, so on a loaded machine
    // the silence before the first piece stays far below the idle timeout and only the SIGSTOP makes one
    await fixture.manager.clientFor(server).chat({ messages: question, maxTokens: 1 });
    const started = performance.now();
    const answer = client.chat({ messages: question, maxTokens: 400 }, () => {
      if (stopped) return;
      stopped = true;
      process.kill(server.pid, "SIGSTOP");
    });
    // the old client waited forever: give it the idle timeout and some slack, never the test's own 10 minutes
    const outcome = await Promise.race([
      answer.then(
        () => "answered",
        (error: unknown) => error,
      ),
      new Promise((resolve) => setTimeout(() => resolve("still waiting"), idleTimeoutMs + 12_000)),
    ]);
    expect(outcome).toBeInstanceOf(Error);
    const message = (outcome as Error).message;
    expect(message).toContain(`llama-server sent nothing for ${idleTimeoutMs / 1000} s`);
    expect(message).toContain(`pid ${server.pid} is stopped`);
    expect((outcome as { partialText?: string }).partialText?.length).toBeGreaterThan(0);
    expect(performance.now() - started).toBeGreaterThanOrEqual(idleTimeoutMs);

    // once it runs again, the server has dropped the abandoned answer and serves the next one
    process.kill(server.pid, "SIGCONT");
    stopped = false;
    // (with the default timeout: on a loaded machine the resumed server may take more than 3 s to drop the old task)
    const next = await fixture.manager
      .clientFor(server)
      .chat({ messages: [{ role: "user", content: "Hi" }], maxTokens: 2 });
    expect(next.stats.completionTokens).toBe(2);
  });
});
