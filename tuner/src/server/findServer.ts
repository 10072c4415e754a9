import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { accessArgs, serverArgv } from "./accessArgs.ts";
import { readKeyFile } from "./keyFile.ts";
import { matchesIdentity, readProcess, startTimeDate, type ProcessFacts } from "./processInfo.ts";
import type { PortHolder, ServerState } from "./types.ts";

const execFileAsync = promisify(execFile);

/** Our server found without server.json; `keyLost` when server.key could not tell its key either. */
export interface FoundServer {
  server: ServerState;
  keyLost: boolean;
}

/**
 * The server KVSplit started last, found without server.json. server.key records its plan and key, and a live
 * process whose argv is exactly that plan reading that key file, started after the record was written, is it (the
 * path of our key file in the argv is the mark no other process carries). When server.key is damaged too, a process
 * whose argv ends with our access flags naming our key file is still ours, but its key is lost. Undefined when no
 * such process runs.
 */
export async function findManagedServer(keyFilePath: string): Promise<FoundServer | undefined> {
  const processes = (await listProcesses()).filter((line) => !line.zombie);
  const record = readKeyFile(keyFilePath);
  if (record) {
    const argv = serverArgv(record.plan, keyFilePath);
    for (const candidate of processes.filter((line) => line.args === argv.join(" "))) {
      const facts = await readProcess(candidate.pid);
      if (!facts || !matchesIdentity(facts, { argv, startTime: facts.startTime })) continue;
      // startedAt is written before the spawn; ps counts whole seconds from a boot time that is itself rounded
      // (seen 1.4 s early on Linux), so only a process that started well before the record is refused
      if (startTimeDate(facts.startTime).getTime() < Date.parse(record.startedAt) - 5_000) continue;
      const server = { ...record.plan, pid: candidate.pid, startedAt: record.startedAt, apiKey: record.apiKey };
      return { server: { ...server, processStartTime: facts.startTime }, keyLost: false };
    }
  }
  const tail = accessArgs(keyFilePath);
  const joinedTail = ` ${tail.join(" ")}`;
  for (const candidate of processes.filter((line) => line.args.endsWith(joinedTail))) {
    const facts = await readProcess(candidate.pid);
    if (!facts || facts.state.startsWith("Z")) continue;
    const head = facts.argv
      ? endsWith(facts.argv, tail) && facts.argv.slice(0, facts.argv.length - tail.length)
      : // no exact argv (macOS): the joined command line ends with our flags; the rest is only shown
        facts.commandLine.endsWith(joinedTail) && facts.commandLine.slice(0, -joinedTail.length).split(" ");
    if (head) return { server: serverFromArgv(head, candidate.pid, facts), keyLost: true };
  }
  return undefined;
}

/** What the command line of a server whose records are lost says about it; its key is not in it. */
function serverFromArgv([binaryPath = "", ...args]: string[], pid: number, facts: ProcessFacts): ServerState {
  const valueOf = (flag: string) => {
    const at = args.indexOf(flag);
    return at >= 0 ? args[at + 1] : undefined;
  };
  return {
    binaryPath,
    args,
    modelPath: valueOf("-m") ?? "unknown",
    port: Number(valueOf("--port")),
    profileName: "unknown (its records are lost)",
    pid,
    processStartTime: facts.startTime,
    startedAt: startTimeDate(facts.startTime).toISOString(),
    apiKey: "",
  };
}

function endsWith(argv: readonly string[], tail: readonly string[]): boolean {
  const offset = argv.length - tail.length;
  return offset >= 1 && tail.every((arg, i) => argv[offset + i] === arg);
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
  return { pid: Number(pid), command: (await readProcess(Number(pid)))?.commandLine ?? command ?? "unknown" };
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
