export class InvalidKvBitsError extends Error {
  constructor(
    readonly flag: string,
    readonly given: string,
    /** The widths the flag takes with their types, e.g. "16 (f16), 8 (q8_0)". */
    readonly valid: string,
  ) {
    super(`invalid value for ${flag}: '${given}' (valid bit widths: ${valid})`);
    this.name = "InvalidKvBitsError";
  }
}
