import { fireEvent, screen, waitFor } from "@testing-library/react";
import { existsSync, readFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { describe, expect, it } from "vitest";
import { serverLockPath, serverStatePath } from "@kvsplit/tuner/config";
import { fakeRaycast } from "./raycast-api-fake/index.tsx";
import { launchedCommandsDone, launchMenuBar } from "./support/launchMenuBar.tsx";
import { useTestServer } from "./support/testServer.ts";

const menuItem = (name: string | RegExp) => screen.getByRole("menuitem", { name });

/** Chooses an item: the menu closes and its command is unloaded; the work runs in the no-view command it launched. */
async function choose(name: string) {
  fireEvent.click(menuItem(name));
  await waitFor(() => expect(screen.queryByRole("menu")).toBeNull());
}

describe("Local Model Server menu bar (real llama-server)", () => {
  const testServer = useTestServer();

  it("starts the server, then shows its profile and measured K/V memory", async () => {
    launchMenuBar();
    await waitFor(() => menuItem("Stopped"));
    await choose("Start Server");
    await launchedCommandsDone();
    expect(fakeRaycast.toasts.map((toast) => toast.title)).toEqual(["llama-server is ready"]);
    // the no-view command launched the menu bar again, in the background, to show the new state
    expect(fakeRaycast.launches.map(({ name, type }) => `${name} ${type}`)).toEqual([
      "server-action userInitiated",
      "local-model-server background",
    ]);

    launchMenuBar();
    await waitFor(() => menuItem("Running"), { timeout: 20_000 });
    expect(menuItem(/^Profile/).textContent).toBe("Profile f16");
    expect(menuItem(/^KV Memory/).textContent).toMatch(/^KV Memory [\d.]+ MiB$/);
    // no GPU here: attention runs on the CPU, where the K/V are, so there is nothing to fix
    expect(menuItem(/^Attention/).textContent).toBe("Attention CPU, with the K/V");
    expect(screen.queryByRole("menuitem", { name: /^To fix/ })).toBeNull();
  });

  it("opens on the last status it read, not 'Checking…', while it reads it again", async () => {
    launchMenuBar();
    // the first render, before any promise settled
    expect(menuItem("Running")).toBeTruthy();
    expect(screen.queryByRole("menuitem", { name: "Checking…" })).toBeNull();
    await waitFor(() => expect(screen.getByRole("menu").getAttribute("aria-busy")).toBe("false"));
  });

  it("start, restart and stop survive the menu closing: the lock is released and the state is the server's", async () => {
    const { supportDir, manager } = testServer();
    const before = await manager.status();
    if (before.state !== "running") throw new Error(`expected a running server, got ${before.state}`);

    launchMenuBar();
    await waitFor(() => menuItem("Running"));
    await choose("Restart Server");
    // a second menu, opened while the restart holds the lock, stops the server: the stop waits for the restart
    await waitFor(() => expect(existsSync(serverLockPath(supportDir))).toBe(true), { timeout: 20_000 });
    launchMenuBar();
    await waitFor(() => menuItem("Stop Server"));
    await choose("Stop Server");
    // no action was still running in a menu when Raycast unloaded it: each ran in the no-view command
    expect(fakeRaycast.menuCloses).toEqual([
      { item: "Restart Server", actionRunning: false },
      { item: "Stop Server", actionRunning: false },
    ]);
    await launchedCommandsDone();

    expect(fakeRaycast.toasts.map((toast) => toast.title)).toEqual(["llama-server is ready", "llama-server stopped"]);
    expect(existsSync(serverLockPath(supportDir))).toBe(false);
    expect(existsSync(serverStatePath(supportDir))).toBe(false);
    expect((await manager.status()).state).toBe("stopped");
    launchMenuBar();
    await waitFor(() => menuItem("Stopped"), { timeout: 20_000 });
    fireEvent.click(menuItem("Open Server Log"));
    expect(fakeRaycast.opened).toEqual([manager.logPath]);
    expect(readFileSync(manager.logPath, "utf8").length).toBeGreaterThan(0);
  });

  it("says when another process holds the port, and start fails with a clear toast", async () => {
    const squatter: Server = createServer();
    await new Promise<void>((resolve) => squatter.listen(testServer().port, "127.0.0.1", resolve));
    try {
      launchMenuBar();
      await waitFor(() => menuItem(`Stopped: port ${testServer().port} is used by another process`), {
        timeout: 20_000,
      });
      await choose("Start Server");
      await launchedCommandsDone();
      expect(fakeRaycast.toasts.at(-1)?.title).toBe("Could not start llama-server");
      expect(fakeRaycast.toasts.at(-1)?.message).toContain(`port ${testServer().port} on 127.0.0.1 is in use by`);
    } finally {
      await new Promise((resolve) => squatter.close(resolve));
    }
  });
});
