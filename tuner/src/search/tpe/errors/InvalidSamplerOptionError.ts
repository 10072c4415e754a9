/** A TPE sampler setting out of its range, with the expected range and the value given. */
export class InvalidSamplerOptionError extends Error {
  constructor(
    readonly option: string,
    readonly expected: string,
    readonly actual: unknown,
  ) {
    super(`invalid TPE sampler option ${option}: expected ${expected}, got ${String(actual)}`);
    this.name = "InvalidSamplerOptionError";
  }
}
