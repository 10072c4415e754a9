/** A search-space entry TPE cannot sample, naming the parameter, what was given and what is expected. */
export class InvalidDistributionError extends Error {
  constructor(
    readonly param: string,
    readonly reason: string,
  ) {
    super(`invalid distribution for parameter "${param}": ${reason}`);
    this.name = "InvalidDistributionError";
  }
}
