export class ProfileNotFoundError extends Error {
  constructor(
    readonly profileName: string,
    readonly available: readonly string[],
    /** a profile file of that name shipped with KVSplit (bench/results), not imported yet */
    readonly importable?: string,
  ) {
    const hint = importable
      ? `; it ships with KVSplit but is not imported yet: run 'tuner profiles import ${importable}'`
      : "; a profile file can be added with 'tuner profiles import <file.json>'";
    super(`no profile named "${profileName}"; expected one of: ${available.join(", ") || "(none)"}${hint}`);
    this.name = "ProfileNotFoundError";
  }
}
