import { Action, ActionPanel, Color, Icon, Keyboard, List } from "@raycast/api";
import { usePromise } from "@raycast/utils";
import type { ActiveServer } from "@kvsplit/tuner/server/activeServer";
import type { InvalidProfileFile } from "@kvsplit/tuner/profiles/store";
import { basename } from "node:path";
import { formatSignedPercent } from "@kvsplit/tuner/util/format";
import { showServerFailure } from "../../kvsplit/serverToasts";
import { usePreferences } from "../../settings/usePreferences";
import { PreferencesErrorView } from "../PreferencesErrorView";
import { MissingSetupView } from "../MissingSetupView";
import type { AttentionNote } from "../../kvsplit/attention";
import { loadAttentionNotes } from "./attentionNotes";
import { deleteInvalidProfileFile, deleteProfile, loadProfiles, setActiveProfile, type ProfileEntry } from "./function";
import { kvSavingPercent, profileMarkdown } from "./profileFacts";

export function ProfileView() {
  const preferences = usePreferences();
  if (preferences.error) return <PreferencesErrorView error={preferences.error} />;
  if (preferences.missing.length > 0) return <MissingSetupView missing={preferences.missing} />;
  return <ProfileList active={preferences.active} />;
}

function ProfileList({ active }: { active: ActiveServer }) {
  const { data, isLoading, error, revalidate } = usePromise(loadProfiles, [active]);
  const { data: attention, revalidate: revalidateAttention } = usePromise(loadAttentionNotes, [active]);
  const entries = data?.entries ?? [];
  const choose = async (name: string) => {
    try {
      await setActiveProfile(active, name);
    } catch (failure) {
      await showServerFailure(active, `Could not switch to ${name}`, failure);
    }
    revalidate();
    revalidateAttention();
  };
  const remove = async (name: string) => {
    if (await deleteProfile(active, name)) revalidate();
  };
  const removeInvalid = async (path: string) => {
    if (await deleteInvalidProfileFile(active, path)) revalidate();
  };
  const itemOf = (entry: ProfileEntry) => (
    <ProfileItem
      key={entry.profile.name}
      entry={entry}
      attention={attention?.[entry.profile.name]}
      onChoose={choose}
      onDelete={remove}
    />
  );

  return (
    <List isLoading={isLoading} isShowingDetail searchBarPlaceholder="Search profiles">
      {error && (
        <List.EmptyView
          title="Could not read the profiles"
          description={error.message}
          actions={
            <ActionPanel>
              <Action title="Retry" onAction={revalidate} />
            </ActionPanel>
          }
        />
      )}
      <List.Section title="Built-in">{entries.filter((entry) => !entry.filePath).map(itemOf)}</List.Section>
      <List.Section title="Saved" subtitle={hiddenNote(data?.otherModels.length ?? 0)}>
        {entries.filter((entry) => entry.filePath).map(itemOf)}
      </List.Section>
      <List.Section title="Invalid Files">
        {(data?.invalid ?? []).map((file) => (
          <InvalidFileItem key={file.path} file={file} onDelete={removeInvalid} />
        ))}
      </List.Section>
    </List>
  );
}

// saved profiles for another model cannot run on this one, so they are left out; the count says where they went
function hiddenNote(count: number): string | undefined {
  if (count === 0) return undefined;
  return `${count} made for another model not shown`;
}

interface ProfileItemProps {
  entry: ProfileEntry;
  /** where its attention runs on this machine, when known (see attentionNotes.ts) */
  attention?: AttentionNote;
  onChoose: (name: string) => void;
  onDelete: (name: string) => void;
}

function ProfileItem({
  entry: { profile, isActive, filePath, chartPath },
  attention,
  onChoose,
  onDelete,
}: ProfileItemProps) {
  const quality = profile.quality;
  const accessories: List.Item.Accessory[] = [
    ...(attention?.fallback
      ? [{ tag: { value: "Attention on CPU", color: Color.Orange }, tooltip: attention.detail }]
      : []),
    ...(isActive ? [{ tag: { value: "Active", color: Color.Green } }] : []),
    { text: `${formatSignedPercent(-kvSavingPercent(profile), 0)} KV`, tooltip: "K/V memory against f16" },
    ...(quality ? [{ text: `ΔPPL ${formatSignedPercent(quality.deltaPplPct, 2)}` }] : []),
    ...(profile.budget?.maxDeltaPplPct !== undefined ? [{ text: `budget ≤${profile.budget.maxDeltaPplPct}%` }] : []),
    ...(profile.source !== "builtin" ? [{ date: new Date(profile.createdAt) }] : []),
  ];
  return (
    <List.Item
      title={profile.name}
      subtitle={profile.cache.mode === "per-layer" ? "per-layer" : `${profile.cache.k} / ${profile.cache.v}`}
      icon={isActive ? Icon.CheckCircle : Icon.Circle}
      accessories={accessories}
      detail={
        <List.Item.Detail
          markdown={profileMarkdown(profile, chartPath)}
          metadata={
            <List.Item.Detail.Metadata>
              <List.Item.Detail.Metadata.Label title="Source" text={profile.source} />
              <List.Item.Detail.Metadata.Label title="KV Saving" text={`${kvSavingPercent(profile).toFixed(1)}%`} />
              {quality && (
                <List.Item.Detail.Metadata.Label title="ΔPPL" text={formatSignedPercent(quality.deltaPplPct, 2)} />
              )}
              {quality && (
                <List.Item.Detail.Metadata.Label
                  title="Top-1 Agreement"
                  text={`${(quality.top1Agreement * 100).toFixed(1)}%`}
                />
              )}
              {profile.model && <List.Item.Detail.Metadata.Label title="Model" text={profile.model.fileName} />}
              {attention && (
                <List.Item.Detail.Metadata.Label
                  title={`Attention (${attention.source})`}
                  text={attention.fallback ? attention.detail : attention.short}
                />
              )}
            </List.Item.Detail.Metadata>
          }
        />
      }
      actions={
        <ActionPanel>
          {!isActive && (
            <Action title="Set as Active" icon={Icon.CheckCircle} onAction={() => onChoose(profile.name)} />
          )}
          {filePath && <Action.ShowInFinder path={filePath} />}
          {filePath && (
            <Action
              title="Delete Profile"
              icon={Icon.Trash}
              style={Action.Style.Destructive}
              shortcut={Keyboard.Shortcut.Common.Remove}
              onAction={() => onDelete(profile.name)}
            />
          )}
        </ActionPanel>
      }
    />
  );
}

function InvalidFileItem({ file, onDelete }: { file: InvalidProfileFile; onDelete: (path: string) => void }) {
  const label = basename(file.path);
  return (
    <List.Item
      title={label}
      icon={{ source: Icon.Warning, tintColor: Color.Red }}
      accessories={[{ tag: { value: "Invalid", color: Color.Red } }]}
      detail={<List.Item.Detail markdown={`# ${label} is not a valid profile\n\n\`\`\`\n${file.message}\n\`\`\``} />}
      actions={
        <ActionPanel>
          <Action.ShowInFinder path={file.path} />
          <Action
            title="Delete File"
            icon={Icon.Trash}
            style={Action.Style.Destructive}
            onAction={() => onDelete(file.path)}
          />
        </ActionPanel>
      }
    />
  );
}
