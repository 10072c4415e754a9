/** The connection broke mid-answer, usually because llama-server crashed or was killed; keeps the partial text. */
export class ConnectionLostError extends Error {
  readonly logPath: string | undefined;

  constructor(
    readonly route: string,
    readonly partialText: string,
    options?: { cause?: unknown; logPath?: string },
  ) {
    super(
      `llama-server closed the connection during ${route} (it may have crashed or been stopped; ` +
        `see ${options?.logPath ?? "its log, server.log in the KVSplit support directory"})`,
      { cause: options?.cause },
    );
    this.name = "ConnectionLostError";
    this.logPath = options?.logPath;
  }
}
