/** llama-server answered a measurement request with an error status. */
export class ServerRequestError extends Error {
  constructor(
    readonly path: string,
    readonly status: number | undefined,
    readonly body: string,
  ) {
    super(`llama-server ${path} answered ${status ?? "nothing"}, expected 200: ${body.slice(0, 300)}`);
    this.name = "ServerRequestError";
  }
}
