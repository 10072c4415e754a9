export class InvalidKvBitsError extends Error {
  constructor(
    readonly flag: string,
    readonly given: string,
  ) {
    super(`invalid value for ${flag}: '${given}' (valid bit widths: 16 (f16), 8 (q8_0), 6 (q5_1), 5 (q5_0), 4 (q4_0))`);
    this.name = "InvalidKvBitsError";
  }
}
