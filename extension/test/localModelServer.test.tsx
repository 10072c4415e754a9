import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/react";
import { createServer, type Server } from "node:net";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import LocalModelServer from "../src/local-model-server.tsx";
import { fakeRaycast, NavigationRoot } from "./raycast-api-fake/index.tsx";
import { createTestServer, type TestServer } from "./support/testServer.ts";

const launch = () =>
  render(
    <NavigationRoot>
      <LocalModelServer />
    </NavigationRoot>,
  );
const menuItem = (name: string | RegExp) => screen.getByRole("menuitem", { name });

describe("Local Model Server menu bar (real llama-server)", () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await createTestServer();
  });
  beforeEach(() => server.resetRaycast());
  afterEach(cleanup);
  afterAll(() => server.cleanUp());

  it("starts the server, then shows its profile and measured K/V memory", async () => {
    launch();
    await waitFor(() => menuItem("Stopped"));
    fireEvent.click(menuItem("Start Server"));

    await waitFor(() => menuItem("Running"), { timeout: 60_000 });
    expect(menuItem(/^Profile/).textContent).toBe("Profile f16");
    expect(menuItem(/^KV Memory/).textContent).toMatch(/^KV Memory [\d.]+ MiB$/);
    expect(fakeRaycast.toasts.map((toast) => toast.title)).toEqual(["llama-server is ready"]);
  });

  it("restarts and stops the server", async () => {
    const before = await server.manager.status();
    if (before.state !== "running") throw new Error(`expected a running server, got ${before.state}`);
    launch();
    await waitFor(() => menuItem("Running"));

    fireEvent.click(menuItem("Restart Server"));
    await waitFor(() => expect(fakeRaycast.toasts.at(-1)?.title).toBe("llama-server is ready"), { timeout: 60_000 });
    const after = await server.manager.status();
    expect(after.state === "running" && after.server.pid).not.toBe(before.server.pid);

    fireEvent.click(menuItem("Stop Server"));
    await waitFor(() => menuItem("Stopped"), { timeout: 20_000 });
    expect((await server.manager.status()).state).toBe("stopped");
    fireEvent.click(menuItem("Open Server Log"));
    expect(fakeRaycast.opened).toEqual([server.manager.logPath]);
  });

  it("says when another process holds the port, and start fails with a clear toast", async () => {
    const squatter: Server = createServer();
    await new Promise<void>((resolve) => squatter.listen(server.port, "127.0.0.1", resolve));
    try {
      launch();
      await waitFor(() => menuItem(`Stopped: port ${server.port} is used by another process`));
      fireEvent.click(menuItem("Start Server"));
      await waitFor(() => expect(fakeRaycast.toasts.at(-1)?.title).toBe("Could not start llama-server"));
      expect(fakeRaycast.toasts.at(-1)?.message).toContain(`port ${server.port} on 127.0.0.1 is already in use`);
    } finally {
      await new Promise((resolve) => squatter.close(resolve));
    }
  });
});
