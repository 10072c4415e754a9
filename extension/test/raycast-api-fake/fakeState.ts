import type { Toast } from "@raycast/api";
import { join } from "node:path";

/** The extension's name in its package.json, which names its folder and its storage in Raycast. */
export const fakeExtensionName = "kvsplit";

/**
 * Where Raycast keeps an extension's own files (environment.supportPath): under Raycast's folder, never the folder
 * KVSplit's terminal commands use.
 */
export function raycastSupportPath(home: string): string {
  return join(home, "Library", "Application Support", "com.raycast.macos", "extensions", fakeExtensionName);
}

/** Where the fake keeps the extension's LocalStorage, so it outlives a command as Raycast's does. */
export function raycastLocalStoragePath(home: string): string {
  return join(
    home,
    "Library",
    "Application Support",
    "com.raycast.macos",
    "local-storage",
    `${fakeExtensionName}.json`,
  );
}

/** A toast as the fake recorded it: the test reads the latest title, message and style. */
export interface RecordedToast {
  style: Toast.Style;
  title: string;
  message?: string;
  hidden: boolean;
}

/**
 * What the fake Raycast runtime did, for tests to assert on, and what it answers with (preferences, alerts).
 * `resetFakeRaycast()` before each test.
 */
export const fakeRaycast = {
  /** the user's home folder, under which Raycast keeps its files */
  home: "",
  supportPath: "",
  preferences: {} as Record<string, unknown>,
  toasts: [] as RecordedToast[],
  copied: [] as string[],
  pasted: [] as string[],
  opened: [] as string[],
  shownInFinder: [] as string[],
  /** what confirmAlert answers */
  confirmAlerts: true,
};

/**
 * A fresh Raycast runtime for a user whose home is `home`. Raycast is started by launchd, so no variable of a
 * shell (KVSPLIT_HOME) reaches an extension: the fake removes it from the environment the commands see.
 */
export function resetFakeRaycast(home: string, preferences: Record<string, unknown> = {}): void {
  delete process.env.KVSPLIT_HOME;
  Object.assign(fakeRaycast, {
    home,
    supportPath: raycastSupportPath(home),
    preferences,
    toasts: [],
    copied: [],
    pasted: [],
    opened: [],
    shownInFinder: [],
    confirmAlerts: true,
  });
}
