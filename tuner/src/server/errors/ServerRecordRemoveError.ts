/** The server was stopped (or was already gone), but its record (server.json) could not be removed. */
export class ServerRecordRemoveError extends Error {
  constructor(
    readonly statePath: string,
    readonly reason: Error,
    /** what happened to the server before the removal failed */
    readonly outcome: "stopped" | "was-crashed",
  ) {
    super(
      `${outcome === "stopped" ? "stopped llama-server" : "llama-server had already exited"}, but could not ` +
        `remove its record ${statePath}: ${reason.message}; expected a removable file: remove it by hand`,
      { cause: reason },
    );
    this.name = "ServerRecordRemoveError";
  }
}
