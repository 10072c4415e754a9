/** A file of binary data given as the eval text: llama.cpp tokenizes NUL bytes into a perplexity of about 1.0. */
export class EvalTextNotTextError extends Error {
  constructor(
    readonly path: string,
    readonly offset: number,
  ) {
    super(
      `eval text ${path} is not text: it has a NUL byte at offset ${offset}; expected a UTF-8 text file ` +
        `(--eval-file names the text to measure on)`,
    );
    this.name = "EvalTextNotTextError";
  }
}
