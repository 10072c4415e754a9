export class ModelFileMissingError extends Error {
  constructor(readonly path: string) {
    super(`model file not found: ${path}; expected a .gguf file (run 'tuner model fetch' for the default model)`);
    this.name = "ModelFileMissingError";
  }
}
