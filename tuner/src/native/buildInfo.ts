import { existsSync, readFileSync } from "node:fs";
import { z } from "zod";
import { buildInfoPath, nativeBinDir } from "../config.ts";

/** What native/build.sh built: written next to the binaries, so results can name the exact llama.cpp they came from. */
export const buildInfoSchema = z.object({
  llamaCppTag: z.string(),
  variant: z.enum(["kvsplit", "stock"]),
  patchHash: z.string(),
  patches: z.array(z.string()),
  cacheKey: z.string(),
  cmakeFlags: z.string(),
  builtAt: z.string(),
});

export type BuildInfo = z.infer<typeof buildInfoSchema>;

export class BuildInfoMissingError extends Error {
  constructor(path: string) {
    super(`no build info at ${path}: run 'npm run setup' (or 'bash native/build.sh') to build KVSplit's llama.cpp`);
    this.name = "BuildInfoMissingError";
  }
}

export function readBuildInfo(binDir: string = nativeBinDir()): BuildInfo {
  const path = buildInfoPath(binDir);
  if (!existsSync(path)) {
    throw new BuildInfoMissingError(path);
  }
  return buildInfoSchema.parse(JSON.parse(readFileSync(path, "utf8")));
}

/** "v0.4.0+kvsplit.1a2b3c4d": short enough for tables, exact enough for cache keys. */
export function buildLabel(info: BuildInfo): string {
  return `${info.llamaCppTag}+${info.variant}.${info.patchHash.slice(0, 8)}`;
}
