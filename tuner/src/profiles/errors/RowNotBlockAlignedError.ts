/** A quantized K/V type stores whole blocks, so a row must hold a multiple of the block's element count. */
export class RowNotBlockAlignedError extends Error {
  constructor(
    readonly type: string,
    readonly blockElements: number,
    readonly rowElements: number,
  ) {
    super(`a ${type} row must hold a multiple of ${blockElements} elements, got ${rowElements}`);
    this.name = "RowNotBlockAlignedError";
  }
}
