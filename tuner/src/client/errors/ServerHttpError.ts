/** The server answered, but not with 2xx; carries the route and status (and the server's own message). */
export class ServerHttpError extends Error {
  constructor(
    readonly route: string,
    readonly status: number,
    readonly serverMessage: string,
  ) {
    super(`llama-server answered ${route} with HTTP ${status}${serverMessage ? `: ${serverMessage}` : ""}`);
    this.name = "ServerHttpError";
  }
}
