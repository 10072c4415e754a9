import { Action, ActionPanel, Detail, openExtensionPreferences } from "@raycast/api";
import { missingSetupMarkdown, type MissingPart } from "../kvsplit/missingSetup";

/** Shown instead of a command when llama-server or the model is not there yet: what is missing and how to get it. */
export function MissingSetupView({ missing }: { missing: readonly MissingPart[] }) {
  return (
    <Detail
      markdown={missingSetupMarkdown(missing)}
      actions={
        <ActionPanel>
          {missing.map((part) => (
            <Action.CopyToClipboard key={part.command} title={`Copy "${part.command}"`} content={part.command} />
          ))}
          <Action.CopyToClipboard title="Copy Setup Command" content="npm run setup" />
          <Action title="Open Extension Preferences" onAction={openExtensionPreferences} />
        </ActionPanel>
      }
    />
  );
}
