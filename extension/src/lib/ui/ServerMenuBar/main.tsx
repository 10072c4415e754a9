import { Icon, MenuBarExtra, open } from "@raycast/api";
import { useCachedPromise } from "@raycast/utils";
import type { ActiveServer } from "@kvsplit/tuner/server/activeServer";
import type { ServerStatus } from "@kvsplit/tuner/server/types";
import { basename } from "node:path";
import { attnFallbackAdvice } from "@kvsplit/tuner/native/attnPlacement";
import { noteFromServer, serverAttention } from "../../kvsplit/attention";
import { formatKvMemory } from "../../kvsplit/format";
import { usePreferences } from "../../settings/usePreferences";
import { loadStatus, requestServerAction, type ServerAction } from "./function";

export function ServerMenuBar() {
  const preferences = usePreferences();
  if (preferences.error) {
    return (
      <MenuBarExtra icon={Icon.Warning} tooltip="KVSplit">
        <MenuBarExtra.Item title={preferences.error.message} />
      </MenuBarExtra>
    );
  }
  if (preferences.missing.length > 0) {
    return (
      <MenuBarExtra icon={Icon.Warning} tooltip="KVSplit">
        {preferences.missing.map((part) => (
          <MenuBarExtra.Item key={part.path} title={`Missing ${part.what}: run ${part.command}`} tooltip={part.path} />
        ))}
      </MenuBarExtra>
    );
  }
  return <ServerMenu active={preferences.active} />;
}

function statusLine(status: ServerStatus | undefined): string {
  switch (status?.state) {
    case undefined:
      return "Checking…";
    case "running":
      return status.ready ? "Running" : "Loading the model…";
    case "crashed":
      return "Crashed (see the log)";
    case "port-in-use":
      return `Stopped: port ${status.port} is used by another process`;
    case "stopped":
      return "Stopped";
  }
}

function ServerMenu({ active }: { active: ActiveServer }) {
  // the last status is kept between launches, so the menu opens on it (not "Checking…") while it is read again
  const { data: status, isLoading } = useCachedPromise(loadStatus, [active.supportDir, active.port]);
  const running = status?.state === "running";
  // the menu closes (and Raycast unloads this command) as soon as an item is chosen: the no-view command does
  // the work, then launches this command again to show the new state
  const request = (action: ServerAction) => () => requestServerAction(action);

  return (
    <MenuBarExtra icon={running ? Icon.CircleFilled : Icon.Circle} tooltip="KVSplit llama-server" isLoading={isLoading}>
      <MenuBarExtra.Section title="llama-server">
        <MenuBarExtra.Item title={statusLine(status)} />
        {status?.state === "running" && (
          <>
            <MenuBarExtra.Item title="Profile" subtitle={status.server.profileName} />
            <MenuBarExtra.Item title="KV Memory" subtitle={formatKvMemory(status.kvCache)} />
            <AttentionItems status={status} />
            <MenuBarExtra.Item title="Model" subtitle={basename(status.server.modelPath)} />
          </>
        )}
      </MenuBarExtra.Section>
      <MenuBarExtra.Section>
        {!running && <MenuBarExtra.Item title="Start Server" icon={Icon.Play} onAction={request("start")} />}
        {running && (
          <MenuBarExtra.Item title="Restart Server" icon={Icon.RotateClockwise} onAction={request("restart")} />
        )}
        {running && <MenuBarExtra.Item title="Stop Server" icon={Icon.Stop} onAction={request("stop")} />}
        <MenuBarExtra.Item title="Open Server Log" icon={Icon.Document} onAction={() => open(active.manager.logPath)} />
      </MenuBarExtra.Section>
    </MenuBarExtra>
  );
}

// where the layers' attention runs (the server's /props): a layer on the CPU while its K/V are on the GPU is slow
function AttentionItems({ status }: { status: ServerStatus }) {
  const summary = serverAttention(status);
  if (!summary) return null;
  const note = noteFromServer(summary);
  return (
    <>
      <MenuBarExtra.Item
        title="Attention"
        subtitle={note.short}
        icon={note.fallback ? Icon.Warning : undefined}
        tooltip={note.detail}
      />
      {summary.state === "fallback" && (
        <MenuBarExtra.Item title={`To fix: ${attnFallbackAdvice(summary.kvDevices)}`} tooltip={note.detail} />
      )}
    </>
  );
}
