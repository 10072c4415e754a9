import type { KvCacheReport } from "../native/kvReport.ts";

/** What the user chose for the server; everything else comes from the active profile. */
export interface ServerSettings {
  /** The llama-server binary. Defaults to `native/bin/llama-server` (config.ts `nativeBinDir`). */
  binaryPath?: string;
  /** The GGUF model to load. Defaults to the instruct model (config.ts `instructModelPath`). */
  modelPath?: string;
  /** Loopback port. Defaults to {@link defaultServerPort}. */
  port?: number;
  /**
   * Context size in tokens (`-c`), at most the model's training context unless `contextBeyondTraining`. Defaults to
   * {@link defaultContextSize}, or the training context when that is smaller (settingsCheck.ts).
   */
  contextSize?: number;
  /** Allow a `contextSize` beyond the model's training context (llama.cpp warns; quality and memory suffer). */
  contextBeyondTraining?: boolean;
  /**
   * K/V memory limit in bytes. When set, the context is the largest whose K/V cache fits it for the active profile
   * (see model/contextFit.ts), and `contextSize` is not used.
   */
  kvMemoryBytes?: number;
  /** CPU threads (`-t`). Defaults to the performance cores less one (threads.ts says why). */
  threads?: number;
  /** Layers offloaded to the GPU (`-ngl`). Defaults to llama.cpp's own choice. */
  gpuLayers?: number;
  /**
   * llama.cpp chat template name (`--chat-template`). Defaults to the model's own template; for the default
   * model, which ships without one, to "gemma".
   */
  chatTemplate?: string;
}

/** An unusual port, so KVSplit does not collide with other local model servers (8080, 11434, 1234). */
export const defaultServerPort = 8737;
export const defaultContextSize = 4096;

/** Everything needed to launch the server, and to tell whether a running one matches it. */
export interface LaunchPlan {
  binaryPath: string;
  modelPath: string;
  port: number;
  profileName: string;
  /** the whole argument list after the binary */
  args: string[];
}

/** server.json: the launch plan of the server we started, and who it is. */
export interface ServerState extends LaunchPlan {
  pid: number;
  /**
   * When the process started, as `ps -o lstart=` prints it in UTC (processInfo.ts): with the exact command line, who
   * the pid is. A pid the OS gave to another process after ours exited never matches both.
   */
  processStartTime: string;
  /**
   * The key file named in the server's argv (`--api-key-file`), part of who it is. A record moved from another
   * folder (the Raycast extension's own, by an earlier version) names that folder's; absent means this folder's.
   */
  keyFilePath?: string;
  /** ISO date */
  startedAt: string;
  /**
   * The random key this start was given (`Authorization: Bearer <key>`); it is also the server's identity: a server
   * that refuses a request without it and answers one with it is the one we started.
   */
  apiKey: string;
}

/** A process listening on a port, as `lsof` names it. */
export interface PortHolder {
  pid: number;
  command: string;
}

export type ServerStatus =
  | { state: "stopped" }
  /** our process is alive; `ready` once GET /health answers 200 (it answers 503 while loading the model) */
  | {
      state: "running";
      server: ServerState;
      ready: boolean;
      kvCache?: KvCacheReport;
      /** server.json was missing or damaged; the server was found by its command line and key */
      recovered?: boolean;
      /**
       * server.json and server.key were both damaged: found by its command line (which names our key file), but its
       * key is lost, so no request but /health can reach it; restarting it gives it a new one
       */
      keyLost?: boolean;
    }
  /**
   * server.json names a process that is gone: it crashed or was killed. `pidReused`: its pid now belongs to another
   * process (another command line or start time), which is left alone
   */
  | { state: "crashed"; server: ServerState; logTail: string[]; pidReused?: boolean }
  /** no server of ours, yet something answers on the port */
  | { state: "port-in-use"; port: number; holder?: PortHolder };
