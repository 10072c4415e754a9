import type { KvCacheReport } from "../native/kvReport.ts";
import type { BuildInfo } from "../native/buildInfo.ts";
import type { EvalText } from "./evalText.ts";
import type { PairedQuality } from "./pairedQuality.ts";

/** Which model, text and window an evaluation runs on. Everything here is part of every cache key. */
export interface EvalSetup {
  /** path of the GGUF file */
  modelPath: string;
  /** content hash of the GGUF header + tensor info (see model/gguf) */
  modelHash: string;
  text: EvalText;
  /** tokens per chunk. Defaults to 512. */
  ctx: number;
  /** chunks of `ctx` tokens scored. */
  chunks: number;
  build: BuildInfo;
  /** CPU threads. Defaults to all cores. */
  threads?: number;
}

/** One K/V cache setting under test: the llama.cpp flags that select it, and a label for people. */
export interface KvSetting {
  label: string;
  /**
   * profileToLlamaArgs of its cache: what llama-perplexity and llama-server get (`-fa on -ctk q8_0 -ctv q4_0`, or
   * per-layer specs), and the name of the setting in the eval cache keys. llama-bench is given the cache itself.
   */
  args: string[];
}

export interface EvalResult {
  setting: KvSetting;
  ppl: number;
  pplError: number;
  pplBase: number;
  /** PPL(setting) − PPL(f16), and the same as a percentage of PPL(f16) */
  deltaPpl: number;
  deltaPplPct: number;
  meanKld: number;
  meanKldError: number;
  /** share of tokens whose top-1 prediction matches f16's, 0..1 */
  top1Agreement: number;
  /** ΔPPL and KLD with their 95% intervals, from the per-token differences against f16 */
  paired: PairedQuality;
  /** the K/V cache as llama.cpp allocated it for this run (ctx cells, one sequence) */
  kv: KvCacheReport;
  /** wall time of the llama-perplexity run */
  wallMs: number;
}
