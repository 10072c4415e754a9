/** Another KVSplit command held the server lock for longer than this one would wait. */
export class ServerBusyError extends Error {
  constructor(
    readonly lockPath: string,
    readonly waitedMs: number,
  ) {
    super(
      `another KVSplit command has been starting or stopping llama-server for ${Math.round(waitedMs / 1000)} s ` +
        `(lock ${lockPath}); expected it to finish: try again, or remove the lock if no kvsplit command runs`,
    );
    this.name = "ServerBusyError";
  }
}
