/** Nothing listens at the server address: the connection was refused. */
export class ServerNotRunningError extends Error {
  constructor(readonly baseUrl: string) {
    super(
      `llama-server is not running at ${baseUrl}: start it with 'kvsplit server start' ` +
        `or the Local Model Server command`,
    );
    this.name = "ServerNotRunningError";
  }
}
