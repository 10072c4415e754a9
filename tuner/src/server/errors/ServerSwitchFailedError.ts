/**
 * A restart with a new plan (profile, model, settings) failed after the old server was stopped; says whether the old
 * server runs again, so the user knows what is serving.
 */
export class ServerSwitchFailedError extends Error {
  constructor(
    readonly newProfileName: string,
    readonly oldProfileName: string,
    readonly reason: Error,
    /** undefined when the old server came back; otherwise why it could not */
    readonly restoreFailure?: Error,
  ) {
    super(
      `could not start llama-server with profile "${newProfileName}": ${reason.message}\n` +
        (restoreFailure === undefined
          ? `the previous server (profile "${oldProfileName}") runs again; nothing changed`
          : `the previous server (profile "${oldProfileName}") could not be brought back either: ` +
            `${restoreFailure.message}\nno server runs now; start one with 'kvsplit server start'`),
    );
    this.name = "ServerSwitchFailedError";
  }
}
