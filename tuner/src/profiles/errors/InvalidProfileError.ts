import { printable } from "../../util/printable.ts";

/** A profile (a file or an object) that does not match the schema; `details` is zod's readable summary. */
export class InvalidProfileError extends Error {
  constructor(
    readonly where: string,
    readonly details: string,
  ) {
    // a file's bytes may reach the message (JSON.parse quotes them): never let them drive the terminal
    super(`${printable(where)} is not a valid KVSplit profile (schemaVersion 1):\n${printable(details)}`);
    this.name = "InvalidProfileError";
  }
}
