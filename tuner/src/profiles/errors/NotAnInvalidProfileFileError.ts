/**
 * Only files the store lists as invalid are deleted by path; a valid profile is removed by name, which keeps the
 * active one protected, and a path outside the store is never deleted.
 */
export class NotAnInvalidProfileFileError extends Error {
  constructor(
    readonly path: string,
    readonly directory: string,
  ) {
    super(
      `${path} is not an invalid profile file in ${directory}; expected one the profile list shows as invalid: ` +
        `remove a valid profile by its name ('tuner profiles rm <name>')`,
    );
    this.name = "NotAnInvalidProfileFileError";
  }
}
