/** A per-layer profile was tuned for another model file; its layer types mean nothing for this one. */
export class ProfileModelMismatchError extends Error {
  constructor(
    readonly profileName: string,
    readonly expectedModelFile: string,
    readonly actualModelFile: string,
  ) {
    super(
      `profile "${profileName}" was made for ${expectedModelFile}, but the server is set to load ${actualModelFile}; ` +
        `expected a matching model, or choose a built-in profile`,
    );
    this.name = "ProfileModelMismatchError";
  }
}
