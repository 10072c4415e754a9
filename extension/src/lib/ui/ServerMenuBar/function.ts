import { LaunchType, Toast, launchCommand, showToast } from "@raycast/api";
import type { ActiveServer } from "@kvsplit/tuner/server/activeServer";
import { ServerManager } from "@kvsplit/tuner/server/ServerManager";
import type { ServerStatus } from "@kvsplit/tuner/server/types";
import { showServerFailure, withStartToast } from "../../kvsplit/serverToasts";

/** What the menu bar asks the no-view command (src/server-action.ts) to do. */
export type ServerAction = "start" | "restart" | "stop";

/** The no-view command that runs a server action, and the menu-bar command it refreshes afterwards. */
export const serverActionCommand = "server-action";
export const menuBarCommand = "local-model-server";

/** The server's status in `supportDir` on `port`: plain arguments, so useCachedPromise can key its cache by them. */
export function loadStatus(supportDir: string, port: number): Promise<ServerStatus> {
  return new ServerManager({ supportDir }).status(port);
}

/**
 * Hands `action` to the no-view command. Raycast unloads a menu-bar command once its menu closes, which would cut
 * a multi-second start off while it holds server.lock; a no-view command runs until its promise settles.
 */
export async function requestServerAction(action: ServerAction): Promise<void> {
  await launchCommand({ name: serverActionCommand, type: LaunchType.UserInitiated, context: { action } });
}

/** Runs one action to its end (in the no-view command), then has the menu bar read the new state. */
export async function runServerAction(active: ActiveServer, action: ServerAction): Promise<void> {
  await actions[action](active);
  // a menu bar the user removed cannot be refreshed, and needs nothing
  await launchCommand({ name: menuBarCommand, type: LaunchType.Background }).catch(() => {});
}

const actions: Record<ServerAction, (active: ActiveServer) => Promise<void>> = {
  start: (active) =>
    reportFailure(active, "Could not start llama-server", () =>
      withStartToast("Starting llama-server", (onStep) => active.ensureRunning(onStep)),
    ),
  restart: (active) =>
    reportFailure(active, "Could not restart llama-server", () =>
      withStartToast("Restarting llama-server", (onStep) => active.restart(onStep)),
    ),
  stop: (active) =>
    reportFailure(active, "Could not stop llama-server", async () => {
      const outcome = await active.manager.stop();
      await showToast({
        style: Toast.Style.Success,
        title: outcome === "stopped" ? "llama-server stopped" : "llama-server was not running",
      });
    }),
};

async function reportFailure(active: ActiveServer, title: string, run: () => Promise<unknown>): Promise<void> {
  try {
    await run();
  } catch (error) {
    await showServerFailure(active, title, error);
  }
}
