/** A server setting (context size, threads) llama-server cannot run with, refused before any server is touched. */
export class InvalidServerSettingError extends Error {
  constructor(
    /** the CLI flag that sets it, e.g. "--ctx" */
    readonly flag: string,
    /** what is allowed, e.g. "a whole number ≥ 512 (llama-server's batch)" */
    readonly expected: string,
    readonly given: unknown,
  ) {
    super(`${flag} must be ${expected}, got ${typeof given === "string" ? given : String(given)}`);
    this.name = "InvalidServerSettingError";
  }
}
