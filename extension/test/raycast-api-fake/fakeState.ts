import type { Toast } from "@raycast/api";

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

export function resetFakeRaycast(supportPath: string, preferences: Record<string, unknown> = {}): void {
  Object.assign(fakeRaycast, {
    supportPath,
    preferences,
    toasts: [],
    copied: [],
    pasted: [],
    opened: [],
    shownInFinder: [],
    confirmAlerts: true,
  });
}
