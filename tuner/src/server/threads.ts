import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { availableParallelism, platform } from "node:os";

/**
 * The server's default CPU thread count: the performance cores less one. llama.cpp's own default takes every
 * performance core, and its threads wait for each other at every step, so one busy core (a build, a browser tab)
 * stalls them all. llama-bench tg32, SmolLM2 135M Instruct Q4_1, flash attention, KVSplit build 97c8f818, 2-core
 * Xeon VM shared with other jobs (load ~12), 3 runs each: 1 thread 28.0 ± 0.8 tokens/s, 2 threads 6.1 ± 0.5; with one
 * more busy loop beside it, 13.6 ± 2.2 against 1.6 ± 0.8. Leaving a core free costs little on an idle laptop (not
 * measured here: no idle machine) and avoids that collapse on a busy one.
 */
export function defaultServerThreads(): number {
  return Math.max(1, performanceCores() - 1);
}

/** Apple Silicon: the P-cores (hw.perflevel0); Linux: physical cores (no SMT siblings); else logical CPUs. */
export function performanceCores(): number {
  if (platform() === "darwin") {
    return sysctlNumber("hw.perflevel0.physicalcpu") ?? sysctlNumber("hw.physicalcpu") ?? availableParallelism();
  }
  return linuxPhysicalCores() ?? availableParallelism();
}

function sysctlNumber(name: string): number | undefined {
  try {
    const value = Number(execFileSync("sysctl", ["-n", name], { stdio: ["ignore", "pipe", "ignore"] }).toString());
    return Number.isInteger(value) && value > 0 ? value : undefined;
  } catch {
    return undefined; // Intel Macs have no perflevels
  }
}

function linuxPhysicalCores(): number | undefined {
  if (!existsSync("/proc/cpuinfo")) return undefined;
  const cores = new Set<string>();
  for (const block of readFileSync("/proc/cpuinfo", "utf8").split("\n\n")) {
    const physical = /^physical id\s*:\s*(\d+)/m.exec(block)?.[1];
    const core = /^core id\s*:\s*(\d+)/m.exec(block)?.[1];
    if (physical !== undefined && core !== undefined) cores.add(`${physical}:${core}`);
  }
  // containers may hide some CPUs: never count more cores than this process may use
  return cores.size > 0 ? Math.min(cores.size, availableParallelism()) : undefined;
}
