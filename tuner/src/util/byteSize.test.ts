import { describe, expect, it } from "vitest";
import { parseByteSize } from "./byteSize.ts";
import { InvalidByteSizeError } from "./errors/InvalidByteSizeError.ts";

describe("parseByteSize", () => {
  it("reads binary and decimal units, with or without a space", () => {
    expect(parseByteSize("64MiB")).toBe(64 * 1024 * 1024);
    expect(parseByteSize("64 mib")).toBe(64 * 1024 * 1024);
    expect(parseByteSize("1.5GiB")).toBe(1.5 * 1024 ** 3);
    expect(parseByteSize("512KiB")).toBe(512 * 1024);
    expect(parseByteSize("100MB")).toBe(100_000_000);
    expect(parseByteSize("4096B")).toBe(4096);
    // a limit larger than any K/V cache is still a size (the context is then capped at the training context)
    expect(parseByteSize("1TB")).toBe(1000 ** 4);
    expect(parseByteSize("2 TiB")).toBe(2 * 1024 ** 4);
  });

  it("refuses a bare number, an unknown unit, zero and negatives, naming what was read", () => {
    for (const bad of ["64", "64 MiBs", "0MiB", "-1MiB", "MiB", ""]) {
      expect(() => parseByteSize(bad, "--kv-memory")).toThrow(InvalidByteSizeError);
    }
    expect(() => parseByteSize("64", "--kv-memory")).toThrow("invalid --kv-memory '64'");
  });
});
