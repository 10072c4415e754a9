/** A preference holds text where a number was expected. */
export class InvalidPreferenceError extends Error {
  constructor(
    readonly title: string,
    readonly value: string,
  ) {
    super(`the "${title}" preference is "${value}"; expected a whole number (or empty for the default)`);
    this.name = "InvalidPreferenceError";
  }
}
