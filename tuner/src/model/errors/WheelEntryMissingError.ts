export class WheelEntryMissingError extends Error {
  constructor(
    readonly distribution: string,
    readonly entry: string,
    readonly found: string,
  ) {
    super(`${distribution}: expected ${entry} in ${found}, but it is not there`);
    this.name = "WheelEntryMissingError";
  }
}
