import type { Argv } from "yargs";

/**
 * The shared frame of KVSplit's CLIs: strict parsing and help; a usage mistake prints the help and the reason,
 * a library error prints its one-line message (named errors say what was expected), both exit 1.
 */
export async function runCli(cli: Argv, name: string, usage: string, version: string): Promise<void> {
  try {
    await cli
      .scriptName(name)
      .usage(`Usage: $0 <command> [options]\n\n${usage}`)
      .recommendCommands()
      .demandCommand(1)
      .strict()
      .strictCommands()
      .help("h")
      .alias("h", "help")
      .version(version)
      .wrap(Math.min(120, cli.terminalWidth()))
      .fail((message, error, argv) => {
        if (error) throw error;
        process.stderr.write(`${argv.help()}\n\n${name}: ${message}\n`);
        process.exit(1);
      })
      .parseAsync();
  } catch (error) {
    process.stderr.write(`${name}: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  }
}
