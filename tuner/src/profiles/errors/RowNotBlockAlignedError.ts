/** A quantized K/V type stores whole blocks, so a row must hold a multiple of the block's element count. */
export class RowNotBlockAlignedError extends Error {
  constructor(
    readonly type: string,
    readonly blockElements: number,
    readonly rowElements: number,
  ) {
    super(`${type} stores blocks of ${blockElements} elements: a row of ${rowElements} does not divide into them`);
    this.name = "RowNotBlockAlignedError";
  }
}
