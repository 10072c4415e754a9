import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { execa } from "execa";
import { z } from "zod";
import { repoRoot } from "../../src/config.ts";

/** What native/metal-check/run.sh prints: the kernels ggml-metal's host code asked for, and supports_op's verdicts. */
export const metalCheckSchema = z.object({
  metal_source_dir: z.string(),
  cases: z.number().int().positive(),
  supported_cases: z.number().int().positive(),
  kernels: z.array(z.string()).min(1),
  support: z
    .array(
      z.object({
        k: z.string(),
        v: z.string(),
        dk: z.number().int(),
        dv: z.number().int(),
        supported: z.union([z.boolean(), z.literal("partly")]),
      }),
    )
    .min(1),
});
export type MetalCheck = z.infer<typeof metalCheckSchema>;

export async function runMetalCheck(): Promise<MetalCheck> {
  const script = join(repoRoot(), "native", "metal-check", "run.sh");
  const { stdout } = await execa("bash", [script]);
  return metalCheckSchema.parse(JSON.parse(stdout));
}

/**
 * The functions a Metal library built from these sources has: every `[[host_name("…")]]` template instantiation,
 * and every kernel that is not a template (its own name).
 */
export function metalLibraryFunctions(sources: readonly string[]): Set<string> {
  const names = new Set<string>();
  for (const source of sources) {
    for (const match of source.matchAll(/host_name\(\s*"([^"]+)"\s*\)/g)) names.add(match[1]!);
    for (const match of source.matchAll(/\bkernel\s+void\s+(\w+)\s*\(/g)) {
      // a template's header sits between the previous declaration's end and its `kernel void`
      const before = source.slice(0, match.index);
      const declarationStart = Math.max(before.lastIndexOf(";"), before.lastIndexOf("}"));
      if (!before.slice(declarationStart).includes("template")) names.add(match[1]!);
    }
  }
  return names;
}

export function readMetalSources(dir: string): string[] {
  return readdirSync(dir)
    .filter((file) => file.endsWith(".metal"))
    .map((file) => readFileSync(join(dir, file), "utf8"));
}

/** Kernel names the host may ask for that the library lacks: each would fail at run time. */
export function missingKernels(check: MetalCheck, sources: readonly string[]): string[] {
  const functions = metalLibraryFunctions(sources);
  return check.kernels.filter((name) => !functions.has(name));
}
