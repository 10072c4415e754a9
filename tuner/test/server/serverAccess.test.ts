import { execFileSync } from "node:child_process";
import { readFileSync, statSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { join } from "node:path";
import OpenAI, { AuthenticationError, PermissionDeniedError } from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freeLoopbackPort } from "../../src/util/loopbackPort.ts";
import { serverKeyPath, serverStatePath } from "../../src/config.ts";
import { findBuiltinProfile } from "../../src/profiles/builtins.ts";
import { PortInUseError } from "../../src/server/errors/PortInUseError.ts";
import { ServerSwitchFailedError } from "../../src/server/errors/ServerSwitchFailedError.ts";
import { ActiveServer } from "../../src/server/activeServer.ts";
import { planLaunch } from "../../src/server/launchPlan.ts";
import { isProcessAlive } from "../../src/server/processInfo.ts";
import { ServerManager } from "../../src/server/ServerManager.ts";
import type { LaunchPlan, ServerState } from "../../src/server/types.ts";
import { stories260kPath } from "../fixtures.ts";
import { createServerFixture, type ServerFixture } from "./serverFixture.ts";

const question = [{ role: "user" as const, content: "Name three colors." }];

/** One POST to the chat route with exactly these headers: what a browser page or a stranger would send. */
async function postChat(port: number, headers: Record<string, string>): Promise<Response> {
  return fetch(`http://127.0.0.1:${port}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify({ messages: question, max_tokens: 2 }),
  });
}

/** A loopback port a plain Node server (not a llama-server) listens on; `squatters` collects it for clean-up. */
async function occupiedPort(squatters: Server[]): Promise<number> {
  const port = await freeLoopbackPort();
  const squatter = createServer();
  await new Promise<void>((resolve) => squatter.listen(port, "127.0.0.1", resolve));
  squatters.push(squatter);
  return port;
}

async function stopAll(fixture: ServerFixture, squatters: Server[]): Promise<void> {
  for (const squatter of squatters) squatter.close();
  await fixture.cleanUp();
}

describe("who may use the managed server (real llama-server and model)", () => {
  let fixture: ServerFixture;
  let server: ServerState;

  beforeAll(async () => {
    fixture = await createServerFixture();
    server = await fixture.manager.ensureRunning(planLaunch(fixture.settings, findBuiltinProfile("k8v4")!));
  });
  afterAll(() => fixture.cleanUp());

  it("streams to the OpenAI SDK that carries the key from server.json", async () => {
    const recorded = JSON.parse(readFileSync(serverStatePath(fixture.supportDir), "utf8")) as ServerState;
    const openai = new OpenAI({ baseURL: `http://127.0.0.1:${server.port}/v1`, apiKey: recorded.apiKey });
    const stream = await openai.chat.completions.create({
      model: "any",
      messages: question,
      max_tokens: 8,
      stream: true,
    });
    const pieces: string[] = [];
    for await (const chunk of stream) pieces.push(chunk.choices[0]?.delta?.content ?? "");
    expect(pieces.join("").length).toBeGreaterThan(0);
    expect(pieces.filter((piece) => piece !== "").length).toBeGreaterThan(1);
  });

  it("refuses the OpenAI SDK without the key, and a request without it", async () => {
    const stranger = new OpenAI({ baseURL: `http://127.0.0.1:${server.port}/v1`, apiKey: "not-the-key" });
    await expect(
      stranger.chat.completions.create({ model: "any", messages: question, max_tokens: 2 }),
    ).rejects.toBeInstanceOf(AuthenticationError);
    expect((await postChat(server.port, {})).status).toBe(401);
    expect((await postChat(server.port, { authorization: `Bearer ${server.apiKey}` })).status).toBe(200);
  });

  it("refuses a browser origin even with the key, and answers its preflight without CORS permission", async () => {
    const withKey = { authorization: `Bearer ${server.apiKey}` };
    const evil = await postChat(server.port, { ...withKey, origin: "http://evil.example" });
    expect(evil.status).toBe(403);
    expect(evil.headers.get("access-control-allow-origin")).toBeNull();
    // a page on localhost is a browser page too
    expect((await postChat(server.port, { ...withKey, origin: "http://localhost:3000" })).status).toBe(403);
    const preflight = await fetch(`http://127.0.0.1:${server.port}/v1/chat/completions`, {
      method: "OPTIONS",
      headers: { origin: "http://evil.example", "access-control-request-method": "POST" },
    });
    expect(preflight.headers.get("access-control-allow-origin")).toBeNull();
    expect(preflight.headers.get("access-control-allow-credentials")).not.toBe("true");
    // the OpenAI SDK in a browser would go through the same refusal
    const browserSdk = new OpenAI({
      baseURL: `http://127.0.0.1:${server.port}/v1`,
      apiKey: server.apiKey,
      defaultHeaders: { origin: "http://evil.example" },
    });
    await expect(
      browserSdk.chat.completions.create({ model: "any", messages: question, max_tokens: 2 }),
    ).rejects.toBeInstanceOf(PermissionDeniedError);
  });

  it("keeps the key owner-only and out of the process list", () => {
    expect(statSync(serverStatePath(fixture.supportDir)).mode & 0o777).toBe(0o600);
    expect(statSync(serverKeyPath(fixture.supportDir)).mode & 0o777).toBe(0o600);
    const commandLine = execFileSync("ps", ["-ww", "-o", "args=", "-p", String(server.pid)]).toString();
    expect(commandLine).toContain(`--api-key-file ${serverKeyPath(fixture.supportDir)}`);
    expect(commandLine).not.toContain(server.apiKey);
  });

  it("gives every start a new key", async () => {
    const restarted = await fixture.manager.restart(planLaunch(fixture.settings, findBuiltinProfile("k8v4")!));
    expect(restarted.apiKey).not.toBe(server.apiKey);
    expect((await postChat(restarted.port, { authorization: `Bearer ${server.apiKey}` })).status).toBe(401);
    server = restarted;
  });

  it("reports a model id without the absolute cache path", async () => {
    const response = await fetch(`http://127.0.0.1:${server.port}/v1/models`, {
      headers: { authorization: `Bearer ${server.apiKey}` },
    });
    const ids = ((await response.json()) as { data: { id: string }[] }).data.map((model) => model.id);
    expect(ids.length).toBeGreaterThan(0);
    for (const id of ids) expect(id).not.toContain("/");
  });
});

describe("finding our server again, naming a stranger on the port, switching safely, one start at a time", () => {
  const squatters: Server[] = [];
  let fixture: ServerFixture;
  let k8v4: LaunchPlan;

  beforeAll(async () => {
    fixture = await createServerFixture();
    k8v4 = planLaunch(fixture.settings, findBuiltinProfile("k8v4")!);
  });
  afterAll(() => stopAll(fixture, squatters));

  it("finds the running server when server.json is garbage, keeps it, and can stop it", async () => {
    const server = await fixture.manager.ensureRunning(k8v4);
    writeFileSync(serverStatePath(fixture.supportDir), "{ garbage");

    const status = await fixture.manager.status(fixture.settings.port);
    expect(status).toMatchObject({ state: "running", recovered: true, server: { pid: server.pid } });
    // a fresh manager (another command) takes it back instead of calling the port foreign
    const again = await new ServerManager({ supportDir: fixture.supportDir }).ensureRunning(k8v4);
    expect(again.pid).toBe(server.pid);
    expect(JSON.parse(readFileSync(serverStatePath(fixture.supportDir), "utf8"))).toMatchObject({
      pid: server.pid,
      apiKey: server.apiKey,
    });
    const answer = await fixture.manager.clientFor(fixture.settings.port).chat({ messages: question, maxTokens: 2 });
    expect(answer.stats.completionTokens).toBe(2);
  });

  it("finds it when server.json names a dead pid or is gone, and stop really stops it", async () => {
    const server = await fixture.manager.ensureRunning(k8v4);
    writeFileSync(serverStatePath(fixture.supportDir), JSON.stringify({ ...server, pid: 999_999 }));
    expect(await fixture.manager.status()).toMatchObject({ state: "running", server: { pid: server.pid } });

    writeFileSync(serverStatePath(fixture.supportDir), "");
    expect(await fixture.manager.stop()).toBe("stopped");
    expect(await isProcessAlive(server.pid)).toBe(false);
    expect((await fixture.manager.status(fixture.settings.port)).state).toBe("stopped");
  });

  it("names the process that holds the port when it is not ours", async () => {
    const port = await occupiedPort(squatters);
    const plan = planLaunch({ ...fixture.settings, port }, findBuiltinProfile("f16")!);

    const failure = await fixture.manager.ensureRunning(plan).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(PortInUseError);
    expect((failure as PortInUseError).holder?.pid).toBe(process.pid);
    expect((failure as Error).message).toMatch(new RegExp(`pid ${process.pid}: .*node.*not a KVSplit server`));
    expect(await fixture.manager.status(port)).toMatchObject({ state: "port-in-use", holder: { pid: process.pid } });
  });

  // a switch that fails leaves the old server answering

  it("brings the old server back when the new one cannot load its model", async () => {
    const old = await fixture.manager.ensureRunning(k8v4);
    const notAModel = join(fixture.supportDir, "not-a-model.gguf");
    writeFileSync(notAModel, "this is not a GGUF file\n");
    const broken = planLaunch({ ...fixture.settings, modelPath: notAModel }, findBuiltinProfile("f16")!);

    const steps: string[] = [];
    const failure = await fixture.manager.ensureRunning(broken, (step) => steps.push(step)).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(ServerSwitchFailedError);
    expect((failure as Error).message).toMatch(/profile "f16"[\s\S]*the previous server \(profile "k8v4"\) runs again/);
    expect(steps).toContain("bringing the old server back");

    const status = await fixture.manager.status();
    expect(status).toMatchObject({ state: "running", ready: true, server: { profileName: "k8v4", args: k8v4.args } });
    const answer = await fixture.manager.clientFor(fixture.settings.port).chat({ messages: question, maxTokens: 2 });
    expect(answer.stats.completionTokens).toBe(2);
    // the old server's new start logs to server.log; the failed start's log, the one that says why, is server.log.1
    expect(readFileSync(`${fixture.manager.logPath}.1`, "utf8")).toMatch(/not-a-model\.gguf/);
    expect(old.profileName).toBe("k8v4");
  });

  it("profile use keeps the old profile active when its server fails to start (K8V4 on a head dim of 8)", async () => {
    // stories260K's head dim 8 fits no quantized K/V block: llama-server refuses k8v4 at start, after every check
    const active = new ActiveServer(fixture.supportDir, { ...fixture.settings, modelPath: stories260kPath });
    active.store.setActiveProfile("f16");
    const old = await active.ensureRunning();
    const failure = await active.useProfile("k8v4").catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ServerSwitchFailedError);
    expect(active.store.activeProfileName()).toBe("f16");
    const status = await active.manager.status();
    expect(status).toMatchObject({ state: "running", ready: true, server: { profileName: "f16", args: old.args } });
  });

  it("never stops the old server for a port another process holds", async () => {
    const old = await fixture.manager.ensureRunning(k8v4);
    const port = await occupiedPort(squatters);
    const elsewhere = planLaunch({ ...fixture.settings, port }, findBuiltinProfile("k8v4")!);

    await expect(fixture.manager.ensureRunning(elsewhere)).rejects.toBeInstanceOf(PortInUseError);
    expect(await isProcessAlive(old.pid)).toBe(true);
    expect((await fixture.manager.status()).state).toBe("running");
  });

  it("lets one command at a time start the server: a second one waits and uses it", async () => {
    await fixture.manager.stop();
    const other = new ServerManager({ supportDir: fixture.supportDir });
    const steps: string[][] = [[], []];
    const [first, second] = await Promise.all([
      fixture.manager.ensureRunning(k8v4, (step) => steps[0]!.push(step)),
      other.ensureRunning(k8v4, (step) => steps[1]!.push(step)),
    ]);
    expect(second.pid).toBe(first.pid);
    const waited = steps.filter((list) =>
      list.includes("waiting for another kvsplit command that is starting the server"),
    );
    expect(waited).toHaveLength(1);
    const llamaServers = execFileSync("ps", ["-ww", "-A", "-o", "args="])
      .toString()
      .split("\n")
      .filter((line) => line.includes(`--api-key-file ${serverKeyPath(fixture.supportDir)}`));
    expect(llamaServers).toHaveLength(1);
  });
});
