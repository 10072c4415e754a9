import { execa } from "execa";
import { mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { repoRoot } from "../../src/config.ts";
import { builtinProfiles } from "../../src/profiles/builtins.ts";
import { freeLoopbackPort } from "../../src/util/loopbackPort.ts";
import { runScriptFilter } from "./runScriptFilter.ts";
import { runTextView } from "./runTextView.ts";

describe("KVSplit.alfredworkflow (scripts/build-alfred-workflow.sh)", () => {
  const work = mkdtempSync(join(tmpdir(), "kvsplit-alfred-package-"));
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it("packs the workflow folder with info.plist at the root, and the unpacked copy runs as Alfred runs it", async () => {
    const out = join(work, "KVSplit.alfredworkflow");
    const built = await execa("bash", [join(repoRoot(), "scripts", "build-alfred-workflow.sh"), out]);
    expect(built.stdout).toBe(out);

    // Alfred unpacks the file into a folder of its own
    const installed = join(work, "installed");
    await execa("unzip", ["-q", out, "-d", installed]);
    expect(readdirSync(installed).sort()).toEqual(readdirSync(join(repoRoot(), "alfred")).sort());

    expect(readdirSync(installed)).toContain("icon.png");
    expect(statSync(join(installed, "kva-view.sh")).mode & 0o111).not.toBe(0);

    const variables = {
      HOME: process.env.HOME!,
      KVSPLIT_HOME: join(work, "support"),
      kvsplit_bin: join(repoRoot(), "tuner", "bin", "kvsplit.mjs"),
      node_dir: dirname(process.execPath),
      kvsplit_port: String(await freeLoopbackPort()),
      kvsplit_model: "",
    };
    const listing = await runScriptFilter(installed, "kvp", "", variables);
    expect(listing.items.map((item) => item.uid)).toEqual(builtinProfiles.map((profile) => profile.name));
    const chat = await runTextView(installed, "kva-view.sh", "", {
      ...variables,
      alfred_workflow_data: join(work, "alfred-data"),
      alfred_workflow_cache: join(work, "alfred-cache"),
    });
    expect(chat.frames.map((frame) => frame.view)).toEqual(["Ask the local model a question."]);
  });
});
