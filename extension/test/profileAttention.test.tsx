import { render, screen, waitFor, within } from "@testing-library/react";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync, copyFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import ChoosePrecisionProfile from "../src/choose-precision-profile.tsx";
import { NavigationRoot, resetFakeRaycast } from "./raycast-api-fake/index.tsx";
import { useTestServer } from "./support/testServer.ts";

// jsdom replaces the global URL, so paths are built from __dirname
const nativeBinDir = join(__dirname, "..", "..", "native", "bin");

/**
 * "Choose Precision Profile" on a build whose pair probe saw q8_0/q4_0 run attention on the CPU (as it does on a
 * CUDA build without GGML_CUDA_FA_ALL_QUANTS, bench/results/cuda-attention-placement): the real llama-server binary
 * and build-info.json, in a bin dir that also holds that probe's cache file.
 */
describe("Choose Precision Profile: profiles whose attention would run on the CPU", () => {
  const testServer = useTestServer();
  let binDir: string;

  beforeAll(() => {
    binDir = mkdtempSync(join(tmpdir(), "kvsplit-probe-bin-"));
    symlinkSync(join(nativeBinDir, "llama-server"), join(binDir, "llama-server"));
    copyFileSync(join(nativeBinDir, "build-info.json"), join(binDir, "build-info.json"));
    const build = JSON.parse(readFileSync(join(binDir, "build-info.json"), "utf8")) as Record<string, string>;
    const label = `${build.llamaCppTag}+${build.variant}.${build.patchHash!.slice(0, 8)}`;
    mkdirSync(join(binDir, "probe"));
    writeFileSync(
      join(binDir, "probe", `v2-${label}-${"cd".repeat(8)}-f16_q8_0_q4_0.json`),
      JSON.stringify({
        types: ["f16", "q8_0", "q4_0"],
        pairs: ["f16/f16", "q8_0/q8_0", "q4_0/q4_0"],
        cpuFallback: { "q8_0/q4_0": [0, 1, 2, 3], "q4_0/q8_0": [0, 1, 2, 3] },
      }),
    );
  });
  afterAll(() => rmSync(binDir, { recursive: true, force: true }));

  it("tags k8v4 and k4v8 'Attention on CPU' with what to do, and leaves k8v8 alone", async () => {
    const { home, preferences } = testServer();
    resetFakeRaycast(home, { ...preferences, llamaServerPath: join(binDir, "llama-server") });
    render(
      <NavigationRoot>
        <ChoosePrecisionProfile />
      </NavigationRoot>,
    );
    const accessories = (name: string) =>
      within(screen.getByRole("listitem", { name })).getByTestId("accessories").textContent;
    await waitFor(() => expect(accessories("k8v4")).toContain("Attention on CPU"), { timeout: 20_000 });
    expect(accessories("k4v8")).toContain("Attention on CPU");
    expect(accessories("k8v8")).not.toContain("Attention on CPU");
    expect(accessories("f16")).not.toContain("Attention on CPU");
    const detail = within(screen.getByRole("listitem", { name: "k8v4" })).getByTestId("item-detail").textContent;
    expect(detail).toContain("every layer would run attention on the CPU on this machine");
    expect(detail).toContain("rebuild with native/build.sh");
  });
});
