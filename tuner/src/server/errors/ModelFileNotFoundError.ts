/** The model file the server should load does not exist. */
export class ModelFileNotFoundError extends Error {
  constructor(readonly path: string) {
    super(`model file not found at ${path}: expected a .gguf file (run 'npm run setup' for the default model)`);
    this.name = "ModelFileNotFoundError";
  }
}
