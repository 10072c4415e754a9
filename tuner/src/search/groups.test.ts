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

  it("auto on a model without sliding windows: six runs of consecutive layers", () => {
    // SmolLM2-135M: 30 full-attention layers
    const smollm2 = Array.from({ length: 30 }, (_, il) => ({ il, swa: false }));
    const groups = groupLayers(smollm2, "auto");
    expect(groups).toHaveLength(6);
    expect(groups[0]).toEqual([0, 1, 2, 3, 4]);
    expect(groups[5]).toEqual([25, 26, 27, 28, 29]);
    expect(groups.flat()).toEqual(smollm2.map((l) => l.il));
    // up to six layers, one group each
    const small = Array.from({ length: 4 }, (_, il) => ({ il, swa: false }));
    expect(groupLayers(small, "auto")).toEqual([[0], [1], [2], [3]]);
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
