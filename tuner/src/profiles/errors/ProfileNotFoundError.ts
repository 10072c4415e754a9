export class ProfileNotFoundError extends Error {
  constructor(
    readonly profileName: string,
    readonly available: readonly string[],
  ) {
    super(`no profile named "${profileName}"; expected one of: ${available.join(", ") || "(none)"}`);
    this.name = "ProfileNotFoundError";
  }
}
