import type { ChatMessage } from "./types.ts";
import { withApiKey } from "./authorizedFetch.ts";
import { requestServer } from "./request.ts";
import type { ServerState } from "../server/types.ts";

/** How many tokens the prompt for `messages` takes, as the server will build it. */
export type PromptCounter = (messages: ChatMessage[]) => Promise<number>;

/**
 * Counts with the server itself: its chat template (POST /apply-template), then its tokenizer (POST /tokenize), so
 * the count is the prompt the model will read, template tokens included.
 */
export function serverPromptCounter(server: ServerState): PromptCounter {
  const baseUrl = `http://127.0.0.1:${server.port}`;
  const fetchFn = withApiKey(globalThis.fetch, server.apiKey);
  return async (messages) => {
    const templated = await requestServer(baseUrl, "/apply-template", fetchFn, { body: { messages } });
    const { prompt } = (await templated.json()) as { prompt: string };
    const tokenized = await requestServer(baseUrl, "/tokenize", fetchFn, { body: { content: prompt } });
    return ((await tokenized.json()) as { tokens: unknown[] }).tokens.length;
  };
}

/** The context the server was started with: its `-c` argument (a K/V memory limit also ends up there). */
export function servedContext(server: ServerState): number | undefined {
  const at = server.args.indexOf("-c");
  const value = at >= 0 ? Number(server.args[at + 1]) : NaN;
  return Number.isInteger(value) && value > 0 ? value : undefined;
}

export interface FittedHistory {
  messages: ChatMessage[];
  /** earlier questions left out, each with its answer */
  droppedTurns: number;
}

/**
 * The conversation cut to fit `promptBudget` tokens (the context less the answer's reserve): the system line and
 * the new question always stay, then as many of the newest turns as fit. Fewer turns never count more tokens, so
 * the number to keep is found by bisection (a few counts, not one per turn).
 */
export async function fitHistory(
  messages: ChatMessage[],
  promptBudget: number,
  count: PromptCounter,
): Promise<FittedHistory> {
  const system = messages[0]?.role === "system" ? [messages[0]] : [];
  const history = messages.slice(system.length, -1); // question, answer, question, answer, ...
  const question = messages.slice(-1);
  const keeping = (turns: number) => [...system, ...history.slice(history.length - 2 * turns), ...question];
  const turns = Math.floor(history.length / 2);
  if ((await count(keeping(turns))) <= promptBudget) return { messages: keeping(turns), droppedTurns: 0 };
  // the most turns that fit lies in [low, high): low always fits (or is 0), high never does
  let low = 0;
  let high = turns;
  while (high - low > 1) {
    const middle = Math.floor((low + high) / 2);
    if ((await count(keeping(middle))) <= promptBudget) low = middle;
    else high = middle;
  }
  return { messages: keeping(low), droppedTurns: turns - low };
}
