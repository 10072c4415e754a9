import { execa } from "execa";
import { resolveNativeBinary, type NativeTool } from "./binaries.ts";

export interface NativeRun {
  stdout: string;
  stderr: string;
  /** stdout and stderr interleaved, as a person would see them */
  all: string;
  exitCode: number;
  wallMs: number;
}

export class NativeToolFailedError extends Error {
  constructor(
    readonly tool: NativeTool,
    readonly exitCode: number | undefined,
    readonly output: string,
  ) {
    const lastLines = output.trim().split("\n").slice(-12).join("\n");
    super(`${tool} failed (exit code ${exitCode ?? "none"}):\n${lastLines}`);
    this.name = "NativeToolFailedError";
  }
}

export interface RunOptions {
  signal?: AbortSignal;
  /** called with every line the tool prints, for progress bars */
  onLine?: (line: string) => void;
  env?: Record<string, string>;
  /** run the tool from another build (native/bin-stock for side-by-side benchmarks). Defaults to native/bin. */
  binDir?: string;
}

/** Runs one of the patched llama.cpp tools and returns its whole output; a non-zero exit throws. */
export async function runNativeTool(tool: NativeTool, args: string[], options: RunOptions = {}): Promise<NativeRun> {
  const started = performance.now();
  const subprocess = execa(resolveNativeBinary(tool, options.binDir), args, {
    all: true,
    reject: false,
    cancelSignal: options.signal,
    env: options.env,
    stdin: "ignore",
  });
  if (options.onLine && subprocess.all) {
    let pending = "";
    subprocess.all.on("data", (chunk: Buffer) => {
      const text = pending + chunk.toString();
      const lines = text.split(/[\n,]/);
      pending = lines.pop() ?? "";
      for (const line of lines) options.onLine!(line);
    });
  }
  const result = await subprocess;
  const run: NativeRun = {
    stdout: String(result.stdout ?? ""),
    stderr: String(result.stderr ?? ""),
    all: String(result.all ?? ""),
    exitCode: result.exitCode ?? -1,
    wallMs: performance.now() - started,
  };
  if (result.isCanceled) {
    throw options.signal?.reason instanceof Error ? options.signal.reason : new Error(`${tool} was cancelled`);
  }
  if (result.exitCode !== 0) {
    throw new NativeToolFailedError(tool, result.exitCode, run.all);
  }
  return run;
}
