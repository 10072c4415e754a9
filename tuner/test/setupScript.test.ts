import { join } from "node:path";
import { execa } from "execa";
import { describe, expect, it } from "vitest";
import { repoRoot } from "../src/config.ts";

// The full run (npm ci, native build, model fetch) is what `npm test` does before vitest starts; running it again
// from inside vitest could reinstall node_modules under the running tests, so only its argument handling is here.
describe("scripts/setup.mjs", () => {
  it("refuses an unknown option before doing anything", async () => {
    const result = await execa("node", [join(repoRoot(), "scripts", "setup.mjs"), "--fast"], { reject: false });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toBe("setup: error: unknown option --fast; expected none or --quiet");
  });
});
