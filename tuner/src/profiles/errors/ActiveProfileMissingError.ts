/** The profile active-profile.json names is gone (deleted by hand, or unreadable): never silently replaced by f16. */
export class ActiveProfileMissingError extends Error {
  constructor(
    readonly profileName: string,
    readonly reason: string,
  ) {
    super(
      `the active profile "${profileName}" cannot be loaded (${reason}); expected it in the store: ` +
        `choose another with 'kvsplit profile use <name>' ('kvsplit profile list' shows them) or import it again`,
    );
    this.name = "ActiveProfileMissingError";
  }
}
