import { describe, expect, it } from "vitest";
import { KvReportMissingError, kvCacheReportFromServer, parseKvCacheReport } from "./kvReport.ts";

const log = `
llama_kv_cache: size =    4.50 MiB (  4096 cells,   3 layers,  1/1 seqs), K (mixed):    2.75 MiB, V (q4_0):    1.75 MiB
llama_kv_cache: layer   5: type_k = q8_0, type_v = q4_0, size_k = 1114112 B, size_v = 589824 B, swa = 0
llama_kv_cache: exact size_k = 1114112 B, size_v = 589824 B
llama_kv_cache: layer   0: type_k = f16, type_v = q4_0, size_k = 1048576 B, size_v = 147456 B, swa = 1
llama_kv_cache: layer   1: type_k = q4_0, type_v = q4_0, size_k = 147456 B, size_v = 147456 B, swa = 1
llama_kv_cache: exact size_k = 1196032 B, size_v = 294912 B
`;

describe("parseKvCacheReport", () => {
  it("reads every layer, sorted, and sums the exact totals of all caches", () => {
    const report = parseKvCacheReport(log);
    expect(report.layers.map((l) => l.il)).toEqual([0, 1, 5]);
    expect(report.layers[0]).toEqual({ il: 0, typeK: "f16", typeV: "q4_0", sizeK: 1048576, sizeV: 147456, swa: true });
    expect(report.sizeK).toBe(1114112 + 1196032);
    expect(report.sizeV).toBe(589824 + 294912);
  });

  it("refuses output from an unpatched llama.cpp", () => {
    expect(() => parseKvCacheReport("llama_kv_cache: size = 4.50 MiB", "llama-perplexity")).toThrow(
      KvReportMissingError,
    );
  });

  it("maps the server's report to the same shape", () => {
    const report = kvCacheReportFromServer({
      size_k: 10,
      size_v: 6,
      layers: [{ il: 0, type_k: "q8_0", type_v: "q4_0", size_k: 10, size_v: 6, swa: true }],
    });
    expect(report).toEqual({
      sizeK: 10,
      sizeV: 6,
      layers: [{ il: 0, typeK: "q8_0", typeV: "q4_0", sizeK: 10, sizeV: 6, swa: true }],
    });
  });

  it("maps the server's attention placement (native patch 0010)", () => {
    const layer = { il: 0, type_k: "q8_0", type_v: "q4_0", size_k: 10, size_v: 6, swa: false };
    const report = kvCacheReportFromServer({
      size_k: 20,
      size_v: 12,
      layers: [
        { ...layer, attn_device: "CPU", kv_device: "MTL0", attn_fallback: true },
        { ...layer, il: 1, attn_device: null, kv_device: "CPU", attn_fallback: false },
      ],
    });
    expect(report.layers.map((l) => l.attention)).toEqual([
      { attnDevice: "CPU", kvDevice: "MTL0", fallback: true },
      { attnDevice: null, kvDevice: "CPU", fallback: false },
    ]);
  });
});
