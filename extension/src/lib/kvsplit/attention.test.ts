import { parseKvCacheReport } from "@kvsplit/tuner/native/kvReport";
import type { ServerState } from "@kvsplit/tuner/server/types";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { findBuiltinProfile } from "@kvsplit/tuner/profiles/builtins";
import { noteFromProbe, noteFromServer, serverAttention } from "./attention";

// jsdom replaces the global URL, so paths are built from __dirname
const repo = join(__dirname, "..", "..", "..", "..");
const h200 = (file: string) =>
  parseKvCacheReport(readFileSync(join(repo, "bench", "results", "cuda-attention-placement", file), "utf8"));
const server: ServerState = {
  binaryPath: "/bin/llama-server",
  modelPath: "/m.gguf",
  port: 8737,
  profileName: "k8v4",
  args: [],
  pid: 1,
  processStartTime: "Mon Nov 30 13:22:51 2026",
  apiKey: "0".repeat(64),
  startedAt: "2026-11-30T13:22:51Z",
};

describe("the running server's attention note (from /props)", () => {
  it("warns and names the layers on a CUDA build without FA_ALL_QUANTS (H200 report)", () => {
    const summary = serverAttention({
      state: "running",
      server,
      ready: true,
      kvCache: h200("fa-default/perplexity-mix-lv4.log"),
    });
    const note = noteFromServer(summary!);
    expect(note).toMatchObject({
      fallback: true,
      short: "CPU for layers 4-5 (K/V on CUDA0)",
      source: "running server",
    });
    expect(note.detail).toContain("GGML_CUDA_FA_ALL_QUANTS");
  });

  it("is quiet when attention stays with the K/V, and absent while the server is stopped", () => {
    const kvCache = h200("fa-all-quants/perplexity-mix-lv4.log");
    expect(noteFromServer(serverAttention({ state: "running", server, ready: true, kvCache })!)).toMatchObject({
      fallback: false,
      short: "CUDA0, with the K/V",
    });
    expect(serverAttention({ state: "stopped" })).toBeUndefined();
  });
});

describe("a listed profile's attention note (from the pair probe of this build)", () => {
  const dirs: string[] = [];
  afterEach(() => dirs.splice(0).forEach((dir) => rmSync(dir, { recursive: true, force: true })));

  // a bin dir with the real build-info.json and a probe file as probeTypeSupport writes it on a stock CUDA build
  function binDirWithProbe(cpuFallback: Record<string, number[]>): string {
    const dir = mkdtempSync(join(tmpdir(), "kvsplit-attention-"));
    dirs.push(dir);
    copyFileSync(join(repo, "native", "bin", "build-info.json"), join(dir, "build-info.json"));
    const build = JSON.parse(readFileSync(join(dir, "build-info.json"), "utf8")) as Record<string, string>;
    const label = `${build.llamaCppTag}+${build.variant}.${build.patchHash!.slice(0, 8)}`;
    mkdirSync(join(dir, "probe"));
    const support = { types: ["f16", "q8_0", "q4_0"], pairs: ["f16/f16", "q8_0/q8_0", "q4_0/q4_0"], cpuFallback };
    writeFileSync(join(dir, "probe", `v2-${label}-${"ab".repeat(8)}-f16_q8_0_q4_0.json`), JSON.stringify(support));
    return dir;
  }

  it("names a profile whose pair the probe saw fall back, and only that one", () => {
    const dir = binDirWithProbe({ "q8_0/q4_0": [0, 1, 2, 3, 4, 5, 6, 7] });
    const note = noteFromProbe(findBuiltinProfile("k8v4")!, join(dir, "llama-server"));
    expect(note).toMatchObject({ fallback: true, short: "CPU for every layer", source: "pair probe" });
    expect(note!.detail).toContain("q8_0/q4_0");
    expect(noteFromProbe(findBuiltinProfile("k8v8")!, join(dir, "llama-server"))).toBeUndefined();
  });

  it("claims nothing without a probe or a build", () => {
    expect(noteFromProbe(findBuiltinProfile("k8v4")!, join(binDirWithProbe({}), "llama-server"))).toBeUndefined();
    const empty = mkdtempSync(join(tmpdir(), "kvsplit-attention-"));
    dirs.push(empty);
    expect(noteFromProbe(findBuiltinProfile("k8v4")!, join(empty, "llama-server"))).toBeUndefined();
  });
});
