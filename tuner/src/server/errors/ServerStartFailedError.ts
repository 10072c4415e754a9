/** llama-server exited (or could not be spawned) before it became ready; carries the end of its log. */
export class ServerStartFailedError extends Error {
  constructor(
    readonly reason: string,
    readonly logPath: string,
    readonly logTail: readonly string[],
  ) {
    const tail = logTail.length > 0 ? `\nlast lines of ${logPath}:\n${logTail.join("\n")}` : "";
    super(`llama-server failed to start: ${reason}${tail}`);
    this.name = "ServerStartFailedError";
  }
}
