import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { platform } from "node:os";
import { promisify } from "node:util";

const execFileAsync = promisify(execFile);

/**
 * Who a process is, beyond its pid (which the OS hands out again once it exits): its exact argument list and
 * when it started. A recycled pid runs another command, or the same command started at another time.
 */
export interface ProcessIdentity {
  argv: readonly string[];
  /** `ps -o lstart=` in UTC with single spaces, e.g. "Wed Dec 2 17:05:49 2026" (one-second resolution) */
  startTime: string;
}

/** A live process as ps and /proc see it. */
export interface ProcessFacts {
  /** ps's state letters: "S", "R", "T" (stopped), "Z" (zombie)... */
  state: string;
  startTime: string;
  /** exact argv where the OS gives it (/proc/PID/cmdline on Linux); undefined elsewhere */
  argv: string[] | undefined;
  /** the arguments joined by single spaces, as `ps -o args=` prints them */
  commandLine: string;
}

// the same words and clock for every caller, whatever its locale and time zone (a terminal and Raycast may differ)
const psEnv = { ...process.env, LC_ALL: "C", TZ: "UTC" };
const psLine = /^\s*(\S+)\s+(\w{3}\s+\w{3}\s+\d+\s+\d+:\d+:\d+\s+\d{4})\s?(.*)$/;

/** What ps says about `pid`, or undefined when no such process exists. */
export async function readProcess(pid: number): Promise<ProcessFacts | undefined> {
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  let output: string;
  try {
    ({ stdout: output } = await execFileAsync("ps", ["-ww", "-p", String(pid), "-o", "stat=,lstart=,args="], {
      env: psEnv,
    }));
  } catch {
    return undefined; // ps exits 1 when there is no such process
  }
  const match = psLine.exec(output.replace(/\n$/, ""));
  if (!match) return undefined;
  return {
    state: match[1]!,
    startTime: normalizeStartTime(match[2]!),
    argv: exactArgv(pid),
    commandLine: match[3]!,
  };
}

/** Whether `pid` is a live process (not a zombie), whoever it is. */
export async function isProcessAlive(pid: number): Promise<boolean> {
  const facts = await readProcess(pid);
  return facts !== undefined && !facts.state.startsWith("Z");
}

/** When `pid` started, as {@link ProcessIdentity.startTime}; undefined when it is gone. */
export async function processStartTime(pid: number): Promise<string | undefined> {
  return (await readProcess(pid))?.startTime;
}

/**
 * Whether `pid` is alive (not a zombie) and is exactly `expected`: the same argv, element by element (joined by
 * spaces where the OS gives no exact argv), started at the same second. Never a substring match.
 */
export async function isSameProcess(pid: number, expected: ProcessIdentity): Promise<boolean> {
  const facts = await readProcess(pid);
  return facts !== undefined && matchesIdentity(facts, expected);
}

export function matchesIdentity(facts: ProcessFacts, expected: ProcessIdentity): boolean {
  if (facts.state.startsWith("Z") || facts.startTime !== expected.startTime) return false;
  if (facts.argv !== undefined) {
    return facts.argv.length === expected.argv.length && facts.argv.every((arg, i) => arg === expected.argv[i]);
  }
  return facts.commandLine === expected.argv.join(" ");
}

/** `startTime` as a Date (ps prints it in UTC here). */
export function startTimeDate(startTime: string): Date {
  return new Date(`${startTime} UTC`);
}

function normalizeStartTime(lstart: string): string {
  return lstart.trim().split(/\s+/).join(" ");
}

function exactArgv(pid: number): string[] | undefined {
  if (platform() !== "linux") return undefined;
  try {
    const raw = readFileSync(`/proc/${pid}/cmdline`, "utf8");
    // NUL-terminated arguments; an empty argument ("") is an empty field between two NULs
    return raw === "" ? [] : raw.replace(/\0$/, "").split("\0");
  } catch {
    return undefined;
  }
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
