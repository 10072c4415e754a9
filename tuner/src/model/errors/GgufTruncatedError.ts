/** A GGUF whose tensor data ends early (an interrupted download, a copied prefix): llama.cpp cannot load it. */
export class GgufTruncatedError extends Error {
  constructor(
    readonly path: string,
    readonly expectedAtLeastBytes: number,
    readonly actualBytes: number,
  ) {
    super(
      `model file ${path} is truncated: its tensors need at least ${expectedAtLeastBytes} bytes, the file has ` +
        `${actualBytes}; expected a complete .gguf: download it again (tuner model fetch for the default models)`,
    );
    this.name = "GgufTruncatedError";
  }
}
