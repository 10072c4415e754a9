/** Something that is not our llama-server already listens on the port we were asked to use. */
export class PortInUseError extends Error {
  constructor(
    readonly port: number,
    readonly detail: string,
  ) {
    super(
      `port ${port} on 127.0.0.1 is already in use by another process (${detail}); ` +
        `expected it to be free: stop that process or choose another port`,
    );
    this.name = "PortInUseError";
  }
}
