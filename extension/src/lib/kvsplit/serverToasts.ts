import { Toast, open, showToast } from "@raycast/api";
import { showFailureToast } from "@raycast/utils";
import type { ActiveServer } from "@kvsplit/tuner/server/activeServer";
import type { StartStep } from "@kvsplit/tuner/server/ServerManager";
import type { ServerState } from "@kvsplit/tuner/server/types";

/**
 * Runs a server action with an animated toast that follows its steps; the toast only appears when the action
 * really starts something, so asking a running server shows nothing. Failures are the caller's to report.
 */
export async function withStartToast(
  title: string,
  run: (onStep: (step: StartStep) => void) => Promise<ServerState | undefined>,
): Promise<ServerState | undefined> {
  let toast: Promise<Toast> | undefined;
  const onStep = (step: StartStep) => {
    if (toast) void toast.then((shown) => (shown.message = step));
    else toast = showToast({ style: Toast.Style.Animated, title, message: step });
  };
  const server = await run(onStep);
  if (toast) {
    const shown = await toast;
    shown.style = Toast.Style.Success;
    shown.title = "llama-server is ready";
    shown.message = server ? `profile ${server.profileName}, port ${server.port}` : undefined;
  }
  return server;
}

/** A failure toast whose message is the error's (it says what was expected) and which opens the server log. */
export async function showServerFailure(active: ActiveServer, title: string, error: unknown): Promise<void> {
  await showFailureToast(error, {
    title,
    primaryAction: { title: "Open Server Log", onAction: () => void open(active.manager.logPath) },
  });
}
