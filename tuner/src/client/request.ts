import { ServerHttpError } from "./errors/ServerHttpError.ts";
import { ServerNotRunningError } from "./errors/ServerNotRunningError.ts";
import { ConnectionLostError } from "./errors/ConnectionLostError.ts";
import { isConnectionRefused, isSocketError } from "./fetchErrors.ts";
import type { FetchFunction } from "./types.ts";

export interface ServerRequest {
  /** sent as JSON with POST; without it the request is a GET */
  body?: unknown;
  signal?: AbortSignal;
}

/**
 * One request to llama-server; a refused connection and non-2xx answers become typed errors. A GET whose
 * connection closes before any answer is sent once more: a stock llama-server closes a keep-alive connection
 * after every streamed answer without saying so, and fetch may reuse it before it sees the close.
 */
export async function requestServer(
  baseUrl: string,
  route: string,
  fetchFn: FetchFunction,
  { body, signal }: ServerRequest = {},
): Promise<Response> {
  const init: RequestInit =
    body === undefined
      ? { method: "GET", signal }
      : { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body), signal };
  const send = () => fetchFn(`${baseUrl}${route}`, init);
  let response: Response;
  try {
    response = await send().catch((error: unknown) => {
      if (init.method === "GET" && isSocketError(error)) return send();
      throw error;
    });
  } catch (error) {
    if (isConnectionRefused(error)) throw new ServerNotRunningError(baseUrl);
    // reset or closed before any answer: the server died while (or just before) we connected
    if (isSocketError(error)) throw new ConnectionLostError(route, "", { cause: error });
    throw error;
  }
  if (!response.ok) {
    throw new ServerHttpError(route, response.status, await serverMessage(response));
  }
  return response;
}

/** llama-server puts its reason in `{ error: { message } }`; anything else is shown as text. */
async function serverMessage(response: Response): Promise<string> {
  const text = await response.text().catch(() => "");
  try {
    const json = JSON.parse(text) as { error?: { message?: unknown } };
    if (typeof json.error?.message === "string") return json.error.message;
  } catch {
    // not JSON
  }
  return text.slice(0, 300);
}
