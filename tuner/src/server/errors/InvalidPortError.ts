/** A port that is not a whole number from 1 to 65535 (e.g. `--port abc`, `--port 99999`). */
export class InvalidPortError extends Error {
  constructor(readonly given: unknown) {
    super(`invalid port ${JSON.stringify(given)}; expected a whole number from 1 to 65535 (e.g. --port 8737)`);
    this.name = "InvalidPortError";
  }
}

export function isValidPort(port: unknown): port is number {
  return typeof port === "number" && Number.isInteger(port) && port >= 1 && port <= 65535;
}
