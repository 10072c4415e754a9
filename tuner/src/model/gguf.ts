import { existsSync, statSync } from "node:fs";
import { basename } from "node:path";
import type { GgufFileInfo } from "node-llama-cpp";
import { NotAFileError } from "../util/errors/NotAFileError.ts";
import { GgufKeyMissingError } from "./errors/GgufKeyMissingError.ts";
import { GgufTruncatedError } from "./errors/GgufTruncatedError.ts";
import { ModelFileMissingError } from "./errors/ModelFileMissingError.ts";
import { sha256FilePrefix } from "./fileHash.ts";
import { slidingWindowLayers } from "./slidingWindow.ts";

/** One transformer layer's attention shape, as llama.cpp's llama_hparams sees it. */
export interface LayerFacts {
  il: number;
  nHeadKv: number;
  /** elements per head in K and in V (n_embd_head_k / n_embd_head_v) */
  headDimK: number;
  headDimV: number;
  /** true when the layer attends through the sliding window (and lives in the SWA cache) */
  swa: boolean;
}

/** What KVSplit needs to know about a GGUF model: its identity and its K/V cache shape. */
export interface ModelFacts {
  path: string;
  fileName: string;
  sizeBytes: number;
  /** sha256 of the GGUF header, metadata and tensor info: every byte before the tensor data */
  headerHash: string;
  architecture: string;
  nLayer: number;
  /** the context the model was trained with (n_ctx_train); llama.cpp uses it when n_ctx is 0 */
  contextLength: number;
  embeddingLength: number;
  layers: LayerFacts[];
  /** sliding-window size in tokens (n_swa); undefined when every layer attends to the full context */
  slidingWindow?: number;
}

// Large tokenizer arrays are not needed here and take most of the parse time.
const ignoredKeys = [
  "tokenizer.ggml.tokens",
  "tokenizer.ggml.scores",
  "tokenizer.ggml.token_type",
  "tokenizer.ggml.merges",
];

export async function readModelFacts(path: string): Promise<ModelFacts> {
  if (!existsSync(path)) {
    throw new ModelFileMissingError(path);
  }
  if (!statSync(path).isFile()) throw new NotAFileError("model", path);
  const { readGgufFileInfo } = await importNodeLlamaCpp();
  const info = await readGgufFileInfo(path, { ignoreKeys: ignoredKeys, logWarnings: false, sourceType: "filesystem" });
  checkTensorDataPresent(path, info);
  const metadata = new GgufMetadataReader(path, info);
  const architecture = metadata.string("general.architecture");
  const key = (name: string) => `${architecture}.${name}`;

  const nLayer = metadata.number(key("block_count"));
  const embeddingLength = metadata.number(key("embedding_length"));
  const nHead = metadata.perLayer(key("attention.head_count"), nLayer);
  // llama.cpp: n_head_kv defaults to n_head; head sizes default to n_embd / n_head; SWA layers may have their own
  const nHeadKv = metadata.perLayerOptional(key("attention.head_count_kv"), nLayer) ?? nHead;
  const defaultHeadDim = Math.floor(embeddingLength / (nHead[0] ?? 1));
  const headDimK = metadata.numberOptional(key("attention.key_length")) ?? defaultHeadDim;
  const headDimV = metadata.numberOptional(key("attention.value_length")) ?? defaultHeadDim;
  const headDimKSwa = metadata.numberOptional(key("attention.key_length_swa")) ?? headDimK;
  const headDimVSwa = metadata.numberOptional(key("attention.value_length_swa")) ?? headDimV;

  const windowSize = metadata.numberOptional(key("attention.sliding_window"));
  const slidingWindow = windowSize !== undefined && windowSize > 0 ? windowSize : undefined;
  const swa =
    slidingWindow === undefined
      ? Array<boolean>(nLayer).fill(false)
      : slidingWindowLayers(architecture, nLayer, metadata.raw(key("attention.sliding_window_pattern")));

  const layers = Array.from({ length: nLayer }, (_, il): LayerFacts => {
    const isSwa = swa[il] === true;
    return {
      il,
      nHeadKv: nHeadKv[il]!,
      headDimK: isSwa ? headDimKSwa : headDimK,
      headDimV: isSwa ? headDimVSwa : headDimV,
      swa: isSwa,
    };
  });

  return {
    path,
    fileName: basename(path),
    sizeBytes: statSync(path).size,
    headerHash: await sha256FilePrefix(path, info.infoEndOffset ?? info.totalMetadataSize),
    architecture,
    nLayer,
    contextLength: metadata.number(key("context_length")),
    embeddingLength,
    layers,
    slidingWindow,
  };
}

/**
 * node-llama-cpp, loaded on first use: it takes half a second to import, and most CLI commands never need it. The
 * specifier is a variable so that bundlers leave it alone: the Raycast extension bundles this module with esbuild,
 * which cannot put node-llama-cpp's prebuilt packages (top-level await) into its CommonJS output; at run time the
 * extension, which runs from the checkout, finds the package in the repo's node_modules.
 */
async function importNodeLlamaCpp(): Promise<typeof import("node-llama-cpp")> {
  const specifier = "node-llama-cpp";
  return (await import(specifier)) as typeof import("node-llama-cpp");
}

/**
 * The header of a truncated GGUF parses fine; the tensor data does not fit. Every tensor must start inside the file
 * (the last one's size needs per-type block sizes, so a cut inside the very last tensor passes: llama.cpp names it).
 */
function checkTensorDataPresent(path: string, info: GgufFileInfo): void {
  const starts = (info.fullTensorInfo ?? info.tensorInfo ?? []).map((tensor) => Number(tensor.fileOffset));
  if (starts.length === 0) return;
  const lastStart = Math.max(...starts);
  const size = statSync(path).size;
  if (lastStart >= size) throw new GgufTruncatedError(path, lastStart + 1, size);
}

/** Typed access to dotted GGUF keys ("gemma3.attention.key_length"), naming the file and key when one is missing. */
class GgufMetadataReader {
  constructor(
    private readonly path: string,
    private readonly info: GgufFileInfo,
  ) {}

  raw(key: string): unknown {
    let node: unknown = this.info.metadata;
    for (const part of key.split(".")) {
      if (node === null || typeof node !== "object") return undefined;
      node = (node as Record<string, unknown>)[part];
    }
    return node;
  }

  string(key: string): string {
    const value = this.raw(key);
    if (typeof value !== "string") throw new GgufKeyMissingError(this.path, key, "a string");
    return value;
  }

  numberOptional(key: string): number | undefined {
    const value = this.raw(key);
    return typeof value === "number" || typeof value === "bigint" ? Number(value) : undefined;
  }

  number(key: string): number {
    const value = this.numberOptional(key);
    if (value === undefined) throw new GgufKeyMissingError(this.path, key, "a number");
    return value;
  }

  /** a number for every layer, or one per layer (llama_model_loader::get_key_or_arr) */
  perLayerOptional(key: string, nLayer: number): number[] | undefined {
    const value = this.raw(key);
    if (Array.isArray(value)) {
      if (value.length !== nLayer)
        throw new GgufKeyMissingError(this.path, key, `an array of ${nLayer} numbers, got ${value.length}`);
      return value.map(Number);
    }
    const single = this.numberOptional(key);
    return single === undefined ? undefined : Array<number>(nLayer).fill(single);
  }

  perLayer(key: string, nLayer: number): number[] {
    const values = this.perLayerOptional(key, nLayer);
    if (values === undefined) throw new GgufKeyMissingError(this.path, key, "a number or one number per layer");
    return values;
  }
}
