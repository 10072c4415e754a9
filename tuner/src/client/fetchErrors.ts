/** The innermost `cause` of a fetch failure (undici wraps the socket error in a TypeError "fetch failed"). */
function rootCause(error: unknown): unknown {
  let current = error;
  while (current instanceof Error && current.cause !== undefined) current = current.cause;
  return current;
}

/** Whether fetch failed because nothing listens on the port. */
export function isConnectionRefused(error: unknown): boolean {
  const cause = rootCause(error) as { code?: unknown } | undefined;
  return cause?.code === "ECONNREFUSED";
}

/** Whether the connection was reset or closed by the other side. */
export function isSocketError(error: unknown): boolean {
  const cause = rootCause(error) as { code?: unknown } | undefined;
  return cause?.code === "ECONNRESET" || cause?.code === "EPIPE" || cause?.code === "UND_ERR_SOCKET";
}

export function isAbortError(error: unknown): boolean {
  return error instanceof Error && (error.name === "AbortError" || error.name === "TimeoutError");
}
