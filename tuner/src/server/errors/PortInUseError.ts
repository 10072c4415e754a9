import type { PortHolder } from "../types.ts";

/** Something that is not our llama-server already listens on the port we were asked to use. */
export class PortInUseError extends Error {
  constructor(
    readonly port: number,
    /** the process listening there, when lsof could name it */
    readonly holder: PortHolder | undefined,
  ) {
    const who = holder ? `pid ${holder.pid}: ${holder.command}` : "a process KVSplit did not start";
    super(
      `port ${port} on 127.0.0.1 is in use by ${who}, which is not a KVSplit server; ` +
        `expected it to be free: stop that process or choose another port (--port)`,
    );
    this.name = "PortInUseError";
  }
}
