import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freeLoopbackPort } from "../../src/util/loopbackPort.ts";
import { ConnectionLostError } from "../../src/client/errors/ConnectionLostError.ts";
import { ServerNotRunningError } from "../../src/client/errors/ServerNotRunningError.ts";
import { LlamaServerClient } from "../../src/client/LlamaServerClient.ts";
import { serverStatePath } from "../../src/config.ts";
import { ModelFileMissingError } from "../../src/model/errors/ModelFileMissingError.ts";
import { MissingBinaryError } from "../../src/native/binaries.ts";
import { findBuiltinProfile } from "../../src/profiles/builtins.ts";
import { ProfileStore } from "../../src/profiles/store.ts";
import { PortInUseError } from "../../src/server/errors/PortInUseError.ts";
import { ServerStartFailedError } from "../../src/server/errors/ServerStartFailedError.ts";
import { activeProfile, planLaunch } from "../../src/server/launchPlan.ts";
import { waitUntil } from "../../src/server/processInfo.ts";
import type { LaunchPlan } from "../../src/server/types.ts";
import { createServerFixture, gemmaSplitProfile, type ServerFixture } from "./serverFixture.ts";

const question = [{ role: "user" as const, content: "Name three colors." }];

describe("ServerManager with the real llama-server and model", () => {
  let fixture: ServerFixture;
  let k8v4: LaunchPlan;

  beforeAll(async () => {
    fixture = await createServerFixture();
    k8v4 = planLaunch(fixture.settings, findBuiltinProfile("k8v4")!);
  });
  afterAll(() => fixture.cleanUp());

  it("starts detached, records server.json and serves the profile's K/V types", async () => {
    const steps: string[] = [];
    const started = performance.now();
    const server = await fixture.manager.ensureRunning(k8v4, (step) => steps.push(step));
    console.info(`cold start (spawn → /health 200): ${Math.round(performance.now() - started)} ms`);

    expect(steps).toEqual(["starting llama-server", "loading the model"]);
    const recorded = JSON.parse(readFileSync(serverStatePath(fixture.supportDir), "utf8"));
    expect(recorded).toMatchObject({ pid: server.pid, port: fixture.settings.port, profileName: "k8v4" });
    expect(recorded.args).toEqual(expect.arrayContaining(["--host", "127.0.0.1", "-ctk", "q8_0", "-ctv", "q4_0"]));
    // its own process group: a Ctrl-C or the end of the caller's group does not reach it
    const pgid = execFileSync("ps", ["-o", "pgid=", "-p", String(server.pid)])
      .toString()
      .trim();
    expect(Number(pgid)).toBe(server.pid);

    const status = await fixture.manager.status();
    expect(status.state).toBe("running");
    if (status.state !== "running") return;
    expect(status.ready).toBe(true);
    expect(status.kvCache?.layers).toHaveLength(18);
    expect(new Set(status.kvCache?.layers.map((l) => `${l.typeK}/${l.typeV}`))).toEqual(new Set(["q8_0/q4_0"]));
    expect(readFileSync(fixture.manager.logPath, "utf8")).toContain(`listening on http://127.0.0.1:${server.port}`);
  });

  it("keeps a running server whose launch plan is unchanged", async () => {
    const before = await fixture.manager.ensureRunning(k8v4);
    const again = await fixture.manager.ensureRunning(k8v4);
    expect(again.pid).toBe(before.pid);
  });

  it("streams an answer with time to first token and tokens per second", async () => {
    const client = fixture.manager.clientFor(fixture.settings.port);
    const pieces: string[] = [];
    const answer = await client.chat({ messages: question, maxTokens: 12, temperature: 0 }, (p) => pieces.push(p));
    console.info(`warm time to first token: ${Math.round(answer.stats.timeToFirstTokenMs)} ms`);

    expect(pieces.length).toBeGreaterThan(1);
    expect(pieces.join("")).toBe(answer.text);
    expect(answer.finishReason).toBe("length");
    expect(answer.stats.completionTokens).toBe(12);
    expect(answer.stats.promptTokens).toBeGreaterThan(5);
    expect(answer.stats.timeToFirstTokenMs).toBeGreaterThan(0);
    expect(answer.stats.timeToFirstTokenMs).toBeLessThan(answer.stats.totalMs);
    expect(answer.stats.tokensPerSecond).toBeGreaterThan(0);
  });

  it("restarts when the active profile changes, and the server reports its per-layer types", async () => {
    const store = new ProfileStore(fixture.supportDir);
    const profile = await gemmaSplitProfile();
    store.save(profile);
    store.setActiveProfile(profile.name);
    const before = await fixture.manager.ensureRunning(k8v4);

    const steps: string[] = [];
    const plan = planLaunch(fixture.settings, activeProfile(store));
    const after = await fixture.manager.ensureRunning(plan, (step) => steps.push(step));

    expect(after.pid).not.toBe(before.pid);
    expect(after.profileName).toBe("gemma-split");
    expect(steps[0]).toBe("stopping the old server");
    const status = await fixture.manager.status();
    if (status.state !== "running") throw new Error(`expected a running server, got ${status.state}`);
    const layers = status.kvCache!.layers;
    expect(layers.map((l) => l.typeK)).toEqual(profile.cache.k);
    expect(layers.map((l) => l.typeV)).toEqual(profile.cache.v);
    expect(status.kvCache!.sizeK).toBe(layers.reduce((sum, l) => sum + l.sizeK, 0));
  });

  it("reports a server killed mid-answer clearly, and the next ensureRunning starts a new one", async () => {
    const server = await fixture.manager.ensureRunning(k8v4);
    const client = fixture.manager.clientFor(fixture.settings.port);
    let killed = false;
    const answer = client.chat({ messages: question, maxTokens: 200 }, () => {
      if (!killed) {
        killed = true;
        process.kill(server.pid, "SIGKILL");
      }
    });
    await expect(answer).rejects.toBeInstanceOf(ConnectionLostError);
    await expect(answer).rejects.toThrow(`see ${fixture.manager.logPath})`);
    // SIGKILL is asynchronous: wait until the process is gone before asking again
    expect(await waitUntil(async () => (await fixture.manager.status()).state === "crashed", 5_000)).toBe(true);
    await expect(client.chat({ messages: question, maxTokens: 4 })).rejects.toBeInstanceOf(ServerNotRunningError);

    const restarted = await fixture.manager.ensureRunning(k8v4);
    expect(restarted.pid).not.toBe(server.pid);
    // every start has its own key: the old client is refused, a client for the new server answers
    await expect(client.chat({ messages: question, maxTokens: 4 })).rejects.toThrow(/HTTP 401/);
    const next = await fixture.manager.clientFor(restarted).chat({ messages: question, maxTokens: 4 });
    expect(next.text.length).toBeGreaterThan(0);
  });

  it("stops with SIGTERM and forgets the server", async () => {
    const server = await fixture.manager.ensureRunning(k8v4);
    expect(await fixture.manager.stop()).toBe("stopped");
    expect(() => process.kill(server.pid, 0)).toThrow();
    expect(existsSync(serverStatePath(fixture.supportDir))).toBe(false);
    expect(await fixture.manager.stop()).toBe("not-running");
    expect((await fixture.manager.status()).state).toBe("stopped");
  });
});

describe("ServerManager failures", () => {
  let fixture: ServerFixture;
  let squatter: Server | undefined;

  beforeAll(async () => {
    fixture = await createServerFixture();
  });
  afterAll(async () => {
    squatter?.close();
    await fixture.cleanUp();
  });

  it("refuses a port another process holds, and says so in status", async () => {
    const port = await freeLoopbackPort();
    squatter = createServer();
    await new Promise<void>((resolve) => squatter!.listen(port, "127.0.0.1", resolve));
    const plan = planLaunch({ ...fixture.settings, port }, findBuiltinProfile("f16")!);

    await expect(fixture.manager.ensureRunning(plan)).rejects.toThrow(PortInUseError);
    await expect(fixture.manager.ensureRunning(plan)).rejects.toThrow(`port ${port} on 127.0.0.1 is in use by`);
    expect(await fixture.manager.status(port)).toMatchObject({ state: "port-in-use", port });
  });

  it("names a missing binary and a missing model", async () => {
    const f16 = findBuiltinProfile("f16")!;
    const noBinary = planLaunch({ ...fixture.settings, binaryPath: "/nonexistent/llama-server" }, f16);
    await expect(fixture.manager.ensureRunning(noBinary)).rejects.toThrow(MissingBinaryError);
    await expect(fixture.manager.ensureRunning(noBinary)).rejects.toThrow("/nonexistent/llama-server");
    const noModel = planLaunch({ ...fixture.settings, modelPath: "/nonexistent/model.gguf" }, f16);
    await expect(fixture.manager.ensureRunning(noModel)).rejects.toThrow(ModelFileMissingError);
  });

  it("surfaces the last log lines when llama-server exits during start-up", async () => {
    const notAModel = join(fixture.supportDir, "not-a-model.gguf");
    writeFileSync(notAModel, "this is not a GGUF file\n");
    const plan = planLaunch({ ...fixture.settings, modelPath: notAModel }, findBuiltinProfile("f16")!);

    const failure = await fixture.manager.ensureRunning(plan).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ServerStartFailedError);
    const { logTail, message } = failure as ServerStartFailedError;
    expect(logTail.join("\n")).toMatch(/failed to load model|invalid magic|gguf/i);
    expect(message).toContain(fixture.manager.logPath);
    expect((await fixture.manager.status()).state).toBe("stopped");
  });

  it("says the server is not running when nothing listens", async () => {
    const client = new LlamaServerClient({ baseUrl: `http://127.0.0.1:${await freeLoopbackPort()}` });
    expect(await client.health()).toBe("down");
    await expect(client.chat({ messages: question })).rejects.toThrow(/llama-server is not running at http:\/\/127/);
  });
});
