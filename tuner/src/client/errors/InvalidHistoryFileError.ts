/** `kvsplit ask --history` named a file that is not the earlier turns of a chat. */
export class InvalidHistoryFileError extends Error {
  constructor(
    readonly path: string,
    readonly problem: string,
  ) {
    super(
      `--history ${path}: ${problem}; expected a JSON array of {"role": "user" | "assistant", "content": string}, ` +
        "questions and answers taking turns, a question first",
    );
    this.name = "InvalidHistoryFileError";
  }
}
