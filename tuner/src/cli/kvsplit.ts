import { createRequire } from "node:module";
import yargs from "yargs";
import { hideBin } from "yargs/helpers";
import { AskCommand } from "./commands/kvsplit/AskCommand.ts";
import { ProfileCommand } from "./commands/kvsplit/ProfileCommand.ts";
import { ServerCommand } from "./commands/kvsplit/ServerCommand.ts";
import { joinNegativeValues } from "./negativeValues.ts";
import { runCli } from "./runCli.ts";

const { version } = createRequire(import.meta.url)("../../package.json") as { version: string };

// The terminal twin of the Raycast extension: the same ActiveServer, ServerManager and client underneath.
await runCli(
  yargs(joinNegativeValues(hideBin(process.argv)))
    .command(AskCommand)
    .command(ServerCommand)
    .command(ProfileCommand),
  "kvsplit",
  "Ask a local model served by KVSplit's llama-server.",
  version,
);
