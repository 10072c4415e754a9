/**
 * Importing over the active profile with --force would change what a running server claims to run (and may make
 * it a profile for another model, which every ask then refuses); the user switches to another profile first.
 */
export class ActiveProfileReplaceError extends Error {
  constructor(readonly profileName: string) {
    super(
      `profile "${profileName}" is the active profile; expected an inactive one to replace: make another profile ` +
        `active first ('kvsplit profile use f16'), or import under another name (--name)`,
    );
    this.name = "ActiveProfileReplaceError";
  }
}
