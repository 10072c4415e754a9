import { Action, ActionPanel, Detail, openExtensionPreferences } from "@raycast/api";

/** Shown instead of a command when a preference cannot be used. */
export function PreferencesErrorView({ error }: { error: Error }) {
  return (
    <Detail
      markdown={`# Check the KVSplit preferences\n\n${error.message}`}
      actions={
        <ActionPanel>
          <Action title="Open Extension Preferences" onAction={openExtensionPreferences} />
        </ActionPanel>
      }
    />
  );
}
