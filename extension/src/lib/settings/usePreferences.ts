import type { ActiveServer } from "@kvsplit/tuner/server/activeServer";
import { useMemo } from "react";
import { activeServer, chatSettings, type ChatSettings } from "./preferences";

export type PreferencesResult = { active: ActiveServer; chat: ChatSettings; error?: never } | { error: Error };

/** Reads the preferences once per command; a bad value becomes an error to show, not a crash. */
export function usePreferences(): PreferencesResult {
  return useMemo(() => {
    try {
      return { active: activeServer(), chat: chatSettings() };
    } catch (error) {
      return { error: error instanceof Error ? error : new Error(String(error)) };
    }
  }, []);
}
