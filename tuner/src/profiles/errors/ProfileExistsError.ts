export class ProfileExistsError extends Error {
  constructor(
    readonly profileName: string,
    readonly path: string,
  ) {
    super(
      `a profile named "${profileName}" already exists at ${path}; expected a new name ` +
        `(--name <other>, or pass --force to replace it)`,
    );
    this.name = "ProfileExistsError";
  }
}
