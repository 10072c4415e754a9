/** A short request (health, props) got no answer in time. */
export class ServerTimeoutError extends Error {
  constructor(
    readonly route: string,
    readonly timeoutMs: number,
  ) {
    super(`llama-server did not answer ${route} within ${timeoutMs} ms`);
    this.name = "ServerTimeoutError";
  }
}
