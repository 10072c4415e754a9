import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it, vi } from "vitest";
import { readModelFacts } from "../../src/model/gguf.ts";
import { manualPerLayerProfile } from "../../src/profiles/testProfiles.ts";
import { ActiveServer } from "../../src/server/activeServer.ts";
import { freeLoopbackPort } from "../../src/util/loopbackPort.ts";
import { gemmaModelPath } from "../fixtures.ts";

// No server runs here: useProfile checks the profile against the real model, finds nothing to switch, and
// records the choice; the next start picks it up.
describe("ActiveServer.useProfile with no server running", () => {
  const supportDir = mkdtempSync(join(tmpdir(), "kvsplit-active-server-"));
  afterAll(() => rmSync(supportDir, { recursive: true, force: true }));

  it("reads the profile once: the plan, the fit check and the active-profile file use that copy", async () => {
    const active = new ActiveServer(supportDir, { modelPath: gemmaModelPath(), port: await freeLoopbackPort() });
    const profile = manualPerLayerProfile("gemma-split", await readModelFacts(gemmaModelPath()));
    active.store.save(profile);
    const reads = vi.spyOn(active.store, "get");

    expect(await active.useProfile("gemma-split")).toBeUndefined();

    expect(reads).toHaveBeenCalledTimes(1);
    expect(JSON.parse(readFileSync(join(supportDir, "active-profile.json"), "utf8"))).toEqual({ name: "gemma-split" });
  });
});
