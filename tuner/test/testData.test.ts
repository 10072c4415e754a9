import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { stories260kPath, testDataDir, wikiTestPath } from "./fixtures.ts";

// The data the tests read is carried in the repo: each file must be the one its provenance names, byte for byte.
describe("tuner/test/data", () => {
  const provenance = readFileSync(join(testDataDir, "PROVENANCE.md"), "utf8");
  const listed = new Map(
    [...provenance.matchAll(/^\| `([^`]+)` \| ([\d,]+) \| `([0-9a-f]{64})` \|$/gm)].map(([, file, bytes, sha]) => [
      file!,
      { bytes: Number(bytes!.replaceAll(",", "")), sha256: sha! },
    ]),
  );

  it("holds exactly the files PROVENANCE.md lists, the ones the fixtures read", () => {
    expect([...listed.keys()].sort()).toEqual(["stories260K.gguf", "wiki.test.raw"]);
    expect(readdirSync(testDataDir).sort()).toEqual(["PROVENANCE.md", ...listed.keys()].sort());
    expect([wikiTestPath, stories260kPath].map((p) => p.slice(testDataDir.length + 1)).sort()).toEqual(
      [...listed.keys()].sort(),
    );
  });

  it.each(["wiki.test.raw", "stories260K.gguf"])("%s has the size and sha256 PROVENANCE.md gives", (file) => {
    const bytes = readFileSync(join(testDataDir, file));
    expect({ bytes: bytes.length, sha256: createHash("sha256").update(bytes).digest("hex") }).toEqual(listed.get(file));
  });
});
