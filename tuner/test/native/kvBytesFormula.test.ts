import { describe, expect, it } from "vitest";
import { kvCacheBytes } from "../../src/model/kvBytes.ts";
import { readModelFacts } from "../../src/model/gguf.ts";
import { measureKvMemory } from "../../src/bench/kvMemory.ts";
import type { KvType } from "../../src/profiles/schema.ts";
import { gemmaModelPath } from "../fixtures.ts";

// llama.cpp allocates the K/V cache when the context is created: llama-server reports it in /props before any
// token is processed. The formula side only reads GGUF metadata, never llama.cpp's numbers.
const reportedAt4096 = (cacheArgs: string[]) => measureKvMemory(gemmaModelPath(), ["-fa", "on", ...cacheArgs], 4096);

const layers = (spec: (il: number) => KvType) => Array.from({ length: 18 }, (_, il) => spec(il));

describe("measured K/V bytes equal the formula from GGUF metadata", () => {
  it.each([
    { name: "f16", k: layers(() => "f16"), v: layers(() => "f16"), args: ["-ctk", "f16", "-ctv", "f16"] },
    {
      name: "mixed (K 0-8 q8_0, 9-17 q4_0; V q4_0)",
      k: layers((il) => (il <= 8 ? "q8_0" : "q4_0")),
      v: layers(() => "q4_0"),
      args: ["--cache-type-k-layers", "0-8:q8_0,9-17:q4_0", "--cache-type-v-layers", "0-17:q4_0"],
    },
    {
      name: "one type per layer",
      k: layers((il) => (["f16", "q8_0", "q5_1", "q5_0", "q4_1", "q4_0", "iq4_nl"] as const)[il % 7]!),
      v: layers((il) => (["q4_0", "q8_0", "f16"] as const)[il % 3]!),
      args: [
        "--cache-type-k-layers",
        layers((il) => (["f16", "q8_0", "q5_1", "q5_0", "q4_1", "q4_0", "iq4_nl"] as const)[il % 7]!).join(","),
        "--cache-type-v-layers",
        layers((il) => (["q4_0", "q8_0", "f16"] as const)[il % 3]!).join(","),
      ],
    },
    {
      name: "the 3- and 2-bit types per layer (iq3_nl, iq2_nl: 64-value blocks)",
      k: layers((il) => (["q8_0", "iq3_nl", "iq2_nl"] as const)[il % 3]!),
      v: layers((il) => (["iq2_nl", "iq3_nl", "q4_0"] as const)[il % 3]!),
      args: [
        "--cache-type-k-layers",
        layers((il) => (["q8_0", "iq3_nl", "iq2_nl"] as const)[il % 3]!).join(","),
        "--cache-type-v-layers",
        layers((il) => (["iq2_nl", "iq3_nl", "q4_0"] as const)[il % 3]!).join(","),
      ],
    },
  ])("$name at context 4096", async ({ k, v, args }) => {
    const facts = await readModelFacts(gemmaModelPath());
    expect(facts.nLayer).toBe(18);
    const expected = kvCacheBytes(facts, { k, v }, { nCtx: 4096, nSeqMax: 1 });
    const measured = await reportedAt4096(args);

    expect(measured.sizeK).toBe(expected.sizeK);
    expect(measured.sizeV).toBe(expected.sizeV);
    for (const layer of measured.layers) {
      expect(layer.typeK).toBe(k[layer.il]);
      expect(layer.typeV).toBe(v[layer.il]);
      expect(layer.sizeK).toBe(expected.layers[layer.il]!.sizeK);
      expect(layer.sizeV).toBe(expected.layers[layer.il]!.sizeV);
      expect(layer.swa).toBe(expected.layers[layer.il]!.swa);
    }
  });
});
