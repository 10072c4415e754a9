import { cleanup } from "@testing-library/react";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach } from "vitest";
import { freeLoopbackPort } from "@kvsplit/tuner/util/loopbackPort";
import { instructModelPath } from "@kvsplit/tuner/config";
import { resolveNativeBinary } from "@kvsplit/tuner/native/binaries";
import { waitUntil } from "@kvsplit/tuner/server/processInfo";
import { ServerManager } from "@kvsplit/tuner/server/ServerManager";
import { resetFakeRaycast } from "../raycast-api-fake/index.tsx";

// jsdom replaces the global URL, which config.ts's repoRoot() cannot turn into a path
const nativeBinDir = join(__dirname, "..", "..", "..", "native", "bin");

/**
 * A temp Raycast support directory and extension preferences pointing at the real patched llama-server, on a free
 * loopback port with a small context, so the commands under test run the real thing. The model preference is left
 * empty, as a new user leaves it: the server loads the instruct model `npm run setup` fetched.
 */
export interface TestServer {
  supportPath: string;
  port: number;
  preferences: Record<string, string>;
  manager: ServerManager;
  /** resets the fake Raycast runtime to this support directory and these preferences */
  resetRaycast(): void;
  cleanUp(): Promise<void>;
}

export async function createTestServer(): Promise<TestServer> {
  if (!existsSync(instructModelPath()))
    throw new Error(`instruct model missing at ${instructModelPath()}: run 'npm run setup'`);
  const supportPath = mkdtempSync(join(tmpdir(), "kvsplit-extension-test-"));
  const port = await freeLoopbackPort();
  const preferences = {
    llamaServerPath: resolveNativeBinary("llama-server", nativeBinDir),
    port: String(port),
    contextSize: "1024",
    threads: "2",
    maxTokens: "12",
  };
  const manager = new ServerManager({ supportDir: supportPath });
  const resetRaycast = () => resetFakeRaycast(supportPath, preferences);
  resetRaycast();
  return {
    supportPath,
    port,
    preferences,
    manager,
    resetRaycast,
    async cleanUp() {
      // a view left behind by a failing test may still be starting a server: keep stopping until 2 s pass quietly
      const quietUntil = Date.now() + 2_000;
      await waitUntil(async () => (await manager.stop()) === "not-running" && Date.now() >= quietUntil, 10_000, 250);
      rmSync(supportPath, { recursive: true, force: true });
    },
  };
}

/**
 * Registers the hooks every command test needs: one real server setup per file, a fresh fake Raycast and a clean
 * DOM per test, the server stopped at the end. Returns a getter, as the server exists only once beforeAll ran.
 */
export function useTestServer(): () => TestServer {
  let server: TestServer | undefined;
  beforeAll(async () => {
    server = await createTestServer();
  });
  beforeEach(() => server!.resetRaycast());
  afterEach(cleanup);
  afterAll(() => server?.cleanUp());
  return () => server!;
}
