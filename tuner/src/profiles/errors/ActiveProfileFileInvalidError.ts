/** active-profile.json exists but cannot be read: never silently treated as "no profile chosen" (that means f16). */
export class ActiveProfileFileInvalidError extends Error {
  constructor(
    readonly path: string,
    readonly reason: string,
  ) {
    super(
      `the active-profile file ${path} is damaged (${reason}); expected {"name": "<profile>"}: ` +
        `choose the profile again with 'kvsplit profile use <name>' (or delete the file to use f16)`,
    );
    this.name = "ActiveProfileFileInvalidError";
  }
}
