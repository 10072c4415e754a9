/** A size such as "64MiB" could not be read. */
export class InvalidByteSizeError extends Error {
  constructor(
    readonly what: string,
    readonly given: string,
  ) {
    super(
      `invalid ${what} '${given}': expected a positive size with a unit, e.g. 64MiB, 1.5GiB, 512KiB ` +
        `(binary units; MB and GB are decimal)`,
    );
    this.name = "InvalidByteSizeError";
  }
}
