import { describe, expect, it } from "vitest";
import { InvalidLayerSpecError } from "./errors/InvalidLayerSpecError.ts";
import { expandLayerSpec, formatLayerSpec, parseLayerSpec } from "./layerSpec.ts";
import type { KvType } from "./kvType.ts";

describe("formatLayerSpec", () => {
  it("writes runs of equal types as ranges and lone layers as single indices", () => {
    const types: KvType[] = [...Array<KvType>(9).fill("q8_0"), ...Array<KvType>(9).fill("q4_0")];
    expect(formatLayerSpec(types)).toBe("0-8:q8_0,9-17:q4_0");
    expect(formatLayerSpec(["f16", "q4_0", "q4_0", "f16"])).toBe("0:f16,1-2:q4_0,3:f16");
    expect(formatLayerSpec([])).toBe("");
  });

  it("round-trips through parseLayerSpec", () => {
    const types: KvType[] = ["q8_0", "q5_1", "q5_1", "iq4_nl", "bf16", "bf16", "q4_1"];
    expect(parseLayerSpec(formatLayerSpec(types))).toEqual(types);
  });
});

describe("parseLayerSpec", () => {
  it("reads one type per layer from layer 0", () => {
    expect(parseLayerSpec("q8_0,q4_0,f16")).toEqual(["q8_0", "q4_0", "f16"]);
  });

  it("reads ranges and leaves unnamed layers undefined", () => {
    const types = parseLayerSpec("3:q8_0,5-6:q4_0");
    expect(types).toEqual([undefined, undefined, undefined, "q8_0", undefined, "q4_0", "q4_0"]);
    // unnamed layers are real entries, so callers can iterate them
    expect(types.map((t) => t ?? "-")).toEqual(["-", "-", "-", "q8_0", "-", "q4_0", "q4_0"]);
  });

  it.each([
    ["q8_0,,q4_0", "empty entry"],
    ["0-1:q4_0,q8_0", "mixes a per-layer list with ranges"],
    ["0-3:q8_0,2:q4_0", "layer 2 is named twice"],
    ["4-2:q8_0", 'invalid layer range "4-2"'],
    ["x:q8_0", 'invalid layer index "x"'],
    ["123456:q8_0", 'invalid layer index "123456"'],
    ["0-1:q3_k", 'unknown cache type "q3_k"'],
    ["f32", 'unknown cache type "f32"'],
  ])("refuses %s (%s)", (spec, reason) => {
    expect(() => parseLayerSpec(spec)).toThrow(InvalidLayerSpecError);
    expect(() => parseLayerSpec(spec)).toThrow(reason);
  });
});

describe("expandLayerSpec", () => {
  it("fills unnamed layers with the -ctk/-ctv fallback", () => {
    expect(expandLayerSpec("1-2:q4_0", 4, "f16")).toEqual(["f16", "q4_0", "q4_0", "f16"]);
  });

  it("refuses a layer the model does not have", () => {
    expect(() => expandLayerSpec("0-4:q4_0", 4, "f16")).toThrow("names layer 4, but the model has 4 layers (0-3)");
  });
});
