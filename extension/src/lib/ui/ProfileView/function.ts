import { Alert, Toast, confirmAlert, showToast } from "@raycast/api";
import type { ActiveServer } from "@kvsplit/tuner/server/activeServer";
import { isBuiltinProfileName } from "@kvsplit/tuner/profiles/builtins";
import { readModelFacts } from "@kvsplit/tuner/model/gguf";
import { profileFits } from "@kvsplit/tuner/profiles/fit";
import { paretoChartPngPath } from "@kvsplit/tuner/config";
import { fallbackProfileName, servedModelPath } from "@kvsplit/tuner/server/launchPlan";
import type { Profile } from "@kvsplit/tuner/profiles/schema";
import type { InvalidProfileFile } from "@kvsplit/tuner/profiles/store";
import { existsSync } from "node:fs";
import { basename } from "node:path";
import { withStartToast } from "../../kvsplit/serverToasts";

export interface ProfileEntry {
  profile: Profile;
  isActive: boolean;
  /** the saved file; undefined for built-ins, which live in code */
  filePath?: string;
  /** the tuner's chart for this profile, when it drew one */
  chartPath?: string;
}

export interface ProfileCatalog {
  entries: ProfileEntry[];
  invalid: InvalidProfileFile[];
  /** saved profiles made for another model than the one the server loads: not listed, as they cannot run */
  otherModels: string[];
}

/** Built-ins and the saved profiles that fit the served model, which one is active, and the files that failed. */
export async function loadProfiles(active: ActiveServer): Promise<ProfileCatalog> {
  const { profiles, invalid } = active.store.list();
  const activeName = active.store.activeProfileName() ?? fallbackProfileName;
  const facts = await readModelFacts(servedModelPath(active.settings));
  const fitting = profiles.filter((profile) => profileFits(profile, facts));
  return {
    otherModels: profiles.filter((profile) => !fitting.includes(profile)).map((profile) => profile.name),
    entries: fitting.map((profile) => {
      const saved = !isBuiltinProfileName(profile.name);
      return {
        profile,
        isActive: profile.name === activeName,
        filePath: saved ? active.store.pathOf(profile.name) : undefined,
        chartPath: saved ? chartPathOf(active.supportDir, profile.name) : undefined,
      };
    }),
    invalid,
  };
}

/** The Pareto chart `tuner search` drew for the profile, if it drew one. */
function chartPathOf(supportDir: string, name: string): string | undefined {
  const path = paretoChartPngPath(name, supportDir);
  return existsSync(path) ? path : undefined;
}

/** Persists the choice and restarts a running server with it; a stopped server picks it up on its next start. */
export async function setActiveProfile(active: ActiveServer, name: string): Promise<void> {
  const restarted = await withStartToast(`Switching to ${name}`, (onStep) => active.useProfile(name, onStep));
  await showToast({
    style: Toast.Style.Success,
    title: `Active profile: ${name}`,
    message: restarted ? `llama-server restarted (pid ${restarted.pid})` : "used when llama-server next starts",
  });
}

/** Deletes a saved profile through the store, after asking; the store refuses the active one and says why. */
export async function deleteProfile(active: ActiveServer, name: string): Promise<boolean> {
  return confirmAndDelete(name, active.store.pathOf(name), () => active.store.remove(name));
}

/** Deletes a profile file the store lists as invalid (it has no name to remove it by), after asking. */
export async function deleteInvalidProfileFile(active: ActiveServer, path: string): Promise<boolean> {
  return confirmAndDelete(basename(path), path, () => active.store.removeInvalidFile(path));
}

/** Returns whether it was deleted: not when the user cancels, nor when the store refuses (a failure toast says why). */
async function confirmAndDelete(label: string, path: string, remove: () => void): Promise<boolean> {
  const confirmed = await confirmAlert({
    title: `Delete ${label}?`,
    message: path,
    primaryAction: { title: "Delete", style: Alert.ActionStyle.Destructive },
  });
  if (!confirmed) return false;
  try {
    remove();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    await showToast({ style: Toast.Style.Failure, title: `Could not delete ${label}`, message });
    return false;
  }
  await showToast({ style: Toast.Style.Success, title: `Deleted ${label}` });
  return true;
}
