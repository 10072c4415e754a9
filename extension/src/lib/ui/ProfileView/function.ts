import { Alert, Toast, confirmAlert, showToast } from "@raycast/api";
import type { ActiveServer } from "@kvsplit/tuner/server/activeServer";
import { isBuiltinProfileName } from "@kvsplit/tuner/profiles/builtins";
import { readModelFacts } from "@kvsplit/tuner/model/gguf";
import { profileFits } from "@kvsplit/tuner/profiles/fit";
import { servedModelPath } from "@kvsplit/tuner/server/launchPlan";
import type { Profile } from "@kvsplit/tuner/profiles/schema";
import type { InvalidProfileFile } from "@kvsplit/tuner/profiles/store";
import { existsSync, rmSync } from "node:fs";
import { join } from "node:path";
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
  const activeName = active.store.activeProfileName() ?? "f16";
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

/** `tuner search` draws its Pareto chart into `<support>/reports/<profile name>/pareto.png`. */
function chartPathOf(supportDir: string, name: string): string | undefined {
  const path = join(supportDir, "reports", name, "pareto.png");
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

/** Deletes a saved profile file (valid or not) after asking. Returns whether it was deleted. */
export async function deleteProfileFile(active: ActiveServer, path: string, label: string): Promise<boolean> {
  const confirmed = await confirmAlert({
    title: `Delete ${label}?`,
    message: path,
    primaryAction: { title: "Delete", style: Alert.ActionStyle.Destructive },
  });
  if (!confirmed) return false;
  const name = label.replace(/\.json$/, "");
  if (active.store.activeProfileName() === name) {
    active.store.remove(name); // also clears the active choice
  } else {
    rmSync(path, { force: true });
  }
  await showToast({ style: Toast.Style.Success, title: `Deleted ${label}` });
  return true;
}
