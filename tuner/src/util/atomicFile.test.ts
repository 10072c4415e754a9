import { execa } from "execa";
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { writeJsonAtomic } from "./atomicFile.ts";

const atomicFileModule = fileURLToPath(new URL("./atomicFile.ts", import.meta.url));

describe("writeFileAtomic", () => {
  it("replaces the content and leaves no temp file", () => {
    const dir = mkdtempSync(join(tmpdir(), "kvsplit-atomic-"));
    const path = join(dir, "a.json");
    writeFileSync(path, "old");
    writeJsonAtomic(path, { n: 1 });
    expect(JSON.parse(readFileSync(path, "utf8"))).toEqual({ n: 1 });
    expect(readdirSync(dir)).toEqual(["a.json"]);
  });

  it("keeps the old file whole when writing the new one fails half-way, and leaves no temp file", async () => {
    const dir = mkdtempSync(join(tmpdir(), "kvsplit-atomic-"));
    const path = join(dir, "a.json");
    writeFileSync(path, "old");
    // a real write that fails after its first KiB: the file-size limit (ulimit -f, 1 KiB blocks) makes write(2)
    // fail with EFBIG, as a full disk would. A plain writeFileSync truncates the old file and leaves 1 KiB of the new.
    const write = `import(${JSON.stringify(atomicFileModule)}).then((m) => m.writeFileAtomic(${JSON.stringify(path)}, "n".repeat(10000)))`;
    const child = await execa("bash", ["-c", 'ulimit -f 1 && exec node --import tsx -e "$0"', write], {
      reject: false,
    });
    expect(child.exitCode).not.toBe(0);
    expect(child.stderr).toContain("EFBIG");
    expect(readFileSync(path, "utf8")).toBe("old");
    expect(readdirSync(dir)).toEqual(["a.json"]);
  });
});
