import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseKvCacheReport } from "../../../native/kvReport.ts";
import type { ServerState } from "../../../server/types.ts";
import { formatServerStatus, serverStatusJson } from "./formatServerStatus.ts";

const server: ServerState = {
  binaryPath: "/bin/llama-server",
  modelPath: "/models/random-llama.gguf",
  port: 8737,
  profileName: "k8v4",
  args: [],
  pid: 42,
  processStartTime: "Mon Nov 30 13:22:51 2026",
  apiKey: "0".repeat(64),
  startedAt: "2026-11-30T13:22:51Z",
};

// the per-layer reports of llama.cpp on an NVIDIA H200 (bench/gpu/attention-placement.sh), as the server gives them
const h200 = (file: string) =>
  parseKvCacheReport(
    readFileSync(new URL(`../../../../../bench/results/cuda-attention-placement/${file}`, import.meta.url), "utf8"),
  );

const attentionLine = (file: string) =>
  formatServerStatus({ state: "running", server, ready: true, kvCache: h200(file) }, "/log")
    .split("\n")
    .find((line) => line.startsWith("attention:"));

describe("formatServerStatus: where attention runs", () => {
  it("names the layers that fall back to the CPU and what to do (CUDA without FA_ALL_QUANTS)", () => {
    expect(attentionLine("fa-default/perplexity-q8_0-q4_0-lv4.log")).toBe(
      "attention:    layers 0-7 on the CPU while their K/V are on CUDA0 (no GPU kernel for K/V q8_0/q4_0): " +
        "every token copies K/V out of GPU memory; rebuild with native/build.sh (it turns on GGML_CUDA_FA_ALL_QUANTS), " +
        "or choose a profile whose K/V pairs the GPU runs",
    );
    expect(attentionLine("fa-default/perplexity-mix-lv4.log")).toMatch(/^attention: {4}layers 4-5 on the CPU/);
  });

  it("says attention stays with the K/V when the GPU runs every pair", () => {
    expect(attentionLine("fa-all-quants/perplexity-q8_0-q4_0-lv4.log")).toBe("attention:    CUDA0, where the K/V are");
    expect(attentionLine("fa-default/perplexity-q8_0-q8_0-lv4.log")).toBe("attention:    CUDA0, where the K/V are");
  });
});

describe("serverStatusJson: kvsplit server status --json", () => {
  it("gives the status and log path, and leaves the API key out", () => {
    const json = serverStatusJson({ state: "running", server, ready: true }, "/log");
    expect(json).toEqual({ state: "running", ready: true, logPath: "/log", server: { ...server, apiKey: undefined } });
    expect(JSON.stringify(json)).not.toContain(server.apiKey);
    expect(serverStatusJson({ state: "stopped" }, "/log")).toEqual({ state: "stopped", logPath: "/log" });
  });
});
