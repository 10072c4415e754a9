import { describe, expect, it } from "vitest";
import { parseKvCacheReport } from "../../src/native/kvReport.ts";
import { parsePerplexity } from "../../src/native/perplexityOutput.ts";
import { runNativeTool } from "../../src/native/run.ts";
import { gemmaModelPath, wikiTestPath } from "../fixtures.ts";

// Short runs on the real model: 2 chunks of 256 tokens of wikitext-2 test. llama-perplexity on the CPU is
// deterministic (the equality tests below rest on it), so a run with the same arguments as an earlier one in this
// file is that run: uniform q8_0 and f16 are the reference of several tests and are run once.
const runs = new Map<string, ReturnType<typeof measure>>();
function perplexity(cacheArgs: string[]) {
  const key = JSON.stringify(cacheArgs);
  if (!runs.has(key)) runs.set(key, measure(cacheArgs));
  return runs.get(key)!;
}

async function measure(cacheArgs: string[]) {
  const run = await runNativeTool("llama-perplexity", [
    "-m",
    gemmaModelPath(),
    "-f",
    wikiTestPath,
    "-c",
    "256",
    "-b",
    "256",
    "--chunks",
    "2",
    "-t",
    "2",
    "-fa",
    "on",
    "-lv",
    "4",
    ...cacheArgs,
  ]);
  return { ...parsePerplexity(run.all), kv: parseKvCacheReport(run.all) };
}

const all = (type: string) => Array.from({ length: 18 }, () => type).join(",");

describe("per-layer K/V cache types on Gemma 3 270M", () => {
  it.each(["f16", "q8_0", "q4_0", "iq3_nl", "iq2_nl"])(
    "naming %s for every layer equals the uniform -ctk/-ctv run",
    async (type) => {
      const uniform = await perplexity(["-ctk", type, "-ctv", type]);
      const perLayer = await perplexity(["--cache-type-k-layers", all(type), "--cache-type-v-layers", `0-17:${type}`]);
      expect(perLayer.ppl).toBe(uniform.ppl);
      expect(perLayer.chunkPpl).toEqual(uniform.chunkPpl);
      expect(perLayer.kv).toEqual(uniform.kv);
      expect(new Set(perLayer.kv.layers.map((l) => `${l.typeK}/${l.typeV}`))).toEqual(new Set([`${type}/${type}`]));
    },
  );

  it("a profile that differs in one layer gives a different perplexity", async () => {
    const uniform = await perplexity(["-ctk", "q8_0", "-ctv", "q8_0"]);
    const oneLayer = await perplexity(["-ctk", "q8_0", "-ctv", "q8_0", "--cache-type-k-layers", "5:q4_0"]);
    expect(oneLayer.ppl).not.toBe(uniform.ppl);
    const layer5 = oneLayer.kv.layers.find((l) => l.il === 5)!;
    expect(layer5.typeK).toBe("q4_0");
    expect(oneLayer.kv.layers.filter((l) => l.typeK === "q4_0")).toHaveLength(1);
    expect(oneLayer.kv.sizeK).toBeLessThan(uniform.kv.sizeK);
  });

  it("keeps the Hadamard rotation correct when f16 and quantized layers mix", async () => {
    // Q·K and softmax·V are rotation-invariant only if Q, the cached K and the output are rotated together; a
    // quantized layer next to an f16 one must not get half of it. q8_0 is near-lossless: a correct mix stays as
    // close to f16 as uniform q8_0 does (about 1% on this short text, either way); a broken rotation scrambles the
    // attention of half the layers and lands far away.
    const f16 = await perplexity(["-ctk", "f16", "-ctv", "f16"]);
    const mixed = await perplexity([
      "--cache-type-k-layers",
      "0-8:f16,9-17:q8_0",
      "--cache-type-v-layers",
      "0-8:q8_0,9-17:f16",
    ]);
    const q8 = await perplexity(["-ctk", "q8_0", "-ctv", "q8_0"]);
    expect(Math.abs(mixed.ppl - f16.ppl) / f16.ppl).toBeLessThan(0.03);
    expect(Math.abs(q8.ppl - f16.ppl) / f16.ppl).toBeLessThan(0.03);
    expect(mixed.ppl).not.toBe(f16.ppl);
  });

  it.each([
    [
      ["--kvq", "8"],
      ["-ctk", "q8_0", "-ctv", "q8_0"],
    ],
    [
      ["--kvq-key", "8", "--kvq-val", "4"],
      ["-ctk", "q8_0", "-ctv", "q4_0"],
    ],
    [
      ["--kvq-key", "6", "--kvq-val", "5"],
      ["-ctk", "q5_1", "-ctv", "q5_0"],
    ],
    [
      ["--kvq-key", "3", "--kvq-val", "2"],
      ["-ctk", "iq3_nl", "-ctv", "iq2_nl"],
    ],
  ])("%j behaves exactly like %j", async (kvq, explicit) => {
    const a = await perplexity(kvq);
    const b = await perplexity(explicit);
    expect(a.ppl).toBe(b.ppl);
    expect(a.kv).toEqual(b.kv);
  });
});
