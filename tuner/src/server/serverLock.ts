import { mkdirSync } from "node:fs";
import lockfile from "proper-lockfile";
import { serverLockPath } from "../config.ts";
import { ServerBusyError } from "./errors/ServerBusyError.ts";

export interface ServerLockOptions {
  /** called once when another command holds the lock and this one starts waiting */
  onWait?: () => void;
  /** how long to wait for the other command before giving up */
  timeoutMs: number;
}

/**
 * Runs `work` while holding `<supportDir>/server.lock`, so only one command at a time starts, stops or switches
 * the server (two cold `kvsplit ask` otherwise race for the port and one deletes the other's record).
 * proper-lockfile keeps the lock fresh while held; one whose holder died (kill -9) goes stale after 10 s.
 */
export async function withServerLock<T>(
  supportDir: string,
  options: ServerLockOptions,
  work: () => Promise<T>,
): Promise<T> {
  mkdirSync(supportDir, { recursive: true });
  const deadline = Date.now() + options.timeoutMs;
  let waiting = false;
  let release: () => Promise<void>;
  for (;;) {
    try {
      release = await lockfile.lock(supportDir, {
        lockfilePath: serverLockPath(supportDir),
        realpath: false,
        stale: 10_000,
        update: 2_000,
        // a compromised lock (its file touched by someone else) must not crash the caller from a timer;
        // the work under it re-reads the server's state anyway
        onCompromised: () => {},
      });
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "ELOCKED") throw error;
      if (Date.now() >= deadline) throw new ServerBusyError(serverLockPath(supportDir), options.timeoutMs);
      if (!waiting) options.onWait?.();
      waiting = true;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  try {
    return await work();
  } finally {
    await release().catch(() => {}); // already released or taken over as stale: nothing left to free
  }
}
