/** A profile (a file or an object) that does not match the schema; `details` is zod's readable summary. */
export class InvalidProfileError extends Error {
  constructor(
    readonly where: string,
    readonly details: string,
  ) {
    super(`${where} is not a valid KVSplit profile (schemaVersion 1):\n${details}`);
    this.name = "InvalidProfileError";
  }
}
