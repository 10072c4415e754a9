export class ModelHashMismatchError extends Error {
  constructor(
    readonly what: string,
    readonly expected: string,
    readonly actual: string,
  ) {
    super(`${what} has sha256 ${actual}; expected ${expected} (the download is corrupt or the package changed)`);
    this.name = "ModelHashMismatchError";
  }
}
