import { Toast, showToast } from "@raycast/api";
import type { ActiveServer } from "@kvsplit/tuner/server/activeServer";
import type { ServerStatus } from "@kvsplit/tuner/server/types";
import { showServerFailure, withStartToast } from "../../kvsplit/serverToasts";

export function loadStatus(active: ActiveServer): Promise<ServerStatus> {
  return active.manager.status(active.port);
}

export async function startServer(active: ActiveServer): Promise<void> {
  await reportFailure(active, "Could not start llama-server", () =>
    withStartToast("Starting llama-server", (onStep) => active.ensureRunning(onStep)),
  );
}

export async function restartServer(active: ActiveServer): Promise<void> {
  await reportFailure(active, "Could not restart llama-server", () =>
    withStartToast("Restarting llama-server", (onStep) => active.restart(onStep)),
  );
}

export async function stopServer(active: ActiveServer): Promise<void> {
  await reportFailure(active, "Could not stop llama-server", async () => {
    const outcome = await active.manager.stop();
    await showToast({
      style: Toast.Style.Success,
      title: outcome === "stopped" ? "llama-server stopped" : "llama-server was not running",
    });
  });
}

async function reportFailure(active: ActiveServer, title: string, run: () => Promise<unknown>): Promise<void> {
  try {
    await run();
  } catch (error) {
    await showServerFailure(active, title, error);
  }
}
