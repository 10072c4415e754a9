import type { CommandModule } from "yargs";
import { defaultAnswerTemperature, defaultMaxAnswerTokens, defaultSystemPrompt } from "../../../client/askDefaults.ts";
import { fitHistory, servedContext, serverPromptCounter } from "../../../client/fitHistory.ts";
import { readHistoryFile } from "../../../client/historyFile.ts";
import type { ChatMessage } from "../../../client/types.ts";
import {
  activeServerFrom,
  printStep,
  withForceOption,
  withServerOptions,
  type ServerOptions,
} from "./serverOptions.ts";

interface AskCommandOptions extends ServerOptions {
  prompt: string;
  system: string;
  "max-tokens": number;
  temperature: number;
  history?: string;
  force: boolean;
}

export const AskCommand: CommandModule<object, AskCommandOptions> = {
  command: "ask <prompt>",
  describe:
    "Ask the local model (SmolLM2 135M Instruct unless --model names another); starts the server with the active profile if needed and streams the answer",
  builder: (yargs) =>
    withForceOption(
      withServerOptions(
        yargs
          .positional("prompt", { type: "string", demandOption: true, description: "The question" })
          .option("system", {
            type: "string",
            default: defaultSystemPrompt,
            description: 'System prompt; --system "" sends none, leaving the model\'s template its own',
          })
          .option("max-tokens", {
            type: "number",
            default: defaultMaxAnswerTokens,
            description: "Stop the answer after this many tokens",
          })
          .option("temperature", {
            type: "number",
            default: defaultAnswerTemperature,
            description: "Sampling temperature; 0 is greedy",
          })
          .option("history", {
            type: "string",
            description:
              'JSON file of the earlier turns ([{"role": "user", "content": ...}, {"role": "assistant", ...}, ...]), ' +
              "sent before the question; the oldest turns are left out when they do not fit the context",
          }),
      ),
    ).check((argv) => {
      if (!Number.isInteger(argv["max-tokens"]) || argv["max-tokens"] < 1) {
        throw new Error(`--max-tokens must be a whole number ≥ 1, got ${argv["max-tokens"]}`);
      }
      if (!(argv.temperature >= 0)) throw new Error(`--temperature must be 0 or more, got ${argv.temperature}`);
      return true;
    }),
  async handler(argv) {
    // a bad history file is refused before a server is started for it
    const history = argv.history === undefined ? [] : readHistoryFile(argv.history);
    const active = activeServerFrom(argv);
    const server = await active.ensureRunning(printStep, { force: argv.force });
    const conversation: ChatMessage[] = [
      ...(argv.system ? [{ role: "system" as const, content: argv.system }] : []),
      ...history,
      { role: "user", content: argv.prompt },
    ];
    const context = servedContext(server);
    const { messages, droppedTurns } =
      history.length === 0 || context === undefined
        ? { messages: conversation, droppedTurns: 0 }
        : await fitHistory(conversation, context - argv["max-tokens"], serverPromptCounter(server));
    // Ctrl-C stops the answer, keeps what arrived, and leaves the server running for the next question; the abort
    // closes the connection, which is what makes llama-server stop generating
    const stop = new AbortController();
    process.once("SIGINT", () => stop.abort());
    const answer = await active.manager
      .clientFor(server.port)
      .chat({ messages, maxTokens: argv["max-tokens"], temperature: argv.temperature, signal: stop.signal }, (text) =>
        process.stdout.write(text),
      );
    const { stats } = answer;
    process.stdout.write("\n");
    process.stderr.write(
      `kvsplit: ${server.profileName} · ${stats.completionTokens} tokens · ` +
        `${stats.tokensPerSecond.toFixed(1)} tokens/s · first token after ${Math.round(stats.timeToFirstTokenMs)} ms` +
        `${stats.promptTokens === undefined ? "" : ` · prompt ${stats.promptTokens} tokens`}` +
        `${droppedTurns > 0 ? ` · ${droppedTurns} earlier turn${droppedTurns === 1 ? "" : "s"} left out to fit the context` : ""}` +
        `${answer.finishReason === "cancelled" ? " · stopped" : ""}` +
        `${answer.finishReason === "length" ? ` · ${lengthCut(stats.completionTokens, argv["max-tokens"], server.args)}` : ""}\n`,
    );
    if (answer.finishReason === "cancelled") process.exitCode = 130;
  },
};

/** A "length" finish is the --max-tokens cap only when that many tokens came; fewer means the context filled up. */
function lengthCut(completionTokens: number, maxTokens: number, serverArgs: readonly string[]): string {
  if (completionTokens >= maxTokens) return `cut at --max-tokens ${maxTokens}`;
  const ctx = serverArgs[serverArgs.indexOf("-c") + 1];
  return `cut: the context (${ctx} tokens, --ctx) is full`;
}
