import { existsSync } from "node:fs";
import { nativeBinDir, nativeToolPath } from "../config.ts";

export type NativeTool =
  "llama-server" | "llama-perplexity" | "llama-bench" | "llama-cli" | "test-backend-ops" | "test-arg-parser";

export class MissingBinaryError extends Error {
  constructor(
    readonly tool: NativeTool,
    readonly path: string,
  ) {
    super(`${tool} not found at ${path}: run 'npm run setup' (or 'bash native/build.sh') to build KVSplit's llama.cpp`);
    this.name = "MissingBinaryError";
  }
}

/** Path of a patched llama.cpp tool; native/bin/ (or $KVSPLIT_NATIVE_BIN) is the one place they live. */
export function resolveNativeBinary(tool: NativeTool, binDir: string = nativeBinDir()): string {
  const path = nativeToolPath(tool, binDir);
  if (!existsSync(path)) {
    throw new MissingBinaryError(tool, path);
  }
  return path;
}
