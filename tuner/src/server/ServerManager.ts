import { existsSync } from "node:fs";
import { LlamaServerClient } from "../client/LlamaServerClient.ts";
import type { FetchFunction } from "../client/types.ts";
import { serverLogPath, serverStatePath } from "../config.ts";
import { MissingBinaryError } from "../native/binaries.ts";
import { ModelFileMissingError } from "../model/errors/ModelFileMissingError.ts";
import { PortInUseError } from "./errors/PortInUseError.ts";
import { ServerReadyTimeoutError } from "./errors/ServerReadyTimeoutError.ts";
import { ServerStartFailedError } from "./errors/ServerStartFailedError.ts";
import { sameLaunch } from "./launchPlan.ts";
import { readLogTail } from "./logTail.ts";
import { isPortFree } from "./ports.ts";
import { isServerProcess, waitUntil } from "./processInfo.ts";
import { spawnDetached } from "./spawnDetached.ts";
import { ServerStateFile } from "./stateFile.ts";
import type { LaunchPlan, ServerState, ServerStatus } from "./types.ts";

export interface ServerManagerOptions {
  /** The app-support directory for server.json and server.log; the extension passes `environment.supportPath`. */
  supportDir: string;
  /** Defaults to `globalThis.fetch`. */
  fetch?: FetchFunction;
  /** How long a start may take until GET /health answers 200. Defaults to 120 000 ms. */
  readyTimeoutMs?: number;
  /** How long to wait after SIGTERM before SIGKILL. Defaults to 5 000 ms. */
  stopTimeoutMs?: number;
}

/** What a start is doing, for a progress toast or a CLI line. */
export type StartStep = "stopping the old server" | "starting llama-server" | "loading the model";

export type StopOutcome = "stopped" | "not-running" | "was-crashed";

/**
 * The one llama-server KVSplit runs: started detached so it outlives the caller, recorded in server.json,
 * logging to server.log, restarted when the launch plan (profile, model, settings) changes.
 */
export class ServerManager {
  readonly logPath: string;
  private readonly stateFile: ServerStateFile;
  private readonly fetchFn: FetchFunction | undefined;
  private readonly readyTimeoutMs: number;
  private readonly stopTimeoutMs: number;

  constructor(options: ServerManagerOptions) {
    this.logPath = serverLogPath(options.supportDir);
    this.stateFile = new ServerStateFile(serverStatePath(options.supportDir));
    this.fetchFn = options.fetch;
    this.readyTimeoutMs = options.readyTimeoutMs ?? 120_000;
    this.stopTimeoutMs = options.stopTimeoutMs ?? 5_000;
  }

  clientFor(port: number): LlamaServerClient {
    return new LlamaServerClient({ baseUrl: `http://127.0.0.1:${port}`, fetch: this.fetchFn });
  }

  /** Where the server stands; with `port`, also whether a process that is not ours holds that port. */
  async status(port?: number): Promise<ServerStatus> {
    const server = this.stateFile.read();
    if (server) {
      if (!(await isServerProcess(server.pid, server.binaryPath))) {
        return { state: "crashed", server, logTail: readLogTail(this.logPath) };
      }
      const client = this.clientFor(server.port);
      const ready = (await client.health()) === "ready";
      return { state: "running", server, ready, kvCache: ready ? await client.kvCache() : undefined };
    }
    if (port !== undefined && !(await isPortFree(port))) return { state: "port-in-use", port };
    return { state: "stopped" };
  }

  /** Returns the running server when it matches `plan`; otherwise (re)starts it. */
  async ensureRunning(plan: LaunchPlan, onStep: (step: StartStep) => void = () => {}): Promise<ServerState> {
    const current = this.stateFile.read();
    if (current && (await isServerProcess(current.pid, current.binaryPath))) {
      if (sameLaunch(current, plan)) {
        await this.waitForReady(current);
        return current;
      }
      onStep("stopping the old server");
      await this.stop();
    }
    return this.start(plan, onStep);
  }

  /** Stops whatever runs and starts `plan`. */
  async restart(plan: LaunchPlan, onStep: (step: StartStep) => void = () => {}): Promise<ServerState> {
    onStep("stopping the old server");
    await this.stop();
    return this.start(plan, onStep);
  }

  /** SIGTERM, then SIGKILL after the stop timeout; forgets a crashed server. */
  async stop(): Promise<StopOutcome> {
    const server = this.stateFile.read();
    if (!server) return "not-running";
    if (!(await isServerProcess(server.pid, server.binaryPath))) {
      this.stateFile.remove();
      return "was-crashed";
    }
    await this.terminate(server);
    this.stateFile.remove();
    return "stopped";
  }

  private async start(plan: LaunchPlan, onStep: (step: StartStep) => void): Promise<ServerState> {
    if (!existsSync(plan.binaryPath)) throw new MissingBinaryError("llama-server", plan.binaryPath);
    if (!existsSync(plan.modelPath)) throw new ModelFileMissingError(plan.modelPath);
    // a crashed server's record must not be mistaken for a running one
    this.stateFile.remove();
    if (!(await isPortFree(plan.port))) {
      throw new PortInUseError(plan.port, "it is not a llama-server that KVSplit started");
    }
    onStep("starting llama-server");
    let pid: number;
    try {
      pid = await spawnDetached(plan.binaryPath, plan.args, this.logPath);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new ServerStartFailedError(`could not run ${plan.binaryPath}: ${reason}`, this.logPath, []);
    }
    const server: ServerState = { ...plan, pid, startedAt: new Date().toISOString() };
    this.stateFile.write(server);
    onStep("loading the model");
    await this.waitForReady(server);
    return server;
  }

  /** Polls GET /health until 200; a process that exits meanwhile, or a timeout, fails with the log's last lines. */
  private async waitForReady(server: ServerState): Promise<void> {
    const client = this.clientFor(server.port);
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

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch (error) {
    // ESRCH: it exited between our check and the signal, which is what we wanted
    if ((error as NodeJS.ErrnoException).code !== "ESRCH") throw error;
  }
}
