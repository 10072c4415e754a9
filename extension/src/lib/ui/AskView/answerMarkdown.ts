import type { Turn } from "./function";

/** The conversation as markdown, newest turn last; a failed turn shows its error. */
export function answerMarkdown(turns: readonly Turn[], isStreaming: boolean): string {
  return turns
    .map((turn, index) => {
      const last = index === turns.length - 1;
      const answer = turn.answer || (last && isStreaming ? "_Thinking…_" : "");
      const stopped = turn.result?.finishReason === "cancelled" ? "\n\n_(stopped)_" : "";
      const error = turn.error ? `\n\n> **Error:** ${turn.error.split("\n").join("\n> ")}` : "";
      return `**${turn.question.trim()}**\n\n${answer}${stopped}${error}`;
    })
    .join("\n\n---\n\n");
}
