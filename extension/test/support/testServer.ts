import { cleanup } from "@testing-library/react";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach } from "vitest";
import { freeLoopbackPort } from "@kvsplit/tuner/util/loopbackPort";
import { appSupportDir, instructModelPath } from "@kvsplit/tuner/config";
import { resolveNativeBinary } from "@kvsplit/tuner/native/binaries";
import { waitUntil } from "@kvsplit/tuner/server/processInfo";
import { ServerManager } from "@kvsplit/tuner/server/ServerManager";
import { raycastSupportPath, resetFakeRaycast } from "../raycast-api-fake/index.tsx";

// jsdom replaces the global URL, which config.ts's repoRoot() cannot turn into a path
const nativeBinDir = join(__dirname, "..", "..", "..", "native", "bin");

/**
 * A temp home for the user, with KVSplit's folder where the terminal commands look for it (on Linux
 * $XDG_DATA_HOME/kvsplit, set for this process and the commands it runs) and Raycast's own folder for the
 * extension elsewhere under it; extension preferences point at the real patched llama-server, on a free loopback
 * port with a small context, so the commands under test run the real thing. The model preference is left empty,
 * as a new user leaves it: the server loads the instruct model `npm run setup` fetched (the cache folder is not
 * moved, so the shared models are found).
 */
export interface TestServer {
  home: string;
  /** KVSplit's folder, shared by the extension and the terminal commands: appSupportDir() */
  supportDir: string;
  /** Raycast's folder for the extension (environment.supportPath), where versions before 0.2 kept their state */
  raycastSupportPath: string;
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
  const home = mkdtempSync(join(tmpdir(), "kvsplit-extension-test-"));
  process.env.XDG_DATA_HOME = join(home, ".local", "share");
  delete process.env.KVSPLIT_HOME;
  const supportDir = appSupportDir();
  const port = await freeLoopbackPort();
  const preferences = {
    llamaServerPath: resolveNativeBinary("llama-server", nativeBinDir),
    port: String(port),
    contextSize: "1024",
    threads: "2",
    maxTokens: "12",
  };
  const manager = new ServerManager({ supportDir });
  const resetRaycast = () => resetFakeRaycast(home, preferences);
  resetRaycast();
  return {
    home,
    supportDir,
    raycastSupportPath: raycastSupportPath(home),
    port,
    preferences,
    manager,
    resetRaycast,
    async cleanUp() {
      // a view left behind by a failing test may still be starting a server: keep stopping until 2 s pass quietly
      const quietUntil = Date.now() + 2_000;
      await waitUntil(async () => (await manager.stop()) === "not-running" && Date.now() >= quietUntil, 10_000, 250);
      rmSync(home, { recursive: true, force: true });
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
