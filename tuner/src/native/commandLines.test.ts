import { describe, expect, it } from "vitest";
import { profileToLlamaArgs } from "../profiles/args.ts";
import type { ProfileCache } from "../profiles/schema.ts";
import { llamaBenchArgs } from "./llamaBenchArgs.ts";
import { llamaPerplexityArgs } from "./llamaPerplexityArgs.ts";
import { llamaServerArgs } from "./llamaServerArgs.ts";

const perLayer: ProfileCache = { mode: "per-layer", k: ["q8_0", "q4_0"], v: ["q4_0", "f16"] };
const flashAttn = (args: string[]) => args.flatMap((arg, i) => (arg === "-fa" ? [args[i + 1]] : []));

describe("one command line per native tool", () => {
  it("llama-bench: flash attention as -fa 1 once, the cache's type flags, depths and JSON when asked", () => {
    const args = llamaBenchArgs({
      ...{ modelPath: "/m.gguf", promptTokens: 256, genTokens: 32, depths: [0, 4096], repetitions: 3, threads: 2 },
      json: true,
      kv: perLayer,
    });
    expect(args).toEqual([
      ...["-m", "/m.gguf", "-p", "256", "-n", "32", "-d", "0,4096", "-r", "3", "-t", "2", "-fa", "1", "-o", "json"],
      ...["--cache-type-k-layers", "q8_0,q4_0", "--cache-type-v-layers", "q4_0,f16"],
    ]);
  });

  it("llama-bench: every k × v pair in one run for the type probe, no warmup", () => {
    const args = llamaBenchArgs({
      ...{ modelPath: "/m.gguf", promptTokens: 8, genTokens: 1, repetitions: 1, noWarmup: true },
      kv: { mode: "every-pair", k: ["q8_0", "q4_0"], v: ["q4_0"] },
    });
    expect(args).toEqual([
      ...["-m", "/m.gguf", "-p", "8", "-n", "1", "-r", "1", "-fa", "1", "--no-warmup"],
      ...["-ctk", "q8_0,q4_0", "-ctv", "q4_0"],
    ]);
  });

  it("llama-perplexity: one sequence of ctx cells, the K/V report, and the setting's flags once", () => {
    const kvArgs = profileToLlamaArgs({ cache: { mode: "uniform", k: "q8_0", v: "q4_0" } });
    const args = llamaPerplexityArgs({ modelPath: "/m.gguf", ctx: 512, chunks: 4, threads: 2 }, kvArgs);
    expect(args).toEqual([
      ...["-m", "/m.gguf", "-c", "512", "-b", "512", "--chunks", "4", "-t", "2", "-lv", "4", "--no-warmup"],
      ...["-fa", "on", "-ctk", "q8_0", "-ctv", "q4_0"],
    ]);
    expect(flashAttn(args)).toEqual(["on"]);
  });

  it("llama-server: loopback, one slot, the caller's extra flags before the setting's", () => {
    const args = llamaServerArgs({
      ...{ modelPath: "/m.gguf", port: 9000, ctx: 2048, threads: 2, gpuLayers: 0, extraArgs: ["--no-warmup"] },
      kvArgs: profileToLlamaArgs({ cache: perLayer }),
    });
    expect(args).toEqual([
      ...["-m", "/m.gguf", "--host", "127.0.0.1", "--port", "9000", "-c", "2048", "-np", "1", "-t", "2"],
      ...["-ngl", "0", "--no-warmup", "-fa", "on"],
      ...["--cache-type-k-layers", "q8_0,q4_0", "--cache-type-v-layers", "q4_0,f16"],
    ]);
    expect(flashAttn(args)).toEqual(["on"]);
  });
});
