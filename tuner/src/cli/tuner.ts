import { createRequire } from "node:module";
import yargs, { type Argv } from "yargs";
import { hideBin } from "yargs/helpers";
import { BenchCommand } from "./commands/bench/BenchCommand.ts";
import { EvalCommand } from "./commands/eval/EvalCommand.ts";
import { ModelCommand } from "./commands/model/ModelCommand.ts";
import { ProfilesCommand } from "./commands/profiles/ProfilesCommand.ts";
import { SearchCommand } from "./commands/search/SearchCommand.ts";

const { version } = createRequire(import.meta.url)("../../package.json") as { version: string };

/**
 * Every top-level command, in the order `--help` lists them. To add one (eval, bench, search), write its
 * CommandModule in commands/ and add a line here.
 */
const registerCommands = (cli: Argv) =>
  cli.command(SearchCommand).command(EvalCommand).command(BenchCommand).command(ModelCommand).command(ProfilesCommand);

const cli = yargs(hideBin(process.argv));
try {
  await registerCommands(cli)
    .scriptName("tuner")
    .usage("Usage: $0 <command> [options]\n\nMeasure and search per-layer K/V cache precision for llama.cpp.")
    .recommendCommands()
    .demandCommand(1)
    .strict()
    .strictCommands()
    .help("h")
    .alias("h", "help")
    .version(version)
    .wrap(Math.min(120, cli.terminalWidth()))
    // usage mistakes get the help text and the reason; errors from handlers are rethrown to the catch below
    .fail((message, error, argv) => {
      if (error) throw error;
      process.stderr.write(`${argv.help()}\n\ntuner: ${message}\n`);
      process.exit(1);
    })
    .parseAsync();
} catch (error) {
  // library errors are named classes whose message says what was expected: one line, no stack
  process.stderr.write(`tuner: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
