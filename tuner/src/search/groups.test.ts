import { describe, expect, it } from "vitest";
import { groupLayers, InvalidGroupingError } from "./groups.ts";

// Gemma 3 270M: every 6th layer (5, 11, 17) attends to the full context, the rest through a 512-token window.
const gemma = Array.from({ length: 18 }, (_, il) => ({ il, swa: (il + 1) % 6 !== 0 }));

describe("groupLayers", () => {
  it("auto: runs of sliding-window layers, each full-attention layer alone", () => {
    expect(groupLayers(gemma, "auto")).toEqual([
      [0, 1, 2, 3, 4],
      [5],
      [6, 7, 8, 9, 10],
      [11],
      [12, 13, 14, 15, 16],
      [17],
    ]);
  });

  it("auto on a model without sliding windows keeps every layer on its own", () => {
    const dense = Array.from({ length: 4 }, (_, il) => ({ il, swa: false }));
    expect(groupLayers(dense, "auto")).toEqual([[0], [1], [2], [3]]);
  });

  it("N: consecutive runs of N layers, the last one shorter", () => {
    expect(groupLayers(gemma, "4")).toEqual([
      [0, 1, 2, 3],
      [4, 5, 6, 7],
      [8, 9, 10, 11],
      [12, 13, 14, 15],
      [16, 17],
    ]);
    expect(groupLayers(gemma, "1")).toHaveLength(18);
  });

  it.each(["0", "-2", "x", "1.5"])("rejects %j", (given) => {
    expect(() => groupLayers(gemma, given)).toThrow(InvalidGroupingError);
  });
});
