export class UnknownModelSourceError extends Error {
  constructor(readonly source: string) {
    super(`unknown model source "${source}"; expected "default" or a Hugging Face URI "hf:<user>/<repo>/<file>.gguf"`);
    this.name = "UnknownModelSourceError";
  }
}
