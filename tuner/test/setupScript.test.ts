import { mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { afterAll, describe, expect, it } from "vitest";
import { repoRoot } from "../src/config.ts";

const setupScript = join(repoRoot(), "scripts", "setup.mjs");

// The full run (npm ci, native build, model fetch) is what `npm test` does before vitest starts; running it again
// from inside vitest could reinstall node_modules under the running tests, so only what it does before those steps
// is here: argument handling and the OS packages.
describe("scripts/setup.mjs", () => {
  it("refuses an unknown option before doing anything", async () => {
    const result = await execa("node", [setupScript, "--fast"], { reject: false });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toBe("setup: error: unknown option --fast; expected none or --quiet");
  });

  describe.runIf(process.platform === "linux" && process.arch === "x64")("OS packages on x86-64 Linux", () => {
    const dirs: string[] = [];
    afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));
    /** A PATH of one directory holding node and the named commands (links to the real ones), nothing else. */
    const pathWith = (commands: string[]) => {
      const dir = mkdtempSync(join(tmpdir(), "kvsplit-setup-path-"));
      dirs.push(dir);
      symlinkSync(process.execPath, join(dir, "node"));
      for (const command of commands) symlinkSync(join("/usr/bin", command), join(dir, command));
      return dir;
    };

    it("without them and without apt-get, stops first with the one command that installs them", async () => {
      const result = await execa(process.execPath, [setupScript], {
        reject: false,
        env: { PATH: pathWith(["aarch64-linux-gnu-g++", "aarch64-linux-gnu-gcc", "ccache"]) },
        extendEnv: false,
      });
      const asRoot = process.getuid?.() === 0 ? "" : "sudo ";
      expect(result.stderr).toBe(
        `setup: error: missing OS packages qemu-user clang-19, and no apt-get${asRoot ? " or sudo" : ""} to install ` +
          `them with: run '${asRoot}apt-get install -y --no-install-recommends qemu-user clang-19' ` +
          "(apt-get update first if apt cannot find them), then npm run setup",
      );
      expect(result.exitCode).toBe(1);
    });

    it("with every one on PATH, runs no apt-get and goes on to the next step", async () => {
      const tools = ["aarch64-linux-gnu-g++", "aarch64-linux-gnu-gcc", "qemu-aarch64", "clang-19", "clang++-19"];
      const result = await execa(process.execPath, [setupScript], {
        reject: false,
        // no bash on this PATH: the native build, the first step after npm's, cannot start, so nothing is changed
        env: { PATH: pathWith([...tools, "ccache"]) },
        extendEnv: false,
      });
      expect(result.stderr).toContain(
        "setup: OS packages are installed (g++-aarch64-linux-gnu qemu-user clang-19 ccache)\n",
      );
      expect(result.stderr).not.toContain("apt-get");
      expect(result.stderr).toMatch(/setup: error: .*could not run (bash|npm)/);
      expect(result.exitCode).toBe(1);
    });
  });
});
