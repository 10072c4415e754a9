import { existsSync, mkdirSync, renameSync, rmSync } from "node:fs";
import { evalBaselinePath, evalBaselinesDir } from "../config.ts";
import { llamaPerplexityArgs } from "../native/llamaPerplexityArgs.ts";
import { NativeToolFailedError, runNativeTool, type RunOptions } from "../native/run.ts";
import { profileToLlamaArgs } from "../profiles/args.ts";
import { f16Pair, pairCache } from "../profiles/uniformPairs.ts";
import { tempPathFor } from "../util/atomicFile.ts";
import { evalCacheKey } from "./cacheKey.ts";
import { EvalTextTooShortError } from "./errors/EvalTextTooShortError.ts";
import type { EvalSetup } from "./types.ts";

/** The K/V flags of the f16 cache the baseline logits come from. */
const f16Args = profileToLlamaArgs({ cache: pairCache(f16Pair) });

/** Where the f16 logits of one (build, model, text, ctx, chunks) live. */
export function klBaselinePath(setup: EvalSetup): string {
  return evalBaselinePath(evalCacheKey(setup, "f16-logits"));
}

/**
 * The f16 logits every KL-divergence is measured against, computed once per (build, model, text, ctx, chunks).
 * llama-perplexity writes into a temp path that is renamed when it exits cleanly: a Ctrl-C leaves no half file.
 */
export async function ensureKlBaseline(
  setup: EvalSetup,
  options: RunOptions & {
    /** a text with fewer chunks is not an error: the baseline of all it has is kept (under its own chunk count) */
    upTo?: boolean;
  } = {},
): Promise<{ path: string; computed: boolean; chunks: number }> {
  const path = klBaselinePath(setup);
  if (existsSync(path)) {
    return { path, computed: false, chunks: setup.chunks };
  }
  mkdirSync(evalBaselinesDir(), { recursive: true });
  const temp = tempPathFor(path);
  try {
    const run = await runNativeTool(
      "llama-perplexity",
      [...llamaPerplexityArgs(setup, f16Args), "-f", setup.text.path, "--kl-divergence-base", temp],
      options,
    ).catch((error: unknown) => {
      // llama-perplexity refuses a text shorter than two windows
      if (error instanceof NativeToolFailedError && /you need at least \d+ tokens/.test(error.output)) {
        throw new EvalTextTooShortError(setup.text.name, setup.ctx, setup.chunks, 0);
      }
      throw error;
    });
    // and silently scores fewer chunks when the text runs out
    // (a text shorter than two windows may even exit 0 without scoring anything)
    const scored = Number(run.all.match(/calculating perplexity over (\d+) chunks/)?.[1] ?? 0);
    if (scored < setup.chunks && options.upTo && scored >= 1) {
      const fewer = klBaselinePath({ ...setup, chunks: scored });
      renameSync(temp, fewer);
      return { path: fewer, computed: true, chunks: scored };
    }
    if (scored < setup.chunks) {
      throw new EvalTextTooShortError(setup.text.name, setup.ctx, setup.chunks, scored);
    }
    renameSync(temp, path);
  } finally {
    rmSync(temp, { force: true });
  }
  return { path, computed: true, chunks: setup.chunks };
}
