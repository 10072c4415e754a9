import { join } from "node:path";
import { execa } from "execa";
import { repoRoot } from "../../src/config.ts";

/** One case as test-backend-ops prints it: `  FLASH_ATTN_EXT(hsk=64,...): OK`. */
export interface BackendOpsCase {
  op: string;
  vars: string;
  result: "OK" | "FAIL" | "not supported";
  /** For a case not supported because the emulated library lacks a kernel: the device's "not run" line. */
  notRun?: string;
}

export interface BackendOpsRun {
  exitCode: number;
  output: string;
  cases: BackendOpsCase[];
}

// a failing case's line starts with what failed (test-backend-ops prints NaN or ERR = ... before the case's name)
const caseLine = /(?:^|.* {2})([A-Z_]+)\((.*?)\): (?:.* )?(OK|FAIL|not supported)(?: \[MTL0\])? *$/;

const notRunLine = /^emulated Metal: not run: /;

export function parseBackendOpsReport(output: string): BackendOpsCase[] {
  const lines = output.split("\n");
  return lines.flatMap((line, i) => {
    const m = caseLine.exec(line);
    if (!m) return [];
    const c: BackendOpsCase = { op: m[1]!, vars: m[2]!, result: m[3] as BackendOpsCase["result"] };
    const previous = lines[i - 1] ?? "";
    if (c.result === "not supported" && notRunLine.test(previous)) c.notRun = previous;
    return [c];
  });
}

export interface BackendOpsOptions {
  /** A modified copy of the ggml-metal sources to run instead of the patched tree's. */
  ggmlMetalDir?: string;
  /** Only the vec kernels whose host name matches are compiled (the script's --kernels). */
  kernels?: string;
  /** More environment for the script (e.g. KVSPLIT_FA_HEAD_SIZES). */
  env?: Record<string, string>;
}

/**
 * Runs llama.cpp's test-backend-ops against ggml-metal on the emulated Metal device
 * (native/metal-check/test-backend-ops.sh).
 */
export async function runBackendOps(args: readonly string[], options: BackendOpsOptions = {}): Promise<BackendOpsRun> {
  const script = join(repoRoot(), "native", "metal-check", "test-backend-ops.sh");
  const all = [
    ...(options.ggmlMetalDir ? ["--metal-dir", options.ggmlMetalDir] : []),
    ...(options.kernels ? ["--kernels", options.kernels] : []),
    ...args,
  ];
  const run = await execa("bash", [script, ...all], {
    reject: false,
    all: true,
    ...(options.env ? { env: options.env } : {}),
  });
  const output = run.all ?? "";
  return { exitCode: run.exitCode ?? -1, output, cases: parseBackendOpsReport(output) };
}
