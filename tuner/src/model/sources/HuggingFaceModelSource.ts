import { existsSync, statSync } from "node:fs";
import { modelsDir } from "../../config.ts";
import type { FetchOptions, FetchedModel, ModelSource } from "./ModelSource.ts";

export interface HuggingFaceModelSourceOptions {
  /** Defaults to `<cache>/models`. */
  directory?: string;
  /** the hub's base URL. Defaults to node-llama-cpp's choice: `$MODEL_ENDPOINT`, `$HF_ENDPOINT`, or huggingface.co. */
  endpoint?: string;
  /** access token for gated models. Defaults to node-llama-cpp's lookup (`$HF_TOKEN`, ~/.cache/huggingface/token). */
  token?: string;
}

/**
 * `hf:<user>/<repo>/<file>.gguf`, downloaded by node-llama-cpp's downloader (parallel, resumable, split-aware)
 * into the models directory under the name node-llama-cpp gives it ("hf_<user>_<file>.gguf").
 */
export class HuggingFaceModelSource implements ModelSource {
  readonly description: string;

  constructor(
    readonly uri: string,
    private readonly options: HuggingFaceModelSourceOptions = {},
  ) {
    this.description = uri;
  }

  async fetch({ signal, onProgress }: FetchOptions = {}): Promise<FetchedModel> {
    const { createModelDownloader } = await import("node-llama-cpp");
    const downloader = await createModelDownloader({
      modelUri: this.uri,
      dirPath: this.options.directory ?? modelsDir(),
      showCliProgress: false,
      skipExisting: true,
      endpoints: this.options.endpoint ? { huggingFace: this.options.endpoint } : undefined,
      tokens: this.options.token ? { huggingFace: this.options.token } : undefined,
      onProgress: ({ downloadedSize, totalSize }) =>
        onProgress?.({ phase: "download", done: downloadedSize, total: totalSize }),
    });
    const path = downloader.entrypointFilePath;
    // the downloader skips a file whose size matches the remote one; report that as reuse
    const reused = existsSync(path) && statSync(path).size === downloader.totalSize;
    await downloader.download({ signal });
    return { path, reused };
  }
}
