import { cacheTypeArgs } from "../profiles/args.ts";
import type { KvType, ProfileCache } from "../profiles/schema.ts";

/** Every k × v combination in one llama-bench run (its comma lists), as the type probe asks. */
export interface EveryTypePair {
  mode: "every-pair";
  k: readonly KvType[];
  v: readonly KvType[];
}

/** One llama-bench invocation: its tests, and the K/V cache (or type combinations) they run with. */
export interface LlamaBenchRun {
  modelPath: string;
  promptTokens: number;
  genTokens: number;
  /** tokens already in the cache before each test; llama-bench's default (0) when absent */
  depths?: readonly number[];
  repetitions: number;
  threads?: number;
  /** skip llama-bench's warmup run. Defaults to `false`. */
  noWarmup?: boolean;
  /** print the results as JSON on stdout. Defaults to `false`. */
  json?: boolean;
  kv: ProfileCache | EveryTypePair;
}

/**
 * llama-bench's flags. It has its own parser: flash attention is `-fa 1` (llama-server's `-fa on` is not accepted),
 * the K/V type flags are spelled as for the other tools.
 */
export function llamaBenchArgs(run: LlamaBenchRun): string[] {
  return [
    ...["-m", run.modelPath, "-p", String(run.promptTokens), "-n", String(run.genTokens)],
    ...(run.depths ? ["-d", run.depths.join(",")] : []),
    ...["-r", String(run.repetitions)],
    ...(run.threads !== undefined ? ["-t", String(run.threads)] : []),
    ...["-fa", "1"],
    ...(run.noWarmup ? ["--no-warmup"] : []),
    ...(run.json ? ["-o", "json"] : []),
    ...(run.kv.mode === "every-pair"
      ? ["-ctk", run.kv.k.join(","), "-ctv", run.kv.v.join(",")]
      : cacheTypeArgs(run.kv)),
  ];
}
