/** The server sent something that is not what the OpenAI-compatible API (or the patched /props) promises. */
export class InvalidServerResponseError extends Error {
  constructor(
    readonly route: string,
    readonly detail: string,
  ) {
    super(`llama-server sent an unexpected response on ${route}: ${detail}`);
    this.name = "InvalidServerResponseError";
  }
}
