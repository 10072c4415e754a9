import type { LaunchProps } from "@raycast/api";
import { showFailureToast } from "@raycast/utils";
import { runServerAction, type ServerAction } from "./lib/ui/ServerMenuBar/function";
import { activeServer } from "./lib/settings/preferences";

/**
 * No-view command: starts llama-server with the active profile, or does what the menu bar asked (restart, stop).
 * It runs until the action ends, where the menu-bar command would be unloaded as its menu closes.
 */
export default async function Command(props: LaunchProps<{ launchContext?: { action?: ServerAction } }>) {
  let active;
  try {
    active = activeServer();
  } catch (error) {
    await showFailureToast(error, { title: "Check the KVSplit preferences" });
    return;
  }
  await runServerAction(active, props.launchContext?.action ?? "start");
}
