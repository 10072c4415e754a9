/** A preference holds text that is not what it should be (a number, a size). */
export class InvalidPreferenceError extends Error {
  constructor(
    readonly title: string,
    readonly value: string,
    readonly expected = "a whole number",
  ) {
    super(`the "${title}" preference is "${value}"; expected ${expected} (or empty for the default)`);
    this.name = "InvalidPreferenceError";
  }
}
