import { describe, expect, it } from "vitest";
import { measureKvMemory } from "../../src/bench/kvMemory.ts";
import { kvCacheBytes } from "../../src/model/kvBytes.ts";
import { readModelFacts } from "../../src/model/gguf.ts";
import { parseKvCacheReport } from "../../src/native/kvReport.ts";
import { parsePerplexity } from "../../src/native/perplexityOutput.ts";
import { runNativeTool } from "../../src/native/run.ts";
import type { KvType } from "../../src/profiles/schema.ts";
import { smollmModelPath, wikiTestPath } from "../fixtures.ts";

// The second architecture: SmolLM2 135M (llama: 30 full-attention layers, 3 KV heads of 64, no sliding window).
const nLayer = 30;
const layers = (spec: (il: number) => KvType) => Array.from({ length: nLayer }, (_, il) => spec(il));

async function perplexity(cacheArgs: string[]) {
  const run = await runNativeTool("llama-perplexity", [
    ...["-m", smollmModelPath(), "-f", wikiTestPath, "-c", "256", "-b", "256", "--chunks", "2"],
    ...["-t", "2", "-fa", "on", "-lv", "4"],
    ...cacheArgs,
  ]);
  return { ...parsePerplexity(run.all), kv: parseKvCacheReport(run.all) };
}

describe("SmolLM2 135M: the model's shape as KVSplit reads it", () => {
  it("has 30 full-attention layers of 3 KV heads × 64 and no sliding window", async () => {
    const facts = await readModelFacts(smollmModelPath());
    expect(facts.architecture).toBe("llama");
    expect(facts.nLayer).toBe(nLayer);
    expect(facts.slidingWindow).toBeUndefined();
    expect(new Set(facts.layers.map((l) => `${l.nHeadKv}x${l.headDimK}/${l.headDimV}/${l.swa}`))).toEqual(
      new Set(["3x64/64/false"]),
    );
  });
});

describe("per-layer K/V cache types on SmolLM2 135M", () => {
  it.each(["f16", "q8_0", "q4_0"])("naming %s for every layer equals the uniform -ctk/-ctv run", async (type) => {
    const uniform = await perplexity(["-ctk", type, "-ctv", type]);
    const perLayer = await perplexity([
      "--cache-type-k-layers",
      layers(() => type as KvType).join(","),
      "--cache-type-v-layers",
      `0-29:${type}`,
    ]);
    expect(perLayer.ppl).toBe(uniform.ppl);
    expect(perLayer.chunkPpl).toEqual(uniform.chunkPpl);
    expect(perLayer.kv).toEqual(uniform.kv);
    expect(perLayer.kv.layers).toHaveLength(nLayer);
  });

  it("a profile that differs in one layer gives a different perplexity", async () => {
    const uniform = await perplexity(["-ctk", "q8_0", "-ctv", "q8_0"]);
    const oneLayer = await perplexity(["-ctk", "q8_0", "-ctv", "q8_0", "--cache-type-k-layers", "0:q4_0"]);
    expect(oneLayer.ppl).not.toBe(uniform.ppl);
    expect(oneLayer.kv.layers.filter((l) => l.typeK === "q4_0").map((l) => l.il)).toEqual([0]);
    expect(oneLayer.kv.sizeK).toBeLessThan(uniform.kv.sizeK);
  });
});

describe("SmolLM2 135M: measured K/V bytes equal the formula from GGUF metadata", () => {
  it.each([
    { name: "f16", k: layers(() => "f16"), v: layers(() => "f16") },
    { name: "K8V4", k: layers(() => "q8_0"), v: layers(() => "q4_0") },
    {
      name: "one type per layer",
      k: layers((il) => (["f16", "q8_0", "q5_1", "q5_0", "q4_1", "q4_0", "iq4_nl"] as const)[il % 7]!),
      v: layers((il) => (["q4_0", "q8_0", "f16", "q5_1"] as const)[il % 4]!),
    },
  ])("$name at contexts 4096 and 8192", async ({ k, v }) => {
    const facts = await readModelFacts(smollmModelPath());
    const args = ["-fa", "on", "--cache-type-k-layers", k.join(","), "--cache-type-v-layers", v.join(",")];
    for (const ctx of [4096, 8192]) {
      const expected = kvCacheBytes(facts, { k, v }, { nCtx: ctx, nSeqMax: 1 });
      const measured = await measureKvMemory(smollmModelPath(), args, ctx);
      expect(measured.sizeK).toBe(expected.sizeK);
      expect(measured.sizeV).toBe(expected.sizeV);
      expect(measured.layers.map((l) => [l.il, l.typeK, l.typeV, l.sizeK, l.sizeV, l.swa])).toEqual(
        expected.layers.map((l) => [l.il, k[l.il], v[l.il], l.sizeK, l.sizeV, false]),
      );
    }
  });
});
