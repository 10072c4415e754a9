/** The store finds profiles by file name, so `<name>.json` must hold the profile called `name`. */
export class ProfileFileNameMismatchError extends Error {
  constructor(
    readonly path: string,
    readonly expectedName: string,
    readonly actualName: string,
  ) {
    super(`${path} holds profile "${actualName}"; expected "${expectedName}" to match its file name`);
    this.name = "ProfileFileNameMismatchError";
  }
}
