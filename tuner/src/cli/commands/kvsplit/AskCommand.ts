import type { CommandModule } from "yargs";
import { defaultAnswerTemperature, defaultMaxAnswerTokens, defaultSystemPrompt } from "../../../client/askDefaults.ts";
import type { ChatMessage } from "../../../client/types.ts";
import { activeServerFrom, printStep, withServerOptions, type ServerOptions } from "./serverOptions.ts";

interface AskCommandOptions extends ServerOptions {
  prompt: string;
  system: string;
  "max-tokens": number;
  temperature: number;
}

export const AskCommand: CommandModule<object, AskCommandOptions> = {
  command: "ask <prompt>",
  describe:
    "Ask the local model (SmolLM2 135M Instruct unless --model names another); starts the server with the active profile if needed and streams the answer",
  builder: (yargs) =>
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
        }),
    ).check((argv) => {
      if (!Number.isInteger(argv["max-tokens"]) || argv["max-tokens"] < 1) {
        throw new Error(`--max-tokens must be a whole number ≥ 1, got ${argv["max-tokens"]}`);
      }
      if (!(argv.temperature >= 0)) throw new Error(`--temperature must be 0 or more, got ${argv.temperature}`);
      return true;
    }),
  async handler(argv) {
    const active = activeServerFrom(argv);
    const server = await active.ensureRunning(printStep);
    const messages: ChatMessage[] = [
      ...(argv.system ? [{ role: "system" as const, content: argv.system }] : []),
      { role: "user", content: argv.prompt },
    ];
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
        `${answer.finishReason === "cancelled" ? " · stopped" : ""}` +
        `${answer.finishReason === "length" ? ` · cut at --max-tokens ${argv["max-tokens"]}` : ""}\n`,
    );
    if (answer.finishReason === "cancelled") process.exitCode = 130;
  },
};
