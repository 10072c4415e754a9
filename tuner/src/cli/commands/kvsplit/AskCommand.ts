import type { CommandModule } from "yargs";
import type { ChatMessage } from "../../../client/types.ts";
import { activeServerFrom, printStep, withServerOptions, type ServerOptions } from "./serverOptions.ts";

interface AskCommandOptions extends ServerOptions {
  prompt: string;
  system?: string;
  maxTokens?: number;
}

export const AskCommand: CommandModule<object, AskCommandOptions> = {
  command: "ask <prompt>",
  describe: "Ask the local model; starts the server with the active profile if needed and streams the answer",
  builder: (yargs) =>
    withServerOptions(
      yargs
        .positional("prompt", { type: "string", demandOption: true, description: "The question" })
        .option("system", { type: "string", description: "System prompt" })
        .option("max-tokens", { type: "number", description: "Stop after this many tokens" }),
    ),
  async handler(argv) {
    const active = activeServerFrom(argv);
    const server = await active.ensureRunning(printStep);
    const messages: ChatMessage[] = [
      ...(argv.system ? [{ role: "system" as const, content: argv.system }] : []),
      { role: "user", content: argv.prompt },
    ];
    // Ctrl-C stops the answer, keeps what arrived, and leaves the server running for the next question
    const stop = new AbortController();
    process.once("SIGINT", () => stop.abort());
    const answer = await active.manager
      .clientFor(server.port)
      .chat({ messages, maxTokens: argv.maxTokens, signal: stop.signal }, (text) => process.stdout.write(text));
    const { stats } = answer;
    process.stdout.write("\n");
    process.stderr.write(
      `kvsplit: ${server.profileName} · ${stats.completionTokens} tokens · ` +
        `${stats.tokensPerSecond.toFixed(1)} tokens/s · first token after ${Math.round(stats.timeToFirstTokenMs)} ms` +
        `${answer.finishReason === "cancelled" ? " · stopped" : ""}\n`,
    );
    if (answer.finishReason === "cancelled") process.exitCode = 130;
  },
};
