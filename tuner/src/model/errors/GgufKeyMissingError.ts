/** A GGUF file without a metadata key llama.cpp itself requires for this architecture. */
export class GgufKeyMissingError extends Error {
  constructor(
    readonly path: string,
    readonly key: string,
    readonly expected: string,
  ) {
    super(`${path} has no GGUF metadata key "${key}"; expected ${expected}`);
    this.name = "GgufKeyMissingError";
  }
}
