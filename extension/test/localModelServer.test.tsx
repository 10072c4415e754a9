import { fireEvent, render, screen, waitFor } from "@testing-library/react";
import { createServer, type Server } from "node:net";
import { describe, expect, it } from "vitest";
import LocalModelServer from "../src/local-model-server.tsx";
import { fakeRaycast, NavigationRoot } from "./raycast-api-fake/index.tsx";
import { useTestServer } from "./support/testServer.ts";

const launch = () =>
  render(
    <NavigationRoot>
      <LocalModelServer />
    </NavigationRoot>,
  );
const menuItem = (name: string | RegExp) => screen.getByRole("menuitem", { name });

describe("Local Model Server menu bar (real llama-server)", () => {
  const testServer = useTestServer();

  it("starts the server, then shows its profile and measured K/V memory", async () => {
    launch();
    await waitFor(() => menuItem("Stopped"));
    fireEvent.click(menuItem("Start Server"));

    await waitFor(() => menuItem("Running"), { timeout: 60_000 });
    expect(menuItem(/^Profile/).textContent).toBe("Profile f16");
    expect(menuItem(/^KV Memory/).textContent).toMatch(/^KV Memory [\d.]+ MiB$/);
    // no GPU here: attention runs on the CPU, where the K/V are, so there is nothing to fix
    expect(menuItem(/^Attention/).textContent).toBe("Attention CPU, with the K/V");
    expect(screen.queryByRole("menuitem", { name: /^To fix/ })).toBeNull();
    expect(fakeRaycast.toasts.map((toast) => toast.title)).toEqual(["llama-server is ready"]);
  });

  it("restarts and stops the server", async () => {
    const before = await testServer().manager.status();
    if (before.state !== "running") throw new Error(`expected a running server, got ${before.state}`);
    launch();
    await waitFor(() => menuItem("Running"));

    fireEvent.click(menuItem("Restart Server"));
    await waitFor(() => expect(fakeRaycast.toasts.at(-1)?.title).toBe("llama-server is ready"), { timeout: 60_000 });
    const after = await testServer().manager.status();
    expect(after.state === "running" && after.server.pid).not.toBe(before.server.pid);

    fireEvent.click(menuItem("Stop Server"));
    await waitFor(() => menuItem("Stopped"), { timeout: 20_000 });
    expect((await testServer().manager.status()).state).toBe("stopped");
    fireEvent.click(menuItem("Open Server Log"));
    expect(fakeRaycast.opened).toEqual([testServer().manager.logPath]);
  });

  it("says when another process holds the port, and start fails with a clear toast", async () => {
    const squatter: Server = createServer();
    await new Promise<void>((resolve) => squatter.listen(testServer().port, "127.0.0.1", resolve));
    try {
      launch();
      await waitFor(() => menuItem(`Stopped: port ${testServer().port} is used by another process`));
      fireEvent.click(menuItem("Start Server"));
      await waitFor(() => expect(fakeRaycast.toasts.at(-1)?.title).toBe("Could not start llama-server"));
      expect(fakeRaycast.toasts.at(-1)?.message).toContain(`port ${testServer().port} on 127.0.0.1 is in use by`);
    } finally {
      await new Promise((resolve) => squatter.close(resolve));
    }
  });
});
