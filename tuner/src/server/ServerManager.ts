import { existsSync, renameSync, statSync } from "node:fs";
import { LlamaServerClient } from "../client/LlamaServerClient.ts";
import type { FetchFunction } from "../client/types.ts";
import { serverKeyPath, serverLogPath, serverStatePath } from "../config.ts";
import { MissingBinaryError } from "../native/binaries.ts";
import { ModelFileMissingError } from "../model/errors/ModelFileMissingError.ts";
import { ServerHttpError } from "../client/errors/ServerHttpError.ts";
import { serverArgv } from "./accessArgs.ts";
import { AnswerInProgressError } from "./errors/AnswerInProgressError.ts";
import { InvalidPortError, isValidPort } from "./errors/InvalidPortError.ts";
import { PortInUseError } from "./errors/PortInUseError.ts";
import { ServerKeyLostError } from "./errors/ServerKeyLostError.ts";
import { ServerReadyTimeoutError } from "./errors/ServerReadyTimeoutError.ts";
import { ServerRecordError } from "./errors/ServerRecordError.ts";
import { ServerRecordRemoveError } from "./errors/ServerRecordRemoveError.ts";
import { ServerStartFailedError } from "./errors/ServerStartFailedError.ts";
import { ServerSwitchFailedError } from "./errors/ServerSwitchFailedError.ts";
import { findManagedServer, findPortHolder } from "./findServer.ts";
import { newApiKey, writeKeyFile } from "./keyFile.ts";
import { describeLaunchChange, sameLaunch } from "./launchPlan.ts";
import { readLogTail } from "./logTail.ts";
import { isPortFree } from "../util/loopbackPort.ts";
import {
  isSameProcess,
  matchesIdentity,
  processStartTime,
  readProcess,
  waitUntil,
  type ProcessIdentity,
} from "./processInfo.ts";
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
  /** How long a streamed answer may send nothing before the client gives up on it (LlamaServerClient). */
  answerIdleTimeoutMs?: number;
}

export interface SwitchOptions {
  /** stop a server that is streaming an answer anyway (the answer is cut); without it such a switch is refused */
  force?: boolean;
}

/** What a start is doing, for a progress toast or a CLI line. */
export type StartStep =
  | "waiting for another kvsplit command that is starting the server"
  | "stopping the old server"
  | "starting llama-server"
  | "loading the model"
  | "bringing the old server back";

export type StopOutcome = "stopped" | "not-running" | "was-crashed";

/**
 * Our server, from server.json or found again without it (`keyLost`: without its key); or the record of one that is
 * gone, whose pid may now be another process's.
 */
type Located =
  | { server: ServerState; recovered: boolean; keyLost: boolean }
  | { crashed: ServerState; pidReused: boolean }
  | undefined;

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
  private readonly answerIdleTimeoutMs: number | undefined;

  constructor(options: ServerManagerOptions) {
    this.supportDir = options.supportDir;
    this.logPath = serverLogPath(options.supportDir);
    this.keyPath = serverKeyPath(options.supportDir);
    this.stateFile = new ServerStateFile(serverStatePath(options.supportDir));
    this.fetchFn = options.fetch;
    this.readyTimeoutMs = options.readyTimeoutMs ?? 120_000;
    this.stopTimeoutMs = options.stopTimeoutMs ?? 5_000;
    this.answerIdleTimeoutMs = options.answerIdleTimeoutMs;
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
      answerIdleTimeoutMs: this.answerIdleTimeoutMs,
      describeProcess: recorded?.port === port ? () => this.describeProcess(recorded) : undefined,
    });
  }

  /** What the OS says about the server's process, for an error about a silent server. */
  private async describeProcess(server: ServerState): Promise<string> {
    const facts = await readProcess(server.pid);
    if (!facts || !matchesIdentity(facts, this.identityOf(server))) return `its process (pid ${server.pid}) is gone`;
    if (facts.state.startsWith("T")) {
      return `pid ${server.pid} is stopped (SIGSTOP or a debugger; 'kill -CONT ${server.pid}' resumes it)`;
    }
    return `pid ${server.pid} is running (state ${facts.state}): it may be starved of CPU or hung; see ${this.logPath}`;
  }

  /** Where the server stands; with `port`, also whether a process that is not ours holds that port, and which. */
  async status(port?: number): Promise<ServerStatus> {
    const located = await this.locate();
    if (located && "crashed" in located) {
      const { crashed, pidReused } = located;
      return {
        state: "crashed",
        server: crashed,
        logTail: readLogTail(this.logPath),
        ...(pidReused ? { pidReused } : {}),
      };
    }
    if (located) {
      const { server, recovered, keyLost } = located;
      const client = this.clientFor(server);
      const ready = (await client.health()) === "ready";
      // without its key only /health answers
      const kvCache = ready && !keyLost ? await client.kvCache() : undefined;
      return {
        state: "running",
        server,
        ready,
        kvCache,
        ...(recovered ? { recovered } : {}),
        ...(keyLost ? { keyLost } : {}),
      };
    }
    if (port !== undefined && isValidPort(port) && !(await isPortFree(port))) {
      return { state: "port-in-use", port, holder: await findPortHolder(port) };
    }
    return { state: "stopped" };
  }

  /** Returns the running server when it matches `plan`; otherwise (re)starts it (see {@link restart}). */
  async ensureRunning(
    plan: LaunchPlan,
    onStep: (step: StartStep) => void = () => {},
    options: SwitchOptions = {},
  ): Promise<ServerState> {
    return this.locked(onStep, async () => {
      const located = await this.locate();
      if (located && "server" in located) {
        if (located.keyLost && !options.force) {
          throw new ServerKeyLostError(located.server.pid, this.stateFile.path, this.keyPath);
        }
        if (located.keyLost || !sameLaunch(located.server, plan)) {
          return this.switchTo(located.server, plan, onStep, options, located.keyLost);
        }
        // found again without server.json, or the same flags under another profile name: record the plan's name
        const server = { ...located.server, profileName: plan.profileName };
        if (located.recovered || server.profileName !== located.server.profileName) this.stateFile.write(server);
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
  async restart(
    plan: LaunchPlan,
    onStep: (step: StartStep) => void = () => {},
    options: SwitchOptions = {},
  ): Promise<ServerState> {
    return this.locked(onStep, async () => {
      const located = await this.locate();
      // a server whose key is lost cannot be asked whether it is answering: restarting it is the way out
      if (located && "server" in located) return this.switchTo(located.server, plan, onStep, options, located.keyLost);
      await this.checkStartable(plan);
      return this.start(plan, onStep);
    });
  }

  /**
   * SIGTERM, then SIGKILL after the stop timeout, each only while the pid is still our process (same argv and start
   * time); forgets a crashed server, and a record whose pid now belongs to another process, signalling nothing.
   */
  async stop(): Promise<StopOutcome> {
    return this.locked(undefined, async () => {
      const located = await this.locate();
      if (!located) return "not-running";
      // the server first: a record that cannot be removed (a read-only or damaged support directory) must not
      // keep it running
      const outcome = "crashed" in located ? "was-crashed" : "stopped";
      if ("server" in located) await this.terminate(located.server);
      try {
        this.stateFile.remove();
      } catch (error) {
        throw new ServerRecordRemoveError(this.stateFile.path, asError(error), outcome);
      }
      return outcome;
    });
  }

  private locked<T>(onStep: ((step: StartStep) => void) | undefined, work: () => Promise<T>): Promise<T> {
    // a waiting command may wait out a whole switch: stop, a failed start, and the old server's start again
    const timeoutMs = 2 * (this.readyTimeoutMs + 2 * this.stopTimeoutMs) + 10_000;
    const onWait = () => onStep?.("waiting for another kvsplit command that is starting the server");
    return withServerLock(this.supportDir, { onWait, timeoutMs }, work);
  }

  /**
   * Our server: the one server.json names if its pid is still that process (exact argv and start time); else the
   * one server.key names, found by its exact command line (server.json lost, damaged, or naming a dead or recycled
   * pid while the server runs); else a process whose argv names our key file (both files damaged).
   */
  private async locate(): Promise<Located> {
    const recorded = this.stateFile.read();
    if (recorded && (await isSameProcess(recorded.pid, this.identityOf(recorded)))) {
      return { server: recorded, recovered: false, keyLost: false };
    }
    const found = await findManagedServer(this.keyPath);
    if (found) return { server: found.server, recovered: true, keyLost: found.keyLost };
    if (!recorded) return undefined;
    const other = await readProcess(recorded.pid);
    return { crashed: recorded, pidReused: other !== undefined && !other.state.startsWith("Z") };
  }

  private identityOf(server: ServerState): ProcessIdentity {
    return { argv: serverArgv(server, server.keyFilePath ?? this.keyPath), startTime: server.processStartTime };
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

  private async switchTo(
    old: ServerState,
    plan: LaunchPlan,
    onStep: (step: StartStep) => void,
    { force = false }: SwitchOptions,
    keyLost = false,
  ): Promise<ServerState> {
    await this.checkStartable(plan, old);
    if (!force && !keyLost) await this.checkIdle(old, plan);
    onStep("stopping the old server");
    await this.terminate(old);
    this.stateFile.remove();
    try {
      return await this.start(plan, onStep);
    } catch (error) {
      if (keyLost) throw error; // its plan is not known well enough to bring it back
      onStep("bringing the old server back");
      // the old server's start rotates the failed start's log, the one that says why, to server.log.1
      const reason = withLogPath(asError(error), `${this.logPath}.1`);
      try {
        await this.start(launchPlanOf(old), onStep);
      } catch (restoreError) {
        throw new ServerSwitchFailedError(plan.profileName, old.profileName, reason, asError(restoreError));
      }
      throw new ServerSwitchFailedError(plan.profileName, old.profileName, reason);
    }
  }

  /** Refuses to stop a server that is streaming an answer (GET /slots); one still loading its model answers none. */
  private async checkIdle(old: ServerState, plan: LaunchPlan): Promise<void> {
    let busy: number | string;
    try {
      busy = await this.clientFor(old).busySlots();
    } catch (error) {
      if (error instanceof ServerHttpError && error.status === 503) return;
      busy = asError(error).message;
    }
    if (busy === 0) return;
    throw new AnswerInProgressError(old.profileName, old.pid, plan.profileName, describeLaunchChange(old, plan), busy);
  }

  private async start(plan: LaunchPlan, onStep: (step: StartStep) => void): Promise<ServerState> {
    onStep("starting llama-server");
    // the last server's log (a crash's last words) survives one restart
    if (existsSync(this.logPath)) renameSync(this.logPath, `${this.logPath}.1`);
    const apiKey = newApiKey();
    const startedAt = new Date().toISOString();
    writeKeyFile(this.keyPath, { apiKey, plan: launchPlanOf(plan), startedAt });
    const [binary, ...args] = serverArgv(plan, this.keyPath);
    let pid: number;
    try {
      pid = await spawnDetached(binary!, args, this.logPath);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new ServerStartFailedError(`could not run ${plan.binaryPath}: ${reason}`, this.logPath, []);
    }
    const startTime = await processStartTime(pid);
    if (startTime === undefined) {
      throw new ServerStartFailedError("it exited during start-up", this.logPath, readLogTail(this.logPath));
    }
    const server: ServerState = { ...launchPlanOf(plan), pid, processStartTime: startTime, startedAt, apiKey };
    try {
      this.stateFile.write(server);
    } catch (error) {
      // a server nobody can find again must not run on: stop it, and say why
      await this.terminate(server);
      throw new ServerRecordError(this.stateFile.path, asError(error));
    }
    onStep("loading the model");
    await this.waitForReady(server);
    return server;
  }

  /** Polls GET /health until 200; a process that exits meanwhile, or a timeout, fails with the log's last lines. */
  private async waitForReady(server: ServerState): Promise<void> {
    const client = this.clientFor(server);
    const deadline = Date.now() + this.readyTimeoutMs;
    while (Date.now() < deadline) {
      if (!(await isSameProcess(server.pid, this.identityOf(server)))) {
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

  /** Signals only our own process: each signal goes out after checking the pid is still it. */
  private async terminate(server: ServerState): Promise<void> {
    const identity = this.identityOf(server);
    const gone = async () => !(await isSameProcess(server.pid, identity));
    if (await gone()) return;
    signal(server.pid, "SIGTERM");
    // waitUntil's last look is at its deadline: a false means the pid was still ours just now
    if (await waitUntil(gone, this.stopTimeoutMs)) return;
    signal(server.pid, "SIGKILL");
    await waitUntil(gone, this.stopTimeoutMs);
  }
}

function launchPlanOf({ binaryPath, modelPath, port, profileName, args }: LaunchPlan): LaunchPlan {
  return { binaryPath, modelPath, port, profileName, args };
}

/** The same start failure, naming the file its log now lives in. */
function withLogPath(error: Error, logPath: string): Error {
  if (error instanceof ServerStartFailedError) return new ServerStartFailedError(error.reason, logPath, error.logTail);
  if (error instanceof ServerReadyTimeoutError)
    return new ServerReadyTimeoutError(error.timeoutMs, logPath, error.logTail);
  return error;
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
