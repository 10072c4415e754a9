import { execFile } from "node:child_process";
import { promisify } from "node:util";

const execFileAsync = promisify(execFile);

/**
 * Whether `pid` is a live (not zombie) process running `binaryPath`. Checking the command line guards against
 * a recycled pid: after a crash the number may now belong to an unrelated process, which we must never signal.
 * `ps -ww -o stat=,args=` (untruncated) works the same on macOS and Linux.
 */
export async function isServerProcess(pid: number, binaryPath: string): Promise<boolean> {
  let output: string;
  try {
    ({ stdout: output } = await execFileAsync("ps", ["-ww", "-p", String(pid), "-o", "stat=", "-o", "args="]));
  } catch {
    return false; // ps exits 1 when there is no such process
  }
  const line = output.trim();
  if (line === "" || line.startsWith("Z")) return false;
  return line.includes(binaryPath);
}

/** Polls until `isGone()` holds or `timeoutMs` passes; true when it is gone. */
export async function waitUntil(isGone: () => Promise<boolean>, timeoutMs: number, intervalMs = 100): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await isGone()) return true;
    if (Date.now() >= deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
