import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { writeFileAtomic, writeJsonAtomic } from "./atomicFile.ts";

describe("writeFileAtomic", () => {
  it("replaces the content and leaves no temp file", () => {
    const dir = mkdtempSync(join(tmpdir(), "kvsplit-atomic-"));
    const path = join(dir, "a.json");
    writeFileSync(path, "old");
    writeJsonAtomic(path, { n: 1 });
    expect(JSON.parse(readFileSync(path, "utf8"))).toEqual({ n: 1 });
    expect(readdirSync(dir)).toEqual(["a.json"]);
  });

  it("keeps the old file when the write fails", () => {
    const dir = mkdtempSync(join(tmpdir(), "kvsplit-atomic-"));
    writeFileSync(join(dir, "blocker"), "x");
    // a path under a regular file cannot be created
    expect(() => writeFileAtomic(join(dir, "blocker", "f.txt"), "new")).toThrow();
    expect(readFileSync(join(dir, "blocker"), "utf8")).toBe("x");
    expect(readdirSync(dir)).toEqual(["blocker"]);
  });
});
