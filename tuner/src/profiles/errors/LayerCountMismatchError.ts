/** A per-layer profile made for a model with a different number of layers. */
export class LayerCountMismatchError extends Error {
  constructor(
    readonly expectedLayers: number,
    readonly actualLayers: number,
  ) {
    super(`the per-layer cache lists ${actualLayers} layers; expected ${expectedLayers}, one per model layer`);
    this.name = "LayerCountMismatchError";
  }
}
