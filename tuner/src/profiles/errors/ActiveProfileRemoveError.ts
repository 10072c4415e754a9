/** Removing the active profile would silently switch the server to f16; the user chooses another one first. */
export class ActiveProfileRemoveError extends Error {
  constructor(readonly profileName: string) {
    super(
      `profile "${profileName}" is the active profile; expected an inactive one: make another profile active ` +
        `first ('kvsplit profile use f16'), then remove it`,
    );
    this.name = "ActiveProfileRemoveError";
  }
}
