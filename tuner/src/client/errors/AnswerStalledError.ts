/**
 * The server sent no byte of a streamed answer for the idle timeout: it hangs, is stopped, or is starved. The
 * request was abandoned (its connection closed) and the text so far is kept.
 */
export class AnswerStalledError extends Error {
  constructor(
    readonly route: string,
    readonly partialText: string,
    readonly idleTimeoutMs: number,
    /** what is known about the server now, e.g. "pid 4242 is stopped (SIGSTOP)..." */
    readonly serverState: string,
  ) {
    super(
      `llama-server sent nothing for ${idleTimeoutMs / 1000} s during ${route}, so the answer was abandoned ` +
        `(expected a token or a keep-alive at least that often); ${serverState}`,
    );
    this.name = "AnswerStalledError";
  }
}
