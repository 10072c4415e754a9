import { createRequire } from "node:module";
import yargs from "yargs";
import { hideBin } from "yargs/helpers";
import { AskCommand } from "./commands/kvsplit/AskCommand.ts";
import { ProfileCommand } from "./commands/kvsplit/ProfileCommand.ts";
import { ServerCommand } from "./commands/kvsplit/ServerCommand.ts";

const { version } = createRequire(import.meta.url)("../../package.json") as { version: string };

// The terminal twin of the Raycast extension: the same ActiveServer, ServerManager and client underneath.
const cli = yargs(hideBin(process.argv));
try {
  await cli
    .command(AskCommand)
    .command(ServerCommand)
    .command(ProfileCommand)
    .scriptName("kvsplit")
    .usage("Usage: $0 <command> [options]\n\nAsk a local model served by KVSplit's llama-server.")
    .recommendCommands()
    .demandCommand(1)
    .strict()
    .help("h")
    .alias("h", "help")
    .version(version)
    .wrap(Math.min(120, cli.terminalWidth()))
    .fail((message, error, argv) => {
      if (error) throw error;
      process.stderr.write(`${argv.help()}\n\nkvsplit: ${message}\n`);
      process.exit(1);
    })
    .parseAsync();
} catch (error) {
  // library errors are named classes whose message says what was expected: one line, no stack
  process.stderr.write(`kvsplit: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
