import { describe, expect, it } from "vitest";
import { RowNotBlockAlignedError } from "./errors/RowNotBlockAlignedError.ts";
import { bitsPerElement, kvTypes, rowBytes } from "./kvType.ts";

describe("bitsPerElement", () => {
  it("counts the block scales", () => {
    expect(kvTypes.map(bitsPerElement)).toEqual([16, 16, 8.5, 6, 5.5, 5, 4.5, 4.5, 3.25, 2.25]);
  });
});

describe("rowBytes", () => {
  it("takes n/32 blocks for quantized types and 2 bytes per element for 16-bit ones", () => {
    expect(rowBytes("q8_0", 256)).toBe(8 * 34);
    expect(rowBytes("q5_1", 64)).toBe(2 * 24);
    expect(rowBytes("q5_0", 32)).toBe(22);
    expect(rowBytes("q4_1", 96)).toBe(3 * 20);
    expect(rowBytes("q4_0", 256)).toBe(8 * 18);
    expect(rowBytes("iq4_nl", 32)).toBe(18);
    expect(rowBytes("f16", 8)).toBe(16);
    expect(rowBytes("bf16", 3)).toBe(6);
  });

  it("refuses a row that is not whole blocks", () => {
    expect(() => rowBytes("q4_0", 40)).toThrow(RowNotBlockAlignedError);
    expect(() => rowBytes("q4_0", 40)).toThrow(
      "q4_0 stores blocks of 32 elements: a row of 40 does not divide into them",
    );
  });
});
