import { describe, expect, it } from "vitest";
import { UnsupportedSlidingWindowError } from "./errors/UnsupportedSlidingWindowError.ts";
import { slidingWindowLayers } from "./slidingWindow.ts";

const fullLayers = (swa: boolean[]) => swa.flatMap((isSwa, il) => (isSwa ? [] : [il]));

describe("slidingWindowLayers", () => {
  it("makes every 6th Gemma 3 layer full attention, like llama.cpp's set_swa_pattern(6)", () => {
    expect(fullLayers(slidingWindowLayers("gemma3", 18, undefined))).toEqual([5, 11, 17]);
  });

  it("takes the period from the GGUF when it is there", () => {
    expect(fullLayers(slidingWindowLayers("gemma3", 8, 4))).toEqual([3, 7]);
    expect(fullLayers(slidingWindowLayers("gemma2", 4, undefined))).toEqual([1, 3]);
  });

  it("reads a per-layer boolean pattern for any architecture", () => {
    expect(slidingWindowLayers("unknown-arch", 3, [true, false, true])).toEqual([true, false, true]);
  });

  it("refuses to guess for an architecture it has no rule for", () => {
    expect(() => slidingWindowLayers("mistery", 4, undefined)).toThrow(UnsupportedSlidingWindowError);
  });
});
