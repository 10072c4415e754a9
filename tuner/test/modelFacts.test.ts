import { mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readModelFacts } from "../src/model/gguf.ts";
import { ModelFileMissingError } from "../src/model/errors/ModelFileMissingError.ts";
import { gemmaModelPath, stories260kPath } from "./fixtures.ts";

describe("readModelFacts on the real Gemma 3 270M", () => {
  it("reads its shape: 18 layers, 1 KV head of 256, every 6th layer full attention, a 512-token window", async () => {
    const facts = await readModelFacts(gemmaModelPath());
    expect(facts.architecture).toBe("gemma3");
    expect(facts.nLayer).toBe(18);
    expect(facts.contextLength).toBe(32768);
    expect(facts.slidingWindow).toBe(512);
    expect(new Set(facts.layers.map((l) => `${l.nHeadKv}x${l.headDimK}/${l.headDimV}`))).toEqual(
      new Set(["1x256/256"]),
    );
    expect(facts.layers.filter((l) => !l.swa).map((l) => l.il)).toEqual([5, 11, 17]);
    expect(facts.sizeBytes).toBe(statSync(gemmaModelPath()).size);
    expect(facts.fileName).toBe("gemma-3-270m-q4_k_m.gguf");
  });
});

describe("readModelFacts on stories260K (llama, no sliding window)", () => {
  it("reads 5 layers of 4 KV heads of 8, head size from n_embd / n_head", async () => {
    const facts = await readModelFacts(stories260kPath);
    expect(facts.architecture).toBe("llama");
    expect(facts.nLayer).toBe(5);
    expect(facts.slidingWindow).toBeUndefined();
    expect(facts.layers).toHaveLength(5);
    for (const layer of facts.layers) {
      expect(layer).toMatchObject({ nHeadKv: 4, headDimK: 8, headDimV: 8, swa: false });
    }
    expect(facts.headerHash).not.toBe((await readModelFacts(gemmaModelPath())).headerHash);
  });

  it("hashes the header and tensor info, not the tensor data", async () => {
    const dir = mkdtempSync(join(tmpdir(), "kvsplit-gguf-"));
    const original = readFileSync(stories260kPath);
    const facts = await readModelFacts(stories260kPath);

    // the last byte of the file is tensor data: changing it keeps the model's identity
    const dataChanged = Buffer.from(original);
    dataChanged[dataChanged.length - 1]! ^= 0xff;
    writeFileSync(join(dir, "data.gguf"), dataChanged);
    expect((await readModelFacts(join(dir, "data.gguf"))).headerHash).toBe(facts.headerHash);

    // a metadata byte (the first token, "<unk>" → "<Unk>") changes it
    const headerChanged = Buffer.from(original);
    headerChanged[headerChanged.indexOf("<unk>") + 1]! ^= 0x20;
    writeFileSync(join(dir, "header.gguf"), headerChanged);
    expect((await readModelFacts(join(dir, "header.gguf"))).headerHash).not.toBe(facts.headerHash);
  });

  it("names a missing file", async () => {
    await expect(readModelFacts("/nonexistent/model.gguf")).rejects.toThrow(ModelFileMissingError);
  });
});
