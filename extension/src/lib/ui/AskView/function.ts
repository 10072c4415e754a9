import type { ActiveServer } from "@kvsplit/tuner/server/activeServer";
import type { ServerState } from "@kvsplit/tuner/server/types";
import type { KvCacheReport } from "@kvsplit/tuner/native/kvReport";
import type { ChatAnswer, ChatMessage } from "@kvsplit/tuner/client/types";
import { withStartToast } from "../../kvsplit/serverToasts";
import { fitHistory, servedContext, serverPromptCounter } from "@kvsplit/tuner/client/fitHistory";
import type { ChatSettings } from "../../settings/preferences";

/** One question and what came back so far. */
export interface Turn {
  question: string;
  answer: string;
  result?: ChatAnswer;
  error?: string;
}

export interface ServerInfo {
  server: ServerState;
  kvCache?: KvCacheReport;
}

/** Starts the server for the active profile if it is not running (with a progress toast). */
export async function startServer(active: ActiveServer): Promise<ServerState> {
  return (await withStartToast("Starting llama-server", (onStep) => active.ensureRunning(onStep)))!;
}

/** The running server and its measured K/V cache, for the answer's metadata. */
export async function loadServerInfo(active: ActiveServer): Promise<ServerInfo | undefined> {
  const status = await active.manager.status();
  return status.state === "running" ? { server: status.server, kvCache: status.kvCache } : undefined;
}

/** The whole conversation for the next request: the system prompt, every finished turn, then the new question. */
export function conversationMessages(settings: ChatSettings, turns: readonly Turn[], question: string): ChatMessage[] {
  return [
    ...(settings.systemPrompt ? [{ role: "system" as const, content: settings.systemPrompt }] : []),
    ...turns
      .filter((turn) => turn.error === undefined)
      .flatMap((turn): ChatMessage[] => [
        { role: "user", content: turn.question },
        { role: "assistant", content: turn.answer },
      ]),
    { role: "user", content: question },
  ];
}

/**
 * Starts the server if needed, cuts the conversation to what fits its context with "Max Answer Tokens" left for
 * the answer (the oldest turns go first), then streams the answer into `onText`.
 */
export async function askServer(
  active: ActiveServer,
  settings: ChatSettings,
  messages: ChatMessage[],
  signal: AbortSignal,
  onText: (text: string) => void,
): Promise<ChatAnswer> {
  const server = await startServer(active);
  const { maxTokens, temperature } = settings;
  const context = servedContext(server);
  const fitted =
    context === undefined
      ? messages
      : (await fitHistory(messages, context - maxTokens, serverPromptCounter(server))).messages;
  return active.manager.clientFor(server).chat({ messages: fitted, maxTokens, temperature, signal }, onText);
}
