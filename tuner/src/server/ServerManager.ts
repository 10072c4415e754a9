import { existsSync, renameSync, statSync } from "node:fs";
import { LlamaServerClient } from "../client/LlamaServerClient.ts";
import type { FetchFunction } from "../client/types.ts";
import { serverKeyPath, serverLogPath, serverStatePath } from "../config.ts";
import { MissingBinaryError } from "../native/binaries.ts";
import { ModelFileMissingError } from "../model/errors/ModelFileMissingError.ts";
import { accessArgs } from "./accessArgs.ts";
import { InvalidPortError, isValidPort } from "./errors/InvalidPortError.ts";
import { PortInUseError } from "./errors/PortInUseError.ts";
import { ServerReadyTimeoutError } from "./errors/ServerReadyTimeoutError.ts";
import { ServerStartFailedError } from "./errors/ServerStartFailedError.ts";
import { ServerSwitchFailedError } from "./errors/ServerSwitchFailedError.ts";
import { findManagedServer, findPortHolder } from "./findServer.ts";
import { newApiKey, writeKeyFile } from "./keyFile.ts";
import { sameLaunch } from "./launchPlan.ts";
import { readLogTail } from "./logTail.ts";
import { isPortFree } from "../util/loopbackPort.ts";
import { isServerProcess, waitUntil } from "./processInfo.ts";
import { withServerLock } from "./serverLock.ts";
import { spawnDetached } from "./spawnDetached.ts";
import { ServerStateFile } from "./stateFile.ts";
import type { LaunchPlan, ServerState, ServerStatus } from "./types.ts";

export interface ServerManagerOptions {
  /** The app-support directory for server.json, server.key and server.log: appSupportDir(), which every front end shares. */
  supportDir: string;
  /** Defaults to `globalThis.fetch`. */
  fetch?: FetchFunction;
  /** How long a start may take until GET /health answers 200. Defaults to 120 000 ms. */
  readyTimeoutMs?: number;
  /** How long to wait after SIGTERM before SIGKILL. Defaults to 5 000 ms. */
  stopTimeoutMs?: number;
}

/** What a start is doing, for a progress toast or a CLI line. */
export type StartStep =
  | "waiting for another kvsplit command that is starting the server"
  | "stopping the old server"
  | "starting llama-server"
  | "loading the model"
  | "bringing the old server back";

export type StopOutcome = "stopped" | "not-running" | "was-crashed";

/** Our server, from server.json or found again without it; or the record of one that is gone. */
type Located = { server: ServerState; recovered: boolean } | { crashed: ServerState } | undefined;

/**
 * The one llama-server KVSplit runs: started detached so it outlives the caller, with a fresh API key per start
 * and no browser origin allowed, recorded in server.json (and server.key), logging to server.log (the previous
 * start's log kept as server.log.1). Start, stop and switch run one at a time under server.lock; a switch
 * checks the new plan first and brings the old server back when the new one fails.
 */
export class ServerManager {
  readonly logPath: string;
  readonly keyPath: string;
  private readonly supportDir: string;
  private readonly stateFile: ServerStateFile;
  private readonly fetchFn: FetchFunction | undefined;
  private readonly readyTimeoutMs: number;
  private readonly stopTimeoutMs: number;

  constructor(options: ServerManagerOptions) {
    this.supportDir = options.supportDir;
    this.logPath = serverLogPath(options.supportDir);
    this.keyPath = serverKeyPath(options.supportDir);
    this.stateFile = new ServerStateFile(serverStatePath(options.supportDir));
    this.fetchFn = options.fetch;
    this.readyTimeoutMs = options.readyTimeoutMs ?? 120_000;
    this.stopTimeoutMs = options.stopTimeoutMs ?? 5_000;
  }

  /** A client for our server, with its key; given a port, the key recorded for the server on that port. */
  clientFor(server: ServerState | number): LlamaServerClient {
    const port = typeof server === "number" ? server : server.port;
    const recorded = typeof server === "number" ? this.stateFile.read() : server;
    return new LlamaServerClient({
      baseUrl: `http://127.0.0.1:${port}`,
      fetch: this.fetchFn,
      apiKey: recorded?.port === port ? recorded.apiKey : undefined,
      logPath: this.logPath,
    });
  }

  /** Where the server stands; with `port`, also whether a process that is not ours holds that port, and which. */
  async status(port?: number): Promise<ServerStatus> {
    const located = await this.locate();
    if (located && "crashed" in located) {
      return { state: "crashed", server: located.crashed, logTail: readLogTail(this.logPath) };
    }
    if (located) {
      const { server, recovered } = located;
      const client = this.clientFor(server);
      const ready = (await client.health()) === "ready";
      const kvCache = ready ? await client.kvCache() : undefined;
      return { state: "running", server, ready, kvCache, ...(recovered ? { recovered } : {}) };
    }
    if (port !== undefined && isValidPort(port) && !(await isPortFree(port))) {
      return { state: "port-in-use", port, holder: await findPortHolder(port) };
    }
    return { state: "stopped" };
  }

  /** Returns the running server when it matches `plan`; otherwise (re)starts it (see {@link restart}). */
  async ensureRunning(plan: LaunchPlan, onStep: (step: StartStep) => void = () => {}): Promise<ServerState> {
    return this.locked(onStep, async () => {
      const located = await this.locate();
      if (located && "server" in located) {
        if (!sameLaunch(located.server, plan)) return this.switchTo(located.server, plan, onStep);
        // found again without server.json: it runs this plan, so record it under the plan's profile name
        const server = located.recovered ? { ...located.server, profileName: plan.profileName } : located.server;
        if (located.recovered) this.stateFile.write(server);
        await this.waitForReady(server);
        return server;
      }
      await this.checkStartable(plan);
      return this.start(plan, onStep);
    });
  }

  /**
   * Stops whatever runs and starts `plan`. The new plan is checked (binary, model file, port) before the old
   * server stops; when the new server fails anyway, the old one is started again and the error says so.
   */
  async restart(plan: LaunchPlan, onStep: (step: StartStep) => void = () => {}): Promise<ServerState> {
    return this.locked(onStep, async () => {
      const located = await this.locate();
      if (located && "server" in located) return this.switchTo(located.server, plan, onStep);
      await this.checkStartable(plan);
      return this.start(plan, onStep);
    });
  }

  /** SIGTERM, then SIGKILL after the stop timeout; forgets a crashed server. */
  async stop(): Promise<StopOutcome> {
    return this.locked(undefined, async () => {
      const located = await this.locate();
      if (!located) return "not-running";
      this.stateFile.remove();
      if ("crashed" in located) return "was-crashed";
      await this.terminate(located.server);
      return "stopped";
    });
  }

  private locked<T>(onStep: ((step: StartStep) => void) | undefined, work: () => Promise<T>): Promise<T> {
    // a waiting command may wait out a whole switch: stop, a failed start, and the old server's start again
    const timeoutMs = 2 * (this.readyTimeoutMs + 2 * this.stopTimeoutMs) + 10_000;
    const onWait = () => onStep?.("waiting for another kvsplit command that is starting the server");
    return withServerLock(this.supportDir, { onWait, timeoutMs }, work);
  }

  /**
   * Our server: the one server.json names if its process lives; else the one server.key names, found by its
   * exact command line (server.json lost, damaged, or naming a dead pid while the server runs).
   */
  private async locate(): Promise<Located> {
    const recorded = this.stateFile.read();
    if (recorded && (await isServerProcess(recorded.pid, recorded.binaryPath))) {
      return { server: recorded, recovered: false };
    }
    const found = await findManagedServer(this.keyPath);
    if (found) return { server: found, recovered: true };
    return recorded ? { crashed: recorded } : undefined;
  }

  /** What can be checked before anything stops: the port, the binary, the model file. */
  private async checkStartable(plan: LaunchPlan, running?: ServerState): Promise<void> {
    if (!isValidPort(plan.port)) throw new InvalidPortError(plan.port);
    if (!existsSync(plan.binaryPath)) throw new MissingBinaryError("llama-server", plan.binaryPath);
    if (!existsSync(plan.modelPath) || !statSync(plan.modelPath).isFile()) {
      throw new ModelFileMissingError(plan.modelPath);
    }
    // the running server frees its own port when it stops; any other holder stays
    if (running?.port !== plan.port && !(await isPortFree(plan.port))) {
      throw new PortInUseError(plan.port, await findPortHolder(plan.port));
    }
  }

  private async switchTo(old: ServerState, plan: LaunchPlan, onStep: (step: StartStep) => void): Promise<ServerState> {
    await this.checkStartable(plan, old);
    onStep("stopping the old server");
    await this.terminate(old);
    this.stateFile.remove();
    try {
      return await this.start(plan, onStep);
    } catch (error) {
      onStep("bringing the old server back");
      try {
        await this.start(launchPlanOf(old), onStep);
      } catch (restoreError) {
        throw new ServerSwitchFailedError(plan.profileName, old.profileName, asError(error), asError(restoreError));
      }
      throw new ServerSwitchFailedError(plan.profileName, old.profileName, asError(error));
    }
  }

  private async start(plan: LaunchPlan, onStep: (step: StartStep) => void): Promise<ServerState> {
    onStep("starting llama-server");
    const apiKey = newApiKey();
    const startedAt = new Date().toISOString();
    writeKeyFile(this.keyPath, { apiKey, plan: launchPlanOf(plan), startedAt });
    // the last server's log (a crash's last words) survives one restart
    if (existsSync(this.logPath)) renameSync(this.logPath, `${this.logPath}.1`);
    let pid: number;
    try {
      pid = await spawnDetached(plan.binaryPath, [...plan.args, ...accessArgs(this.keyPath)], this.logPath);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new ServerStartFailedError(`could not run ${plan.binaryPath}: ${reason}`, this.logPath, []);
    }
    const server: ServerState = { ...launchPlanOf(plan), pid, startedAt, apiKey };
    this.stateFile.write(server);
    onStep("loading the model");
    await this.waitForReady(server);
    return server;
  }

  /** Polls GET /health until 200; a process that exits meanwhile, or a timeout, fails with the log's last lines. */
  private async waitForReady(server: ServerState): Promise<void> {
    const client = this.clientFor(server);
    const deadline = Date.now() + this.readyTimeoutMs;
    while (Date.now() < deadline) {
      if (!(await isServerProcess(server.pid, server.binaryPath))) {
        this.stateFile.remove();
        throw new ServerStartFailedError("it exited during start-up", this.logPath, readLogTail(this.logPath));
      }
      if ((await client.health()) === "ready") return;
      await new Promise((resolve) => setTimeout(resolve, 150));
    }
    await this.terminate(server);
    this.stateFile.remove();
    throw new ServerReadyTimeoutError(this.readyTimeoutMs, this.logPath, readLogTail(this.logPath));
  }

  private async terminate(server: ServerState): Promise<void> {
    const gone = async () => !(await isServerProcess(server.pid, server.binaryPath));
    signal(server.pid, "SIGTERM");
    if (await waitUntil(gone, this.stopTimeoutMs)) return;
    signal(server.pid, "SIGKILL");
    await waitUntil(gone, this.stopTimeoutMs);
  }
}

function launchPlanOf({ binaryPath, modelPath, port, profileName, args }: LaunchPlan): LaunchPlan {
  return { binaryPath, modelPath, port, profileName, args };
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch (error) {
    // ESRCH: it exited between our check and the signal, which is what we wanted
    if ((error as NodeJS.ErrnoException).code !== "ESRCH") throw error;
  }
}
