import { kvTypes } from "../../profiles/schema.ts";

export class InvalidKvTypeError extends Error {
  constructor(
    readonly flag: string,
    readonly given: string,
  ) {
    super(`invalid value for ${flag}: '${given}' (allowed: ${kvTypes.join(", ")})`);
    this.name = "InvalidKvTypeError";
  }
}
