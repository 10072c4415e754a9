/** The new server's record (server.json) could not be written; the server was stopped, so none runs unrecorded. */
export class ServerRecordError extends Error {
  constructor(
    readonly statePath: string,
    readonly reason: Error,
  ) {
    super(
      `could not record the server in ${statePath}: ${reason.message}; the new server was stopped. ` +
        `Expected a writable file there: free disk space, or remove what is in its place`,
      { cause: reason },
    );
    this.name = "ServerRecordError";
  }
}
