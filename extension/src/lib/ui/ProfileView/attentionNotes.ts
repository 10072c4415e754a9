import type { ActiveServer } from "@kvsplit/tuner/server/activeServer";
import { noteFromProbe, noteFromServer, serverAttention, type AttentionNote } from "../../kvsplit/attention";

/**
 * Where each listed profile's attention would run on this machine, by profile name. The active profile, while the
 * server runs it, is read from the server's /props (exact, per layer); the others from the pair probe of this build,
 * and only when it saw one of their pairs fall back to the CPU.
 */
export async function loadAttentionNotes(active: ActiveServer): Promise<Record<string, AttentionNote>> {
  const notes: Record<string, AttentionNote> = {};
  for (const profile of active.store.list().profiles) {
    const note = noteFromProbe(profile, active.settings.binaryPath);
    if (note) notes[profile.name] = note;
  }
  const status = await active.manager.status(active.port);
  const summary = serverAttention(status);
  if (status.state === "running" && summary) notes[status.server.profileName] = noteFromServer(summary);
  return notes;
}
