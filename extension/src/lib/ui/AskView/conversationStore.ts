import { LocalStorage } from "@raycast/api";
import type { Turn } from "./function";

/** A conversation as it is kept: its finished turns, named by its first question. */
export interface SavedConversation {
  id: string;
  title: string;
  createdAt: string;
  updatedAt: string;
  turns: Turn[];
}

// one LocalStorage entry per conversation, so saving one never rewrites the others
const keyPrefix = "conversation:";

/** Every kept conversation, the latest first; an entry that cannot be read is skipped, not fatal. */
export async function loadConversations(): Promise<SavedConversation[]> {
  const items = await LocalStorage.allItems<Record<string, string>>();
  const conversations = Object.entries(items)
    .filter(([key]) => key.startsWith(keyPrefix))
    .flatMap(([, value]) => {
      try {
        return [JSON.parse(value) as SavedConversation];
      } catch {
        return [];
      }
    });
  return conversations.sort((a, b) => b.updatedAt.localeCompare(a.updatedAt));
}

export async function saveConversation(conversation: SavedConversation): Promise<void> {
  await LocalStorage.setItem(keyPrefix + conversation.id, JSON.stringify(conversation));
}

export async function deleteConversation(id: string): Promise<void> {
  await LocalStorage.removeItem(keyPrefix + id);
}

/** The conversation as plain text, for Copy Conversation. */
export function conversationText(turns: readonly Turn[]): string {
  return turns.map((turn) => `Q: ${turn.question}\n\nA: ${turn.answer}`).join("\n\n");
}
