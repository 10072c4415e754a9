import { cpSync, mkdirSync, readFileSync, realpathSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { execa } from "execa";
import { nativeToolPath, repoRoot } from "../../src/config.ts";

/** ggml/src/ggml-metal of the patched llama.cpp tree native/build.sh built the linked binaries from. */
export function patchedGgmlMetalDir(): string {
  // <cache>/llama.cpp-<tag>-<variant>-<key>/build/bin/llama-server → <same>/src/ggml/src/ggml-metal
  const buildBin = dirname(realpathSync(nativeToolPath("llama-server")));
  return join(buildBin, "..", "..", "src", "ggml", "src", "ggml-metal");
}

/** One line of native/metal-check/compile-kernels.sh's report: a kernel file compiled with or without bfloat. */
export interface KernelFileResult {
  ok: boolean;
  file: string;
  variant: "plain" | "bf16";
  instantiations: number;
  /** On failure: the file listing every kernel (host name) an error was attributed to. */
  failedKernelsList?: string;
}

export interface CompileCheck {
  exitCode: number;
  output: string;
  results: KernelFileResult[];
}

const resultLine = /^(ok|FAIL) +(\S+\.metal) \((plain|bf16)\): (\d+) instantiations/;
const failedKernelsLine = /^ +kernels with errors: \d+ \(([^)]+)\)/;

export function parseCompileReport(output: string): KernelFileResult[] {
  const results: KernelFileResult[] = [];
  for (const line of output.split("\n")) {
    const result = resultLine.exec(line);
    if (result) {
      results.push({
        ok: result[1] === "ok",
        file: result[2]!,
        variant: result[3] as "plain" | "bf16",
        instantiations: Number(result[4]),
      });
      continue;
    }
    const failed = failedKernelsLine.exec(line);
    if (failed && results.length > 0) results[results.length - 1]!.failedKernelsList = failed[1]!;
  }
  return results;
}

/** Runs the compile check on `ggmlMetalDir`; a failing check is a result here, not an exception. */
export async function runCompileCheck(ggmlMetalDir: string): Promise<CompileCheck> {
  const script = join(repoRoot(), "native", "metal-check", "compile-kernels.sh");
  const run = await execa("bash", [script, ggmlMetalDir], { reject: false, all: true });
  const output = run.all ?? "";
  return { exitCode: run.exitCode ?? -1, output, results: parseCompileReport(output) };
}

export function failedKernels(result: KernelFileResult): string[] {
  if (!result.failedKernelsList) return [];
  return readFileSync(result.failedKernelsList, "utf8").split("\n").filter(Boolean);
}

/** A copy of a ggml-metal tree (and the ggml-common.h its kernels include) under `root`, to inject bugs into. */
export function copyGgmlMetalTree(ggmlMetalDir: string, root: string): string {
  const copy = join(root, "ggml", "src", "ggml-metal");
  mkdirSync(dirname(copy), { recursive: true });
  cpSync(ggmlMetalDir, copy, { recursive: true });
  cpSync(join(ggmlMetalDir, "..", "ggml-common.h"), join(root, "ggml", "src", "ggml-common.h"));
  return copy;
}

/**
 * A copy of the patched ggml-metal tree under `root`/`name` with one bug: `pattern` replaced in `file`. Throws where
 * the pattern matches nothing, so a bug that no longer applies cannot pass as not caught.
 */
export function ggmlMetalTreeWithBug(root: string, name: string, file: string, pattern: RegExp, replacement: string) {
  const copy = copyGgmlMetalTree(patchedGgmlMetalDir(), join(root, name.replace(/\W+/g, "-")));
  const path = join(copy, file);
  const source = readFileSync(path, "utf8");
  const broken = source.replace(pattern, replacement);
  if (broken === source) throw new Error(`the bug "${name}" changes nothing in ${file}: ${pattern} no longer matches`);
  writeFileSync(path, broken);
  return copy;
}
