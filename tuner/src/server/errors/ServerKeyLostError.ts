/**
 * Our llama-server runs, found by its command line, but server.json and server.key are both damaged: its API key
 * is lost, so nothing can use it, and whether it is answering someone cannot be asked.
 */
export class ServerKeyLostError extends Error {
  constructor(
    readonly pid: number,
    readonly statePath: string,
    readonly keyPath: string,
  ) {
    super(
      `llama-server (pid ${pid}) runs, but ${statePath} and ${keyPath} are both damaged, so its API key is lost; ` +
        `expected a server this command can use: run 'kvsplit server restart' to give it a new key ` +
        `(it cuts any answer it is giving)`,
    );
    this.name = "ServerKeyLostError";
  }
}
