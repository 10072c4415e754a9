import { describe, expect, it } from "vitest";
import { parseKvCacheReport } from "../../src/native/kvReport.ts";
import { runNativeTool } from "../../src/native/run.ts";
import { decidePairSupport, probeBenchArgs } from "../../src/search/probeTypes.ts";
import { gemmaModelPath, wikiTestPath } from "../fixtures.ts";

// Native patch 0010. On the x86 machines that run npm test there is no GPU: every layer's attention and K/V are on
// the CPU, where they belong. On an Apple Silicon Mac (.github/workflows/macos.yml) both must be on the Metal device
// for every pair, mixed ones included (patch 0009). Either way nothing may fall back or warn.
const device = process.platform === "darwin" ? "MTL0" : "CPU";

describe(`attention placement with its K/V on ${device} (real binaries, real model)`, () => {
  it(`llama-perplexity reports every layer on ${device} with its K/V, and warns of nothing at default verbosity`, async () => {
    const args = [
      "-m",
      gemmaModelPath(),
      "-f",
      wikiTestPath,
      "-c",
      "128",
      "--chunks",
      "1",
      "-t",
      "2",
      "-fa",
      "on",
      "-ngl",
      "99",
    ];
    const kvArgs = ["--cache-type-k-layers", "0-8:q8_0,9-17:q4_0", "-ctv", "q4_0"];
    const verbose = await runNativeTool("llama-perplexity", [...args, ...kvArgs, "-lv", "4"]);
    const report = parseKvCacheReport(verbose.all, "llama-perplexity");
    expect(report.layers).toHaveLength(18);
    for (const layer of report.layers) {
      expect(layer.attention).toEqual({ attnDevice: device, kvDevice: device, fallback: false });
    }

    const quiet = await runNativeTool("llama-perplexity", [...args, ...kvArgs]);
    expect(quiet.all).toMatch(/Final estimate: PPL/);
    expect(quiet.all).not.toContain("flash attention of layers");
  });

  it("llama-bench reports every pair's attention with its K/V, so the probe keeps every pair", async () => {
    const run = await runNativeTool("llama-bench", [
      ...probeBenchArgs(gemmaModelPath(), ["q8_0", "q4_0"], ["q4_0"]),
      "-t",
      "2",
      "-ngl",
      "99",
    ]);
    expect(run.stderr).toContain(
      `llama-bench: attention: type_k = q8_0, type_v = q4_0: layers 0-17: flash_attn = ${device}, kv = ${device}, fallback = 0`,
    );
    expect(decidePairSupport(run.all, ["q8_0/q4_0", "q4_0/q4_0"])).toEqual({
      onDevice: ["q8_0/q4_0", "q4_0/q4_0"],
      cpuFallback: {},
    });
  });
});
