/** The file has a sliding window, but which layers use it is set in llama.cpp code we have no rule for. */
export class UnsupportedSlidingWindowError extends Error {
  constructor(
    readonly architecture: string,
    readonly supported: readonly string[],
  ) {
    super(
      `cannot tell which layers of a "${architecture}" model use the sliding window: the GGUF has no per-layer ` +
        `sliding_window_pattern array; expected one, or an architecture with a known pattern (${supported.join(", ")})`,
    );
    this.name = "UnsupportedSlidingWindowError";
  }
}
