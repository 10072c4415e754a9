/** A path that names a directory (or something else) where a file is expected: `--model ~/models/` */
export class NotAFileError extends Error {
  constructor(
    readonly what: string,
    readonly path: string,
  ) {
    super(`${what} ${path} is a directory, not a file; expected the path of the file itself`);
    this.name = "NotAFileError";
  }
}
