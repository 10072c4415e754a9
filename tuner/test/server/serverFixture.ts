import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freeLoopbackPort } from "../../src/util/loopbackPort.ts";
import { resolveNativeBinary } from "../../src/native/binaries.ts";
import { readModelFacts } from "../../src/model/gguf.ts";
import type { Profile } from "../../src/profiles/schema.ts";
import { ServerManager } from "../../src/server/ServerManager.ts";
import type { ServerSettings } from "../../src/server/types.ts";
import { gemmaModelPath } from "../fixtures.ts";

/** A temp app-support directory, a free loopback port, and small settings that keep the real server quick. */
export interface ServerFixture {
  supportDir: string;
  settings: ServerSettings & { port: number };
  manager: ServerManager;
  cleanUp(): Promise<void>;
}

export async function createServerFixture(): Promise<ServerFixture> {
  const supportDir = mkdtempSync(join(tmpdir(), "kvsplit-server-test-"));
  const settings = {
    binaryPath: resolveNativeBinary("llama-server"),
    modelPath: gemmaModelPath(),
    port: await freeLoopbackPort(),
    contextSize: 1024,
    threads: 2,
  };
  const manager = new ServerManager({ supportDir, readyTimeoutMs: 120_000 });
  return {
    supportDir,
    settings,
    manager,
    async cleanUp() {
      await manager.stop();
      rmSync(supportDir, { recursive: true, force: true });
    },
  };
}

/** A per-layer profile for the real model: K q8_0 on the first 9 layers and q4_0 after, V q4_0 everywhere. */
export async function gemmaSplitProfile(name = "gemma-split"): Promise<Profile> {
  const facts = await readModelFacts(gemmaModelPath());
  const k = Array.from({ length: facts.nLayer }, (_, il) => (il < 9 ? "q8_0" : "q4_0"));
  return {
    schemaVersion: 1,
    name,
    createdAt: new Date().toISOString(),
    source: "manual",
    cache: { mode: "per-layer", k, v: k.map(() => "q4_0") },
    model: { fileName: facts.fileName, sizeBytes: facts.sizeBytes, headerHash: facts.headerHash, nLayer: facts.nLayer },
  };
}
