export class ExportDestinationExistsError extends Error {
  constructor(readonly path: string) {
    super(`${path} already exists; expected a new file name (or pass --force to replace it)`);
    this.name = "ExportDestinationExistsError";
  }
}
