import { ProfileStore } from "@kvsplit/tuner/profiles/store";
import { findBuiltinProfile } from "@kvsplit/tuner/profiles/builtins";
import { planLaunch } from "@kvsplit/tuner/server/launchPlan";
import { instructModelPath, paretoChartPngPath, searchReportDir } from "@kvsplit/tuner/config";
import { readModelFacts } from "@kvsplit/tuner/model/gguf";
import { manualPerLayerProfile } from "@kvsplit/tuner/profiles/testProfiles";
import { fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import ChoosePrecisionProfile from "../src/choose-precision-profile.tsx";
import { fakeRaycast, NavigationRoot } from "./raycast-api-fake/index.tsx";
import { useTestServer } from "./support/testServer.ts";

const launch = () =>
  render(
    <NavigationRoot>
      <ChoosePrecisionProfile />
    </NavigationRoot>,
  );
const item = (name: string) => screen.getByRole("listitem", { name });

describe("Choose Precision Profile (real llama-server)", () => {
  const testServer = useTestServer();
  let store: ProfileStore;

  beforeAll(async () => {
    store = new ProfileStore(testServer().supportDir);
    store.save({
      schemaVersion: 1,
      name: "tuned-small",
      description: "saved by the tuner",
      createdAt: "2025-06-01T12:00:00.000Z",
      source: "search",
      cache: { mode: "uniform", k: "q8_0", v: "q5_0" },
      quality: {
        deltaPplPct: 0.42,
        deltaPpl: 0.05,
        ppl: 12.05,
        pplBase: 12,
        meanKld: 0.01,
        top1Agreement: 0.98,
        evalText: { name: "wiki", sha256: "ab".repeat(32) },
        ctx: 512,
        chunks: 4,
      },
      budget: { maxDeltaPplPct: 1 },
    });
    // per-layer profiles: one tuned for the model the server loads, one for another model
    const served = await readModelFacts(instructModelPath());
    store.save(manualPerLayerProfile("served-split", served));
    store.save(manualPerLayerProfile("gemma-split", { ...served, fileName: "gemma-3-270m-q4_k_m.gguf", nLayer: 18 }));
    mkdirSync(store.directory, { recursive: true });
    writeFileSync(join(store.directory, "broken.json"), JSON.stringify({ schemaVersion: 1, name: "broken" }));
    mkdirSync(searchReportDir("tuned-small", testServer().supportDir), { recursive: true });
    writeFileSync(paretoChartPngPath("tuned-small", testServer().supportDir), "");
  });

  it("lists built-ins and saved profiles with their savings, quality, budget and date", async () => {
    launch();
    await waitFor(() => expect(item("tuned-small")).toBeTruthy());
    expect(within(item("f16")).getByTestId("accessories").textContent).toBe("Active | +0% KV");
    expect(within(item("k4v4")).getByTestId("accessories").textContent).toBe("-72% KV");
    expect(within(item("tuned-small")).getByTestId("accessories").textContent).toBe(
      "-56% KV | ΔPPL +0.42% | budget ≤1% | 2025-06-01",
    );
    const detail = within(item("k8v4")).getByTestId("item-detail").textContent;
    expect(detail).toContain("| all | q8_0 | q4_0 | 13 |");
    expect(detail).not.toContain("![Tuner chart]");
    const chartPath = join(testServer().supportDir, "reports", "tuned-small", "pareto.png");
    expect(within(item("tuned-small")).getByTestId("item-detail").textContent).toContain(`(file://${chartPath})`);
  });

  it("lists only the saved profiles that fit the model the server loads, and says how many it left out", async () => {
    launch();
    await waitFor(() => expect(item("served-split")).toBeTruthy());
    expect(screen.queryByRole("listitem", { name: "gemma-split" })).toBeNull();
    expect(screen.getByRole("region", { name: "Saved" }).getAttribute("title")).toBe(
      "1 made for another model not shown",
    );
    // built-ins fit any model
    expect(item("k4v4")).toBeTruthy();
  });

  it("shows an invalid profile file with its validation error instead of crashing", async () => {
    launch();
    const broken = await waitFor(() => item("broken.json"));
    const detail = within(broken).getByTestId("item-detail").textContent;
    expect(detail).toContain("is not a valid KVSplit profile");
    expect(detail).toMatch(/createdAt|cache|source/);
    fireEvent.click(within(broken).getByRole("button", { name: "Show in Finder" }));
    expect(fakeRaycast.shownInFinder).toEqual([join(store.directory, "broken.json")]);
  });

  it("Set as Active persists the choice and restarts the running server with it", async () => {
    const before = await testServer().manager.ensureRunning(
      planLaunch(
        {
          binaryPath: testServer().preferences.llamaServerPath,
          port: testServer().port,
          contextSize: 1024,
          threads: 2,
        },
        findBuiltinProfile("f16")!,
      ),
    );
    launch();
    await waitFor(() => item("k8v8"));
    fireEvent.click(within(item("k8v8")).getByRole("button", { name: "Set as Active" }));

    await waitFor(() => expect(fakeRaycast.toasts.at(-1)?.title).toBe("Active profile: k8v8"), { timeout: 60_000 });
    expect(JSON.parse(readFileSync(join(testServer().supportDir, "active-profile.json"), "utf8"))).toEqual({
      name: "k8v8",
    });
    const status = await testServer().manager.status();
    if (status.state !== "running") throw new Error(`expected a running server, got ${status.state}`);
    expect(status.server.pid).not.toBe(before.pid);
    expect(new Set(status.kvCache!.layers.map((layer) => `${layer.typeK}/${layer.typeV}`))).toEqual(
      new Set(["q8_0/q8_0"]),
    );
    await waitFor(() => expect(within(item("k8v8")).getByTestId("accessories").textContent).toMatch(/^Active/));
  });

  it("deletes a saved profile after confirmation", async () => {
    launch();
    await waitFor(() => item("tuned-small"));
    fireEvent.click(within(item("tuned-small")).getByRole("button", { name: "Delete Profile" }));
    await waitFor(() => expect(screen.queryByRole("listitem", { name: "tuned-small" })).toBeNull());
    expect(store.list().profiles.map((profile) => profile.name)).not.toContain("tuned-small");
  });

  it("refuses to delete the active profile and says what to do", async () => {
    store.setActiveProfile("served-split");
    launch();
    await waitFor(() => item("served-split"));
    fireEvent.click(within(item("served-split")).getByRole("button", { name: "Delete Profile" }));
    await waitFor(() => expect(fakeRaycast.toasts.at(-1)?.title).toBe("Could not delete served-split"));
    expect(fakeRaycast.toasts.at(-1)?.message).toMatch(/is the active profile.*make another profile active first/);
    expect(existsSync(store.pathOf("served-split"))).toBe(true);
    store.setActiveProfile("k8v8");
  });

  it("deletes an invalid profile file through the store", async () => {
    launch();
    const broken = await waitFor(() => item("broken.json"));
    fireEvent.click(within(broken).getByRole("button", { name: "Delete File" }));
    await waitFor(() => expect(screen.queryByRole("listitem", { name: "broken.json" })).toBeNull());
    expect(existsSync(join(store.directory, "broken.json"))).toBe(false);
    expect(store.list().invalid).toEqual([]);
  });
});
