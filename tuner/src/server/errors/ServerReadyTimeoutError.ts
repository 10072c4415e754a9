/** llama-server kept running but never answered GET /health with 200 in time; it has been stopped. */
export class ServerReadyTimeoutError extends Error {
  constructor(
    readonly timeoutMs: number,
    readonly logPath: string,
    readonly logTail: readonly string[],
  ) {
    super(
      `llama-server was not ready within ${timeoutMs} ms, so it was stopped; last lines of ${logPath}:\n` +
        logTail.join("\n"),
    );
    this.name = "ServerReadyTimeoutError";
  }
}
