/** llama-bench ran a K/V pair but said nothing about where its attention ran: the binary predates native patch 0010. */
export class AttnPlacementMissingError extends Error {
  constructor(
    readonly pair: string,
    readonly output: string,
  ) {
    super(
      `llama-bench ran K/V pair ${pair} but printed no 'llama-bench: attention: ...' line (expected one per run of ` +
        `layers, from native patch 0010; got none): rebuild KVSplit's llama.cpp with 'npm run setup'`,
    );
    this.name = "AttnPlacementMissingError";
  }
}
