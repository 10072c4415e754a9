import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { evalBaselinesDir } from "../../src/config.ts";
import { knownChunkCapacity, measureChunks } from "../../src/eval/chunkBlocks.ts";
import { evaluate } from "../../src/eval/evaluate.ts";
import { prepareEval } from "../../src/eval/setup.ts";
import type { EvalSetup, KvSetting } from "../../src/eval/types.ts";
import { profileToLlamaArgs } from "../../src/profiles/args.ts";
import { smollmModelPath, wikiTestPath } from "../fixtures.ts";

// Growing a measurement by chunks: the new chunks run alone against a slice of f16's logits, and the combined
// statistics are those of one run over all of them (up to llama-perplexity's printed digits).
let setup: EvalSetup;
let model: string;
const setting: KvSetting = {
  label: "K8V4",
  args: profileToLlamaArgs({ cache: { mode: "uniform", k: "q8_0", v: "q4_0" } }),
};

beforeAll(async () => {
  model = smollmModelPath();
  process.env.KVSPLIT_CACHE_DIR = mkdtempSync(join(tmpdir(), "kvsplit-chunks-"));
  ({ setup } = await prepareEval({ modelPath: model, textPath: wikiTestPath, ctx: 256, chunks: 2 }));
});

describe("measureChunks", () => {
  it("measures only the new chunks, and combines to what one run over all of them gives", async () => {
    const first = await measureChunks(setup, setting, 2);
    expect(first).toMatchObject({ chunks: 2, measuredChunks: 2 });
    const grown = await measureChunks(setup, setting, 5);
    expect(grown).toMatchObject({ chunks: 5, measuredChunks: 3 });
    // from the cache: nothing measured again
    expect(await measureChunks(setup, setting, 5)).toMatchObject({ chunks: 5, measuredChunks: 0, wallMs: 0 });
    // fewer than measured: the blocks measured are all used
    expect((await measureChunks(setup, setting, 3)).chunks).toBe(5);

    const { result: whole } = await evaluate({ ...setup, chunks: 5 }, setting);
    expect(grown.tokens).toBe(whole.paired.tokens);
    expect(grown.pplBase).toBeCloseTo(whole.pplBase, 4);
    expect(grown.deltaPplPct).toBeCloseTo(whole.deltaPplPct, 3);
    expect(grown.meanKld).toBeCloseTo(whole.meanKld, 5);
    expect(grown.top1Agreement).toBeCloseTo(whole.top1Agreement, 4);
    expect(grown.deltaPplPctInterval[0]).toBeCloseTo(whole.paired.deltaPplPctInterval[0], 2);
    expect(grown.deltaPplPctInterval[1]).toBeCloseTo(whole.paired.deltaPplPctInterval[1], 2);
    expect(grown.meanKldInterval[1]).toBeCloseTo(whole.paired.meanKldInterval[1], 4);
    // the slice's logits are deleted after the run: only whole baselines stay
    expect(readdirSync(evalBaselinesDir()).filter((f) => f.includes(".tmp-"))).toEqual([]);
  });

  it("a text that runs out gives the chunks it has, and remembers how many", async () => {
    const dir = mkdtempSync(join(tmpdir(), "kvsplit-chunks-text-"));
    const text = join(dir, "short.txt");
    writeFileSync(text, readFileSync(wikiTestPath, "utf8").slice(0, 6000));
    const { setup: short } = await prepareEval({ modelPath: model, textPath: text, ctx: 256, chunks: 2 });
    await measureChunks(short, setting, 2);
    const all = await measureChunks(short, setting, 64);
    expect(all.chunks).toBeGreaterThan(2);
    expect(all.chunks).toBeLessThan(10);
    expect(all.measuredChunks).toBe(all.chunks - 2);
    expect(knownChunkCapacity(short)).toBe(all.chunks);
    expect(await measureChunks(short, setting, 64)).toMatchObject({ chunks: all.chunks, measuredChunks: 0 });
  });
});
