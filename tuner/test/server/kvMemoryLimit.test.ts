import { execa } from "execa";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { measureKvMemory } from "../../src/bench/kvMemory.ts";
import { freeLoopbackPort } from "../../src/util/loopbackPort.ts";
import { repoRoot, serverStatePath } from "../../src/config.ts";
import { kvCacheBytes } from "../../src/model/kvBytes.ts";
import { readModelFacts } from "../../src/model/gguf.ts";
import { findBuiltinProfile } from "../../src/profiles/builtins.ts";
import { profileToLlamaArgs } from "../../src/profiles/args.ts";
import { perLayerTypes } from "../../src/profiles/perLayerTypes.ts";
import { ServerManager } from "../../src/server/ServerManager.ts";
import { gemmaModelPath, smollmModelPath } from "../fixtures.ts";

const kvsplitBin = join(repoRoot(), "tuner", "bin", "kvsplit.mjs");
const mib = 1024 * 1024;

interface Props {
  default_generation_settings: { n_ctx: number };
  kv_cache: { size_k: number; size_v: number; layers: { swa: boolean }[] };
}

/** GET /props of the managed server, with the API key its start was given (server.json). */
async function managedProps(supportDir: string, port: number): Promise<Props> {
  const { apiKey } = JSON.parse(readFileSync(serverStatePath(supportDir), "utf8")) as { apiKey: string };
  const response = await fetch(`http://127.0.0.1:${port}/props`, { headers: { authorization: `Bearer ${apiKey}` } });
  return (await response.json()) as Props;
}

// `kvsplit server start --kv-memory 64MiB` on the real server, for a sliding-window model (Gemma 3: its window
// layers hold a fixed 1024 cells) and a plain one (SmolLM2: 30 full-attention layers).
// Gemma's K8V4 would pass its 32K training context at 64 MiB, so it is asked for 40 MiB.
describe.each([
  { model: "Gemma 3 270M", path: gemmaModelPath, swaLayers: 15, limitMiB: 40 },
  { model: "SmolLM2 135M", path: smollmModelPath, swaLayers: 0, limitMiB: 64 },
])("kvsplit server start --kv-memory $limitMiB MiB on $model", ({ path, swaLayers, limitMiB }) => {
  const limit = limitMiB * mib;
  let supportDir: string;
  let port: number;
  const kvsplit = (...args: string[]) =>
    execa(kvsplitBin, [...args, "--port", String(port), "--threads", "2", "--model", path()], {
      env: { KVSPLIT_HOME: supportDir },
      reject: false,
      stdin: "ignore",
    });
  const props = () => managedProps(supportDir, port);

  beforeAll(async () => {
    supportDir = mkdtempSync(join(tmpdir(), "kvsplit-kvmem-test-"));
    port = await freeLoopbackPort();
  });
  afterAll(async () => {
    await new ServerManager({ supportDir }).stop();
    rmSync(supportDir, { recursive: true, force: true });
  });

  it.each(["f16", "k8v4"])(
    "with %s: the largest context whose K/V cache fits, confirmed by /props and by one step more",
    async (profileName) => {
      expect((await kvsplit("profile", "use", profileName)).exitCode).toBe(0);
      const start = await kvsplit("server", "start", "--kv-memory", `${limitMiB}MiB`);
      expect(start.exitCode).toBe(0);
      const served = await props();
      const ctx = served.default_generation_settings.n_ctx;
      expect(start.stdout).toContain(`context:      ${ctx} tokens`);
      expect(start.stdout).toContain(`(${ctx + 256} tokens would need`);
      expect(served.kv_cache.layers.filter((l) => l.swa)).toHaveLength(swaLayers);

      // what llama.cpp allocated fits the limit...
      expect(served.kv_cache.size_k + served.kv_cache.size_v).toBeLessThanOrEqual(limit);
      // ...and the next size llama.cpp can allocate, 256 tokens more, does not: measured, not computed
      const cacheArgs = profileToLlamaArgs(findBuiltinProfile(profileName)!);
      const next = await measureKvMemory(path(), cacheArgs, ctx + 256);
      expect(next.sizeK + next.sizeV).toBeGreaterThan(limit);

      // and the formula the context was chosen by is the allocation, byte for byte
      const facts = await readModelFacts(path());
      const types = perLayerTypes(findBuiltinProfile(profileName)!.cache, facts.nLayer);
      expect(kvCacheBytes(facts, types, { nCtx: ctx }).total).toBe(served.kv_cache.size_k + served.kv_cache.size_v);
    },
  );

  it("gives the smaller K8V4 cache a longer context than f16 under the same limit", async () => {
    await kvsplit("profile", "use", "f16");
    await kvsplit("server", "restart", "--kv-memory", `${limitMiB}MiB`);
    const f16Ctx = (await props()).default_generation_settings.n_ctx;
    await kvsplit("profile", "use", "k8v4", "--kv-memory", `${limitMiB}MiB`);
    const k8v4Ctx = (await props()).default_generation_settings.n_ctx;
    expect(k8v4Ctx).toBeGreaterThan(f16Ctx);
  });
});

describe("kvsplit server start --kv-memory past the training context", () => {
  let supportDir: string;
  beforeAll(() => {
    supportDir = mkdtempSync(join(tmpdir(), "kvsplit-kvmem-cap-"));
  });
  afterAll(async () => {
    await new ServerManager({ supportDir }).stop();
    rmSync(supportDir, { recursive: true, force: true });
  });

  it("stops at the training context (llama-server would cap the slot there) and says so", async () => {
    const port = await freeLoopbackPort();
    const run = (...args: string[]) =>
      execa(kvsplitBin, [...args, "--port", String(port), "--threads", "2", "--model", smollmModelPath()], {
        env: { KVSPLIT_HOME: supportDir },
        reject: false,
        stdin: "ignore",
      });
    expect((await run("profile", "use", "k4v4")).exitCode).toBe(0);
    // K4V4 on SmolLM2: 6480 B a token, so 64 MiB would hold 10356 tokens; it was trained on 8192
    const start = await run("server", "start", "--kv-memory", "64MiB");
    expect(start.exitCode).toBe(0);
    expect(start.stdout).toContain("context:      8192 tokens");
    expect(start.stdout).toContain("(the model's training context; a longer one would not be used)");
    const served = await managedProps(supportDir, port);
    expect(served.default_generation_settings.n_ctx).toBe(8192);
    expect(served.kv_cache.size_k + served.kv_cache.size_v).toBe(30 * 8192 * 216);
  });
});

describe("kvsplit server start --kv-memory: bad input", () => {
  let supportDir: string;
  beforeAll(() => {
    supportDir = mkdtempSync(join(tmpdir(), "kvsplit-kvmem-bad-"));
  });
  afterAll(() => rmSync(supportDir, { recursive: true, force: true }));

  it.each([
    ["64", "invalid --kv-memory '64': expected a positive size with a unit, e.g. 64MiB"],
    ["1MiB", "a K/V memory limit of 1.00 MiB holds no context with profile f16"],
  ])("--kv-memory %s: one message, exit 1, no server", async (given, message) => {
    const port = await freeLoopbackPort();
    const r = await execa(
      kvsplitBin,
      ["server", "start", "--kv-memory", given, "--port", String(port), "--model", gemmaModelPath()],
      { env: { KVSPLIT_HOME: supportDir }, reject: false, stdin: "ignore" },
    );
    expect(r.stderr).toContain(message);
    expect(r.exitCode).toBe(1);
    expect(existsSync(join(supportDir, "server.json"))).toBe(false);
  });
});
