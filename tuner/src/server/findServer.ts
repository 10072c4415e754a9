import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { accessArgs, commandLine } from "./accessArgs.ts";
import { readKeyFile } from "./keyFile.ts";
import type { PortHolder, ServerState } from "./types.ts";

const execFileAsync = promisify(execFile);

/**
 * The server KVSplit started last, found without server.json: server.key records its plan and key, and a live
 * process whose command line is exactly that plan reading that key file is it (the path of our key file in the
 * command line is the mark no other process carries). Undefined when no such process runs.
 */
export async function findManagedServer(keyFilePath: string): Promise<ServerState | undefined> {
  const record = readKeyFile(keyFilePath);
  if (!record) return undefined;
  const expected = commandLine(record.plan.binaryPath, [...record.plan.args, ...accessArgs(keyFilePath)]);
  const process = (await listProcesses()).find((line) => line.args === expected && !line.zombie);
  if (!process) return undefined;
  return { ...record.plan, pid: process.pid, startedAt: record.startedAt, apiKey: record.apiKey };
}

/** Which process listens on 127.0.0.1:`port`, from `lsof`; undefined where lsof is missing or says nothing. */
export async function findPortHolder(port: number): Promise<PortHolder | undefined> {
  let output: string;
  try {
    ({ stdout: output } = await execFileAsync("lsof", ["-nP", `-iTCP:${port}`, "-sTCP:LISTEN", "-Fpc"]));
  } catch {
    return undefined; // lsof exits 1 when nothing matches, and may not be installed
  }
  const pid = /^p(\d+)$/m.exec(output)?.[1];
  const command = /^c(.+)$/m.exec(output)?.[1];
  if (pid === undefined) return undefined;
  return { pid: Number(pid), command: (await fullCommand(Number(pid))) ?? command ?? "unknown" };
}

interface ProcessLine {
  pid: number;
  zombie: boolean;
  args: string;
}

// `ps -ww -A -o pid=,stat=,args=` reads the same on macOS and Linux; -ww keeps long command lines whole
async function listProcesses(): Promise<ProcessLine[]> {
  const { stdout } = await execFileAsync("ps", ["-ww", "-A", "-o", "pid=", "-o", "stat=", "-o", "args="], {
    maxBuffer: 16 * 1024 * 1024,
  });
  return stdout.split("\n").flatMap((line) => {
    const match = /^\s*(\d+)\s+(\S+)\s+(.*)$/.exec(line);
    return match ? [{ pid: Number(match[1]), zombie: match[2]!.startsWith("Z"), args: match[3]! }] : [];
  });
}

async function fullCommand(pid: number): Promise<string | undefined> {
  try {
    const { stdout } = await execFileAsync("ps", ["-ww", "-p", String(pid), "-o", "args="]);
    return stdout.trim() || undefined;
  } catch {
    return undefined;
  }
}
