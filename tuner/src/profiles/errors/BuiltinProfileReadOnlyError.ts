/** Built-in names always mean the same uniform setting, so a saved file may never shadow or remove one. */
export class BuiltinProfileReadOnlyError extends Error {
  constructor(
    readonly profileName: string,
    readonly action: "save" | "remove" | "import",
  ) {
    super(`cannot ${action} "${profileName}": it is a built-in profile; expected a name that is not built in`);
    this.name = "BuiltinProfileReadOnlyError";
  }
}
