/** A per-layer SPEC string that llama.cpp (native patch 0003) would refuse, with the reason it would give. */
export class InvalidLayerSpecError extends Error {
  constructor(
    readonly spec: string,
    readonly reason: string,
  ) {
    super(
      `invalid layer spec "${spec}": ${reason}; expected "TYPE,TYPE,..." (one per layer from 0) or "A-B:TYPE,C:TYPE,..."`,
    );
    this.name = "InvalidLayerSpecError";
  }
}
