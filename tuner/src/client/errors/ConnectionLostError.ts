/** The connection broke mid-answer, usually because llama-server crashed or was killed; keeps the partial text. */
export class ConnectionLostError extends Error {
  constructor(
    readonly route: string,
    readonly partialText: string,
    options?: { cause?: unknown },
  ) {
    super(
      `llama-server closed the connection during ${route} (it may have crashed or been stopped; see server.log)`,
      options,
    );
    this.name = "ConnectionLostError";
  }
}
