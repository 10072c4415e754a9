import type { ActiveServer } from "@kvsplit/tuner/server/activeServer";
import { useMemo } from "react";
import { missingSetup, type MissingPart } from "../kvsplit/missingSetup";
import { activeServer, chatSettings, type ChatSettings } from "./preferences";

export type PreferencesResult =
  { active: ActiveServer; chat: ChatSettings; missing: MissingPart[]; error?: never } | { error: Error };

/**
 * Reads the preferences once per command; a bad value becomes an error to show, not a crash, and what a first run
 * lacks (llama-server, the model) is listed for the command to say so.
 */
export function usePreferences(): PreferencesResult {
  return useMemo(() => {
    try {
      const active = activeServer();
      return { active, chat: chatSettings(), missing: missingSetup(active.settings) };
    } catch (error) {
      return { error: error instanceof Error ? error : new Error(String(error)) };
    }
  }, []);
}
