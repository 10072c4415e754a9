export class UnknownModelSourceError extends Error {
  constructor(
    readonly source: string,
    readonly knownNames: readonly string[],
  ) {
    const names = knownNames.map((name) => `"${name}"`).join(", ");
    super(`unknown model source "${source}"; expected ${names} or a Hugging Face URI "hf:<user>/<repo>/<file>.gguf"`);
    this.name = "UnknownModelSourceError";
  }
}
