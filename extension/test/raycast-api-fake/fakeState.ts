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

/** Where the fake keeps the extension's Cache (one file per namespace), which outlives a command as Raycast's does. */
export function raycastCachePath(home: string, namespace: string): string {
  return join(home, "Library", "Caches", "com.raycast.macos", "extensions", fakeExtensionName, `${namespace}.json`);
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
  /** every launchCommand, in order; `done` settles when a launched no-view command has run to its end */
  launches: [] as LaunchRecord[],
  /** each time a menu closed after a click: whether that item's onAction was still running (Raycast cuts it off) */
  menuCloses: [] as { item: string; actionRunning: boolean }[],
  /** unloads the menu-bar command on screen; set by whoever rendered it (test/support/launchMenuBar.tsx) */
  closeMenu: undefined as (() => void) | undefined,
};

export interface LaunchRecord {
  name: string;
  type: string;
  context?: Record<string, unknown>;
  done: Promise<void>;
}

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
    launches: [],
    menuCloses: [],
    closeMenu: undefined,
  });
}
