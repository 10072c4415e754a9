import { readFileSync } from "node:fs";
import { z } from "zod";
import { InvalidHistoryFileError } from "./errors/InvalidHistoryFileError.ts";
import type { ChatMessage } from "./types.ts";

const historySchema = z.array(z.strictObject({ role: z.enum(["user", "assistant"]), content: z.string() }));

/**
 * The earlier turns of a chat, read from a JSON file (the Alfred workflow keeps its chat in one): questions and
 * answers taking turns, so that the history can be cut by whole turns to fit the context.
 */
export function readHistoryFile(path: string): ChatMessage[] {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new InvalidHistoryFileError(path, `cannot be read (${(error as NodeJS.ErrnoException).code})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new InvalidHistoryFileError(path, "is not JSON");
  }
  const parsed = historySchema.safeParse(json);
  if (!parsed.success) throw new InvalidHistoryFileError(path, `does not match (${parsed.error.issues[0]!.message})`);
  const outOfTurn = parsed.data.findIndex(
    (message, index) => message.role !== (index % 2 === 0 ? "user" : "assistant"),
  );
  if (outOfTurn >= 0) throw new InvalidHistoryFileError(path, `message ${outOfTurn + 1} is out of turn`);
  if (parsed.data.length % 2 === 1) throw new InvalidHistoryFileError(path, "the last question has no answer");
  return parsed.data;
}
