/** llama-server's allocation and the K/V formula disagree by more than a few context steps. */
export class MaxContextDivergedError extends Error {
  constructor(
    readonly setting: string,
    readonly formulaCtx: number,
    readonly serverCtx: number,
    readonly detail: string,
  ) {
    super(
      `${setting}: the K/V formula expected context ${formulaCtx} to be the largest that fits, but llama-server ` +
        `${detail} at ${serverCtx}; expected them to agree (is native/bin the patched build the formula mirrors?)`,
    );
    this.name = "MaxContextDivergedError";
  }
}
