import { spawn } from "node:child_process";
import { closeSync, mkdirSync, openSync, writeSync } from "node:fs";
import { dirname } from "node:path";

/**
 * Starts `binary` in its own process group with stdout and stderr going to `logPath` (truncated first, so the
 * log always belongs to the current server), then lets go of it: it outlives the short-lived caller (a Raycast
 * command, a CLI call). Resolves with the pid once the OS has started it, rejects if it could not be spawned.
 */
export async function spawnDetached(binary: string, args: string[], logPath: string): Promise<number> {
  mkdirSync(dirname(logPath), { recursive: true });
  const log = openSync(logPath, "w");
  writeSync(log, `# kvsplit ${new Date().toISOString()}: ${[binary, ...args].join(" ")}\n`);
  try {
    const child = spawn(binary, args, { detached: true, stdio: ["ignore", log, log] });
    await new Promise<void>((resolve, reject) => {
      child.once("spawn", resolve);
      child.once("error", reject);
    });
    // no references left in this process: it may exit while the server runs on (node still reaps it if we stay)
    child.unref();
    return child.pid!;
  } finally {
    closeSync(log);
  }
}
