/**
 * A switch (another profile, or an ask with other settings) would stop a server that is streaming an answer to
 * someone: refused, so the answer is not cut; `--force` cuts it.
 */
export class AnswerInProgressError extends Error {
  constructor(
    readonly runningProfileName: string,
    readonly pid: number,
    readonly newProfileName: string,
    /** what differs between the running server and the new plan, e.g. "-c 1024 → 2048" */
    readonly changes: readonly string[],
    /** busy slots, or why they could not be counted */
    readonly busy: number | string,
  ) {
    const why =
      typeof busy === "number"
        ? `an answer is in progress (${busy} busy slot${busy === 1 ? "" : "s"})`
        : `it could not be asked whether an answer is in progress (${busy})`;
    super(
      `llama-server (profile "${runningProfileName}", pid ${pid}) runs other settings than asked ` +
        `(${changes.join(", ") || "the same flags"}) and ${why}; expected it to be idle before it is restarted ` +
        `with profile "${newProfileName}": wait for the answer to end and try again, or pass --force to cut it`,
    );
    this.name = "AnswerInProgressError";
  }
}
