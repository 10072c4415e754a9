import type { FetchFunction } from "./types.ts";

/** `fetchFn` with `Authorization: Bearer <apiKey>` on every request (what llama-server's --api-key checks). */
export function withApiKey(fetchFn: FetchFunction, apiKey: string | undefined): FetchFunction {
  if (apiKey === undefined) return fetchFn;
  return (input, init = {}) => {
    const headers = new Headers(init.headers);
    headers.set("authorization", `Bearer ${apiKey}`);
    return fetchFn(input, { ...init, headers });
  };
}
