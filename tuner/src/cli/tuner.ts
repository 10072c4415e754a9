import { createRequire } from "node:module";
import yargs, { type Argv } from "yargs";
import { hideBin } from "yargs/helpers";
import { joinNegativeValues } from "./negativeValues.ts";
import { runCli } from "./runCli.ts";
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

await runCli(
  registerCommands(yargs(joinNegativeValues(hideBin(process.argv)))),
  "tuner",
  "Measure and search per-layer K/V cache precision for llama.cpp.",
  version,
);
